"""Words and word pairs of a text as a TF-IDF vector, and the linear models the analysis ships that score them.

A model file (``data/*.npz``, written by ``benchmarks/train_legal.py``) holds the vocabulary (UTF-8, one term a
line), the terms' IDF, one weight column per label (float16), the intercepts and, for clause models, each label's
decision threshold. Reading needs numpy only: a text's vector is a few hundred (term, weight) pairs, and its
scores are the weighted sum of those terms' rows.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

_TOKEN = re.compile(r"[a-z][a-z0-9]*")


def terms(text: str) -> list[str]:
    """Lower-case words (numbers dropped: amounts and dates differ between documents) and adjacent word pairs."""
    words = _TOKEN.findall(text.lower())
    return words + [f"{first} {second}" for first, second in itertools.pairwise(words)]


@dataclass(frozen=True)
class LinearModel:
    labels: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: np.ndarray  # (terms,) float32
    weights: np.ndarray  # (terms, labels) float32
    intercepts: np.ndarray  # (labels,) float32
    thresholds: np.ndarray  # (labels,) float32: probability at or above which a label is present

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Sublinear TF-IDF, L2-normalised: the indices of the known terms and their weights."""
        counts: Counter[int] = Counter()
        for term, count in Counter(terms(text)).items():
            index = self.vocabulary.get(term)
            if index is not None:
                counts[index] = count
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        indices = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        values = np.fromiter((1.0 + math.log(count) for count in counts.values()), dtype=np.float32,
                             count=len(counts)) * self.idf[indices]
        return indices, values / max(float(np.linalg.norm(values)), 1e-12)

    def logits(self, texts: list[str]) -> np.ndarray:
        """(texts, labels) decision values."""
        scores = np.empty((len(texts), len(self.labels)), dtype=np.float32)
        for row, text in enumerate(texts):
            indices, values = self.vector(text)
            scores[row] = values @ self.weights[indices] + self.intercepts
        return scores

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """One-vs-rest probabilities (a logistic per label)."""
        return np.asarray(1.0 / (1.0 + np.exp(-self.logits(texts))), dtype=np.float32)


@cache
def load(name: str) -> LinearModel:
    """The model ``data/<name>.npz`` shipped in the package (read once per process)."""
    with resources.files("paperclerk.legal.analysis").joinpath(f"data/{name}.npz").open("rb") as stream:
        data = np.load(stream, allow_pickle=False)
        vocabulary = bytes(data["vocabulary"]).decode("utf-8").split("\n")
        labels = tuple(bytes(data["labels"]).decode("utf-8").split("\n"))
        return LinearModel(labels=labels, vocabulary={term: index for index, term in enumerate(vocabulary)},
                           idf=data["idf"].astype(np.float32), weights=data["weights"].astype(np.float32),
                           intercepts=data["intercepts"].astype(np.float32),
                           thresholds=data["thresholds"].astype(np.float32))


def save(path: str, *, labels: list[str], vocabulary: list[str], idf: np.ndarray, weights: np.ndarray,
         intercepts: np.ndarray, thresholds: np.ndarray) -> None:
    """Write a model file :func:`load` reads (the training script's side)."""
    np.savez_compressed(path, labels=np.frombuffer("\n".join(labels).encode(), dtype=np.uint8),
                        vocabulary=np.frombuffer("\n".join(vocabulary).encode(), dtype=np.uint8),
                        idf=idf.astype(np.float16), weights=weights.astype(np.float16),
                        intercepts=intercepts.astype(np.float32), thresholds=thresholds.astype(np.float32))
