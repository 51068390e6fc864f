"""The 41 CUAD clause categories found in a contract, each with the passage that supports it.

The pages are split into passages the way search splits them (``search.passages.split``). Two shipped models,
trained on CUAD by ``benchmarks/train_legal.py``, give probabilities per category: ``data/clauses.npz`` to each
passage, ``data/clause_presence.npz`` to the whole document. A category is present when the weighted mean of its
best passage's probability and the document's reaches the category's threshold; that passage is the evidence, and a
second passage counts too when it also passes (a clause spread over two paragraphs).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from paperclerk.legal.analysis import features
from paperclerk.legal.analysis.types import Clause, Span
from paperclerk.search.passages import split

#: Passages per category kept as evidence.
MAX_EVIDENCE = 2
#: The passage's share of a category's score (the rest is the whole document's).
PASSAGE_WEIGHT = 0.5


def find(pages: Sequence[str]) -> list[Clause]:
    """The clauses of a document, strongest evidence first within each category, categories in CUAD's order."""
    spans = split([(number, text) for number, text in enumerate(pages, start=1)])
    if not spans:
        return []
    model = features.load("clauses")
    presence = features.load("clause_presence").probabilities(["\n".join(pages)])[0]
    probabilities = model.probabilities([span.text for span in spans])
    found: list[Clause] = []
    for column, category in enumerate(model.labels):
        ranked = np.argsort(-probabilities[:, column], kind="stable")[:MAX_EVIDENCE]
        for row in ranked:
            confidence = PASSAGE_WEIGHT * float(probabilities[row, column]) + (1 - PASSAGE_WEIGHT) * float(
                presence[column])
            if confidence < model.thresholds[column]:
                break
            span = spans[row]
            found.append(Clause(category, Span(span.page, span.start, span.end, span.text), round(confidence, 3)))
    return found
