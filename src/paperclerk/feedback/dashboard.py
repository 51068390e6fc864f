"""What a business reads at a glance: feedback by store and period, the score distribution, topics and sentiment
over time, the most useful feedback first, search and a CSV export; and the platform figures the operator reads."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from paperclerk.core.money import plain
from paperclerk.feedback.models import FeedbackSession, FindingStatus, FraudFinding, SessionStatus, Store

#: The most sessions one view reads (a period wider than this shows its newest).
MAX_ROWS = 5000


@dataclass(frozen=True)
class Filters:
    store_id: str = ""
    since: date | None = None
    until: date | None = None
    q: str = ""


@dataclass
class Overview:
    total: int = 0
    average_score: float | None = None
    average_sentiment: float | None = None
    distribution: list[tuple[str, int]] = field(default_factory=list)
    topics: list[tuple[str, int, float]] = field(default_factory=list)
    weeks: list[dict[str, Any]] = field(default_factory=list)
    top: list[FeedbackSession] = field(default_factory=list)
    by_store: list[tuple[str, int, float | None]] = field(default_factory=list)
    rewards: Decimal = Decimal(0)


def _query(organization_id: str, filters: Filters) -> Select[Any]:
    query = select(FeedbackSession).where(FeedbackSession.organization_id == organization_id,
                                          FeedbackSession.submitted_at.is_not(None),
                                          FeedbackSession.erased_at.is_(None))
    if filters.store_id:
        query = query.where(FeedbackSession.store_id == filters.store_id)
    if filters.since:
        query = query.where(FeedbackSession.created_at >= datetime.combine(filters.since, datetime.min.time()))
    if filters.until:
        query = query.where(FeedbackSession.created_at
                            < datetime.combine(filters.until + timedelta(days=1), datetime.min.time()))
    if filters.q.strip():
        words = [word for word in filters.q.lower().split() if word][:8]
        query = query.where(*(func.lower(FeedbackSession.text).contains(word, autoescape=True) for word in words))
    return query


def sessions(session: Session, organization_id: str, filters: Filters) -> list[FeedbackSession]:
    """The sessions the filters select, most useful first (score, then newest)."""
    return list(session.scalars(_query(organization_id, filters).order_by(
        FeedbackSession.score.desc().nulls_last(), FeedbackSession.created_at.desc()).limit(MAX_ROWS)))


def overview(session: Session, organization_id: str, filters: Filters) -> Overview:
    rows = sessions(session, organization_id, filters)
    result = Overview(total=len(rows), top=rows[:20])
    scored = [row for row in rows if row.score is not None]
    if scored:
        result.average_score = round(sum(row.score or 0 for row in scored) / len(scored), 1)
    feelings = [row.sentiment for row in rows if row.sentiment is not None]
    if feelings:
        result.average_sentiment = round(sum(feelings) / len(feelings), 2)
    buckets = Counter(min((row.score or 0) // 10, 9) for row in scored)
    result.distribution = [(f"{index * 10}-{index * 10 + 9 if index < 9 else 100}", buckets.get(index, 0))
                           for index in range(10)]
    topic_count: Counter[str] = Counter()
    topic_feeling: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        for sentence in row.sentences or []:
            for topic in sentence.get("topics", []):
                topic_count[topic] += 1
                topic_feeling[topic].append(float(sentence.get("sentiment", 0.0)))
    result.topics = [(topic, count, round(sum(topic_feeling[topic]) / len(topic_feeling[topic]), 2))
                     for topic, count in topic_count.most_common(12)]
    weeks: dict[date, list[FeedbackSession]] = defaultdict(list)
    for row in rows:
        day = row.created_at.date()
        weeks[day - timedelta(days=day.weekday())].append(row)
    for start in sorted(weeks)[-12:]:
        items = weeks[start]
        scores = [item.score for item in items if item.score is not None]
        feelings_week = [item.sentiment for item in items if item.sentiment is not None]
        topics = Counter(topic for item in items for topic in item.topics or [])
        result.weeks.append({"week": start, "count": len(items),
                             "score": round(sum(scores) / len(scores)) if scores else None,
                             "sentiment": round(sum(feelings_week) / len(feelings_week), 2) if feelings_week else None,
                             "topics": [topic for topic, _count in topics.most_common(3)]})
    names = dict(session.execute(select(Store.id, Store.name).where(Store.organization_id == organization_id))
                 .all())
    per_store: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        per_store[row.store_id].append(row.score or 0)
    result.by_store = sorted(((names.get(store, "?"), len(values), round(sum(values) / len(values), 1))
                              for store, values in per_store.items()), key=lambda item: -item[1])
    result.rewards = sum((row.reward_amount for row in rows if row.status == SessionStatus.SCORED), Decimal(0))
    return result


CSV_COLUMNS = ("id", "created_at", "store", "channel", "language", "score", "tier", "sentiment", "topics", "status",
               "reward", "currency", "text")


def export_csv(session: Session, organization_id: str, filters: Filters) -> str:
    names = dict(session.execute(select(Store.id, Store.name).where(Store.organization_id == organization_id))
                 .all())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in sessions(session, organization_id, filters):
        text = row.text
        if text[:1] in "=+-@\t\r":  # a spreadsheet must not run what a customer typed
            text = "'" + text
        writer.writerow([row.id, row.created_at.isoformat(), names.get(row.store_id, ""), row.channel, row.language,
                         row.score, row.tier, row.sentiment, ";".join(row.topics or []), row.status,
                         plain(row.reward_amount), row.currency, text])
    return out.getvalue()


def findings_of(session: Session, session_id: str) -> list[FraudFinding]:
    return list(session.scalars(select(FraudFinding).where(FraudFinding.session_id == session_id)
                                .order_by(FraudFinding.created_at)))


def platform(session: Session) -> dict[str, Any]:
    """The operator's figures: sessions by status, the fraud rate, open findings, per business."""
    from paperclerk.auth.models import Organization

    by_status = dict(session.execute(select(FeedbackSession.status, func.count())
                                     .where(FeedbackSession.submitted_at.is_not(None))
                                     .group_by(FeedbackSession.status)).all())
    submitted = sum(by_status.values())
    flagged = session.scalar(select(func.count(func.distinct(FraudFinding.session_id)))) or 0
    open_findings = session.scalar(select(func.count()).select_from(FraudFinding)
                                   .where(FraudFinding.status == FindingStatus.OPEN)) or 0
    businesses = session.execute(
        select(Organization.id, Organization.name, func.count(FeedbackSession.id), func.avg(FeedbackSession.score))
        .join(FeedbackSession, FeedbackSession.organization_id == Organization.id)
        .where(FeedbackSession.submitted_at.is_not(None))
        .group_by(Organization.id, Organization.name).order_by(func.count(FeedbackSession.id).desc())).all()
    return {"submitted": submitted, "by_status": by_status, "flagged": flagged, "open_findings": open_findings,
            "fraud_rate": round(flagged / submitted, 3) if submitted else 0.0,
            "businesses": [{"id": org_id, "name": name, "sessions": count,
                            "average_score": round(float(avg), 1) if avg is not None else None}
                           for org_id, name, count, avg in businesses]}


