"""The 41 CUAD clause categories found in a contract, each with the passage that supports it.

The pages are split into passages the way search splits them (``search.passages.split``); the shipped model
(``data/clauses.npz``, trained on CUAD by ``benchmarks/train_legal.py``) gives each passage a probability per
category, and a category is present when its best passage reaches the category's threshold. That passage is the
evidence; a second passage counts too when it also passes the threshold (a clause spread over two paragraphs).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from paperclerk.legal.analysis import features
from paperclerk.legal.analysis.types import Clause, Span
from paperclerk.search.passages import split

#: Passages per category kept as evidence.
MAX_EVIDENCE = 2


def find(pages: Sequence[str]) -> list[Clause]:
    """The clauses of a document, strongest evidence first within each category, categories in CUAD's order."""
    spans = split([(number, text) for number, text in enumerate(pages, start=1)])
    if not spans:
        return []
    model = features.load("clauses")
    probabilities = model.probabilities([span.text for span in spans])
    found: list[Clause] = []
    for column, category in enumerate(model.labels):
        ranked = np.argsort(-probabilities[:, column], kind="stable")[:MAX_EVIDENCE]
        for row in ranked:
            confidence = float(probabilities[row, column])
            if confidence < model.thresholds[column]:
                break
            span = spans[row]
            found.append(Clause(category, Span(span.page, span.start, span.end, span.text), round(confidence, 3)))
    return found
