"""Train the legal analysis models shipped in ``src/paperclerk/legal/analysis/data/`` and score them.

    .venv/bin/python -m benchmarks.train_legal clauses        # fit on CUAD train+dev, thresholds out-of-fold
    .venv/bin/python -m benchmarks.train_legal score-clauses  # presence macro-F1 on CUAD test (never tuned on)

Clauses: every contract is split into passages the way the product splits pages (``search.passages.split``); a
passage is positive for a category when it overlaps one of CUAD's annotated snippets. One logistic regression per
category on the passages' TF-IDF (stochastic gradient descent); a contract has the clause when its best passage's
probability reaches the category's threshold, chosen for the best F1 on out-of-fold predictions over train+dev
(2 folds by contract; the passages of no clause are sampled). The test split (see ``benchmarks.cuad_data``) is
only scored. Needs scikit-learn (a dev dependency); the product reads the weights with numpy alone.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from benchmarks import cuad_data
from paperclerk.legal.analysis import features
from paperclerk.search.passages import split

DATA = Path(__file__).resolve().parents[1] / "src" / "paperclerk" / "legal" / "analysis" / "data"
MAX_TERMS = 40000
ALPHA = 2e-5
EPOCHS = 12
FOLDS = 2
NEGATIVE_SHARE = 0.3


def passages(text: str) -> list[tuple[int, int, str]]:
    return [(span.start, span.end, span.text) for span in split([(1, text)])]


def snippet_spans(text: str, snippet: str) -> list[tuple[int, int]]:
    words = snippet.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(word) for word in words))
    return [(match.start(), match.end()) for match in pattern.finditer(text)]


def labelled(contracts: Sequence[cuad_data.Contract],
             categories: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Passages' texts, their (passages, categories) 0/1 labels and each passage's contract index."""
    texts, labels, owners = [], [], []
    for number, contract in enumerate(contracts):
        found = {category: [span for snippet in contract.clauses[category]
                            for span in snippet_spans(contract.text, snippet)] for category in categories}
        for start, end, text in passages(contract.text):
            texts.append(text)
            owners.append(number)
            labels.append([any(min(end, e) - max(start, s) >= min(20, e - s) for s, e in found[category])
                           for category in categories])
    return texts, np.array(labels, dtype=bool), np.array(owners)


def _vectorizer(texts: list[str]):  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=features.terms, sublinear_tf=True, min_df=2, max_features=MAX_TERMS,
                                 dtype=np.float32)
    return vectorizer, vectorizer.fit_transform(texts)


def _fit(matrix, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    """One logistic regression per category, by stochastic gradient descent (seconds on 2 busy cores)."""
    from sklearn.linear_model import SGDClassifier

    weights = np.zeros((matrix.shape[1], labels.shape[1]), dtype=np.float32)
    intercepts = np.full(labels.shape[1], -10.0, dtype=np.float32)
    for column in range(labels.shape[1]):
        print(".", end="", flush=True)
        if labels[:, column].sum() < 2:
            continue
        model = SGDClassifier(loss="log_loss", alpha=ALPHA, class_weight="balanced", max_iter=EPOCHS, tol=None,
                              random_state=7)
        model.fit(matrix, labels[:, column])
        weights[:, column] = model.coef_[0]
        intercepts[column] = model.intercept_[0]
    print(flush=True)
    return weights, intercepts


def _document_scores(matrix, weights: np.ndarray, intercepts: np.ndarray,  # type: ignore[no-untyped-def]
                     owners: np.ndarray, documents: int) -> np.ndarray:
    logits = matrix @ weights + intercepts
    probabilities = 1.0 / (1.0 + np.exp(-logits))
    scores = np.zeros((documents, weights.shape[1]), dtype=np.float32)
    np.maximum.at(scores, owners, probabilities)
    return scores


def _presence(contracts: Sequence[cuad_data.Contract], categories: list[str]) -> np.ndarray:
    return np.array([[bool(contract.clauses[category]) for category in categories] for contract in contracts])


def f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    true_positive = float((truth & predicted).sum())
    wrong = float((truth ^ predicted).sum())
    return 1.0 if true_positive + wrong == 0 else 2 * true_positive / (2 * true_positive + wrong)


def best_threshold(truth: np.ndarray, scores: np.ndarray) -> float:
    candidates = np.unique(np.concatenate([scores, [0.0, 1.01]]))
    results = [(f1(truth, scores >= threshold), threshold) for threshold in candidates]
    best = max(result[0] for result in results)
    passing = [threshold for score, threshold in results if score >= best - 1e-9]
    return float(np.median(passing))


def train_clauses() -> None:
    categories = cuad_data.categories()
    contracts = list(cuad_data.contracts("train", "dev"))
    texts, labels, owners = labelled(contracts, categories)
    print(f"{len(contracts)} contracts, {len(texts)} passages", flush=True)
    # the vocabulary and IDF are fitted once on all train+dev passages (no labels involved)
    vectorizer, matrix = _vectorizer(texts)
    # every passage of some clause, and a fixed sample of the others: the models see all the positives at a
    # fraction of the cost (document scores are the best passage's, so thresholds absorb the shift)
    sampled = labels.any(axis=1) | (np.random.default_rng(7).random(len(texts)) < NEGATIVE_SHARE)
    folds = np.array([number % FOLDS for number in range(len(contracts))])
    out_of_fold = np.zeros((len(contracts), len(categories)), dtype=np.float32)
    for fold in range(FOLDS):
        fit_rows = (folds[owners] != fold) & sampled
        weights, intercepts = _fit(matrix[fit_rows], labels[fit_rows])
        held = folds[owners] == fold
        scores = _document_scores(matrix[held], weights, intercepts, owners[held], len(contracts))
        out_of_fold[folds == fold] = scores[folds == fold]
    truth = _presence(contracts, categories)
    thresholds = np.array([best_threshold(truth[:, c], out_of_fold[:, c]) for c in range(len(categories))])
    scored = [f1(truth[:, c], out_of_fold[:, c] >= thresholds[c]) for c in range(len(categories))]
    print(f"out-of-fold presence macro-F1 (train+dev): {np.mean(scored):.3f}")
    weights, intercepts = _fit(matrix[sampled], labels[sampled])
    vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
    DATA.mkdir(exist_ok=True)
    features.save(str(DATA / "clauses.npz"), labels=categories, vocabulary=vocabulary, idf=vectorizer.idf_,
                  weights=weights, intercepts=intercepts, thresholds=thresholds)


def score_clauses(split_name: str = "test") -> tuple[float, dict[str, float]]:
    """Presence F1 per category of the shipped model on a CUAD split, scored through the product's own path."""
    from paperclerk.legal.analysis import clauses

    categories = cuad_data.categories()
    contracts = list(cuad_data.contracts(split_name))
    truth = _presence(contracts, categories)
    predicted = np.zeros_like(truth)
    for row, contract in enumerate(contracts):
        found = {clause.category for clause in clauses.find([contract.text])}
        predicted[row] = [category in found for category in categories]
    per_category = {category: f1(truth[:, c], predicted[:, c]) for c, category in enumerate(categories)}
    return float(np.mean(list(per_category.values()))), per_category


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "clauses"
    if command == "clauses":
        train_clauses()
    elif command == "score-clauses":
        macro, per_category = score_clauses(sys.argv[2] if len(sys.argv) > 2 else "test")
        for category, value in sorted(per_category.items(), key=lambda item: item[1]):
            print(f"{value:.3f}  {category}")
        print(f"presence macro-F1: {macro:.3f}")
    else:
        raise SystemExit(f"unknown command {command!r}")
