"""Domain events: recorded in the database in the same transaction as the change, then fanned out.

Producers call :func:`record` with a declared name (the core's :data:`CORE_EVENTS`, each line's
``ProductLine.events``). Each event is written together with a job of task :data:`DELIVER_TASK`: the job table is
the outbox, so an event committed is delivered (in the app, by e-mail, to webhooks: ``paperclerk.notifications``)
even if the process dies right after the commit. In-process subscribers (metrics) register with
:func:`subscribe` and are called once the transaction has committed (best effort, never for delivery).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from paperclerk.core import jobs
from paperclerk.core.db import Base, UTCDateTime, after_commit, utcnow
from paperclerk.core.lines import EventType

log = logging.getLogger(__name__)

#: The task that delivers one event (its job's subject is the event's id).
DELIVER_TASK = "events.deliver"
#: Events of the core itself; product lines declare theirs in ``ProductLine.events``.
CORE_EVENTS = (
    EventType("document.received", "A document was received", link="/documents/{subject_id}"),
    EventType("document.processed", "A document was processed", link="/documents/{subject_id}"),
    EventType("document.failed", "A document could not be processed", in_app=True, link="/documents/{subject_id}"),
    EventType("document.deleted", "A document was deleted"),
    EventType("document.restored", "A deleted document was restored", link="/documents/{subject_id}"),
    EventType("system.startup", "A paperclerk process started", permission="settings:manage"),
    EventType("system.shutdown", "A paperclerk process stopped", permission="settings:manage"),
    EventType("system.error", "An unexpected error occurred", permission="settings:manage", in_app=True),
    EventType("backup.created", "A backup was made", permission="settings:manage"),
)

Subscriber = Callable[["Event"], None]
_subscribers: dict[str, list[Subscriber]] = defaultdict(list)


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80), index=True)
    organization_id: Mapped[str | None] = mapped_column(String(36), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(36), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def subscribe(name: str, subscriber: Subscriber) -> None:
    """Call ``subscriber`` after commit for every event called ``name`` (``*`` for all)."""
    _subscribers[name].append(subscriber)


@lru_cache
def declared() -> dict[str, EventType]:
    """Every event that may be recorded, by name: the core's, then each line's."""
    from paperclerk import plugins

    found: dict[str, EventType] = {}
    for event_type in (*CORE_EVENTS, *(item for line in plugins.lines() for item in line.events)):
        if event_type.name in found:
            raise ValueError(f"event {event_type.name!r} is declared twice")
        found[event_type.name] = event_type
    return found


def record(session: Session, name: str, *, organization_id: str | None, subject_type: str, subject_id: str,
           payload: dict[str, Any] | None = None) -> Event:
    """Store an event with the caller's change, and its delivery job (the outbox) in the same transaction."""
    if name not in declared():
        raise ValueError(f"event {name!r} is not declared (CORE_EVENTS or a ProductLine's events)")
    event = Event(name=name, organization_id=organization_id, subject_type=subject_type, subject_id=subject_id,
                  payload=payload or {})
    session.add(event)
    session.flush()  # the event's id names its delivery job
    jobs.enqueue(session, task=DELIVER_TASK, subject_id=str(event.id))
    after_commit(session, lambda: _dispatch(event))
    return event


def _dispatch(event: Event) -> None:
    for subscriber in (*_subscribers.get(event.name, ()), *_subscribers.get("*", ())):
        try:
            subscriber(event)
        except Exception:  # a broken subscriber must not undo a committed change
            log.exception("event subscriber failed", extra={"event": event.name})
