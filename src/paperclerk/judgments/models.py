"""Tables of the judgment assistant, all per organisation: a judgment request (jurisdiction, court level, the
questions to decide, the engine, its status as a job), its case file (the uploaded documents, their bytes and, once
read, their page texts or the reason they could not be read) and the versions of its draft (the first written by
an engine, each later one by a reviewer's edit or outcome decision)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from paperclerk.core.db import Base, UTCDateTime, new_id, utcnow


class RequestStatus(StrEnum):
    OPEN = "open"  # files may be added; not yet drafted
    QUEUED = "queued"
    RUNNING = "running"
    DRAFTED = "drafted"
    FAILED = "failed"


def _org() -> Mapped[str]:
    return mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)


class JudgmentRequest(Base):
    __tablename__ = "judgment_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    title: Mapped[str] = mapped_column(String(300))
    jurisdiction: Mapped[str] = mapped_column(String(10))
    court_level: Mapped[str] = mapped_column(String(60), default="")
    questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    engine: Mapped[str] = mapped_column(String(20))  # "precedent" | "llm"
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.OPEN)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: The case of the legal line's registry (``legal_cases``) this request is about, when there is one; checked
    #: to be the organisation's case when the request is opened (no foreign key: the table is another line's).
    legal_case_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    #: Model tokens spent drafting (0 offline).
    tokens: Mapped[int] = mapped_column(Integer, default=0)
    #: The reviewer's decision on the predicted outcome: "" (none yet), "accepted" or "overridden".
    outcome_decision: Mapped[str] = mapped_column(String(20), default="")
    created_by: Mapped[str] = mapped_column(String(254), default="")
    #: Bumped by every change (status, files, draft versions): the version cached copies are compared by.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    files: Mapped[list[CaseFileDocument]] = relationship(cascade="all, delete-orphan", order_by="CaseFileDocument.id",
                                                         lazy="selectin")
    versions: Mapped[list[DraftVersion]] = relationship(cascade="all, delete-orphan", order_by="DraftVersion.number",
                                                        lazy="selectin")

    @property
    def current(self) -> DraftVersion | None:
        return self.versions[-1] if self.versions else None


class CaseFileDocument(Base):
    """One uploaded document of a request's case file."""

    __tablename__ = "judgment_case_files"
    __table_args__ = (UniqueConstraint("request_id", "filename"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organization_id: Mapped[str] = _org()
    request_id: Mapped[str] = mapped_column(ForeignKey("judgment_requests.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    #: The page texts once read; ``None`` before.
    pages: Mapped[list[str] | None] = mapped_column(JSON, nullable=True, deferred=True)
    #: Why it could not be read: ``{"code", "message"}``.
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DraftVersion(Base):
    """A version of the draft: the whole draft as JSON (the CLI's shape), who made it and why."""

    __tablename__ = "judgment_draft_versions"
    __table_args__ = (UniqueConstraint("request_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organization_id: Mapped[str] = _org()
    request_id: Mapped[str] = mapped_column(ForeignKey("judgment_requests.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: "engine:precedent", "engine:llm", "edit", "outcome".
    change: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
