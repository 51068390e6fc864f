"""Domain events: stored with the change, handed to subscribers only once the change is committed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from paperclerk.core import events
from paperclerk.core.db import session_scope


@pytest.fixture
def received(env):
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
