"""The spend dashboard's figures: spend by law firm, matter, timekeeper, UTBMS phase and month, savings from
adjustments, the rules that flag most, and invoices waiting for review by age; each filterable by firm, matter and
invoice date. Aggregated in the database (grouped queries), so 100,000 line items stay a fraction of a second."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from paperclerk.core.db import utcnow
from paperclerk.legal_billing import service, utbms
from paperclerk.legal_billing.models import LegalFinding, LegalInvoice, LegalInvoiceLine, LegalInvoiceStatus

#: Age buckets of invoices waiting for review, in days since they were received.
AGE_BUCKETS = ((0, 7, "0-7 days"), (8, 14, "8-14 days"), (15, 30, "15-30 days"), (31, None, "over 30 days"))
TOP = 10


@dataclass(frozen=True)
class DashboardFilter:
    firm: str | None = None
    matter: str | None = None
    start: date | None = None
    end: date | None = None


@dataclass
class Dashboard:
    by_firm: list[tuple[str, Decimal]] = field(default_factory=list)
    by_matter: list[tuple[str, Decimal]] = field(default_factory=list)
    by_timekeeper: list[tuple[str, Decimal]] = field(default_factory=list)
    by_phase: list[tuple[str, Decimal]] = field(default_factory=list)
    by_month: list[tuple[str, Decimal]] = field(default_factory=list)
    top_rules: list[tuple[str, Decimal]] = field(default_factory=list)
    waiting_by_age: list[tuple[str, Decimal]] = field(default_factory=list)
    billed: Decimal = Decimal(0)
    savings: Decimal = Decimal(0)
    invoices: int = 0
    firms: list[str] = field(default_factory=list)


def _conditions(organization_id: str, filters: DashboardFilter) -> list[Any]:
    """The invoices the dashboard counts, as conditions on ``legal_invoices`` (joined where lines are summed)."""
    conditions: list[Any] = [LegalInvoice.organization_id == organization_id,
                             LegalInvoice.status != LegalInvoiceStatus.REJECTED, service.in_use()]
    if filters.firm:
        conditions.append(LegalInvoice.law_firm_name == filters.firm)
    if filters.matter:
        conditions.append(func.coalesce(LegalInvoice.client_matter_id, LegalInvoice.firm_matter_id) == filters.matter)
    if filters.start:
        conditions.append(LegalInvoice.invoice_date >= filters.start)
    if filters.end:
        conditions.append(LegalInvoice.invoice_date <= filters.end)
    return conditions


def _top(rows: Any, limit: int = TOP) -> list[tuple[str, Decimal]]:
    items = [(str(label) if label else "(none)", Decimal(value or 0)) for label, value in rows]
    items.sort(key=lambda item: item[1], reverse=True)
    return items[:limit]


def build(session: Session, organization_id: str, filters: DashboardFilter, *, now: datetime | None = None
          ) -> Dashboard:
    scoped = and_(*_conditions(organization_id, filters))
    board = Dashboard()
    board.invoices, billed, approved = session.execute(
        select(func.count(LegalInvoice.id), func.coalesce(func.sum(LegalInvoice.total), 0),
               func.coalesce(func.sum(LegalInvoice.approved_total), 0)).where(scoped)).one()
    board.billed, board.savings = Decimal(billed), Decimal(billed) - Decimal(approved)
    board.by_firm = _top(session.execute(
        select(func.coalesce(LegalInvoice.law_firm_name, LegalInvoice.law_firm_tax_id), func.sum(LegalInvoice.total))
        .where(scoped).group_by(func.coalesce(LegalInvoice.law_firm_name, LegalInvoice.law_firm_tax_id))))
    # A bill that names only the firm's matter number (a PDF, most often) is counted under that number.
    matter = func.coalesce(LegalInvoice.client_matter_id, LegalInvoice.firm_matter_id)
    board.by_matter = _top(session.execute(
        select(matter, func.sum(LegalInvoice.total)).where(scoped).group_by(matter)))
    # One pass over the lines: fees by timekeeper and everything by task code (its UTBMS phase).
    joined = LegalInvoiceLine.__table__.join(LegalInvoice.__table__, LegalInvoice.id == LegalInvoiceLine.invoice_id)
    keepers: dict[str, Decimal] = defaultdict(Decimal)
    phases: dict[str, Decimal] = defaultdict(Decimal)
    for name, code, kind, amount in session.execute(
            select(LegalInvoiceLine.timekeeper_name, LegalInvoiceLine.task_code, LegalInvoiceLine.type,
                   func.sum(LegalInvoiceLine.total)).select_from(joined).where(scoped)
            .group_by(LegalInvoiceLine.timekeeper_name, LegalInvoiceLine.task_code, LegalInvoiceLine.type)):
        value = Decimal(amount or 0)
        if kind == "F":
            keepers[name or "(none)"] += value
        phases[utbms.describe(utbms.phase(code)) or "(no phase)"] += value
    board.by_timekeeper = _top(keepers.items())
    board.by_phase = _top(phases.items())
    months: dict[str, Decimal] = defaultdict(Decimal)
    for day, amount in session.execute(select(LegalInvoice.invoice_date, func.sum(LegalInvoice.total))
                                       .where(scoped).group_by(LegalInvoice.invoice_date)):
        months[day.strftime("%Y-%m")] += Decimal(amount or 0)
    board.by_month = sorted(months.items())[-12:]
    board.top_rules = [(f"{rule} ({category})", Decimal(count)) for rule, category, count in session.execute(
        select(LegalFinding.rule_id, LegalFinding.category, func.count(LegalFinding.id))
        .select_from(LegalFinding.__table__.join(LegalInvoice.__table__, LegalInvoice.id == LegalFinding.invoice_id))
        .where(scoped)
        .group_by(LegalFinding.rule_id, LegalFinding.category).order_by(func.count(LegalFinding.id).desc())
        .limit(TOP))]
    today = (now or utcnow()).date()
    ages = {label: Decimal(0) for _, _, label in AGE_BUCKETS}
    for received, count in session.execute(
            select(func.date(LegalInvoice.received_at), func.count(LegalInvoice.id))
            .where(scoped, LegalInvoice.status.in_((LegalInvoiceStatus.RECEIVED, LegalInvoiceStatus.NEEDS_REVIEW)))
            .group_by(func.date(LegalInvoice.received_at))):
        day = received if isinstance(received, date) else date.fromisoformat(str(received))
        age = (today - day).days
        label = next(label for low, high, label in AGE_BUCKETS if age >= low and (high is None or age <= high))
        ages[label] += count
    board.waiting_by_age = list(ages.items())
    board.firms = [name for name in session.scalars(
        select(LegalInvoice.law_firm_name).where(LegalInvoice.organization_id == organization_id,
                                                 LegalInvoice.law_firm_name.is_not(None))
        .distinct().order_by(LegalInvoice.law_firm_name).limit(200)) if name]
    return board


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    y: int
    width: float
    text: str


BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, CHART_WIDTH = 22, 8, 190, 560


def bars(items: list[tuple[str, Decimal]], *, money: bool = True) -> dict[str, Any]:
    """A horizontal bar chart's geometry: each bar's position, length and printed value (drawn as SVG by the
    template, no script, no external library); a negative value (a credit) draws no bar, its amount is printed."""
    largest = max((value for _, value in items), default=Decimal(0))
    plot = CHART_WIDTH - LABEL_WIDTH - 90
    drawn = [Bar(label if len(label) <= 27 else label[:26] + "…", value, index * (BAR_HEIGHT + BAR_GAP),
                 max(0.0, float(value / largest * plot)) if largest > 0 else 0.0,
                 f"{value:,.2f}" if money else f"{value:,.0f}") for index, (label, value) in enumerate(items)]
    return {"bars": drawn, "height": max(len(drawn), 1) * (BAR_HEIGHT + BAR_GAP), "width": CHART_WIDTH,
            "label_width": LABEL_WIDTH, "bar_height": BAR_HEIGHT}
