"""Obligations with a time for the case calendar: a sentence that says someone shall (must, agrees to) do
something by a date ("no later than March 3, 2021") or within a period ("within thirty (30) days")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from paperclerk.legal.analysis import dates
from paperclerk.legal.analysis.types import Deadline, Entity, Span

#: Deadlines kept per document (the calendar wants the obligations, not every date of a long contract).
MAX_DEADLINES = 50
MAX_DESCRIPTION = 300
#: Where a sentence ends: a full stop or semicolon before a capital (not "Inc. and", "$1.50"), or a blank line.
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(\"“0-9])|\n\s*\n")
_OBLIGATION = re.compile(r"\b(?:shall|must|will|agrees?\s+to|(?:is|are)\s+(?:required|ordered|directed)\s+to|"
                         r"(?:is|are)\s+due|deadline)\b", re.IGNORECASE)
_PERIOD = re.compile(r"\b(?:within|no later than|not later than|at least|prior to the expiration of)\s+"
                     r"(?:[a-z]+(?:-[a-z]+)?\s+)?(?:\(?\d{1,3}\)?\s*)?(?:business\s+|calendar\s+)?"
                     r"(?:days?|weeks?|months?|years?)\b", re.IGNORECASE)


def find(pages: Sequence[str], parties: Sequence[Entity] = ()) -> list[Deadline]:
    found: list[Deadline] = []
    names = [(party.value or party.span.text) for party in parties]
    for number, text in enumerate(pages, start=1):
        for start, end in _sentences(text):
            sentence = text[start:end]
            if len(sentence) < 15 or not _OBLIGATION.search(sentence):
                continue
            due = _due(sentence)
            if due is None and not _PERIOD.search(sentence):
                continue
            description = " ".join(text[start:end].split())[:MAX_DESCRIPTION]
            party = next((name for name in names if name and name.lower() in sentence.lower()), None)
            found.append(Deadline(description, Span(number, start, end, text[start:end]), due, party))
            if len(found) >= MAX_DEADLINES:
                return found
    return found


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, position = [], 0
    for boundary in [*_SENTENCE_END.finditer(text), None]:
        stop = boundary.start() if boundary is not None else len(text)
        start, end = _trim(text, position, stop)
        if end > start:
            spans.append((start, end))
        position = boundary.end() if boundary is not None else stop
    return spans


def _due(sentence: str) -> date | None:
    found = list(dates.find(sentence))
    for item in found:
        if item.role == "deadline":
            return item.value
    return None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
