"""The legal e-billing text checks on REAL time-entry wordings: entries that courts (or articles quoting their fee
decisions) classed as block-billed, vague or clerical, and entries they accepted, from
``PAPERCLERK_LEGAL_ENTRIES`` (JSON Lines ``{"text", "labels", "source", "split"}``; default
``/work/data/billing_entries/entries.jsonl``, kept outside the repository with each entry's source address). The split
is by the SHA-1 of the source address (first hex digit even: ``dev``); the checks are developed on ``dev`` only and
``test`` is measured, never read.

``python -m benchmarks.legal_wordings [dev|test]`` prints precision and recall per check; ``bench_legal`` reports
both splits.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

DATA = Path(os.environ.get("PAPERCLERK_LEGAL_ENTRIES", "/work/data/billing_entries/entries.jsonl"))
CHECKS = ("block", "vague", "admin")


def entries(split: str) -> list[dict[str, object]]:
    if not DATA.exists():
        return []
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if row["split"] == split]


def flagged(text: str) -> set[str]:
    """What the line's text checks say about one description, with the default guidelines."""
    from paperclerk.legal_billing import text_checks
    from paperclerk.legal_billing.guidelines import Guidelines

    guidelines = Guidelines()
    found = set()
    if text_checks.is_block_billed(text):
        found.add("block")
    if text_checks.vague_phrase(text, guidelines.all_vague_phrases()) is not None:
        found.add("vague")
    if text_checks.administrative(text, guidelines.administrative_phrases):
        found.add("admin")
    return found


def score(split: str) -> dict[str, tuple[int, int, int]]:
    """(true positives, false positives, false negatives) per check on one split."""
    counts = {check: [0, 0, 0] for check in CHECKS}
    for row in entries(split):
        labels = set(row["labels"])  # type: ignore[call-overload]
        found = flagged(str(row["text"]))
        for check in CHECKS:
            if check in found and check in labels:
                counts[check][0] += 1
            elif check in found:
                counts[check][1] += 1
            elif check in labels:
                counts[check][2] += 1
    return {check: (tp, fp, fn) for check, (tp, fp, fn) in counts.items()}


if __name__ == "__main__":
    chosen = sys.argv[1] if len(sys.argv) > 1 else "dev"
    print(f"{len(entries(chosen))} entries ({chosen}) from {DATA}")
    for check, (tp, fp, fn) in score(chosen).items():
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        print(f"{check:6} P {precision:.2f} R {recall:.2f} (tp {tp}, fp {fp}, fn {fn})")
