"""The pipeline's legal analyzer: a contract, pleading, judgment, letter or statute is analysed from its page text
(type, entities, clauses, risks, deadlines with their spans) without the database, then stored in the pipeline's
final transaction together with the daily statistics and, for a document filed in a case, the
``legal.analysis_complete`` event."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from paperclerk.legal import findings
from paperclerk.legal.analysis.types import LegalAnalysis
from paperclerk.pipeline.analyzers import AnalysisResult
from paperclerk.pipeline.run import storable

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from paperclerk.documents.models import Document
    from paperclerk.pipeline.context import PipelineContext

#: The document kinds the line analyses (declared in ``legal.plugin``).
KINDS = frozenset({"contract", "pleading", "judgment", "correspondence", "statute"})


class LegalDocumentAnalyzer:
    name = "legal"
    kinds = KINDS

    def __init__(self, read: Callable[[Sequence[str]], LegalAnalysis]) -> None:
        self.read = read

    def analyze(self, context: PipelineContext) -> AnalysisResult:
        assert context.extraction is not None
        started = time.perf_counter()
        analysis = self.read([storable(page.text) for page in context.extraction.pages])
        # The pipeline's time on the document so far (extract, language, classify) and this analysis.
        processing_ms = sum(context.timings.values()) + (time.perf_counter() - started) * 1000
        return AnalysisResult(data=(analysis, processing_ms), summary={
            "legal_type": analysis.legal_type, "clauses": len(analysis.clauses), "risks": len(analysis.risks),
            "deadlines": len(analysis.deadlines)})

    def save(self, session: Session, document: Document, result: AnalysisResult) -> bool:
        analysis, processing_ms = result.data
        findings.store(session, document, analysis, processing_ms=processing_ms)
        return False
