"""A legal document's analysis as plain JSON values, the shape ``paperclerk legal analyze --json`` prints (keep it
stable): ``{"file", "kind", "kind_confidence", "entities", "clauses", "risks", "deadlines"}``, every piece of
evidence with its page (1-based) and character span into that page's text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from paperclerk.legal.analysis import analyze
from paperclerk.legal.analysis.types import LegalAnalysis, Span


def analyze_file(path: Path) -> dict[str, Any]:
    """Read ``path`` through extraction (sniffed type, size limit, sandboxed reader) and analyse its pages.

    Raises ``FileRejected`` subclasses (empty, unsupported, too large) and ``ExtractionError`` (corrupt,
    encrypted, too complex) with their stable codes."""
    from paperclerk.config import get_settings
    from paperclerk.core.errors import FileTooLarge
    from paperclerk.extraction import sandbox
    from paperclerk.extraction.base import Limits
    from paperclerk.extraction.sniff import detect_media_type

    settings = get_settings()
    size = path.stat().st_size
    if size > settings.max_upload_bytes:
        raise FileTooLarge(f"The file is larger than {settings.max_upload_mb} MB.", details={"bytes": size})
    extraction = sandbox.extract(path, detect_media_type(path), allow_ocr=True, limits=Limits.from_settings(settings),
                                 settings=settings)
    return as_json(str(path), analyze([page.text for page in extraction.pages]))


def as_json(file: str, analysis: LegalAnalysis) -> dict[str, Any]:
    return {
        "file": file,
        "kind": analysis.legal_type,
        "kind_confidence": analysis.type_confidence,
        "entities": [{"type": entity.type, **_span(entity.span), "value": entity.value, "role": entity.role}
                     for entity in analysis.entities],
        "clauses": [{"category": clause.category, **_span(clause.span), "confidence": clause.confidence}
                    for clause in analysis.clauses],
        "risks": [{"code": risk.code, "category": risk.category, "severity": risk.severity, "reason": risk.reason,
                   **(_span(risk.span) if risk.span is not None else {})} for risk in analysis.risks],
        "deadlines": [{"description": deadline.description, **_span(deadline.span),
                       "due": deadline.due.isoformat() if deadline.due else None, "party": deadline.party}
                      for deadline in analysis.deadlines],
    }


def _span(span: Span) -> dict[str, Any]:
    return {"text": span.text, "page": span.page, "start": span.start, "end": span.end}
