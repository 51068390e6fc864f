"""Moments in query strings: read as ISO dates or datetimes and turned into aware UTC datetimes.

A moment without an offset is UTC. A moment that has no UTC equivalent (``0001-01-01T00:00:00+14:00``
lies before year 1 in UTC) is a bad request (422), not an overflow in a query.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator


def in_utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime; ``ValueError`` when it has none."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("the moment lies outside the years 1 to 9999 in UTC") from exc


#: A query parameter's moment, already in UTC.
UTCMoment = Annotated[datetime, AfterValidator(in_utc)]
