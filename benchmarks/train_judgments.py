"""Fits the judgment assistant's outcome model on the ``train`` split of the precedent corpus
(``benchmarks.judgments_data``), scores it on ``test`` against the majority class, per jurisdiction, and writes
the shipped weights (``paperclerk/judgments/data/outcome_model.json``) and the precedent store
(``paperclerk/judgments/data/precedents.jsonl``). Deterministic.

    .venv/bin/python -m benchmarks.train_judgments [--data /work/data/judgments]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from paperclerk.judgments import outcome, precedents

DATA = Path("/work/data/judgments")
LABEL_PAIRS = {"INDIA": ("rejected", "accepted"), "ECHR": ("no_violation", "violation")}


def case_text(case: dict[str, Any]) -> str:
    return f"{case['facts']}\n\n{case['arguments']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    cases = [json.loads(line) for line in (args.data / "precedents.jsonl").open()]
    models: dict[str, Any] = {}
    print("| jurisdiction | train | test | majority class (test) | model accuracy (test) | gain |")
    print("|---|---|---|---|---|---|")
    for jurisdiction, pair in LABEL_PAIRS.items():
        train = [c for c in cases if c["jurisdiction"] == jurisdiction and c["split"] == "train"]
        test = [c for c in cases if c["jurisdiction"] == jurisdiction and c["split"] == "test"]
        if not train or not test:
            print(f"| {jurisdiction} | {len(train)} | {len(test)} | - | - | no data |")
            continue
        model = outcome.fit([case_text(c) for c in train], [c["outcome"] for c in train], pair, l2=0.1, steps=800)
        majority_label = Counter(c["outcome"] for c in train).most_common(1)[0][0]
        majority = sum(c["outcome"] == majority_label for c in test) / len(test)
        accuracy = sum(model.probability(case_text(c))[0] == c["outcome"] for c in test) / len(test)
        print(f"| {jurisdiction} | {len(train)} | {len(test)} | {majority:.1%} ({majority_label}) | "
              f"{accuracy:.1%} | {100 * (accuracy - majority):+.1f} pts |")
        models[jurisdiction] = model.to_json()
    outcome.MODEL_PATH.write_text(json.dumps({"models": models}, separators=(",", ":")))
    with precedents.STORE_PATH.open("w") as store:
        for case in cases:
            store.write(json.dumps({k: case[k] for k in precedents.FIELDS}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
