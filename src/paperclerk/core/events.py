"""Domain events: recorded in the database in the same transaction as the change, then fanned out.

Producers call :func:`record`; subscribers (notifications, webhooks, metrics) register with
:func:`subscribe` and are called once the transaction has committed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from paperclerk.core.db import Base, UTCDateTime, after_commit, utcnow

log = logging.getLogger(__name__)

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


def record(session: Session, name: str, *, organization_id: str | None, subject_type: str, subject_id: str,
           payload: dict[str, Any] | None = None) -> Event:
    event = Event(name=name, organization_id=organization_id, subject_type=subject_type, subject_id=subject_id,
                  payload=payload or {})
    session.add(event)
    after_commit(session, lambda: _dispatch(event))
    return event


def _dispatch(event: Event) -> None:
    for subscriber in (*_subscribers.get(event.name, ()), *_subscribers.get("*", ())):
        try:
            subscriber(event)
        except Exception:  # a broken subscriber must not undo a committed change
            log.exception("event subscriber failed", extra={"event": event.name})
