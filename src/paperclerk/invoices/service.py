"""Invoices in the database: stored from an engine extraction, read back as one, listed and fetched.

Plain functions over a session; the caller owns the transaction. Every query is scoped to an organisation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session, selectinload

from paperclerk.core import events
from paperclerk.core.errors import Conflict, InvalidRequest, NotFound
from paperclerk.core.lines import DocumentLink
from paperclerk.core.money import plain, quantity
from paperclerk.documents import service as documents
from paperclerk.documents.models import Document
from paperclerk.invoices.dates import Order, find_dates
from paperclerk.invoices.models import (
    OPEN_STATUSES,
    FindingStatus,
    Invoice,
    InvoiceField,
    InvoiceFinding,
    InvoiceLine,
    InvoiceStatus,
)
from paperclerk.invoices.reading import (
    AMOUNT_FIELDS,
    CREDIT_NOTE,
    DATE_FIELDS,
    FIELDS,
    INVOICE,
    NOT_INVOICE,
    Evidence,
    FieldValue,
    InvoiceExtraction,
    LineItem,
    json_value,
)

#: Severities that send an invoice to review (and count as "flagged").
REVIEW_SEVERITIES = ("warning", "error", "critical")
_MAX_LENGTH = {"vendor_name": 200, "vendor_tax_id": 40, "vendor_iban": 34, "vendor_bic": 11, "customer_name": 200,
               "invoice_number": 100, "purchase_order": 60, "currency": 3}
_COMPACT = ("vendor_tax_id", "vendor_iban", "vendor_bic")


def number_key(number: str | None) -> str | None:
    """An invoice number as duplicates compare it: letters and digits only, upper case, no leading zeros."""
    if not number:
        return None
    key = re.sub(r"[^0-9A-Z]", "", number.upper())
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", key)[:100] or None


def as_text(value: Any) -> str | None:
    return None if value is None else str(json_value(value))


#: How a date a person types is shown in hints and errors, per day/month order.
DATE_EXAMPLES: dict[Order, str] = {"DMY": "20/11/2026 or 2026-11-20", "MDY": "11/20/2026 or 2026-11-20"}


def parse_value(name: str, text: str | None, *, order: Order = "DMY") -> Any:
    """A person's corrected value as the engine types it; ``InvalidRequest`` when it cannot be. ``order``: how the
    organisation writes numeric dates (``20/11/2026`` is day first)."""
    if name not in FIELDS:
        raise InvalidRequest(f"There is no invoice field called {name!r}.", code="UNKNOWN_FIELD",
                             details={"field": name, "fields": list(FIELDS)})
    if text is None or not text.strip():
        return None
    text = " ".join(text.split())

    def invalid(expected: str) -> InvalidRequest:
        return InvalidRequest(f"{text!r} is not a valid value for {name}: {expected}.", code="INVALID_FIELD_VALUE",
                              details={"field": name, "value": text})

    if name in AMOUNT_FIELDS:
        return _amount(text, invalid)
    if name in DATE_FIELDS:
        return _date(text, order, invalid)
    if name == "currency":
        if not re.fullmatch(r"[A-Za-z]{3}", text):
            raise invalid("use an ISO 4217 code such as EUR")
        return text.upper()
    if name == "document_type":
        if text not in (INVOICE, CREDIT_NOTE, NOT_INVOICE):
            raise invalid("use invoice, credit_note or not_invoice")
        return text
    if name in _COMPACT:
        text = text.replace(" ", "").upper()
    if len(text) > _MAX_LENGTH.get(name, 10_000):
        raise invalid(f"at most {_MAX_LENGTH[name]} characters")
    return text


def _amount(text: str, invalid: Callable[[str], InvalidRequest]) -> Decimal:
    if not re.fullmatch(r"[+-]?\d{1,14}(?:\.\d{1,4})?", text):
        raise invalid("use a plain decimal number such as 1234.56")
    return Decimal(text)


def _date(text: str, order: Order, invalid: Callable[[str], InvalidRequest]) -> date:
    """The whole text as one date, read in the organisation's day/month order (ISO always works)."""
    found = find_dates(text, order=order)
    if len(found) != 1 or (found[0].start, found[0].end) != (0, len(text)):
        raise invalid(f"use a date such as {DATE_EXAMPLES[order]}")
    return found[0].value


def _fit(name: str, value: Any) -> Any:
    limit = _MAX_LENGTH.get(name)
    return value[:limit] if isinstance(value, str) and limit else value


def set_typed(invoice: Invoice, name: str, value: Any) -> None:
    """Copy one field's value to the invoice's typed column (a field without one, e.g. ``missing_pages``, lives
    in its field row only)."""
    if name == "document_type":
        invoice.kind = CREDIT_NOTE if value == CREDIT_NOTE else INVOICE
        return
    if name not in Invoice.__table__.columns:
        return
    setattr(invoice, name, _fit(name, value))
    if name == "invoice_number":
        invoice.number_key = number_key(value)


def receive(session: Session, document: Document) -> Invoice:
    """The invoice of a document uploaded as one, ``received`` until it has been read (an existing one when the
    same file came before); records ``invoice.uploaded`` for a new one."""
    invoice = session.scalars(select(Invoice).where(Invoice.document_id == document.id)).first()
    if invoice is None:
        invoice = Invoice(organization_id=document.organization_id, document_id=document.id,
                          status=InvoiceStatus.RECEIVED, candidates={})
        session.add(invoice)
        session.flush()
        uploaded(session, invoice, document)
    return invoice


def follow_document(session: Session, invoice: Invoice) -> None:
    """The document's status follows its invoice's: needs review while the invoice does, processed once it was
    checked clean or decided (approved, rejected, exported)."""
    documents.follow_review(session, invoice.document_id, organization_id=invoice.organization_id,
                            needs_review=invoice.status == InvoiceStatus.NEEDS_REVIEW)


def document_links(session: Session, document: Document) -> list[DocumentLink]:
    """The document page's way to the document's invoice."""
    invoice_id = session.scalar(select(Invoice.id).where(Invoice.document_id == document.id,
                                                         Invoice.organization_id == document.organization_id))
    return [DocumentLink("Open the invoice review", f"/invoices/{invoice_id}")] if invoice_id else []


def deletion_guard(session: Session, document: Document) -> None:
    """An approved or exported invoice has been (or is about to be) paid: its document cannot be deleted, since
    deleting it would not un-pay it. One in review or rejected may go (a junk upload)."""
    status = session.scalar(select(Invoice.status).where(Invoice.document_id == document.id,
                                                         Invoice.organization_id == document.organization_id))
    if status in (InvoiceStatus.APPROVED, InvoiceStatus.EXPORTED):
        raise Conflict(f"This document's invoice is {status}: it cannot be deleted (deleting it would not un-pay "
                       "it).", code="INVOICE_DECIDED", details={"status": status})


def in_use() -> ColumnElement[bool]:
    """Invoices whose document was not deleted (a deleted document's invoice leaves lists, reads and checks)."""
    return exists().where(Document.id == Invoice.document_id, Document.deleted_at.is_(None))
def event_subject(invoice: Invoice) -> dict[str, Any]:
    """What an event's payload says about its invoice so that a notification can name it."""
    return {"invoice_id": invoice.id, "invoice_number": invoice.invoice_number, "vendor_name": invoice.vendor_name}


def uploaded(session: Session, invoice: Invoice, document: Document) -> None:
    events.record(session, "invoice.uploaded", organization_id=invoice.organization_id, subject_type="invoice",
                  subject_id=invoice.id, payload={"invoice_id": invoice.id, "document_id": document.id,
                                                  "filename": document.filename, "source": document.source})


def store(session: Session, document: Document, kind: str, extraction: InvoiceExtraction) -> Invoice:
    """The invoice read from ``document``: the ``received`` invoice filled in, or a new one (replacing an earlier
    reading of the same document; a new one records ``invoice.uploaded``)."""
    invoice = session.scalars(select(Invoice).where(Invoice.document_id == document.id)).first()
    if invoice is not None and invoice.status != InvoiceStatus.RECEIVED:
        session.delete(invoice)
        session.flush()
        invoice = None
    if invoice is None:
        invoice = Invoice(organization_id=document.organization_id, document_id=document.id)
        session.add(invoice)
        session.flush()
        uploaded(session, invoice, document)
    invoice.status, invoice.kind, invoice.candidates = InvoiceStatus.PROCESSED, kind, _candidates_json(extraction)
    for name, found in extraction.fields.items():
        if name not in FIELDS:
            continue
        set_typed(invoice, name, found.value)
        evidence = found.evidence
        invoice.fields.append(InvoiceField(
            name=name, value=as_text(found.value), original_value=as_text(found.value),
            page=evidence.page if evidence else None, start=evidence.start if evidence else None,
            end=evidence.end if evidence else None,
            bbox=[round(v, 2) for v in evidence.bbox] if evidence and evidence.bbox else None,
            confidence=found.confidence, extractor=found.extractor))
    invoice.kind = kind
    for position, line in enumerate(extraction.lines, 1):
        row = InvoiceLine(position=position, description=line.description or "", quantity=line.quantity,
                          unit_price=line.unit_price, amount=line.amount, tax_rate=line.tax_rate,
                          evidence=line.evidence.to_dict() if line.evidence else None)
        row.original = line_values(row)
        invoice.lines.append(row)
    session.flush()
    return invoice


LINE_VALUES = ("description", "quantity", "unit_price", "amount", "tax_rate")


def line_values(line: InvoiceLine) -> dict[str, str | None]:
    """A line's values as corrections and ``original`` keep them: amounts with two decimals, quantities, prices
    and rates without trailing zeros (as the API shows them)."""
    def shown(name: str, value: Decimal | None) -> str | None:
        return None if value is None else plain(value) if name == "amount" else quantity(value)

    return {"description": line.description, **{name: shown(name, getattr(line, name)) for name in LINE_VALUES[1:]}}


def _candidates_json(extraction: InvoiceExtraction) -> dict[str, Any]:
    return {name: [{"value": as_text(item.value), "confidence": item.confidence, "extractor": item.extractor,
                    "evidence": item.evidence.to_dict() if item.evidence else None} for item in items]
            for name, items in extraction.candidates.items()}


def _evidence(data: dict[str, Any] | None, text: str | None = None) -> Evidence | None:
    if not data or data.get("page") is None:
        return None
    bbox = data.get("bbox")
    return Evidence(int(data["page"]), int(data.get("start") or 0), int(data.get("end") or 0),
                    tuple(bbox) if bbox else None, text if text is not None else str(data.get("text") or ""))


def field_evidence(field: InvoiceField) -> dict[str, Any] | None:
    if field.page is None:
        return None
    return {"page": field.page, "start": field.start, "end": field.end, "bbox": field.bbox,
            "text": field.original_value}


def _typed(name: str, text: str | None) -> Any:
    if text is None:
        return None
    if name in AMOUNT_FIELDS:
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    if name in DATE_FIELDS:
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    return text


def extraction_of(invoice: Invoice) -> InvoiceExtraction:
    """The invoice as the engine sees it, with corrections applied (a corrected field loses its rival
    candidates: the person settled which value is right)."""
    corrected = {correction.field for correction in invoice.corrections}
    extraction = InvoiceExtraction()
    for field in invoice.fields:
        value = _typed(field.name, field.value)
        if value is None:
            continue
        extraction.fields[field.name] = FieldValue(field.name, value, field.confidence or 0.0,
                                                   field.extractor or "", _evidence(field_evidence(field)))
    for name, items in (invoice.candidates or {}).items():
        if name in corrected:
            continue
        extraction.candidates[name] = [
            FieldValue(name, _typed(name, item.get("value")), item.get("confidence") or 0.0,
                       item.get("extractor") or "", _evidence(item.get("evidence")))
            for item in items if _typed(name, item.get("value")) is not None]
    extraction.lines = [LineItem(line.description, line.quantity, line.unit_price, line.amount, line.tax_rate,
                                 _evidence(line.evidence)) for line in invoice.lines]
    return extraction


# Reads ------------------------------------------------------------------------------------------------

#: Loader options for invoices read with everything validation and the detail view need.
WITH_DETAILS = (selectinload(Invoice.fields), selectinload(Invoice.lines), selectinload(Invoice.findings),
                selectinload(Invoice.corrections))


def get(session: Session, invoice_id: str, *, organization_id: str, full: bool = False) -> Invoice:
    """One of the organisation's invoices; another organisation's is 'not found'."""
    query = select(Invoice).where(Invoice.id == invoice_id, Invoice.organization_id == organization_id, in_use())
    if full:
        query = query.options(*WITH_DETAILS)
    invoice = session.scalars(query).first()
    if invoice is None:
        raise NotFound("No invoice with this id.", code="INVOICE_NOT_FOUND", details={"invoice_id": invoice_id})
    return invoice


def flagged_clause() -> ColumnElement[bool]:
    """An invoice still to be decided with an open finding a person must look at (a decided one is not flagged,
    whatever was overridden: its decision is in the audit trail)."""
    return and_(Invoice.status.in_(list(OPEN_STATUSES)), exists().where(
        InvoiceFinding.invoice_id == Invoice.id, InvoiceFinding.status == FindingStatus.OPEN,
        InvoiceFinding.severity.in_(REVIEW_SEVERITIES)))


@dataclass(frozen=True)
class InvoiceFilter:
    organization_id: str
    status: str | None = None
    vendor_id: str | None = None
    vendor: str | None = None  # part of the vendor name, any case
    purchase_order: str | None = None  # the order number the invoice names, any case
    flagged: bool | None = None
    date_from: date | None = None
    date_to: date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = [Invoice.organization_id == self.organization_id, in_use()]
        if self.status:
            clauses.append(Invoice.status == self.status)
        if self.vendor_id:
            clauses.append(Invoice.vendor_id == self.vendor_id)
        if self.vendor:
            clauses.append(func.lower(Invoice.vendor_name).contains(self.vendor.lower(), autoescape=True))
        if self.purchase_order:
            clauses.append(func.upper(Invoice.purchase_order) == self.purchase_order.upper())
        if self.flagged is not None:
            clauses.append(flagged_clause() if self.flagged else ~flagged_clause())
        if self.date_from:
            clauses.append(Invoice.invoice_date >= self.date_from)
        if self.date_to:
            clauses.append(Invoice.invoice_date <= self.date_to)
        if self.amount_min is not None:
            clauses.append(Invoice.total >= self.amount_min)
        if self.amount_max is not None:
            clauses.append(Invoice.total <= self.amount_max)
        return clauses


def list_invoices(session: Session, filters: InvoiceFilter, *, limit: int, offset: int
                  ) -> tuple[list[Invoice], int, dict[str, int]]:
    """A page of invoices (newest first), the total, and each listed invoice's open finding count."""
    clauses = filters.clauses()
    total = session.scalar(select(func.count()).select_from(Invoice).where(*clauses)) or 0
    items = list(session.scalars(select(Invoice).where(*clauses)
                                 .order_by(Invoice.created_at.desc(), Invoice.id).limit(limit).offset(offset)))
    counts: dict[str, int] = {}
    if items:
        counts = dict(session.execute(
            select(InvoiceFinding.invoice_id, func.count()).where(
                InvoiceFinding.invoice_id.in_([item.id for item in items]),
                InvoiceFinding.status == FindingStatus.OPEN).group_by(InvoiceFinding.invoice_id)).all())
    return items, total, counts


def page_count(session: Session, invoice: Invoice) -> int | None:
    return session.scalar(select(Document.page_count).where(Document.id == invoice.document_id))
