"""A purchase as every POS source reports it, and the interface every source implements."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Protocol

from paperclerk.core.errors import InvalidRequest


@dataclass(frozen=True)
class PosTransaction:
    """One completed sale. ``external_id`` is unique within its ``source`` (the vendor's id);
    ``receipt_number`` is what the receipt shows the customer when that is not the id (Square's receipt number,
    Zettle's purchase number, Shopify's order name); ``occurred_at`` is aware, in UTC; ``card_fingerprint`` is the
    same for the same card and never the card number itself."""

    source: str
    external_id: str
    store_ref: str
    amount: Decimal
    currency: str
    occurred_at: datetime
    card_fingerprint: str | None
    receipt_number: str | None = None


class PosSource(Protocol):
    """A business's POS system: its completed sales with ``since <= occurred_at < until`` (aware datetimes), oldest
    first as far as the vendor sorts them."""

    name: str

    def transactions(self, since: datetime, until: datetime) -> Iterator[PosTransaction]: ...


def check_window(since: datetime, until: datetime) -> tuple[datetime, datetime]:
    """The window in UTC; naive or reversed windows are refused."""
    if since.tzinfo is None or until.tzinfo is None:
        raise InvalidRequest("POS windows need times with a time zone.", code="POS_WINDOW_INVALID")
    if until <= since:
        raise InvalidRequest("A POS window must end after it starts.", code="POS_WINDOW_INVALID",
                             details={"since": since.isoformat(), "until": until.isoformat()})
    return since.astimezone(UTC), until.astimezone(UTC)


def fingerprint(source: str, number: str | None, *context: str | None) -> str | None:
    """A stable, one-way name for a card from what the vendor shows of its number (a masked number, the last
    digits) and context (brand, BIN): equal cards get equal names; ``None`` when no part of the number is shown."""
    if not number or not number.strip():
        return None
    shown = [part.strip() for part in (number, *context) if part and part.strip()]
    return f"{source}:" + hashlib.sha256("|".join([source, *shown]).encode()).hexdigest()[:32]


def in_window(transaction: PosTransaction, since: datetime, until: datetime) -> bool:
    return since <= transaction.occurred_at < until


def vendor_time(value: object) -> datetime:
    """A vendor's ISO 8601 time with its offset (``2020-12-02T17:16:20.028+0000``, ``…Z``), in UTC; a time without
    an offset is refused (``ValueError``): its zone would be a guess."""
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a time")
    moment = datetime.fromisoformat(value.strip())
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return moment.astimezone(UTC)


def rfc3339(moment: datetime) -> str:
    """A UTC time as the vendors' query parameters take it (``2026-12-03T10:15:00Z``)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def identifier(value: object) -> str:
    """A vendor's id (text or a whole number) as text; anything else is ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        raise ValueError(f"{value!r} is not an identifier")
    return str(value).strip()
