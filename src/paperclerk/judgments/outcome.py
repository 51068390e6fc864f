"""The outcome model of the offline engine: TF-IDF over words and word pairs, then logistic regression, with
weights fitted on decided cases by ``benchmarks.train_judgments`` and shipped as ``data/outcome_model.json``.

One model per jurisdiction family: its ``labels`` are the pair it decides between (``accepted``/``rejected`` for
an appeal or petition, ``violation``/``no_violation`` for the ECHR); the probability is that of the second label's
opposite, i.e. ``labels[1]`` when the score is positive.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_PATH = Path(__file__).with_name("data") / "outcome_model.json"
_WORD = re.compile(r"[a-z][a-z']+")
#: Function words, which carry no signal about a case.
STOP = frozenset({"a", "an", "the", "of", "to", "in", "on", "and", "or", "for", "by", "with", "as", "at", "from",
    "that", "this", "these", "those", "is", "are", "was", "were", "be", "been", "being", "it", "its", "which",
    "who", "whom", "whose", "has", "have", "had", "not", "no", "but", "if", "then", "than", "so", "such", "into",
    "upon", "under", "over", "any", "all", "each", "other", "also", "may", "shall", "would", "should", "could",
    "can", "will"})


def terms(text: str) -> list[str]:
    """Lower-case words (stop words out) and adjacent word pairs."""
    words = [w for w in _WORD.findall(text.lower()) if w not in STOP]
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


@dataclass(frozen=True)
class Vectorizer:
    vocabulary: dict[str, int]
    idf: np.ndarray

    def transform(self, texts: list[str]) -> np.ndarray:
        """Sub-linear TF times IDF rows, L2-normalised (a zero row for a text with no known term)."""
        matrix = np.zeros((len(texts), len(self.vocabulary)), dtype=np.float32)
        for row, text in enumerate(texts):
            for term, count in Counter(terms(text)).items():
                column = self.vocabulary.get(term)
                if column is not None:
                    matrix[row, column] = (1.0 + math.log(count)) * self.idf[column]
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms == 0, 1.0, norms)

    @classmethod
    def fit(cls, texts: list[str], *, min_df: int = 2, max_terms: int = 20000) -> Vectorizer:
        frequency: Counter[str] = Counter()
        for text in texts:
            frequency.update(set(terms(text)))
        kept = sorted((t for t, n in frequency.items() if n >= min_df), key=lambda t: (-frequency[t], t))[:max_terms]
        idf = np.array([math.log((1 + len(texts)) / (1 + frequency[t])) + 1.0 for t in kept], dtype=np.float32)
        return cls({t: i for i, t in enumerate(kept)}, idf)


@dataclass(frozen=True)
class OutcomeModel:
    """A fitted model: ``labels[1]`` when ``w·x + b > 0``."""

    labels: tuple[str, str]
    vectorizer: Vectorizer
    weights: np.ndarray
    bias: float

    def probability(self, text: str) -> tuple[str, float]:
        """The more likely label and its probability."""
        score = float(self.vectorizer.transform([text])[0] @ self.weights + self.bias)
        p = 1.0 / (1.0 + math.exp(-score))
        return (self.labels[1], p) if p >= 0.5 else (self.labels[0], 1.0 - p)

    def contributions(self, text: str, count: int = 5) -> list[tuple[str, float]]:
        """The case's terms that moved the score most (signed: positive pushes toward ``labels[1]``)."""
        row = self.vectorizer.transform([text])[0] * self.weights
        order = np.argsort(-np.abs(row))[:count]
        names = {i: t for t, i in self.vectorizer.vocabulary.items()}
        return [(names[int(i)], float(row[i])) for i in order if row[i] != 0]

    def to_json(self) -> dict[str, object]:
        ordered = sorted(self.vectorizer.vocabulary, key=self.vectorizer.vocabulary.__getitem__)
        return {"labels": list(self.labels), "terms": ordered,
                "idf": [round(float(v), 5) for v in self.vectorizer.idf],
                "weights": [round(float(v), 5) for v in self.weights], "bias": round(self.bias, 6)}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> OutcomeModel:
        terms_ = list(data["terms"])  # type: ignore[call-overload]
        labels: list[str] = list(data["labels"])  # type: ignore[call-overload]
        return cls((str(labels[0]), str(labels[1])),
                   Vectorizer({str(t): i for i, t in enumerate(terms_)}, np.array(data["idf"], dtype=np.float32)),
                   np.array(data["weights"], dtype=np.float32), float(data["bias"]))  # type: ignore[arg-type]


def fit(texts: list[str], labels: list[str], label_pair: tuple[str, str], *, l2: float = 1.0,
        steps: int = 400, min_df: int = 2) -> OutcomeModel:
    """Logistic regression by full-batch gradient descent with L2, classes weighted to equal mass."""
    vectorizer = Vectorizer.fit(texts, min_df=min_df)
    x = vectorizer.transform(texts).astype(np.float64)
    y = np.array([1.0 if label == label_pair[1] else 0.0 for label in labels])
    positive = max(y.sum(), 1.0)
    negative = max(len(y) - y.sum(), 1.0)
    sample = np.where(y == 1.0, len(y) / (2 * positive), len(y) / (2 * negative))
    w, b = np.zeros(x.shape[1]), 0.0
    rate = 1.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        error = (p - y) * sample
        w -= rate * (x.T @ error / len(y) + l2 * w / len(y))
        b -= rate * float(error.mean())
    return OutcomeModel(label_pair, vectorizer, w.astype(np.float32), b)


@lru_cache(maxsize=1)
def shipped() -> dict[str, OutcomeModel]:
    """The shipped models by jurisdiction (``INDIA``, …); a jurisdiction without one has no model."""
    if not MODEL_PATH.exists():
        return {}
    data = json.loads(MODEL_PATH.read_text())
    return {name: OutcomeModel.from_json(model) for name, model in data["models"].items()}
