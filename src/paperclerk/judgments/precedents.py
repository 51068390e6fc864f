"""The precedent store the offline engine draws on: public judgments with their outcomes, shipped as
``data/precedents.jsonl`` (written by ``benchmarks.train_judgments`` from ``benchmarks.judgments_data``), and
the retrieval of the decided cases most like a new one (TF-IDF cosine over their facts and arguments)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from paperclerk.judgments.outcome import Vectorizer

STORE_PATH = Path(__file__).with_name("data") / "precedents.jsonl"
FIELDS = ("id", "jurisdiction", "court", "citation", "facts", "arguments", "holding", "outcome", "source")


@dataclass(frozen=True)
class Precedent:
    id: str
    jurisdiction: str
    court: str
    citation: str
    facts: str
    arguments: str
    holding: str
    outcome: str
    source: str

    @property
    def text(self) -> str:
        return f"{self.facts}\n\n{self.arguments}"


@dataclass(frozen=True)
class Match:
    precedent: Precedent
    similarity: float


class PrecedentStore:
    """Decided cases of every jurisdiction, each searchable by the text of a new case."""

    def __init__(self, precedents: list[Precedent]) -> None:
        self.precedents = precedents
        self.by_citation = {p.citation: p for p in precedents}
        self._vectorizer = Vectorizer.fit([p.text for p in precedents], min_df=1) if precedents else None
        self._matrix = self._vectorizer.transform([p.text for p in precedents]) if self._vectorizer else None

    def similar(self, text: str, jurisdiction: str, count: int = 5) -> list[Match]:
        """The ``count`` decided cases of ``jurisdiction`` most like ``text``, most similar first (similarity > 0)."""
        if self._vectorizer is None or self._matrix is None:
            return []
        scores = self._matrix @ self._vectorizer.transform([text])[0]
        order = [int(i) for i in np.argsort(-scores) if self.precedents[int(i)].jurisdiction == jurisdiction]
        return [Match(self.precedents[i], round(float(scores[i]), 4)) for i in order[:count] if scores[i] > 0]


def load(path: Path = STORE_PATH) -> PrecedentStore:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []
    return PrecedentStore([Precedent(**{k: row[k] for k in FIELDS}) for row in rows])


@lru_cache(maxsize=1)
def shipped() -> PrecedentStore:
    """The store shipped with paperclerk (read once per process)."""
    return load()
