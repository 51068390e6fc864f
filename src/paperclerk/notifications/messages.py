"""What people read about an event: a title, a short body and the page it concerns (the same words in the app,
in e-mails and in a webhook's ``summary``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from paperclerk.core.events import Event
from paperclerk.core.lines import EventType

MAX_BODY = 600
#: Payload entries that are for machines or operators, never for a notification's text.
HIDDEN = frozenset({"traceback", "pid", "host"})


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    link: str | None


def _words(value: Any) -> str:
    if isinstance(value, dict):
        return " ".join(_words(item) for item in value.values())
    if isinstance(value, list | tuple):
        return ", ".join(_words(item) for item in value)
    return str(value)


def describe(event: Event, event_type: EventType) -> Message:
    """The event in words: its type's description, then its details (``key: value`` per line)."""
    lines = [f"{key.replace('_', ' ')}: {_words(value)}" for key, value in sorted((event.payload or {}).items())
             if key not in HIDDEN and value not in (None, "", [], {})]
    body = "\n".join(lines)
    if len(body) > MAX_BODY:
        body = body[:MAX_BODY - 1] + "…"
    link = event_type.link.format(subject_id=event.subject_id) if event_type.link else None
    return Message(title=_title(event, event_type), body=body, link=link)


def _title(event: Event, event_type: EventType) -> str:
    if event_type.title is None:
        return event_type.description
    try:
        return event_type.title.format_map({key: _words(value) for key, value in (event.payload or {}).items()})
    except (KeyError, IndexError, ValueError):
        return event_type.description
