"""Fits the issuer ranker (``invoices/layout/issuer.py``): a logistic model over the features of every name-like line,
trained to pick the line that holds the issuer's name, written to ``invoices/layout/issuer_weights.json``.

Trained on the ``dev`` splits of the real documents (``PAPERCLERK_READER_DATA``: invoices and receipts; never the
``test`` splits) and on the generated corpora the tests already use (``tests/invoices``: the regression styles,
the layout corpus and the seen receipt styles; the unseen world styles and receipt styles stay out). A candidate is
right when its name is the labelled one (letters and digits compared). Full-batch gradient descent from zero weights
on a listwise (softmax) loss, each document weighing the same, then a bias that makes score 0 even odds that the top
line is right: the same data give the same weights.

    .venv/bin/python -m benchmarks.train_issuer [--cache DIR] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.bench_reader import DATA, extract_document
from paperclerk.extraction.base import Extraction
from paperclerk.invoices.layout import issuer
from paperclerk.invoices.layout.header import HeaderReader

STEPS = 2000
RATE = 0.5
L2 = 1e-4


def documents(cache: Path | None) -> Iterator[tuple[str, Extraction, str]]:
    """(source, extraction, the issuer's name) of every training document."""
    for kind, label in (("invoices", "vendor_name"), ("receipts", "company")):
        folder = DATA / kind / "dev"
        if not (folder / "labels.json").exists():
            continue
        for name, values in sorted(json.loads((folder / "labels.json").read_text()).items()):
            if values.get(label):
                yield f"real {kind}", extract_document(folder / name, cache), values[label]
    from tests.invoices import generate, receipts, regression_styles

    with tempfile.TemporaryDirectory() as directory:
        for index, spec in enumerate(generate.corpus()):
            path = Path(directory) / f"layout-{index}.pdf"
            path.write_bytes(generate.pdf(spec))
            yield "generated layouts", extract_document(path, None), spec.expected()["vendor_name"]
        for doc in regression_styles.documents(2):
            path = Path(directory) / f"{doc.name}.pdf"
            path.write_bytes(regression_styles.pdf(doc))
            yield "generated styles", extract_document(path, None), doc.expected["vendor_name"]
        for receipt in receipts.receipts(receipts.SEEN, 5):
            path = Path(directory) / f"{receipt.name}.txt"
            path.write_bytes(receipts.text(receipt))
            yield "generated receipts", extract_document(path, None), receipt.expected["company"]


def examples(cache: Path | None) -> tuple[list[np.ndarray], list[np.ndarray], list[str]]:
    """Per document with a right candidate among several: the candidates' features and which are right."""
    features, rights, sources = [], [], []
    for source, extraction, wanted in documents(cache):
        reader = HeaderReader(extraction)
        reader.read()
        candidates = reader.issuer_candidates()
        right = np.array([issuer.key(c.name) == issuer.key(wanted) for c in candidates], dtype=float)
        if len(candidates) < 2 or not right.any():
            continue  # nothing to learn: one line only, or the name is not among the lines (OCR lost it)
        features.append(np.array([c.features for c in candidates], dtype=float))
        rights.append(right)
        sources.append(source)
    return features, rights, sources


def fit(features: list[np.ndarray], rights: list[np.ndarray]) -> tuple[float, np.ndarray]:
    """Weights that rank each document's right line first (softmax over its candidates, every document weighing
    the same, a little L2), then the bias that puts even odds of the top line being right at score 0."""
    weights = np.zeros(features[0].shape[1])
    for _ in range(STEPS):
        gradient = L2 * weights
        for f, right in zip(features, rights, strict=True):
            s = f @ weights
            p = np.exp(s - s.max())
            p /= p.sum()
            q = np.where(right > 0, p, 0.0)
            q /= q.sum()
            gradient += f.T @ (p - q) / len(features)
        weights -= RATE * gradient
    tops = np.array([float((f @ weights).max()) for f in features])
    hits = np.array([right[int(np.argmax(f @ weights))] for f, right in zip(features, rights, strict=True)])
    slope, intercept = 1.0, 0.0
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-(slope * tops + intercept)))
        slope -= RATE * float(np.mean((p - hits) * tops))
        intercept -= RATE * float(np.mean(p - hits))
    return (intercept / slope if slope > 0 else -float(np.median(tops))), weights


def top1(features: list[np.ndarray], rights: list[np.ndarray], bias: float, weights: np.ndarray) -> float:
    hits = [right[int(np.argmax(bias + f @ weights))] for f, right in zip(features, rights, strict=True)]
    return float(np.mean(hits)) if hits else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=DATA / ".cache", help="extractions (OCR) kept between runs")
    parser.add_argument("--dry-run", action="store_true", help="print the fit, do not write the weights")
    args = parser.parse_args()
    features, rights, sources = examples(args.cache)
    old_bias, old_weights = issuer._weights()
    bias, weights = fit(features, rights)
    for source in sorted(set(sources)):
        chosen = [i for i, s in enumerate(sources) if s == source]
        picked = ([features[i] for i in chosen], [rights[i] for i in chosen])
        before, after = top1(*picked, old_bias, np.array(old_weights)), top1(*picked, bias, weights)
        print(f"{source:<20} {len(chosen):>4} documents  top-1 before {before:.3f}  after {after:.3f}")
    model: dict[str, Any] = {
        "features": list(issuer.FEATURES), "bias": round(bias, 4), "weights": [round(float(w), 4) for w in weights],
        "trained_on": f"benchmarks.train_issuer: {len(features)} documents ("
                      + ", ".join(f"{sources.count(s)} {s}" for s in sorted(set(sources))) + ")"}
    print(json.dumps(model))
    if not args.dry_run:
        issuer.WEIGHTS_FILE.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
