"""Offline analysis of one legal document's text: its type, entities, CUAD clauses, risks and deadlines.

``analyze(pages)`` is the one entry point (pure: no database, no network, no model download); the registry stores
what it returns and ``paperclerk legal analyze`` prints it (``report.as_json``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from paperclerk.legal.analysis import classify, clauses, deadlines, entities, risks
from paperclerk.legal.analysis.types import LEGAL_TYPES, LegalAnalysis

#: Clauses are looked for in contracts only (a judgment quoting a contract has no clauses of its own).
_CLAUSE_KINDS = frozenset({"contract"})


def analyze(pages: Sequence[str]) -> LegalAnalysis:
    """Type, entities, clauses, risks and deadlines of a document given as its pages' texts."""
    started = time.perf_counter()
    legal_type, confidence = classify.classify(pages)
    is_contract = LEGAL_TYPES[legal_type] in _CLAUSE_KINDS
    found_entities = entities.find(pages)
    found_clauses = clauses.find(pages) if is_contract else []
    parties = [entity for entity in found_entities if entity.type == "party"]
    return LegalAnalysis(
        legal_type=legal_type, type_confidence=confidence, entities=tuple(found_entities),
        clauses=tuple(found_clauses), risks=tuple(risks.assess(found_clauses, is_contract=is_contract)),
        deadlines=tuple(deadlines.find(pages, parties)), elapsed_ms=(time.perf_counter() - started) * 1000)


__all__ = ["LegalAnalysis", "analyze"]
