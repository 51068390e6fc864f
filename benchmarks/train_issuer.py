"""Fits the issuer ranker's receipt model (``invoices/layout/issuer.py``): a logistic model over the features of every
name-like line, trained to pick the line that holds the merchant's name, written to
``invoices/layout/issuer_weights.json`` beside the hand-set invoice model (a model fitted on invoices too ranked
worse on generated invoice layouts no rule saw).

Trained on the ``dev`` splits of the real documents (``PAPERCLERK_READER_DATA``: invoices and receipts; never the
``test`` splits) and on the generated corpora the tests already use (``tests/invoices``: the regression styles,
the layout corpus and the seen receipt styles; the unseen world styles and receipt styles stay out). A candidate is
right when its name is the labelled one (letters and digits compared). Full-batch gradient descent from zero weights
on a listwise (softmax) loss, each document weighing the same, then a bias that makes score 0 even odds that the top
line is right; the shrinkage is chosen by 5-fold cross-validation on the training documents. The same data give
the same weights.

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
L2 = 1e-3
#: Shrinkages tried, and how many folds judge them.
L2_CHOICES = (1e-1, 1e-2, 1e-3, 1e-4)
FOLDS = 5


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


def fit(features: list[np.ndarray], rights: list[np.ndarray], l2: float = L2) -> tuple[float, np.ndarray]:
    """Weights that rank each document's right line first (softmax over its candidates, every document weighing
    the same, ``l2`` shrinkage), then the bias that puts even odds of the top line being right at score 0."""
    x = np.vstack(features)
    right = np.concatenate(rights)
    starts = np.cumsum([0] + [len(f) for f in features[:-1]])
    document = np.repeat(np.arange(len(features)), [len(f) for f in features])
    weights = np.zeros(x.shape[1])
    for _ in range(STEPS):
        s = x @ weights
        e = np.exp(s - np.maximum.reduceat(s, starts)[document])
        p = e / np.add.reduceat(e, starts)[document]
        q = e * right / np.add.reduceat(e * right, starts)[document]
        weights -= RATE * (x.T @ (p - q) / len(features) + l2 * weights)
    tops = np.array([float((f @ weights).max()) for f in features])
    hits = np.array([r[int(np.argmax(f @ weights))] for f, r in zip(features, rights, strict=True)])
    slope, intercept = 1.0, 0.0
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-(slope * tops + intercept)))
        slope -= RATE * float(np.mean((p - hits) * tops))
        intercept -= RATE * float(np.mean(p - hits))
    return (intercept / slope if slope > 0 else -float(np.median(tops))), weights


def choose_l2(features: list[np.ndarray], rights: list[np.ndarray]) -> float:
    """The shrinkage with the best top-1 over ``FOLDS`` held-out folds of the training documents (the larger on a
    tie): chosen on the training data alone, never on a test split."""
    best: tuple[float, float] | None = None
    for l2 in sorted(L2_CHOICES, reverse=True):
        hits = []
        for fold in range(FOLDS):
            train = [i for i in range(len(features)) if i % FOLDS != fold]
            held = [i for i in range(len(features)) if i % FOLDS == fold]
            bias, weights = fit([features[i] for i in train], [rights[i] for i in train], l2)
            hits.append(top1([features[i] for i in held], [rights[i] for i in held], bias, weights) * len(held))
        accuracy = sum(hits) / len(features)
        print(f"L2 {l2:g}: {accuracy:.3f} top-1 on held-out folds")
        if best is None or accuracy > best[0]:
            best = (accuracy, l2)
    assert best is not None
    return best[1]


def top1(features: list[np.ndarray], rights: list[np.ndarray], bias: float, weights: np.ndarray) -> float:
    hits = [right[int(np.argmax(bias + f @ weights))] for f, right in zip(features, rights, strict=True)]
    return float(np.mean(hits)) if hits else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=DATA / ".cache", help="extractions (OCR) kept between runs")
    parser.add_argument("--dry-run", action="store_true", help="print the fit, do not write the weights")
    args = parser.parse_args()
    features, rights, sources = examples(args.cache)
    receipts = [index for index, source in enumerate(sources) if source.endswith("receipts")]
    features, rights, sources = ([features[i] for i in receipts], [rights[i] for i in receipts],
                                 [sources[i] for i in receipts])
    old_bias, old_weights = issuer.weights_for(issuer.RECEIPT_MODEL)
    l2 = choose_l2(features, rights)
    bias, weights = fit(features, rights, l2)
    for source in sorted(set(sources)):
        chosen = [i for i, s in enumerate(sources) if s == source]
        picked = ([features[i] for i in chosen], [rights[i] for i in chosen])
        before, after = top1(*picked, old_bias, np.array(old_weights)), top1(*picked, bias, weights)
        print(f"{source:<20} {len(chosen):>4} documents  top-1 before {before:.3f}  after {after:.3f}")
    models: dict[str, Any] = json.loads(issuer.WEIGHTS_FILE.read_text(encoding="utf-8"))
    models["features"] = list(issuer.FEATURES)
    models[issuer.RECEIPT_MODEL] = {
        "bias": round(bias, 4), "weights": [round(float(w), 4) for w in weights],
        "trained_on": f"benchmarks.train_issuer: L2 {l2:g} (5-fold), {len(features)} receipts ("
                      + ", ".join(f"{sources.count(s)} {s}" for s in sorted(set(sources))) + ")"}
    print(json.dumps(models[issuer.RECEIPT_MODEL]))
    if not args.dry_run:
        issuer.WEIGHTS_FILE.write_text(json.dumps(models, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
