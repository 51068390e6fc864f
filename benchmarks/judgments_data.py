"""Builds the precedent corpus of the judgment assistant from public judgments with known outcomes, fetched as git
mirrors (the texts stay outside this repository; the package ships the corpus this script writes).

Source (a bare git directory under ``MIRRORS``, ``owner+name/repo``):

- ``Govindarajannn/Indian-Legal-Case-Outcome-Predictor``: Supreme Court of India judgments of 2023-2024 from
  Indian Kanoon, each in sections (facts, arguments, observations, relevant laws) with the court's decision.
  The outcome is read from the decision: an appeal or petition allowed, or the impugned order set aside or
  quashed, is ``accepted``; dismissed or upheld is ``rejected``; a decision saying both or neither is left out.
  Only the facts and the arguments are kept as the case text (the observations and the decision give the
  answer away).

Split: ``test`` when the first hex digit of the SHA-1 of the case text is 0-3 (a quarter), else ``train``; the
outcome model is fitted on ``train`` only (``benchmarks.train_judgments``) and scored on ``test``.

    .venv/bin/python -m benchmarks.judgments_data [--mirrors /work/.mirror] [--out /work/data/judgments]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
from pathlib import Path
from typing import Any

MIRRORS = Path("/work/.mirror")
OUT = Path("/work/data/judgments")
INDIA = "Govindarajannn+Indian-Legal-Case-Outcome-Predictor"
INDIA_FILES = ("datasets/finetune_data.json", "datasets/test_dataset.json")

ACCEPTED = re.compile(r"\b(allow(s|ed)?|set(s)? aside|quash(es|ed)?|remand(s|ed)?)\b", re.I)
REJECTED = re.compile(r"\b(dismiss(es|ed)?|uph(o|e)ld|reject(s|ed)?|no merit)\b", re.I)
SECTION = re.compile(r"^(Facts|Arguments|observations|Relevant Laws):\s*$", re.I | re.M)


def split_of(text: str) -> str:
    return "test" if hashlib.sha1(text.encode()).hexdigest()[0] in "0123" else "train"


def outcome_of(decision: str) -> str | None:
    accepted, rejected = bool(ACCEPTED.search(decision)), bool(REJECTED.search(decision))
    if accepted == rejected:
        return None
    return "accepted" if accepted else "rejected"


def holding_of(decision: str) -> str:
    """The decision in one paragraph (list marks and line breaks out), at most 600 characters, cut at a word."""
    flat = re.sub(r"\s+", " ", re.sub(r"(?m)^\s*(?:[*•-]|\d+\.)\s+", "", decision)).strip()
    return flat if len(flat) <= 600 else flat[:600].rsplit(" ", 1)[0] + " …"


def sections(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    marks = list(SECTION.finditer(text))
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        end = following.start() if following else len(text)
        found[mark.group(1).lower()] = text[mark.end():end].strip()
    return found


def india_cases(mirror: Path) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    seen: set[str] = set()
    for path in INDIA_FILES:
        raw = subprocess.run(["git", "--git-dir", str(mirror), "show", f"HEAD:{path}"], capture_output=True,
                             check=True).stdout
        for row in json.loads(raw):
            decision = re.sub(r"^Decision Made:\s*", "", row["output"].strip())
            label = outcome_of(decision)
            parts = sections(row["input"])
            facts, arguments = parts.get("facts", ""), parts.get("arguments", "")
            if label is None or not facts or facts in seen:
                continue
            seen.add(facts)
            text = f"{facts}\n\n{arguments}".strip()
            digest = hashlib.sha1(text.encode()).hexdigest()
            cases.append({
                "id": f"in-sc-{digest[:10]}", "jurisdiction": "INDIA", "court": "Supreme Court of India",
                "citation": f"Supreme Court of India, 2023-24, corpus case {digest[:10]}",
                "facts": facts, "arguments": arguments, "holding": holding_of(decision),
                "outcome": label, "split": split_of(text), "source": "Indian Kanoon via " + INDIA.replace("+", "/"),
            })
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mirrors", type=Path, default=MIRRORS)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    cases = india_cases(args.mirrors / INDIA / "repo")
    with (args.out / "precedents.jsonl").open("w") as out:
        for case in cases:
            out.write(json.dumps(case, ensure_ascii=False) + "\n")
    for split in ("train", "test"):
        rows = [c for c in cases if c["split"] == split]
        accepted = sum(c["outcome"] == "accepted" for c in rows)
        print(f"{split}: {len(rows)} cases, {accepted} accepted, {len(rows) - accepted} rejected")


if __name__ == "__main__":
    main()
