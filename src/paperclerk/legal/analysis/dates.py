"""Calendar dates written in legal documents ("March 3, 2021", "3rd day of March, 2021", "3 March 2021",
"2021-03-03", "03/03/2021") with their character span, and the role the words before one give it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

_MONTHS = {name: number for number, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")], start=1) for name in names}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[89]|20)\d\d)"
_PATTERNS = [
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_DAY}\s+day\s+of\s+{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b"),
    re.compile(r"\b(?P<month>[01]?\d)/(?P<day>[0-3]?\d)/(?P<year>(?:19|20)\d\d)\b"),
]
#: Words shortly before a date that say what it is, checked in this order.
_ROLES = (
    ("deadline", re.compile(r"\b(?:no later than|not later than|on or before|by|before|deadline|due(?: date)?|"
                            r"within|until|returnable)\W*$", re.IGNORECASE)),
    ("effective", re.compile(r"\beffective(?: as of| date| on)?\b|\bcommenc\w*|\bdated?(?: as of)?\W*$",
                             re.IGNORECASE)),
    ("termination", re.compile(r"\b(?:terminat|expir|end)\w*", re.IGNORECASE)),
)


_DEFINED_AFTER = re.compile(r"\W{0,3}\((?:the\s+)?[\"“]?(Effective|Commencement|Termination|Expiration|Closing)\b",
                            re.IGNORECASE)
_DEFINED_ROLES = {"effective": "effective", "commencement": "effective", "closing": "effective",
                  "termination": "termination", "expiration": "termination"}


@dataclass(frozen=True)
class FoundDate:
    start: int
    end: int
    value: date
    role: str | None


def find(text: str) -> Iterator[FoundDate]:
    """Every date in ``text`` in reading order; overlapping matches keep the first pattern's."""
    taken: list[tuple[int, int]] = []
    found: list[FoundDate] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            value = _value(match)
            if value is None:
                continue
            taken.append((match.start(), match.end()))
            before, after = text[max(0, match.start() - 60):match.start()], text[match.end():match.end() + 40]
            found.append(FoundDate(match.start(), match.end(), value, role(before, after)))
    yield from sorted(found, key=lambda item: item.start)


def role(before: str, after: str = "") -> str | None:
    """The words before the date, else a definition right after it ('… 2021 (the "Effective Date")')."""
    before = " ".join(before.split()) + (" " if before[-1:].isspace() else "")
    for name, pattern in _ROLES:
        if pattern.search(before):
            return name
    defined = _DEFINED_AFTER.match(after)
    return _DEFINED_ROLES[defined.group(1).lower()] if defined else None


def _value(match: re.Match[str]) -> date | None:
    month_text = match.group("month").lower().rstrip(".")
    month = _MONTHS.get(month_text) or (int(month_text) if month_text.isdigit() else 0)
    try:
        return date(int(match.group("year")), month, int(match.group("day")))
    except ValueError:
        return None
