"""What people read about an event: a title, a short body and the page it concerns (the same words in the app,
in e-mails and in a webhook's ``summary``)."""

from __future__ import annotations

from dataclasses import dataclass
from string import Formatter
from typing import Any

from paperclerk.core.events import Event
from paperclerk.core.lines import EventType

MAX_BODY = 600
#: A title is cut to this many characters (the notification's column).
MAX_TITLE = 300
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


def title(payload: dict[str, Any], event_type: EventType) -> str:
    """The first of the type's title templates the payload fills (its subject named), else its description."""
    for template in event_type.titles:
        fields = [name for _, name, _, _ in Formatter().parse(template) if name]
        if all(payload.get(name) not in (None, "") for name in fields):
            named = template.format_map({name: _words(payload[name]) for name in fields})
            return named if len(named) <= MAX_TITLE else named[:MAX_TITLE - 1] + "…"
    return event_type.description


def describe(event: Event, event_type: EventType) -> Message:
    """The event in words: a title naming its subject, then its details (``key: value`` per line)."""
    lines = [f"{key.replace('_', ' ')}: {_words(value)}" for key, value in sorted((event.payload or {}).items())
             if key not in HIDDEN and value not in (None, "", [], {})]
    body = "\n".join(lines)
    if len(body) > MAX_BODY:
        body = body[:MAX_BODY - 1] + "…"
    link = event_type.link.format(subject_id=event.subject_id) if event_type.link else None
    return Message(title=title(event.payload or {}, event_type), body=body, link=link)
