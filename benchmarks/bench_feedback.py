"""Feedback line: speech-to-text accuracy and time, quality score against people's helpfulness votes, fraud rules on
a labelled pattern set.

    .venv/bin/python -m benchmarks.bench_feedback [--quick] [--only speech,quality,fraud]

Data nobody here wrote, kept outside the repo (``python -m benchmarks.feedback_data`` rebuilds it):
``PAPERCLERK_SPEECH_DATA`` (default /work/data/speech/ljspeech): LJ Speech clips (public domain, read English) with
``metadata.csv``; ``PAPERCLERK_REVIEWS_DATA`` (default /work/data/reviews/finefoods.csv): Amazon Fine Food reviews
(SNAP, CC0) with HelpfulnessNumerator/Denominator. Each is split into ``dev`` and ``test`` by the SHA-1 of the item's
id (one in three is ``test``); settings were chosen on ``dev`` only. A section whose data is missing says so.
Nothing asserts on wall time.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import re
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import Row, SectionResult

SECTION = "13 feedback"

SPEECH = Path(os.environ.get("PAPERCLERK_SPEECH_DATA", "/work/data/speech/ljspeech"))
REVIEWS = Path(os.environ.get("PAPERCLERK_REVIEWS_DATA", "/work/data/reviews/finefoods.csv"))
#: Rules whose evidence lists the other sessions of the same scheme (so a finding also catches the earlier ones);
#: near-duplicate and replay evidence names the originals, which are the victims, not part of the scheme.
SCHEME_RULES = ("FB-DEVICE", "FB-IP", "FB-PHONE", "FB-CARD", "FB-VELOCITY")

_NUMBERS = {"1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six", "7": "seven", "8": "eight",
            "9": "nine", "10": "ten"}


def split_of(key: str) -> str:
    return "test" if int(hashlib.sha1(key.encode()).hexdigest(), 16) % 3 == 0 else "dev"


def normalise(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9']+", text.lower().replace("-", " "))
    return [_NUMBERS.get(word, word) for word in words]


def edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    previous = list(range(len(hypothesis) + 1))
    for index, word in enumerate(reference, start=1):
        current = [index]
        for column, other in enumerate(hypothesis, start=1):
            current.append(min(previous[column] + 1, current[column - 1] + 1,
                               previous[column - 1] + (word != other)))
        previous = current
    return previous[-1]


def rank(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda index: values[index])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end) / 2
        start = end + 1
    return ranks


def spearman(first: Sequence[float], second: Sequence[float]) -> float:
    a, b = rank(first), rank(second)
    mean_a, mean_b = statistics.fmean(a), statistics.fmean(b)
    top = sum((x - mean_a) * (y - mean_b) for x, y in zip(a, b, strict=True))
    bottom = (sum((x - mean_a) ** 2 for x in a) * sum((y - mean_b) ** 2 for y in b)) ** 0.5
    return top / bottom if bottom else 0.0


def speech(quick: bool) -> list[Row]:
    """Word error rate per split on LJ Speech, and the time to read a 60 s clip (p50/p95 over repeated runs)."""
    import numpy as np

    from paperclerk.config import Settings
    from paperclerk.feedback import speech as stt

    metadata = SPEECH / "metadata.csv"
    if not metadata.exists():
        return [Row(SECTION, "speech to text", None, note=f"no data at {SPEECH}")]
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="bench-feedback-")), parse_in_subprocess=True)
    clips = [line.split("|") for line in metadata.read_text().splitlines() if line.strip()]
    rows = []
    errors: Counter[str] = Counter()
    words: Counter[str] = Counter()
    samples = []
    for name, _raw, normalised_text in clips[: 8 if quick else None]:
        audio_path = SPEECH / f"{name}.wav"
        result = stt.transcribe_file(audio_path, settings=settings)
        reference = normalise(normalised_text)
        errors[split_of(name)] += edit_distance(reference, normalise(result.text))
        words[split_of(name)] += len(reference)
        samples.append(stt.decode(audio_path, 600))
    for split in ("dev", "test"):
        if words[split]:
            rows.append(Row(SECTION, f"WER, LJ Speech {split} ({words[split]} words)",
                            round(100 * errors[split] / words[split], 1), "%", 10.0, "target", "max"))
    minute = np.concatenate(samples)[: 60 * stt.SAMPLE_RATE]
    with tempfile.TemporaryDirectory() as scratch:
        clip = Path(scratch) / "minute.wav"
        _write_wav(clip, minute)
        timings = []
        for _ in range(3 if quick else 7):
            started = time.perf_counter()
            stt.transcribe_file(clip, settings=settings)
            timings.append(time.perf_counter() - started)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    rows.append(Row(SECTION, f"60 s clip read, p95 of {len(timings)}", round(p95, 1), "s", 30.0, "target", "max",
                    note=f"p50 {statistics.median(timings):.1f} s; real-time factor {p95 / 60:.2f}; load average "
                         f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores during the run"))
    return rows


def _write_wav(path: Path, audio: Any) -> None:
    import wave

    import numpy as np

    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())


def quality(quick: bool) -> list[Row]:
    """Spearman of the quality score, and of the length-only baseline, against helpful votes (reviews with at
    least one vote), per split."""
    from paperclerk.feedback.quality import score_text

    if not REVIEWS.exists():
        return [Row(SECTION, "quality score", None, note=f"no data at {REVIEWS}")]
    with REVIEWS.open(encoding="utf-8-sig") as handle:
        reviews = [row for row in csv.DictReader(handle) if int(row["HelpfulnessDenominator"]) >= 1]
    rows = []
    for split in ("dev", "test"):
        chosen = [row for row in reviews if split_of(row["Id"]) == split][: 100 if quick else None]
        texts = [f"{row['Summary']}. {row['Text'].replace('<br />', ' ')}" for row in chosen]
        votes = [float(row["HelpfulnessNumerator"]) for row in chosen]
        scores = [float(score_text(text).score) for text in texts]
        lengths = [float(len(text.split())) for text in texts]
        rows.append(Row(SECTION, f"Spearman, score vs helpful votes, {split} ({len(chosen)} reviews)",
                        round(spearman(scores, votes), 3), "", round(spearman(lengths, votes), 3), "length only",
                        "floor", note="target ≥ 0.4 and above the length-only baseline"))
    return rows


def fraud(quick: bool) -> list[Row]:
    """Precision and recall of the fraud rules on the generated labelled patterns, per split."""
    from benchmarks.fraud_patterns import build
    from paperclerk.feedback.fraud import Signals, evaluate

    rows = []
    for split in ("dev", "test"):
        items = build(split, customers=120 if quick else 300, frauds=25 if quick else 60)
        seen: list[Signals] = []
        caught: set[str] = set()
        for item in items:
            findings = evaluate(item.signals, seen)
            if findings:
                caught.add(item.signals.id)
            for finding in findings:
                if finding.rule in SCHEME_RULES:
                    caught.update(finding.evidence.get("sessions", []))
            seen.append(item.signals)
        positives = [item for item in items if item.pattern]
        true = sum(1 for item in positives if item.signals.id in caught)
        false = sum(1 for item in items if not item.pattern and item.signals.id in caught)
        label = f"{split}, {len(items)} sessions, {len(positives)} fraudulent"
        rows.append(Row(SECTION, f"fraud rules precision ({label})", round(true / max(1, true + false), 3), "",
                        0.9, "target", "min"))
        rows.append(Row(SECTION, f"fraud rules recall ({label})", round(true / max(1, len(positives)), 3), "", 0.9,
                        "target", "min"))
    return rows


SECTIONS = {"speech": speech, "quality": quality, "fraud": fraud}


def run(quick: bool = False, only: Sequence[str] = ()) -> SectionResult:
    rows: list[Row] = []
    for name, section in SECTIONS.items():
        if not only or name in only:
            rows.extend(section(quick))
    return SectionResult(rows=rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    for row in run(args.quick, [item for item in args.only.split(",") if item]).rows:
        base = f"{row.baseline_label} {row.baseline}" if row.baseline is not None else ""
        print(f"{row.metric:<66} {row.value!s:>8} {row.unit:<2} {base:<22} {row.note}")


if __name__ == "__main__":
    main()
