"""Daily statistics by legal document type — documents analysed and their average processing time — kept current
by the pipeline (one upsert per analysed document in its final transaction), so that reading them is one small
query, never a recount; and the SVG bar chart the statistics page draws from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from paperclerk.core.db import serialize, utcnow
from paperclerk.legal.models import DailyStatistic


def count(session: Session, organization_id: str, legal_type: str, processing_ms: float,
          day: date | None = None) -> None:
    """Add one analysed document of ``legal_type`` to today's row (two workers at once count one after the other)."""
    day = day or utcnow().date()
    serialize(session, f"legal_statistics:{organization_id}")
    row = session.get(DailyStatistic, (organization_id, day, legal_type))
    if row is None:
        row = DailyStatistic(organization_id=organization_id, day=day, legal_type=legal_type, documents=0,
                             total_ms=0.0)
        session.add(row)
    row.documents += 1
    row.total_ms += max(0.0, float(processing_ms))
    session.flush()


@dataclass(frozen=True)
class TypeSummary:
    legal_type: str
    documents: int
    average_ms: float


@dataclass(frozen=True)
class DaySummary:
    day: date
    legal_type: str
    documents: int
    average_ms: float


def daily(session: Session, organization_id: str, *, since: date, until: date) -> list[DaySummary]:
    rows = session.scalars(select(DailyStatistic).where(
        DailyStatistic.organization_id == organization_id, DailyStatistic.day >= since, DailyStatistic.day <= until)
        .order_by(DailyStatistic.day.desc(), DailyStatistic.legal_type))
    return [DaySummary(row.day, row.legal_type, row.documents, round(row.total_ms / max(row.documents, 1), 1))
            for row in rows]


def by_type(session: Session, organization_id: str, *, since: date, until: date) -> list[TypeSummary]:
    rows = session.execute(
        select(DailyStatistic.legal_type, func.sum(DailyStatistic.documents), func.sum(DailyStatistic.total_ms))
        .where(DailyStatistic.organization_id == organization_id, DailyStatistic.day >= since,
               DailyStatistic.day <= until)
        .group_by(DailyStatistic.legal_type).order_by(func.sum(DailyStatistic.documents).desc()))
    return [TypeSummary(legal_type, int(documents), round(float(total) / max(int(documents), 1), 1))
            for legal_type, documents, total in rows]


def default_period(today: date | None = None) -> tuple[date, date]:
    today = today or utcnow().date()
    return today - timedelta(days=29), today


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    width: float
    text: str


BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, CHART_WIDTH = 22, 8, 150, 560


def bars(items: list[tuple[str, float]], *, unit: str = "") -> dict[str, object]:
    """A horizontal bar chart's geometry, drawn as SVG by the template (no script, no library)."""
    largest = max((value for _, value in items), default=0.0)
    plot = CHART_WIDTH - LABEL_WIDTH - 90
    drawn = [Bar(label[:22], index * (BAR_HEIGHT + BAR_GAP), value / largest * plot if largest > 0 else 0.0,
                 f"{value:,.0f}{unit}") for index, (label, value) in enumerate(items)]
    return {"bars": drawn, "height": max(len(drawn), 1) * (BAR_HEIGHT + BAR_GAP), "width": CHART_WIDTH,
            "label_width": LABEL_WIDTH, "bar_height": BAR_HEIGHT}
