"""Law-firm invoices in the database: stored from a LEDES reading, reviewed against the organisation's guidelines
and master data, listed and fetched. Plain functions over a session; the caller owns the transaction; every query
is scoped to an organisation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session, selectinload

from paperclerk.core.errors import Conflict, NotFound
from paperclerk.core.lines import DocumentLink
from paperclerk.documents.models import Document
from paperclerk.legal_billing.guidelines import Guidelines, guidelines_from
from paperclerk.legal_billing.ledes import LedesInvoice, LedesLine
from paperclerk.legal_billing.models import (
    AttorneyVerification,
    BillingGuidelines,
    LawFirm,
    LegalFinding,
    LegalInvoice,
    LegalInvoiceLine,
    LegalInvoiceStatus,
    Matter,
    Timekeeper,
)
from paperclerk.legal_billing.review import line_reductions
from paperclerk.legal_billing.rules import (
    ApprovedRate,
    MatterRecord,
    PastEntry,
    ReviewContext,
    TimekeeperRecord,
    cents,
    run_rules,
)

#: Severities that send an invoice to a person.
REVIEW_SEVERITIES = ("warning", "error", "critical")
OPEN_STATUSES = (LegalInvoiceStatus.RECEIVED, LegalInvoiceStatus.NEEDS_REVIEW)


def get_guidelines(session: Session, organization_id: str) -> Guidelines:
    """The organisation's guidelines (the defaults until some are imported)."""
    stored = session.get(BillingGuidelines, organization_id)
    return guidelines_from(stored.content if stored else {})


def store_guidelines(session: Session, organization_id: str, guidelines: Guidelines) -> tuple[dict[str, Any] | None,
                                                                                             dict[str, Any]]:
    """Replace the organisation's guidelines; returns (before, after) as stored, for the audit trail."""
    stored = session.get(BillingGuidelines, organization_id)
    before = dict(stored.content) if stored else None
    after = guidelines.to_json()
    if stored is None:
        session.add(BillingGuidelines(organization_id=organization_id, content=after))
    else:
        stored.content = after
    session.flush()
    return before, after


# --- reading stored invoices back as LEDES ---------------------------------------------------------------------

def as_ledes(invoice: LegalInvoice) -> LedesInvoice:
    """The stored invoice as the rules read it."""
    return LedesInvoice(
        format=invoice.format, invoice_number=invoice.invoice_number, invoice_date=invoice.invoice_date,
        total=invoice.total, source_line=0, client_id=invoice.header.get("client_id"),
        law_firm_id=invoice.law_firm_tax_id, law_firm_name=invoice.law_firm_name,
        law_firm_matter_id=invoice.firm_matter_id, client_matter_id=invoice.client_matter_id,
        matter_name=invoice.header.get("matter_name"), billing_start_date=invoice.billing_start_date,
        billing_end_date=invoice.billing_end_date, description=invoice.header.get("description") or "",
        currency=invoice.currency, lines=[_as_line(line) for line in invoice.lines])


def _as_line(line: LegalInvoiceLine) -> LedesLine:
    return LedesLine(number=line.number, source_line=0, type=line.type, date=line.date, units=_plain(line.units),
                     unit_cost=_plain(line.unit_cost), adjustment=_plain(line.adjustment) or Decimal(0),
                     total=_plain(line.total) or Decimal(0), description=line.description,
                     task_code=line.task_code, activity_code=line.activity_code, expense_code=line.expense_code,
                     timekeeper_id=line.timekeeper_id, timekeeper_name=line.timekeeper_name,
                     timekeeper_classification=line.timekeeper_classification,
                     law_firm_matter_id=line.law_firm_matter_id, client_matter_id=line.client_matter_id,
                     tax_total=_plain(line.tax_total) or Decimal(0))


def _plain(value: Decimal | None) -> Decimal | None:
    """A stored amount without the column's trailing zeros (2.5000 → 2.5)."""
    if value is None:
        return None
    normalized = value.normalize()
    return normalized.quantize(Decimal(1)) if normalized == normalized.to_integral() else normalized


# --- the review context from the database ----------------------------------------------------------------------

def in_use() -> ColumnElement[bool]:
    """Bills whose document was not deleted (a bill imported without a document is always in use)."""
    return ~exists().where(Document.id == LegalInvoice.document_id, Document.deleted_at.is_not(None))


def deletion_guard(session: Session, document: Document) -> None:
    """An approved bill is being paid: its document (a LEDES file may hold several bills) cannot be deleted. Bills in
    review or rejected may go."""
    approved = session.scalars(select(LegalInvoice.invoice_number).where(
        LegalInvoice.document_id == document.id, LegalInvoice.organization_id == document.organization_id,
        LegalInvoice.status == LegalInvoiceStatus.APPROVED).order_by(LegalInvoice.invoice_number)).all()
    if approved:
        raise Conflict("A law-firm invoice of this document was approved: it cannot be deleted.",
                       code="LEGAL_INVOICE_DECIDED", details={"approved": list(approved)})


def review_context(session: Session, organization_id: str, invoice: LedesInvoice, *, exclude: str | None = None,
                   received_on: date | None = None) -> ReviewContext:
    """What the rules need besides the invoice: the same timekeepers' other lines on the same days (daily hours,
    duplicates), the firm's timekeepers and rates, the matters' dates, budgets and spend so far, and the attorney
    verification outcomes on file."""
    firm = _firm(session, organization_id, invoice.law_firm_id)
    keepers = {line.timekeeper_id for line in invoice.lines if line.timekeeper_id}
    days = {line.date for line in invoice.lines if line.date}
    history: list[PastEntry] = []
    if days:
        query = (select(LegalInvoiceLine, LegalInvoice.invoice_number)
                 .join(LegalInvoice, LegalInvoice.id == LegalInvoiceLine.invoice_id)
                 .where(LegalInvoiceLine.organization_id == organization_id, LegalInvoiceLine.date.in_(days),
                        LegalInvoice.status != LegalInvoiceStatus.REJECTED, in_use(),
                        LegalInvoice.law_firm_tax_id == invoice.law_firm_id))
        if exclude:
            query = query.where(LegalInvoice.id != exclude)
        for line, number in session.execute(query):
            if line.type == "E" or line.timekeeper_id in keepers:
                history.append(PastEntry(number, line.number, line.type, line.timekeeper_id, line.date,
                                         _plain(line.units), _plain(line.total) or Decimal(0), line.description,
                                         line.expense_code))
    roster = None
    if firm is not None:
        listed = session.scalars(select(Timekeeper).options(selectinload(Timekeeper.rates))
                                 .where(Timekeeper.organization_id == organization_id,
                                        Timekeeper.law_firm_id == firm.id)).all()
        if listed:
            roster = {keeper.timekeeper_id: _record(session, keeper) for keeper in listed}
    matter_ids = {value for line in invoice.lines for value in (line.client_matter_id, line.law_firm_matter_id)
                  if value}
    matters: dict[str, MatterRecord] = {}
    spent: dict[str, Decimal] = {}
    for matter in session.scalars(select(Matter).where(Matter.organization_id == organization_id,
                                                       Matter.client_matter_id.in_(matter_ids))):
        matters[matter.client_matter_id] = MatterRecord(matter.budget, matter.open_date, matter.close_date)
        spend = select(func.coalesce(func.sum(LegalInvoiceLine.total), 0)).join(
            LegalInvoice, LegalInvoice.id == LegalInvoiceLine.invoice_id).where(
            LegalInvoiceLine.organization_id == organization_id,
            LegalInvoiceLine.client_matter_id == matter.client_matter_id, LegalInvoiceLine.type.in_(("F", "E")),
            LegalInvoice.status != LegalInvoiceStatus.REJECTED, in_use())
        if exclude:
            spend = spend.where(LegalInvoice.id != exclude)
        spent[matter.client_matter_id] = Decimal(session.scalar(spend) or 0)
    verification = {row.timekeeper_id: row.outcome for row in session.scalars(
        select(AttorneyVerification).where(AttorneyVerification.organization_id == organization_id,
                                           AttorneyVerification.law_firm_tax_id == (invoice.law_firm_id or ""),
                                           AttorneyVerification.timekeeper_id.in_(keepers)))}
    return ReviewContext(history=history, timekeepers=roster, matters=matters, spent=spent, received_on=received_on,
                         verification=verification)


def _record(session: Session, keeper: Timekeeper) -> TimekeeperRecord:
    matter_ids = {rate.matter_id for rate in keeper.rates if rate.matter_id}
    names = dict(session.execute(select(Matter.id, Matter.client_matter_id).where(Matter.id.in_(matter_ids)))
                 .tuples().all()) if matter_ids else {}
    return TimekeeperRecord(
        keeper.timekeeper_id, keeper.name, keeper.classification, keeper.approved,
        tuple(ApprovedRate(rate.rate, rate.effective_from, rate.effective_to,
                           names.get(rate.matter_id) if rate.matter_id else None) for rate in keeper.rates))


def _firm(session: Session, organization_id: str, tax_id: str | None) -> LawFirm | None:
    if not tax_id:
        return None
    return session.scalar(select(LawFirm).where(LawFirm.organization_id == organization_id,
                                                LawFirm.tax_id == tax_id))


# --- storing and re-reviewing ----------------------------------------------------------------------------------

def store(session: Session, organization_id: str, document_id: str | None, invoice: LedesInvoice) -> LegalInvoice:
    """Store one invoice read from a LEDES file and review it."""
    firm = _firm(session, organization_id, invoice.law_firm_id)
    row = LegalInvoice(
        organization_id=organization_id, document_id=document_id, format=invoice.format,
        invoice_number=invoice.invoice_number[:60], invoice_date=invoice.invoice_date,
        law_firm_tax_id=invoice.law_firm_id, law_firm_name=invoice.law_firm_name or (firm.name if firm else None),
        law_firm_id=firm.id if firm else None, client_matter_id=invoice.client_matter_id,
        firm_matter_id=invoice.law_firm_matter_id, billing_start_date=invoice.billing_start_date,
        billing_end_date=invoice.billing_end_date, currency=invoice.currency, total=invoice.total,
        approved_total=invoice.total, status=LegalInvoiceStatus.RECEIVED, header=invoice.header())
    row.matter_id = session.scalar(select(Matter.id).where(Matter.organization_id == organization_id,
                                                           Matter.client_matter_id == invoice.client_matter_id))
    for line in invoice.lines:
        row.lines.append(LegalInvoiceLine(
            organization_id=organization_id, number=line.number, type=line.type, date=line.date,
            timekeeper_id=line.timekeeper_id, timekeeper_name=line.timekeeper_name,
            timekeeper_classification=line.timekeeper_classification, task_code=line.task_code,
            activity_code=line.activity_code, expense_code=line.expense_code, units=line.units,
            unit_cost=line.unit_cost, adjustment=line.adjustment, tax_total=line.tax_total, total=line.total,
            description=line.description, law_firm_matter_id=line.law_firm_matter_id,
            client_matter_id=line.client_matter_id))
    session.add(row)
    session.flush()
    rereview(session, row)
    return row


def rereview(session: Session, invoice: LegalInvoice) -> list[LegalFinding]:
    """Run the rules again (after the guidelines, the master data or the verification changed): findings and
    proposed adjustments are replaced; decisions people took on lines are kept."""
    reading = as_ledes(invoice)
    context = review_context(session, invoice.organization_id, reading, exclude=invoice.id,
                             received_on=invoice.received_at.date() if invoice.received_at else None)
    guidelines = get_guidelines(session, invoice.organization_id)
    findings = run_rules(reading, guidelines, context)
    invoice.findings.clear()
    session.flush()
    for position, finding in enumerate(findings):
        invoice.findings.append(LegalFinding(
            organization_id=invoice.organization_id, position=position, rule_id=finding.rule_id,
            category=finding.category, severity=finding.severity, lines=finding.lines, message=finding.message,
            adjustment=finding.adjustment, reason=finding.reason))
    proposed = line_reductions(reading, findings)
    for line in invoice.lines:
        line.proposed_adjustment = cents(proposed.get(line.number, Decimal(0)))
    invoice.proposed_adjustments = cents(sum(proposed.values(), Decimal(0)))
    refresh_approved_total(invoice, proposed.get(0, Decimal(0)))
    if invoice.status in OPEN_STATUSES:
        invoice.status = (LegalInvoiceStatus.NEEDS_REVIEW
                          if any(finding.severity in REVIEW_SEVERITIES for finding in findings)
                          else LegalInvoiceStatus.RECEIVED)
    session.flush()
    return list(invoice.findings)


def refresh_approved_total(invoice: LegalInvoice, invoice_level: Decimal | None = None) -> None:
    """What would be paid: each decided line at its decided amount, undecided lines as proposed, plus the invoice-
    level adjustment (a stated total above the lines)."""
    if invoice_level is None:
        invoice_level = invoice.proposed_adjustments - sum((line.proposed_adjustment for line in invoice.lines),
                                                           Decimal(0))
    total = invoice.total + invoice_level
    for line in invoice.lines:
        if line.decision is not None and line.approved_amount is not None:
            total += line.approved_amount - line.total
        else:
            total += line.proposed_adjustment
    invoice.approved_total = cents(total)


def rereview_open(session: Session, organization_id: str) -> int:
    """Re-review every invoice still open (after guidelines or master data change)."""
    invoices = session.scalars(select(LegalInvoice).where(LegalInvoice.organization_id == organization_id,
                                                          LegalInvoice.status.in_(OPEN_STATUSES), in_use())).all()
    for invoice in invoices:
        rereview(session, invoice)
    return len(invoices)


# --- reading ---------------------------------------------------------------------------------------------------

def document_links(session: Session, document: Document) -> list[DocumentLink]:
    """The document page's way to the bills read from it (a LEDES file may hold several)."""
    found = session.execute(select(LegalInvoice.id, LegalInvoice.invoice_number).where(
        LegalInvoice.document_id == document.id, LegalInvoice.organization_id == document.organization_id)
        .order_by(LegalInvoice.invoice_number)).all()
    return [DocumentLink(f"Review legal bill {number}", f"/legal/invoices/{invoice_id}")
            for invoice_id, number in found]


def event_subject(invoice: LegalInvoice) -> dict[str, Any]:
    """What an event's payload says about its bill so that a notification can name it (number and firm)."""
    return {"legal_invoice_id": invoice.id, "invoice_number": invoice.invoice_number,
            "law_firm": invoice.law_firm_name or invoice.law_firm_tax_id}


def get_invoice(session: Session, organization_id: str, invoice_id: str) -> LegalInvoice:
    invoice = session.scalar(select(LegalInvoice).where(LegalInvoice.id == invoice_id,
                                                        LegalInvoice.organization_id == organization_id, in_use())
                             .options(selectinload(LegalInvoice.lines), selectinload(LegalInvoice.findings)))
    if invoice is None:
        raise NotFound("No such legal invoice.", details={"invoice_id": invoice_id})
    return invoice


def list_invoices(session: Session, organization_id: str, *, status: str | None = None, firm: str | None = None,
                  matter: str | None = None, limit: int = 50, offset: int = 0) -> tuple[Sequence[LegalInvoice], int]:
    query = select(LegalInvoice).where(LegalInvoice.organization_id == organization_id, in_use())
    if status:
        query = query.where(LegalInvoice.status == status)
    if firm:
        query = query.where((LegalInvoice.law_firm_tax_id == firm) | (LegalInvoice.law_firm_name.ilike(f"%{firm}%")))
    if matter:
        query = query.where((LegalInvoice.client_matter_id == matter) | (LegalInvoice.firm_matter_id == matter))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(query.order_by(LegalInvoice.received_at.desc(), LegalInvoice.id).limit(limit)
                            .offset(offset)).all()
    return items, int(total)
