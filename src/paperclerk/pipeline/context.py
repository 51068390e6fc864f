"""What flows through the pipeline: the document's facts and what each stage produced."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from paperclerk.extraction.base import Extraction, Limits
from paperclerk.pipeline.analyzers import AnalysisResult, Analyzer
from paperclerk.search.passages import Passages


@dataclass(frozen=True)
class DocumentFacts:
    id: str
    organization_id: str
    sha256: str
    filename: str
    media_type: str
    declared_kind: str | None = None


@dataclass
class PipelineContext:
    document: DocumentFacts
    path: Path
    allow_ocr: bool
    limits: Limits
    extraction: Extraction | None = None
    language: str | None = None
    kind: str | None = None
    kind_scores: dict[str, float] = field(default_factory=dict)
    analyses: list[tuple[Analyzer, AnalysisResult]] = field(default_factory=list)
    passages: Passages | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def needs_review(self) -> bool:
        return any(result.needs_review for _, result in self.analyses)
