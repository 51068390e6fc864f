"""Tables of the legal document line, all per organisation: cases (matters) with their parties, the registry of each
case's documents (a folder path, versions), each document's stored analysis (entities, clauses, risks and deadlines
with their spans), the daily statistics the pipeline keeps, and saved searches."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from paperclerk.core.db import Base, UTCDateTime, new_id, utcnow


class CaseStatus(StrEnum):
    OPEN = "open"
    ON_HOLD = "on_hold"
    CLOSED = "closed"


class FindingKind(StrEnum):
    ENTITY = "entity"
    CLAUSE = "clause"
    RISK = "risk"
    DEADLINE = "deadline"


def _org() -> Mapped[str]:
    return mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)


class Case(Base):
    """A matter: what documents are filed under, searched in and summarised for."""

    __tablename__ = "legal_cases"
    __table_args__ = (UniqueConstraint("organization_id", "number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    number: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(255))
    court: Mapped[str | None] = mapped_column(String(200))
    jurisdiction: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.OPEN)
    opened_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    #: The people responsible for the case (names or e-mail addresses), in order.
    responsible: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    parties: Mapped[list[CaseParty]] = relationship(cascade="all, delete-orphan", order_by="CaseParty.position")


class CaseParty(Base):
    __tablename__ = "legal_case_parties"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    case_id: Mapped[str] = mapped_column(ForeignKey("legal_cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    #: plaintiff, defendant, claimant, respondent, appellant, licensor, client, …
    role: Mapped[str | None] = mapped_column(String(60))


class RegistryEntry(Base):
    """A document of a case's registry: where it is filed and which of its versions is current."""

    __tablename__ = "legal_registry_entries"
    __table_args__ = (Index("ix_legal_registry_entries_case_folder", "case_id", "folder"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    case_id: Mapped[str] = mapped_column(ForeignKey("legal_cases.id", ondelete="RESTRICT"))
    #: ``/pleadings/motions``: always starts with ``/``, no trailing ``/`` (the root is ``/``).
    folder: Mapped[str] = mapped_column(String(500), default="/")
    title: Mapped[str] = mapped_column(String(255))
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    versions: Mapped[list[DocumentVersion]] = relationship(cascade="all, delete-orphan",
                                                           order_by="DocumentVersion.version")


class DocumentVersion(Base):
    """One uploaded version of a registry entry; a document (its bytes) is filed once per organisation."""

    __tablename__ = "legal_document_versions"
    __table_args__ = (UniqueConstraint("entry_id", "version"), UniqueConstraint("organization_id", "document_id"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    entry_id: Mapped[str] = mapped_column(ForeignKey("legal_registry_entries.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="RESTRICT"), index=True)
    note: Mapped[str | None] = mapped_column(String(500))
    filed_by: Mapped[str | None] = mapped_column(String(254))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LegalAnalysisRow(Base):
    """A document's legal analysis: its legal type; the findings are :class:`DocumentFinding` rows."""

    __tablename__ = "legal_analyses"

    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[str] = _org()
    legal_type: Mapped[str] = mapped_column(String(40), index=True)
    type_confidence: Mapped[float] = mapped_column(Float)
    elapsed_ms: Mapped[float] = mapped_column(Float, default=0.0)
    analyzed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DocumentFinding(Base):
    """One entity, clause, risk or deadline of a document, with the span of page text that supports it."""

    __tablename__ = "legal_document_findings"
    __table_args__ = (Index("ix_legal_document_findings_doc_kind", "document_id", "kind"),
                      Index("ix_legal_document_findings_org_kind_label", "organization_id", "kind", "label"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    #: The entity type, the CUAD clause category, the risk's category or the deadline's description.
    label: Mapped[str] = mapped_column(String(300))
    page: Mapped[int | None] = mapped_column(Integer)
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)
    #: Entities: the normalised value; risks: the stable code.
    value: Mapped[str | None] = mapped_column(String(300))
    #: Entities: the party's or date's role; deadlines: the party bound.
    role: Mapped[str | None] = mapped_column(String(100))
    confidence: Mapped[float | None] = mapped_column(Float)
    severity: Mapped[str | None] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    due: Mapped[date | None] = mapped_column(Date)


class DailyStatistic(Base):
    """Documents analysed per day and legal type, with their summed processing time: kept by the pipeline."""

    __tablename__ = "legal_daily_statistics"

    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"),
                                                 primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    legal_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    documents: Mapped[int] = mapped_column(Integer, default=0)
    total_ms: Mapped[float] = mapped_column(Float, default=0.0)


class SavedSearch(Base):
    __tablename__ = "legal_saved_searches"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    name: Mapped[str] = mapped_column(String(200))
    query: Mapped[str] = mapped_column(String(500))
    #: ``["case:2024-117", "clause:Governing Law", …]``: the search filters.
    filters: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The last run: when it finished and its hits (passage id, document id, page, score, text).
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
