"""Field values as LEDES writes them, read strictly: an unreadable value is an error naming its field."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from paperclerk.legal_billing.ledes.model import LedesError

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_COMPACT_DATE = re.compile(r"^\d{8}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FieldReader:
    """Reads one record's values and collects the errors, so that one pass reports every bad field."""

    def __init__(self, line: int, errors: list[LedesError]) -> None:
        self.line = line
        self.errors = errors

    def error(self, name: str | None, message: str) -> None:
        self.errors.append(LedesError(self.line, name, message))

    def text(self, name: str, value: str | None, *, required: bool = False) -> str | None:
        value = (value or "").strip()
        if not value:
            if required:
                self.error(name, "is required but empty")
            return None
        return value

    def number(self, name: str, value: str | None, *, required: bool = False) -> Decimal | None:
        raw = self.text(name, value, required=required)
        if raw is None:
            return None
        if not _NUMBER.match(raw):
            self.error(name, f"{raw!r} is not a number (digits, an optional '-' and '.' decimals)")
            return None
        try:
            return Decimal(raw)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            self.error(name, f"{raw!r} is not a number")
            return None

    def integer(self, name: str, value: str | None, *, required: bool = False) -> int | None:
        raw = self.text(name, value, required=required)
        if raw is None:
            return None
        if not raw.isdigit() or int(raw) == 0:
            self.error(name, f"{raw!r} is not a positive whole number")
            return None
        return int(raw)

    def date(self, name: str, value: str | None, *, required: bool = False, iso: bool = False) -> date | None:
        raw = self.text(name, value, required=required)
        if raw is None:
            return None
        shape = _ISO_DATE if iso else _COMPACT_DATE
        if not shape.match(raw):
            self.error(name, f"{raw!r} is not a date written {'YYYY-MM-DD' if iso else 'YYYYMMDD'}")
            return None
        digits = raw.replace("-", "")
        try:
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
        except ValueError:
            self.error(name, f"{raw!r} is not a date in the calendar")
            return None
