"""The audit trail every product line writes to: who did what to what, with the state before and after.

Append-only (the database refuses UPDATE and DELETE on ``audit_entries``: triggers in migration 0002); every
change a person or an API key makes goes through :func:`record_audit` in the transaction of the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import JSON, ForeignKey, Select, String, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from paperclerk.core.db import Base, UTCDateTime, new_id, utcnow

SYSTEM_ACTOR = "system"


class AuditEntry(Base):
    """One change: who (actor), what (action), to what (subject), the state before and after."""

    __tablename__ = "audit_entries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    actor_type: Mapped[str] = mapped_column(String(10))
    actor_id: Mapped[str | None] = mapped_column(String(36), index=True)
    actor_label: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str | None] = mapped_column(String(45))
    action: Mapped[str] = mapped_column(String(80), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(36), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Actor(Protocol):
    """Who acts, as the audit trail records it (``auth.principal.Principal`` is one)."""

    @property
    def actor_type(self) -> str: ...
    @property
    def id(self) -> str | None: ...
    @property
    def organization_id(self) -> str | None: ...
    @property
    def label(self) -> str: ...


def record_audit(session: Session, actor: Actor | None, action: str, subject: tuple[str, str | None] | None = None,
                 *, before: dict[str, Any] | None = None, after: dict[str, Any] | None = None, ip: str | None = None,
                 organization_id: str | None = None, now: datetime | None = None) -> AuditEntry:
    """Append one entry (there is deliberately no way to change or remove one)."""
    entry = AuditEntry(
        organization_id=organization_id if organization_id is not None else (actor.organization_id if actor else None),
        actor_type=actor.actor_type if actor else SYSTEM_ACTOR,
        actor_id=actor.id if actor else None,
        actor_label=(actor.label if actor else SYSTEM_ACTOR)[:254],
        ip=ip[:45] if ip else None, action=action,
        subject_type=subject[0] if subject else None, subject_id=subject[1] if subject else None,
        before=before, after=after, created_at=now or utcnow())
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    subject: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_audit(session: Session, organization_id: str, filters: AuditFilter | None = None, *, limit: int = 50,
               offset: int = 0) -> tuple[Sequence[AuditEntry], int]:
    """Newest first. ``actor``: an actor id or e-mail/label; ``action``: exact (``user.disable``) or a
    prefix ending in a dot (``user.``); ``subject``: ``type`` or ``type:id`` or an id."""
    filters = filters or AuditFilter()
    query: Select[Any] = select(AuditEntry).where(AuditEntry.organization_id == organization_id)
    if filters.actor:
        query = query.where(or_(AuditEntry.actor_id == filters.actor, AuditEntry.actor_label == filters.actor))
    if filters.action:
        query = query.where(AuditEntry.action.startswith(filters.action, autoescape=True)
                            if filters.action.endswith(".") else AuditEntry.action == filters.action)
    if filters.subject:
        kind, _, ident = filters.subject.partition(":")
        if ident:
            query = query.where(AuditEntry.subject_type == kind, AuditEntry.subject_id == ident)
        else:
            query = query.where(or_(AuditEntry.subject_type == kind, AuditEntry.subject_id == kind))
    if filters.since:
        query = query.where(AuditEntry.created_at >= filters.since)
    if filters.until:
        query = query.where(AuditEntry.created_at < filters.until)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(query.order_by(AuditEntry.created_at.desc(), AuditEntry.id).limit(limit)
                            .offset(offset)).all()
    return items, int(total)


def known_actors(session: Session, organization_id: str, *, limit: int) -> Sequence[str]:
    """The labels of the organisation's actors, alphabetically (suggestions for a filter)."""
    return session.scalars(select(AuditEntry.actor_label).where(AuditEntry.organization_id == organization_id)
                           .distinct().order_by(AuditEntry.actor_label).limit(limit)).all()


def known_actions(session: Session, organization_id: str, *, limit: int) -> Sequence[str]:
    """The actions recorded in the organisation, alphabetically (suggestions for a filter)."""
    return session.scalars(select(AuditEntry.action).where(AuditEntry.organization_id == organization_id)
                           .distinct().order_by(AuditEntry.action).limit(limit)).all()
