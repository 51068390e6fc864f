"""Domain events: declared names only, stored with the change and their delivery job (the outbox), handed to
subscribers only once the change is committed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from paperclerk.core import events
from paperclerk.core.db import session_scope
from paperclerk.core.jobs import Job
from paperclerk.core.lines import EventType


@pytest.fixture
def declared(env, monkeypatch):
    monkeypatch.setitem(events.declared(), "test.happened", EventType("test.happened", "Something happened"))


@pytest.fixture
def received(declared):
    seen: list[tuple[str, str]] = []

    def listener(event: events.Event) -> None:
        seen.append((event.name, event.subject_id))

    def broken(_: events.Event) -> None:
        raise RuntimeError("a subscriber failing must not undo the change")

    events.subscribe("test.happened", broken)
    events.subscribe("test.happened", listener)
    yield seen
    events._subscribers.pop("test.happened", None)


def test_subscribers_hear_committed_events_only(received):
    with session_scope() as session:
        events.record(session, "test.happened", organization_id=None, subject_type="thing", subject_id="kept")
        assert received == []  # not before the commit
    assert received == [("test.happened", "kept")]

    with pytest.raises(ValueError), session_scope() as session:
        events.record(session, "test.happened", organization_id=None, subject_type="thing", subject_id="undone")
        raise ValueError("roll back")
    assert received == [("test.happened", "kept")]
    with session_scope(readonly=True) as session:
        stored = session.scalars(select(events.Event.subject_id).where(events.Event.name == "test.happened")).all()
    assert stored == ["kept"]


def test_an_undeclared_event_is_a_programming_error(env):
    with pytest.raises(ValueError, match="not declared"), session_scope() as session:
        events.record(session, "invoice.teleported", organization_id=None, subject_type="invoice", subject_id="x")


def test_an_event_is_stored_with_its_delivery_job_or_not_at_all(declared):
    with session_scope() as session:
        kept = events.record(session, "test.happened", organization_id=None, subject_type="thing", subject_id="kept")
    with pytest.raises(ValueError), session_scope() as session:
        undone = events.record(session, "test.happened", organization_id=None, subject_type="thing",
                               subject_id="undone")
        undone_id = str(undone.id)
        raise ValueError("roll back")
    with session_scope(readonly=True) as session:
        jobs = session.scalars(select(Job).where(Job.task == events.DELIVER_TASK)).all()
    assert [job.subject_id for job in jobs] == [str(kept.id)]
    assert undone_id != str(kept.id)


def test_every_line_declares_what_it_records():
    declared = events.declared()
    for name in ("invoice.uploaded", "invoice.processed", "invoice.flagged", "system.startup", "system.shutdown",
                 "system.error", "webhook.disabled"):
        assert name in declared
    with pytest.raises(ValueError, match=r"area\.what"):
        EventType("Flagged", "x")
