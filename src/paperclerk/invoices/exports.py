"""Approved invoices out: CSV (chosen columns), JSON, or UBL 2.1 / Peppol BIS Billing 3 XML (one file per
invoice, zipped). Exported invoices are marked ``exported`` and left out of later exports unless asked."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session, defer, selectinload

from paperclerk.auth.principal import Principal
from paperclerk.core import events
from paperclerk.core.audit import record_audit
from paperclerk.core.db import utcnow
from paperclerk.core.errors import Conflict, InvalidRequest, NotFound
from paperclerk.core.money import plain, quantity
from paperclerk.core.spreadsheets import formula_safe
from paperclerk.invoices.einvoice import CAC, CBC, UBL_CREDIT_NOTE, UBL_INVOICE
from paperclerk.invoices.models import (
    SECOND_PAYMENT_RULES,
    FindingStatus,
    Invoice,
    InvoiceExport,
    InvoiceFinding,
    InvoiceStatus,
)
from paperclerk.invoices.reading import CREDIT_NOTE
from paperclerk.invoices.service import event_subject, follow_document

FORMATS = ("csv", "json", "ubl")
COLUMNS = ("id", "document_id", "status", "kind", "vendor_id", "vendor_name", "vendor_tax_id", "vendor_iban",
           "vendor_bic", "customer_name", "invoice_number", "invoice_date", "due_date", "purchase_order",
           "payment_terms", "currency", "subtotal", "tax_total", "total", "amount_due", "decided_by", "decided_at",
           "exported_at")
DEFAULT_COLUMNS = ("id", "vendor_name", "vendor_tax_id", "vendor_iban", "invoice_number", "invoice_date", "due_date",
                   "currency", "subtotal", "tax_total", "total", "amount_due", "purchase_order")
_AMOUNTS = {"subtotal", "tax_total", "total", "amount_due"}
PEPPOL_CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PEPPOL_PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


@dataclass(frozen=True)
class ExportFile:
    filename: str
    media_type: str
    content: bytes
    invoice_ids: list[str]
    #: The stored export (``GET /api/v1/invoices/exports/{export_id}`` hands it over again).
    export_id: str

    @property
    def headers(self) -> dict[str, str]:
        """The HTTP headers that hand the file over as a download."""
        return {"Content-Disposition": f"attachment; filename*=utf-8''{quote(self.filename)}",
                "X-Invoice-Count": str(len(self.invoice_ids)), "X-Export-Id": self.export_id}


def _text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name in _AMOUNTS:
        return plain(value) or ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return formula_safe(str(value))


def export(session: Session, organization_id: str, *, format: str, columns: list[str] | None = None,
           include_exported: bool = False, actor: Principal, ip: str | None = None) -> ExportFile:
    """Export the organisation's approved invoices (and already exported ones with ``include_exported``); an invoice
    with an open duplicate finding is held back (it would be a second payment)."""
    if format not in FORMATS:
        raise InvalidRequest(f"Unknown export format {format!r}; use csv, json or ubl.", code="UNKNOWN_FORMAT")
    chosen = list(columns or DEFAULT_COLUMNS)
    unknown = [column for column in chosen if column not in COLUMNS]
    if unknown:
        raise InvalidRequest(f"Unknown column(s): {', '.join(unknown)}.", code="UNKNOWN_COLUMN",
                             details={"unknown": unknown, "columns": list(COLUMNS)})
    statuses = [InvoiceStatus.APPROVED, *([InvoiceStatus.EXPORTED] if include_exported else [])]
    open_duplicate = select(InvoiceFinding.id).where(
        InvoiceFinding.invoice_id == Invoice.id, InvoiceFinding.status == FindingStatus.OPEN,
        InvoiceFinding.rule_id.in_(sorted(SECOND_PAYMENT_RULES))).exists()
    invoices = list(session.scalars(select(Invoice).options(selectinload(Invoice.lines)).where(
        Invoice.organization_id == organization_id, Invoice.status.in_(statuses), ~open_duplicate)
        .order_by(Invoice.decided_at, Invoice.id)))
    if not invoices:
        raise Conflict("There are no approved invoices to export.", code="NOTHING_TO_EXPORT",
                       details={"include_exported": include_exported})
    stamp = utcnow()
    ids = [item.id for item in invoices]
    if format == "csv":
        filename, media_type, content = f"invoices-{stamp:%Y%m%d-%H%M%S}.csv", "text/csv; charset=utf-8", \
            to_csv(invoices, chosen)
    elif format == "json":
        filename, media_type, content = f"invoices-{stamp:%Y%m%d-%H%M%S}.json", "application/json", to_json(invoices)
    else:
        filename, media_type, content = f"invoices-ubl-{stamp:%Y%m%d-%H%M%S}.zip", "application/zip", \
            to_ubl_zip(invoices)
    stored = InvoiceExport(organization_id=organization_id, filename=filename, format=format, media_type=media_type,
                           content=content, invoice_ids=ids, created_by=actor.label, created_at=stamp)
    session.add(stored)
    session.flush()
    result = ExportFile(filename, media_type, content, ids, stored.id)
    for invoice in invoices:
        before = invoice.status
        invoice.status = InvoiceStatus.EXPORTED
        invoice.exported_at = stamp
        follow_document(session, invoice)
        record_audit(session, actor, "invoice.export", ("invoice", invoice.id), ip=ip, organization_id=organization_id,
                     before={"status": before}, after={"status": invoice.status, "format": format,
                                                       "file": result.filename, "export_id": stored.id})
        events.record(session, "invoice.exported", organization_id=organization_id, subject_type="invoice",
                      subject_id=invoice.id,
                      payload={**event_subject(invoice), "format": format, "file": result.filename})
    return result


def recent_exports(session: Session, organization_id: str, *, limit: int = 10) -> list[InvoiceExport]:
    """The organisation's latest exports, newest first."""
    return list(session.scalars(select(InvoiceExport).options(defer(InvoiceExport.content))
                                .where(InvoiceExport.organization_id == organization_id)
                                .order_by(InvoiceExport.created_at.desc(), InvoiceExport.id).limit(limit)))


def get_export(session: Session, export_id: str, *, organization_id: str) -> ExportFile:
    """An earlier export's file, exactly as it was handed over; another organisation's is "not found"."""
    stored = session.scalars(select(InvoiceExport).where(InvoiceExport.id == export_id,
                                                         InvoiceExport.organization_id == organization_id)).first()
    if stored is None:
        raise NotFound("No export with this id.", code="EXPORT_NOT_FOUND", details={"export_id": export_id})
    return ExportFile(stored.filename, stored.media_type, stored.content, list(stored.invoice_ids), stored.id)


def to_csv(invoices: list[Invoice], columns: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(columns)
    for invoice in invoices:
        writer.writerow([_text(column, getattr(invoice, column)) for column in columns])
    return out.getvalue().encode("utf-8")


def to_json(invoices: list[Invoice]) -> bytes:
    def jsonable(value: Any) -> Any:
        if isinstance(value, Decimal):
            return plain(value)
        if isinstance(value, date | datetime):
            return value.isoformat()
        return value

    items = [{**{column: jsonable(getattr(invoice, column)) for column in COLUMNS},
              "lines": [{"position": line.position, "description": line.description,
                         "quantity": _number(line.quantity), "unit_price": _number(line.unit_price),
                         "amount": jsonable(line.amount), "tax_rate": _number(line.tax_rate)}
                        for line in invoice.lines]} for invoice in invoices]
    return json.dumps({"invoices": items}, ensure_ascii=False, indent=2).encode("utf-8")


def _number(value: Decimal | None) -> str | None:
    return None if value is None else quantity(value)


def to_ubl_zip(invoices: list[Invoice]) -> bytes:
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for invoice in invoices:
            stem = re.sub(r"[^A-Za-z0-9._-]", "_", invoice.invoice_number or invoice.id)[:80] or invoice.id
            name = f"{stem}.xml" if f"{stem}.xml" not in used else f"{stem}-{invoice.id[:8]}.xml"
            used.add(name)
            archive.writestr(name, to_ubl(invoice))
    return buffer.getvalue()


def _country(invoice: Invoice) -> str | None:
    for value in (invoice.vendor_tax_id, invoice.vendor_iban):
        if value and re.match(r"[A-Z]{2}", value):
            return "GR" if value[:2] == "EL" else value[:2]
    return None


def to_ubl(invoice: Invoice) -> bytes:
    """The invoice as a UBL 2.1 Invoice or CreditNote following Peppol BIS Billing 3 (amounts of credit notes
    positive, as UBL wants them)."""
    credit = invoice.kind == CREDIT_NOTE
    root_name = "CreditNote" if credit else "Invoice"
    root = etree.Element(f"{{{UBL_CREDIT_NOTE if credit else UBL_INVOICE}}}{root_name}",
                         nsmap={None: UBL_CREDIT_NOTE if credit else UBL_INVOICE, "cac": CAC, "cbc": CBC})
    currency = invoice.currency or "EUR"
    sign = Decimal(-1) if credit and (invoice.total or 0) < 0 else Decimal(1)

    def cbc(parent: etree._Element, name: str, text: Any, **attributes: str) -> etree._Element:
        element = etree.SubElement(parent, f"{{{CBC}}}{name}", **attributes)
        element.text = str(text)
        return element

    def cac(parent: etree._Element, name: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{CAC}}}{name}")

    def amount(parent: etree._Element, name: str, value: Decimal | None) -> None:
        cbc(parent, name, plain((value or Decimal(0)) * sign), currencyID=currency)

    cbc(root, "CustomizationID", PEPPOL_CUSTOMIZATION)
    cbc(root, "ProfileID", PEPPOL_PROFILE)
    cbc(root, "ID", invoice.invoice_number or invoice.id)
    cbc(root, "IssueDate", (invoice.invoice_date or invoice.created_at.date()).isoformat())
    if invoice.due_date and not credit:
        cbc(root, "DueDate", invoice.due_date.isoformat())
    cbc(root, f"{root_name}TypeCode", "381" if credit else "380")
    cbc(root, "DocumentCurrencyCode", currency)
    cbc(root, "BuyerReference", invoice.purchase_order or invoice.invoice_number or invoice.id)
    if invoice.purchase_order:
        cbc(cac(root, "OrderReference"), "ID", invoice.purchase_order)
    supplier = cac(cac(root, "AccountingSupplierParty"), "Party")
    if invoice.vendor_name:
        cbc(cac(supplier, "PartyName"), "Name", invoice.vendor_name)
    address = cac(supplier, "PostalAddress")
    if invoice.vendor_address:
        cbc(cac(address, "AddressLine"), "Line", invoice.vendor_address)
    country = _country(invoice)
    if country:
        cbc(cac(address, "Country"), "IdentificationCode", country)
    if invoice.vendor_tax_id:
        scheme = cac(supplier, "PartyTaxScheme")
        cbc(scheme, "CompanyID", invoice.vendor_tax_id)
        cbc(cac(scheme, "TaxScheme"), "ID", "VAT")
    cbc(cac(supplier, "PartyLegalEntity"), "RegistrationName", invoice.vendor_name or "")
    customer = cac(cac(root, "AccountingCustomerParty"), "Party")
    cbc(cac(customer, "PartyLegalEntity"), "RegistrationName", invoice.customer_name or "")
    if invoice.vendor_iban:
        means = cac(root, "PaymentMeans")
        cbc(means, "PaymentMeansCode", "30")
        if credit and invoice.due_date:
            cbc(means, "PaymentDueDate", invoice.due_date.isoformat())
        account = cac(means, "PayeeFinancialAccount")
        cbc(account, "ID", invoice.vendor_iban)
        if invoice.vendor_bic:
            cbc(cac(account, "FinancialInstitutionBranch"), "ID", invoice.vendor_bic)
    if invoice.payment_terms:
        cbc(cac(root, "PaymentTerms"), "Note", invoice.payment_terms)
    lines_total = sum((line.amount for line in invoice.lines if line.amount is not None), Decimal(0))
    subtotal = invoice.subtotal if invoice.subtotal is not None else lines_total
    tax = invoice.tax_total or Decimal(0)
    total = invoice.total if invoice.total is not None else subtotal + tax
    rate = (tax / subtotal * 100).quantize(Decimal("0.01")) if subtotal else Decimal(0)
    tax_total = cac(root, "TaxTotal")
    amount(tax_total, "TaxAmount", tax)
    breakdown = cac(tax_total, "TaxSubtotal")
    amount(breakdown, "TaxableAmount", subtotal)
    amount(breakdown, "TaxAmount", tax)
    _tax_category(cac, cbc, breakdown, "TaxCategory", rate)
    totals = cac(root, "LegalMonetaryTotal")
    amount(totals, "LineExtensionAmount", lines_total if invoice.lines else subtotal)
    amount(totals, "TaxExclusiveAmount", subtotal)
    amount(totals, "TaxInclusiveAmount", total)
    if invoice.prepaid_amount:
        amount(totals, "PrepaidAmount", invoice.prepaid_amount)
    amount(totals, "PayableAmount", invoice.amount_due if invoice.amount_due is not None else total)
    line_tag, quantity_tag = ("CreditNoteLine", "CreditedQuantity") if credit else ("InvoiceLine", "InvoicedQuantity")
    for line in invoice.lines:
        element = cac(root, line_tag)
        cbc(element, "ID", line.position)
        count = (line.quantity if line.quantity is not None else Decimal(1)) * sign
        cbc(element, quantity_tag, quantity(count), unitCode="C62")
        amount(element, "LineExtensionAmount", line.amount)
        item = cac(element, "Item")
        cbc(item, "Name", line.description or "-")
        _tax_category(cac, cbc, item, "ClassifiedTaxCategory", line.tax_rate if line.tax_rate is not None else rate)
        price = line.unit_price if line.unit_price is not None else (line.amount or Decimal(0))
        cbc(cac(element, "Price"), "PriceAmount", plain(abs(price)), currencyID=currency)
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml


def _tax_category(cac: Any, cbc: Any, parent: etree._Element, name: str, rate: Decimal) -> None:
    category = cac(parent, name)
    cbc(category, "ID", "S" if rate else "Z")
    cbc(category, "Percent", quantity(rate))
    cbc(cac(category, "TaxScheme"), "ID", "VAT")
