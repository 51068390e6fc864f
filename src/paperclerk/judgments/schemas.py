"""API shapes of the judgment assistant."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class JudgmentRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300, description="What the case is called")
    jurisdiction: str = Field(default="INDIA", max_length=10, description="INDIA, UK, US or ECHR (EU/ECHR)")
    court_level: str = Field(default="", max_length=60, description="e.g. Supreme Court, High Court, first instance")
    questions: list[Annotated[str, Field(max_length=1000)]] = Field(default_factory=list, max_length=20,
                                 description="The questions to decide (each at most 1,000 characters)")
    engine: Literal["precedent", "llm"] = Field(
        default="precedent", description="precedent: offline, no keys (the default); llm: the configured model")
    legal_case_id: str | None = Field(default=None, max_length=36,
                                      description="The case of the legal case registry this request is about")


class CaseFileOut(BaseModel):
    filename: str
    size: int
    sha256: str
    error: dict[str, Any] | None = Field(description="Why the document could not be read ({code, message})")


class JudgmentOut(BaseModel):
    id: str
    title: str
    jurisdiction: str
    court_level: str
    questions: list[str]
    engine: str
    status: str = Field(description="open, queued, running, drafted or failed")
    error: str | None
    legal_case_id: str | None
    tokens: int = Field(description="Model tokens spent drafting (0 offline)")
    outcome_decision: str = Field(description="'' (not reviewed), accepted or overridden")
    version: int = Field(description="Revision of the request: every change increases it")
    draft_version: int | None
    files: list[CaseFileOut]
    draft: dict[str, Any] | None = Field(description="The current draft: {case, jurisdiction, engine, outcome, "
                                                     "sections, precedents, unsupported_removed[, review]}")
    created_by: str
    created_at: str


class JudgmentSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    jurisdiction: str
    engine: str
    status: str
    outcome_decision: str
    created_at: datetime


class JudgmentList(BaseModel):
    items: list[JudgmentSummary]
    total: int
    limit: int
    offset: int


class SectionEditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=50_000)
    note: str = Field(default="", max_length=2000, description="Why it was changed")


class OutcomeDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(default=None, max_length=20,
                              description="Omit (or repeat the prediction) to accept; another label overrides")
    reasons: str = Field(default="", max_length=5000, description="Required to override")


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    change: str
    note: str
    author: str
    created_at: datetime


class VersionDetail(VersionOut):
    content: dict[str, Any]
