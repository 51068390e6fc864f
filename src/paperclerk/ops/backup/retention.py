"""Which backups to keep: the newest backup of each of the last N days, N ISO weeks and N months (UTC).

The newest backup is always kept, so pruning can never leave an instance without one.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Policy:
    daily: int = 30
    weekly: int = 0
    monthly: int = 0


def _day(moment: datetime) -> Hashable:
    return moment.date()


def _week(moment: datetime) -> Hashable:
    return moment.isocalendar()[:2]


def _month(moment: datetime) -> Hashable:
    return (moment.year, moment.month)


def keep(created: Sequence[datetime], policy: Policy) -> set[int]:
    """Indexes into ``created`` of the backups to keep."""
    order = sorted(range(len(created)), key=lambda index: created[index], reverse=True)
    kept: set[int] = set(order[:1])
    periods: tuple[tuple[int, Callable[[datetime], Hashable]], ...] = (
        (policy.daily, _day), (policy.weekly, _week), (policy.monthly, _month))
    for count, period in periods:
        seen: list[Hashable] = []
        for index in order:
            bucket = period(created[index])
            if bucket in seen:
                continue
            if len(seen) == count:
                break
            seen.append(bucket)
            kept.add(index)
    return kept
