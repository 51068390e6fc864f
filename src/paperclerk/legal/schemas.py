"""API shapes of the legal document line."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from paperclerk.legal.cases import CaseValues, PartyValue
from paperclerk.legal.models import CaseStatus

_FORBID = ConfigDict(extra="forbid")


class PartyIn(BaseModel):
    model_config = _FORBID
    name: str = Field(min_length=1, max_length=200)
    role: str | None = Field(default=None, max_length=60)


class CaseIn(BaseModel):
    """A new case, or (PATCH) the fields to change: an absent field stays as it is, ``""`` clears it."""

    model_config = _FORBID
    number: str | None = Field(default=None, min_length=1, max_length=60, pattern=r"\S")
    title: str | None = Field(default=None, min_length=1, max_length=255, pattern=r"\S")
    court: str | None = Field(default=None, max_length=200)
    jurisdiction: str | None = Field(default=None, max_length=100)
    status: CaseStatus | None = None
    opened_on: date | None = None
    closed_on: date | None = None
    responsible: list[str] | None = Field(default=None, max_length=20)
    description: str | None = Field(default=None, max_length=5000)
    parties: list[PartyIn] | None = Field(default=None, max_length=50)

    def values(self, number: str) -> CaseValues:
        return CaseValues(
            number=(self.number or number).strip(), title=self.title.strip() if self.title else None,
            court=self.court, jurisdiction=self.jurisdiction, status=self.status, opened_on=self.opened_on,
            closed_on=self.closed_on,
            responsible=[name.strip()[:254] for name in self.responsible if name.strip()]
            if self.responsible is not None else None,
            description=self.description,
            parties=[PartyValue(party.name.strip(), (party.role or "").strip().lower() or None)
                     for party in self.parties] if self.parties is not None else None)


class PartyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    name: str
    role: str | None


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    number: str
    title: str
    court: str | None
    jurisdiction: str | None
    status: str
    opened_on: date | None
    closed_on: date | None
    responsible: list[str]
    description: str | None
    parties: list[PartyOut]
    created_at: datetime
    updated_at: datetime


class CaseList(BaseModel):
    items: list[CaseOut]
    total: int
    limit: int
    offset: int


class ImportResult(BaseModel):
    created: int
    updated: int
    #: ``{"row": 3, "message": "opened_on '3 May' is not a date (YYYY-MM-DD)"}``: row 2 is the first after the header.
    problems: list[dict[str, Any]]


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    version: int
    document_id: str
    note: str | None
    filed_by: str | None
    filed_at: datetime


class EntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    case_id: str
    folder: str
    title: str
    current_version: int
    versions: list[VersionOut]


class HistoryItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    stage: str
    outcome: str
    attempt: int
    duration_ms: float | None
    error_code: str | None
    message: str | None
    created_at: datetime


class VersionDetail(VersionOut):
    filename: str
    status: str
    history: list[HistoryItem]


class EntryDetail(BaseModel):
    id: str
    case_id: str
    folder: str
    title: str
    current_version: int
    versions: list[VersionDetail]


class MoveIn(BaseModel):
    model_config = _FORBID
    folder: str | None = Field(default=None, max_length=1000)
    case_id: str | None = Field(default=None, max_length=36)
    title: str | None = Field(default=None, min_length=1, max_length=255)


class ChangeOut(BaseModel):
    op: str
    old: list[str]
    new: list[str]


class DiffOut(BaseModel):
    entry_id: str
    from_version: int
    to_version: int
    changes: list[ChangeOut]


class FindingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    kind: str
    label: str
    page: int | None
    start: int | None
    end: int | None
    text: str | None
    value: str | None
    role: str | None
    confidence: float | None
    severity: str | None
    reason: str | None
    due: date | None


class AnalysisOut(BaseModel):
    document_id: str
    legal_type: str
    type_confidence: float
    analyzed_at: datetime
    entities: list[FindingOut]
    clauses: list[FindingOut]
    risks: list[FindingOut]
    deadlines: list[FindingOut]


class DeadlineOut(BaseModel):
    finding_id: str
    due: date | None
    description: str
    party: str | None
    text: str | None
    document_id: str
    document_title: str
    page: int | None


class DayStatistic(BaseModel):
    day: date
    legal_type: str
    documents: int
    average_ms: float


class TypeStatistic(BaseModel):
    legal_type: str
    documents: int
    average_ms: float


class StatisticsOut(BaseModel):
    since: date
    until: date
    by_type: list[TypeStatistic]
    daily: list[DayStatistic]


class HitOut(BaseModel):
    passage_id: int
    document_id: str
    filename: str
    kind: str | None
    page: int
    start: int
    end: int
    score: float
    #: HTML-escaped passage text with the query's words in ``<mark>``.
    text: str


class HitList(BaseModel):
    items: list[HitOut]


class SavedSearchIn(BaseModel):
    model_config = _FORBID
    name: str = Field(min_length=1, max_length=200, pattern=r"\S")
    query: str = Field(min_length=1, max_length=500)
    filters: list[str] = Field(default_factory=list, max_length=10)


class SavedSearchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    name: str
    query: str
    filters: list[str]
    created_by: str | None
    created_at: datetime
    last_run_at: datetime | None
    last_results: list[dict[str, Any]]


class AssistantText(BaseModel):
    #: ``None`` when no language model is configured (``note`` says so).
    text: str | None
    note: str | None = None


class QuestionIn(BaseModel):
    model_config = _FORBID
    question: str = Field(min_length=3, max_length=1000, pattern=r"\w")


class AnswerOut(BaseModel):
    question: str
    #: ``None`` when no model is configured, or when the model's reply cited none of the passages it was given.
    answer: str | None
    note: str | None
    citations: list[HitOut]
    passages: list[HitOut]
