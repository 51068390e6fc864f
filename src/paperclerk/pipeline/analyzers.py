"""The analyzer registry: domain packages plug their analysis of a document kind in here.

An analyzer computes without the database (:meth:`Analyzer.analyze`), then saves its result
inside the pipeline's final transaction (:meth:`Analyzer.save`), so a document's analysis is
stored together with its text and status, or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from paperclerk.documents.models import Document
    from paperclerk.pipeline.context import PipelineContext


@dataclass
class AnalysisResult:
    data: Any
    #: True when a person must look at the document (open findings, low confidence).
    needs_review: bool = False
    summary: dict[str, Any] = field(default_factory=dict)


class Analyzer(Protocol):
    name: str
    kinds: frozenset[str]

    def analyze(self, context: PipelineContext) -> AnalysisResult: ...

    def save(self, session: Session, document: Document, result: AnalysisResult) -> bool:
        """Store the result in the pipeline's final transaction; returns whether a person must review the
        document (what only the organisation's data can tell, e.g. a duplicate), on top of ``result.needs_review``."""
        ...


_ANALYZERS: list[Analyzer] = []


def register_analyzer(analyzer: Analyzer) -> None:
    if any(existing.name == analyzer.name for existing in _ANALYZERS):
        raise ValueError(f"analyzer {analyzer.name!r} is already registered")
    _ANALYZERS.append(analyzer)


def unregister_analyzer(name: str) -> None:
    _ANALYZERS[:] = [analyzer for analyzer in _ANALYZERS if analyzer.name != name]


def analyzers_for(kind: str) -> list[Analyzer]:
    return [analyzer for analyzer in _ANALYZERS if kind in analyzer.kinds]
