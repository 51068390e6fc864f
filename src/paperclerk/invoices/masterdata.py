"""Checks that need the organisation's data: the vendor on file, earlier invoices (duplicates), purchase
orders and goods receipts (2- and 3-way match), and the approval threshold.

``check`` returns :class:`Check` items like the engine's findings; the invoice's ``vendor_id`` is set
from the vendor it matches. Tolerances, severities and rules turned off come from the organisation's
``RuleConfig`` (:mod:`paperclerk.invoices.policy`).
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import IO, Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from paperclerk.auth.principal import Principal
from paperclerk.core import events
from paperclerk.core.audit import record_audit
from paperclerk.core.errors import Conflict, InvalidRequest, NotFound, PaperclerkError
from paperclerk.invoices import identifiers
from paperclerk.invoices.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    Invoice,
    InvoiceStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    Vendor,
)
from paperclerk.invoices.rules import RuleConfig
from paperclerk.invoices.service import field_evidence


@dataclass(frozen=True)
class MasterDataRule:
    id: str
    title: str
    severity: str
    description: str


#: The master-data rules; severities are overridden and rules turned off like the engine's (``RuleConfig``).
RULES: dict[str, MasterDataRule] = {rule.id: rule for rule in (
    MasterDataRule("INV-DUP-001", "Duplicate invoice", "critical",
                   "An earlier invoice from the same vendor has the same invoice number (compared without spaces, "
                   "punctuation, case or leading zeros)."),
    MasterDataRule("INV-DUP-002", "Probable duplicate invoice", "warning",
                   "An earlier invoice from the same vendor has the same total and a date within "
                   "duplicate_window_days, or a number that differs by one character."),
    MasterDataRule("INV-VENDOR-UNKNOWN", "Vendor not in master data", "warning",
                   "No vendor on file matches the invoice's tax ID, name or IBAN."),
    MasterDataRule("INV-VENDOR-INACTIVE", "Vendor is inactive", "error", "The matching vendor is marked inactive."),
    MasterDataRule("INV-VENDOR-TAXID", "Tax ID differs from the vendor's", "error",
                   "The invoice's tax ID is not the one on file for the vendor."),
    MasterDataRule("INV-VENDOR-BANK-CHANGED", "Bank details changed", "critical",
                   "The invoice asks for payment to an IBAN other than the vendor's on file: the most common "
                   "invoice fraud."),
    MasterDataRule("INV-PO-001", "Purchase order not found", "error",
                   "The purchase order named on the invoice does not exist."),
    MasterDataRule("INV-PO-002", "Purchase order of another vendor", "error",
                   "The purchase order was placed with another vendor."),
    MasterDataRule("INV-PO-003", "Currency differs from the purchase order", "error",
                   "The invoice's currency is not the purchase order's."),
    MasterDataRule("INV-PO-004", "Line not on the purchase order", "warning",
                   "An invoice line matches no line of the purchase order."),
    MasterDataRule("INV-PO-005", "Price differs from the purchase order", "error",
                   "A unit price differs from the order's by more than price_tolerance_percent (2-way match)."),
    MasterDataRule("INV-PO-006", "More invoiced than ordered", "error",
                   "A line invoices more than was ordered, beyond quantity_tolerance (2-way match)."),
    MasterDataRule("INV-PO-007", "No goods received yet", "warning",
                   "Nothing has been received against the purchase order yet (3-way match)."),
    MasterDataRule("INV-PO-008", "More invoiced than received", "error",
                   "A line invoices more than was received, beyond quantity_tolerance (3-way match)."),
    MasterDataRule("INV-APPROVAL-001", "Needs an approver", "warning",
                   "The total is at or above approval_threshold."),
)}


@dataclass
class Check:
    rule_id: str
    severity: str
    message: str
    evidence: list[dict[str, Any]]
    fix: str


@dataclass
class _Context:
    session: Session
    invoice: Invoice
    config: RuleConfig
    checks: list[Check] = field(default_factory=list)

    def add(self, rule_id: str, message: str, evidence: list[dict[str, Any]], fix: str) -> None:
        if self.config.enabled(rule_id):
            severity = self.config.severity(rule_id, RULES[rule_id].severity)
            self.checks.append(Check(rule_id, severity, message, evidence, fix))

    def field(self, *names: str) -> list[dict[str, Any]]:
        found = {item.name: item for item in self.invoice.fields}
        return [proof for name in names if name in found and (proof := field_evidence(found[name])) is not None]


def compact(value: str | None) -> str:
    """Tax IDs, IBANs and BICs as stored and compared: no spaces or punctuation, upper case."""
    return re.sub(r"[\s.\-/]", "", value or "").upper()


def _name_key(value: str | None) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", (value or "").casefold()).split())


def _money(value: Decimal | None, currency: str | None) -> str:
    return f"{value:,.2f} {currency or ''}".strip() if value is not None else "?"


def match_vendor(session: Session, invoice: Invoice) -> Vendor | None:
    """The vendor on file for the invoice: by tax ID, else by name, else by IBAN."""
    tax_id, iban = compact(invoice.vendor_tax_id), compact(invoice.vendor_iban)
    name = (invoice.vendor_name or "").strip().lower()
    vendors = session.scalars(select(Vendor).where(Vendor.organization_id == invoice.organization_id, or_(
        Vendor.tax_id == (tax_id or None), func.lower(Vendor.name) == (name or None),
        Vendor.iban == (iban or None)))).all()
    for matches in (lambda v: tax_id and v.tax_id == tax_id,
                    lambda v: name and v.name.lower() == name,
                    lambda v: iban and v.iban == iban):
        for vendor in vendors:
            if matches(vendor):
                return vendor
    return None


def check(session: Session, invoice: Invoice, config: RuleConfig) -> list[Check]:
    """Every master-data finding for ``invoice`` (and ``invoice.vendor_id`` set from the vendor it matches)."""
    context = _Context(session, invoice, config)
    vendor = match_vendor(session, invoice)
    invoice.vendor_id = vendor.id if vendor else None
    _vendor_checks(context, vendor)
    _duplicates(context)
    _purchase_order(context, vendor)
    _approval(context)
    return context.checks


def _vendor_checks(context: _Context, vendor: Vendor | None) -> None:
    invoice = context.invoice
    if vendor is None:
        if invoice.vendor_name or invoice.vendor_tax_id:
            context.add("INV-VENDOR-UNKNOWN",
                        f"The vendor {invoice.vendor_name or invoice.vendor_tax_id} is not in the vendor master data.",
                        context.field("vendor_name", "vendor_tax_id"),
                        "Check that the vendor is genuine, then add it to the vendors (or correct the vendor name).")
        return
    reference = {"source": "vendor", "vendor_id": vendor.id, "name": vendor.name}
    if not vendor.active:
        context.add("INV-VENDOR-INACTIVE", f"The vendor {vendor.name} is marked inactive.",
                    [*context.field("vendor_name"), reference],
                    "Do not pay inactive vendors; ask purchasing whether the vendor should be reactivated.")
    if invoice.vendor_tax_id and vendor.tax_id and compact(invoice.vendor_tax_id) != compact(vendor.tax_id):
        context.add("INV-VENDOR-TAXID",
                    f"The invoice shows tax ID {invoice.vendor_tax_id}, but {vendor.name} has {vendor.tax_id} on file.",
                    [*context.field("vendor_tax_id"), {**reference, "tax_id": vendor.tax_id}],
                    "Check whether the invoice really comes from this vendor; correct the tax ID or the master data.")
    if invoice.vendor_iban and vendor.iban and compact(invoice.vendor_iban) != compact(vendor.iban):
        context.add("INV-VENDOR-BANK-CHANGED",
                    f"The invoice asks for payment to IBAN {invoice.vendor_iban}, but {vendor.name}'s IBAN on file is "
                    f"{vendor.iban}. Changed bank details are the most common invoice fraud.",
                    [*context.field("vendor_iban"), {**reference, "iban": vendor.iban}],
                    "Do not pay. Call the vendor on a phone number you already have (not one on this invoice) to "
                    "confirm the new bank details before the master data is changed.")


def _distance_at_most_one(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    shorter, longer = sorted((a, b), key=len)
    return any(longer[:index] + longer[index + 1:] == shorter for index in range(len(longer)))


def _duplicates(context: _Context) -> None:
    invoice = context.invoice
    if not invoice.number_key and invoice.total is None:
        return
    same_vendor = (Invoice.vendor_id == invoice.vendor_id if invoice.vendor_id
                   else func.lower(Invoice.vendor_name) == (invoice.vendor_name or "").lower())
    if not invoice.vendor_id and not invoice.vendor_name:
        return
    earlier = context.session.scalars(select(Invoice).where(
        Invoice.organization_id == invoice.organization_id, Invoice.id != invoice.id, same_vendor,
        Invoice.status != InvoiceStatus.REJECTED, Invoice.created_at < invoice.created_at,
    ).order_by(Invoice.created_at)).all()
    exact = [other for other in earlier if invoice.number_key and other.number_key == invoice.number_key]
    for other in exact:
        context.add("INV-DUP-001",
                    f"Invoice {invoice.invoice_number} from {invoice.vendor_name} was already received "
                    f"(invoice {other.id}, status {other.status}).",
                    [*context.field("invoice_number"), {"source": "invoice", "invoice_id": other.id,
                                                        "document_id": other.document_id}],
                    "Reject this copy unless the vendor confirms it is a different invoice.")
    if exact:
        return
    window = timedelta(days=context.config.duplicate_window_days)
    for other in earlier:
        if invoice.total is None or other.total is None or other.total != invoice.total:
            continue
        close_dates = (invoice.invoice_date is not None and other.invoice_date is not None
                       and abs(invoice.invoice_date - other.invoice_date) <= window)
        near_number = bool(invoice.number_key and other.number_key and len(invoice.number_key) >= 4
                           and _distance_at_most_one(invoice.number_key, other.number_key))
        if close_dates or near_number:
            why = f"a nearly identical number ({other.invoice_number})" if near_number else \
                f"the same total within {context.config.duplicate_window_days} days ({other.invoice_date})"
            context.add("INV-DUP-002",
                        f"This invoice from {invoice.vendor_name} has {why} and the same total "
                        f"{_money(invoice.total, invoice.currency)} as invoice {other.invoice_number}.",
                        [*context.field("invoice_number", "total"),
                         {"source": "invoice", "invoice_id": other.id, "document_id": other.document_id}],
                        "Compare both documents; dismiss this finding if they are different deliveries.")
            return  # the earliest look-alike is enough to send the invoice to a person


def _line_key(text: str) -> str:
    return _name_key(text)


def _purchase_order(context: _Context, vendor: Vendor | None) -> None:
    invoice = context.invoice
    if not invoice.purchase_order:
        return
    order = context.session.scalars(select(PurchaseOrder).options(selectinload(PurchaseOrder.lines)).where(
        PurchaseOrder.organization_id == invoice.organization_id,
        func.upper(PurchaseOrder.number) == invoice.purchase_order.upper())).first()
    if order is None:
        context.add("INV-PO-001", f"The purchase order {invoice.purchase_order} named on the invoice does not exist.",
                    context.field("purchase_order"),
                    "Check the PO number with the requester; correct it, or ask the vendor to quote a valid PO.")
        return
    reference = {"source": "purchase_order", "purchase_order_id": order.id, "number": order.number}
    if vendor is not None and order.vendor_id != vendor.id:
        context.add("INV-PO-002", f"Purchase order {order.number} was placed with another vendor, not "
                                  f"{vendor.name}.", [*context.field("purchase_order"), reference],
                    "Check the PO number; an invoice may only be matched to its own vendor's order.")
    if invoice.currency and order.currency != invoice.currency:
        context.add("INV-PO-003", f"The invoice is in {invoice.currency} but purchase order {order.number} is in "
                                  f"{order.currency}.", [*context.field("currency"), {**reference,
                                                                                     "currency": order.currency}],
                    "Ask the vendor to invoice in the order's currency, or have purchasing amend the order.")
    matched = _match_lines(context, order)
    _two_way(context, order, matched, reference)
    _three_way(context, order, matched, reference)


def _match_lines(context: _Context, order: PurchaseOrder) -> list[tuple[Any, PurchaseOrderLine | None]]:
    """Invoice lines paired with PO lines: the same description first, then the remaining ones in order."""
    remaining = list(order.lines)
    pairs: list[tuple[Any, PurchaseOrderLine | None]] = []
    unmatched = []
    for line in context.invoice.lines:
        same = next((po for po in remaining if _line_key(po.description) == _line_key(line.description)), None)
        if same is not None:
            remaining.remove(same)
            pairs.append((line, same))
        else:
            unmatched.append(line)
    for line in unmatched:
        pairs.append((line, remaining.pop(0) if remaining else None))
    return sorted(pairs, key=lambda pair: pair[0].position)


def _two_way(context: _Context, order: PurchaseOrder, matched: list[tuple[Any, PurchaseOrderLine | None]],
             reference: dict[str, Any]) -> None:
    config, currency = context.config, context.invoice.currency
    invoiced: dict[int, Decimal] = defaultdict(Decimal)
    for line, po_line in matched:
        evidence = [line.evidence] if line.evidence else []
        if po_line is None:
            context.add("INV-PO-004", f"Line {line.position} ({line.description}) is not on purchase order "
                                      f"{order.number}.", [*evidence, reference],
                        "Check whether this was ordered; ask purchasing to add it to the order or reject the line.")
            continue
        where = {**reference, "line_number": po_line.line_number}
        if line.unit_price is not None:
            allowed = abs(po_line.unit_price) * config.price_tolerance_percent / 100
            if abs(line.unit_price - po_line.unit_price) > allowed:
                context.add("INV-PO-005",
                            f"Line {line.position} ({line.description}) is invoiced at "
                            f"{_money(line.unit_price, currency)} a unit, but purchase order {order.number} line "
                            f"{po_line.line_number} agreed {_money(po_line.unit_price, currency)}.",
                            [*evidence, {**where, "unit_price": str(po_line.unit_price)}],
                            "Ask the vendor for a credit note for the difference, or have purchasing amend the price.")
        if line.quantity is not None:
            invoiced[po_line.line_number] += line.quantity
    for po_line in order.lines:
        quantity = invoiced.get(po_line.line_number)
        if quantity is not None and quantity > po_line.quantity + config.quantity_tolerance:
            context.add("INV-PO-006",
                        f"{quantity:g} of {po_line.description} are invoiced, but purchase order {order.number} "
                        f"line {po_line.line_number} ordered {po_line.quantity:g}.",
                        [{**reference, "line_number": po_line.line_number, "ordered": str(po_line.quantity)}],
                        "Pay only for what was ordered; ask the vendor for a corrected invoice.")


def _three_way(context: _Context, order: PurchaseOrder, matched: list[tuple[Any, PurchaseOrderLine | None]],
               reference: dict[str, Any]) -> None:
    receipts = context.session.scalars(select(GoodsReceipt).options(selectinload(GoodsReceipt.lines)).where(
        GoodsReceipt.organization_id == context.invoice.organization_id,
        GoodsReceipt.purchase_order_id == order.id)).all()
    if not receipts:
        context.add("INV-PO-007", f"Nothing has been received yet against purchase order {order.number}.",
                    [reference], "Wait for the goods receipt, or ask the requester to confirm delivery.")
        return
    received: dict[int, Decimal] = defaultdict(Decimal)
    for receipt in receipts:
        for line in receipt.lines:
            received[line.line_number] += line.quantity
    invoiced: dict[int, Decimal] = defaultdict(Decimal)
    names: dict[int, str] = {}
    for line, po_line in matched:
        if po_line is not None and line.quantity is not None:
            invoiced[po_line.line_number] += line.quantity
            names[po_line.line_number] = po_line.description
    for number, quantity in sorted(invoiced.items()):
        if quantity > received[number] + context.config.quantity_tolerance:
            context.add("INV-PO-008",
                        f"{quantity:g} of {names[number]} are invoiced, but only {received[number]:g} have been "
                        f"received against purchase order {order.number} line {number}.",
                        [{**reference, "line_number": number, "received": str(received[number]),
                          "goods_receipts": [receipt.number for receipt in receipts]}],
                        "Pay only for what was received; hold the invoice until the rest is delivered.")


def _approval(context: _Context) -> None:
    invoice, threshold = context.invoice, context.config.approval_threshold
    if invoice.total is not None and abs(invoice.total) >= threshold:
        context.add("INV-APPROVAL-001",
                    f"The total {_money(invoice.total, invoice.currency)} is at or above the approval threshold of "
                    f"{threshold:,}: an approver must sign it off.", context.field("total"),
                    "An approver should check the invoice against the order and approve or reject it.")


# Vendors, purchase orders, goods receipts: create, read, update, import --------------------------------


def _snapshot(item: Any, *names: str) -> dict[str, Any]:
    values = {name: getattr(item, name) for name in names}
    return {name: str(value) if isinstance(value, Decimal | date) else value for name, value in values.items()}


VENDOR_FIELDS = ("name", "tax_id", "iban", "bic", "country", "active")


def _record(session: Session, actor: Principal, ip: str | None, action: str, subject: tuple[str, str],
            organization_id: str, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    record_audit(session, actor, action, subject, ip=ip, organization_id=organization_id, before=before, after=after)
    events.record(session, action, organization_id=organization_id, subject_type=subject[0], subject_id=subject[1],
                  payload={"changed": sorted(key for key in after if (before or {}).get(key) != after[key])})


def _clean_vendor(values: dict[str, Any]) -> dict[str, Any]:
    """Vendor values as stored: identifiers compact, country upper case; an invalid IBAN is refused."""
    out = dict(values)
    for name in ("tax_id", "iban", "bic"):
        if name in out:
            out[name] = compact(out[name]) or None
    if out.get("iban") and (problem := identifiers.check_iban(out["iban"])) is not None:
        raise InvalidRequest(f"The IBAN {out['iban']} is not valid: {problem}.", code="INVALID_IBAN",
                             details={"iban": out["iban"]})
    if out.get("bic") and len(out["bic"]) not in (8, 11):
        raise InvalidRequest(f"The BIC {out['bic']} must have 8 or 11 characters.", code="INVALID_BIC")
    if out.get("country"):
        out["country"] = out["country"].upper()
    if "name" in out:
        out["name"] = " ".join(str(out["name"]).split())
    return out


def list_vendors(session: Session, organization_id: str, *, name: str | None = None) -> list[Vendor]:
    """The organisation's vendors by name; ``name``: only those whose name contains it (any case)."""
    query = select(Vendor).where(Vendor.organization_id == organization_id)
    if name:
        query = query.where(func.lower(Vendor.name).contains(name.lower(), autoescape=True))
    return list(session.scalars(query.order_by(Vendor.name)))


def get_vendor(session: Session, vendor_id: str, *, organization_id: str) -> Vendor:
    vendor = session.scalars(select(Vendor).where(Vendor.id == vendor_id,
                                                  Vendor.organization_id == organization_id)).first()
    if vendor is None:
        raise NotFound("No vendor with this id.", code="VENDOR_NOT_FOUND", details={"vendor_id": vendor_id})
    return vendor


def _vendor_named(session: Session, organization_id: str, name: str) -> Vendor | None:
    """The vendor of that name, in any case; the exact name always counts (a database whose lower() folds ASCII
    only, PostgreSQL under the C locale, would otherwise miss it and break the unique name)."""
    return session.scalars(select(Vendor).where(Vendor.organization_id == organization_id, or_(
        Vendor.name == name, func.lower(Vendor.name) == name.lower())).order_by(Vendor.name != name)).first()


def create_vendor(session: Session, organization_id: str, values: dict[str, Any], *, actor: Principal,
                  ip: str | None = None) -> Vendor:
    values = _clean_vendor(values)
    if _vendor_named(session, organization_id, values["name"]) is not None:
        raise Conflict(f"A vendor called {values['name']!r} already exists.", code="VENDOR_EXISTS",
                       details={"name": values["name"]})
    vendor = Vendor(organization_id=organization_id, **values)
    session.add(vendor)
    session.flush()
    _record(session, actor, ip, "vendor.created", ("vendor", vendor.id), organization_id, None,
            _snapshot(vendor, *VENDOR_FIELDS))
    return vendor


def update_vendor(session: Session, vendor_id: str, organization_id: str, values: dict[str, Any], *,
                  actor: Principal, ip: str | None = None) -> Vendor:
    vendor = get_vendor(session, vendor_id, organization_id=organization_id)
    values = _clean_vendor(values)
    if "name" in values and values["name"].lower() != vendor.name.lower() \
            and _vendor_named(session, organization_id, values["name"]) is not None:
        raise Conflict(f"A vendor called {values['name']!r} already exists.", code="VENDOR_EXISTS",
                           details={"name": values["name"]})
    before = _snapshot(vendor, *VENDOR_FIELDS)
    for name, value in values.items():
        setattr(vendor, name, value)
    session.flush()
    _record(session, actor, ip, "vendor.updated", ("vendor", vendor.id), organization_id, before,
            _snapshot(vendor, *VENDOR_FIELDS))
    return vendor


def list_purchase_orders(session: Session, organization_id: str) -> list[PurchaseOrder]:
    return list(session.scalars(select(PurchaseOrder).options(selectinload(PurchaseOrder.lines))
                                .where(PurchaseOrder.organization_id == organization_id)
                                .order_by(PurchaseOrder.number)))


def get_purchase_order(session: Session, order_id: str, *, organization_id: str) -> PurchaseOrder:
    order = session.scalars(select(PurchaseOrder).options(selectinload(PurchaseOrder.lines)).where(
        PurchaseOrder.id == order_id, PurchaseOrder.organization_id == organization_id)).first()
    if order is None:
        raise NotFound("No purchase order with this id.", code="PURCHASE_ORDER_NOT_FOUND",
                       details={"purchase_order_id": order_id})
    return order


def _order_snapshot(order: PurchaseOrder) -> dict[str, Any]:
    return {**_snapshot(order, "number", "vendor_id", "currency", "order_date"),
            "lines": [_snapshot(line, "line_number", "description", "quantity", "unit_price") for line in order.lines]}


def _unique_lines(lines: list[dict[str, Any]]) -> None:
    numbers = [line["line_number"] for line in lines]
    if len(numbers) != len(set(numbers)):
        raise InvalidRequest("Each line number may appear only once.", code="DUPLICATE_LINE_NUMBER")


def create_purchase_order(session: Session, organization_id: str, values: dict[str, Any], *, actor: Principal,
                          ip: str | None = None) -> PurchaseOrder:
    get_vendor(session, values["vendor_id"], organization_id=organization_id)
    if session.scalars(select(PurchaseOrder.id).where(PurchaseOrder.organization_id == organization_id,
                                                      PurchaseOrder.number == values["number"])).first():
        raise Conflict(f"Purchase order {values['number']} already exists.", code="PURCHASE_ORDER_EXISTS",
                       details={"number": values["number"]})
    _unique_lines(values["lines"])
    order = PurchaseOrder(organization_id=organization_id, number=values["number"], vendor_id=values["vendor_id"],
                          currency=values["currency"].upper(), order_date=values.get("order_date"),
                          lines=[PurchaseOrderLine(**line) for line in values["lines"]])
    session.add(order)
    session.flush()
    _record(session, actor, ip, "purchase_order.created", ("purchase_order", order.id), organization_id, None,
            _order_snapshot(order))
    return order


def update_purchase_order(session: Session, order_id: str, organization_id: str, values: dict[str, Any], *,
                          actor: Principal, ip: str | None = None) -> PurchaseOrder:
    order = get_purchase_order(session, order_id, organization_id=organization_id)
    before = _order_snapshot(order)
    if values.get("vendor_id"):
        order.vendor_id = get_vendor(session, values["vendor_id"], organization_id=organization_id).id
    if values.get("currency"):
        order.currency = values["currency"].upper()
    if "order_date" in values:
        order.order_date = values["order_date"]
    if values.get("lines"):
        _unique_lines(values["lines"])
        order.lines.clear()
        session.flush()
        order.lines.extend(PurchaseOrderLine(**line) for line in values["lines"])
    session.flush()
    _record(session, actor, ip, "purchase_order.updated", ("purchase_order", order.id), organization_id, before,
            _order_snapshot(order))
    return order


def list_goods_receipts(session: Session, organization_id: str, *,
                        purchase_order_id: str | None = None) -> list[GoodsReceipt]:
    """Newest first; ``purchase_order_id``: only those recorded against that order."""
    query = select(GoodsReceipt).options(selectinload(GoodsReceipt.lines)).where(
        GoodsReceipt.organization_id == organization_id)
    if purchase_order_id:
        query = query.where(GoodsReceipt.purchase_order_id == purchase_order_id)
    return list(session.scalars(query.order_by(GoodsReceipt.received_on.desc(), GoodsReceipt.number)))


def get_goods_receipt(session: Session, receipt_id: str, *, organization_id: str) -> GoodsReceipt:
    receipt = session.scalars(select(GoodsReceipt).options(selectinload(GoodsReceipt.lines)).where(
        GoodsReceipt.id == receipt_id, GoodsReceipt.organization_id == organization_id)).first()
    if receipt is None:
        raise NotFound("No goods receipt with this id.", code="GOODS_RECEIPT_NOT_FOUND",
                       details={"goods_receipt_id": receipt_id})
    return receipt


def _receipt_lines(order: PurchaseOrder, lines: list[dict[str, Any]]) -> list[GoodsReceiptLine]:
    _unique_lines(lines)
    known = {line.line_number for line in order.lines}
    unknown = sorted(line["line_number"] for line in lines if line["line_number"] not in known)
    if unknown:
        raise InvalidRequest(f"Purchase order {order.number} has no line {', '.join(map(str, unknown))}.",
                             code="UNKNOWN_ORDER_LINE", details={"line_numbers": unknown})
    return [GoodsReceiptLine(**line) for line in lines]


def _receipt_snapshot(receipt: GoodsReceipt) -> dict[str, Any]:
    return {**_snapshot(receipt, "number", "purchase_order_id", "received_on"),
            "lines": [_snapshot(line, "line_number", "quantity") for line in receipt.lines]}


def create_goods_receipt(session: Session, organization_id: str, values: dict[str, Any], *, actor: Principal,
                         ip: str | None = None) -> GoodsReceipt:
    order = get_purchase_order(session, values["purchase_order_id"], organization_id=organization_id)
    if session.scalars(select(GoodsReceipt.id).where(GoodsReceipt.organization_id == organization_id,
                                                     GoodsReceipt.number == values["number"])).first():
        raise Conflict(f"Goods receipt {values['number']} already exists.", code="GOODS_RECEIPT_EXISTS",
                       details={"number": values["number"]})
    receipt = GoodsReceipt(organization_id=organization_id, number=values["number"], purchase_order_id=order.id,
                           received_on=values["received_on"], lines=_receipt_lines(order, values["lines"]))
    session.add(receipt)
    session.flush()
    _record(session, actor, ip, "goods_receipt.created", ("goods_receipt", receipt.id), organization_id, None,
            _receipt_snapshot(receipt))
    return receipt


def update_goods_receipt(session: Session, receipt_id: str, organization_id: str, values: dict[str, Any], *,
                         actor: Principal, ip: str | None = None) -> GoodsReceipt:
    receipt = get_goods_receipt(session, receipt_id, organization_id=organization_id)
    before = _receipt_snapshot(receipt)
    if values.get("received_on"):
        receipt.received_on = values["received_on"]
    if values.get("lines"):
        order = get_purchase_order(session, receipt.purchase_order_id, organization_id=organization_id)
        lines = _receipt_lines(order, values["lines"])
        receipt.lines.clear()
        session.flush()
        receipt.lines.extend(lines)
    session.flush()
    _record(session, actor, ip, "goods_receipt.updated", ("goods_receipt", receipt.id), organization_id, before,
            _receipt_snapshot(receipt))
    return receipt


# CSV import ---------------------------------------------------------------------------------------------

MAX_IMPORT_ROWS = 50_000
MAX_CSV_BYTES = 10 * 1024 * 1024


def csv_text(stream: IO[bytes]) -> str:
    """An uploaded CSV file as text: at most :data:`MAX_CSV_BYTES`, UTF-8 (a byte-order mark is dropped)."""
    data = stream.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        raise InvalidRequest(f"The CSV file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB.", code="CSV_TOO_LARGE")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidRequest("The CSV file is not UTF-8 text.", code="CSV_ENCODING") from None

_TRUE = {"1", "true", "yes", "y", "active"}
_FALSE = {"0", "false", "no", "n", "inactive"}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    #: (row number in the file, the header being row 1; why it was refused)
    rejected: list[tuple[int, str]] = field(default_factory=list)


def _rows(text: str, required: tuple[str, ...]) -> csv.DictReader[str]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        columns = [name.strip().lower() for name in reader.fieldnames or []]
    except csv.Error as exc:  # e.g. a header longer than the csv module's field limit
        raise InvalidRequest(f"The first row of the CSV file cannot be read ({exc}); it must name the columns.",
                             code="CSV_COLUMNS_MISSING", details={"missing": list(required), "found": []}) from None
    missing = [name for name in required if name not in columns]
    if missing:
        raise InvalidRequest(f"The CSV file lacks the column(s) {', '.join(missing)} (first row must name the "
                             f"columns).", code="CSV_COLUMNS_MISSING", details={"missing": missing,
                                                                               "found": columns})
    reader.fieldnames = columns
    return reader


def _cell(row: dict[str, Any], name: str) -> str:
    value = row.get(name)
    return value.strip() if isinstance(value, str) else ""


def _row_error(exc: Exception) -> str:
    if isinstance(exc, PaperclerkError):
        return exc.message
    return str(exc)


def _import_rows(session: Session, text: str, columns: tuple[str, ...],
                 store: Callable[[dict[str, Any]], bool]) -> ImportReport:
    """Each CSV row given to ``store`` (True: it created something, False: it updated) in a savepoint of its
    own: a row that fails is rolled back and reported with its row number and why; the others are kept."""
    report, rows, number = ImportReport(), _rows(text, columns), 1
    try:
        for number, row in enumerate(rows, start=2):
            if number - 1 > MAX_IMPORT_ROWS:
                report.rejected.append((number, f"more than {MAX_IMPORT_ROWS} rows; the rest was not read"))
                break
            try:
                with session.begin_nested():
                    created = store(row)
            except (PaperclerkError, ValueError, ArithmeticError) as exc:
                report.rejected.append((number, _row_error(exc)))
                continue
            if created:
                report.created += 1
            else:
                report.updated += 1
    except csv.Error as exc:  # e.g. a field longer than the csv module's limit
        report.rejected.append((number + 1, f"the CSV cannot be read from this row on ({exc})"))
    return report


def import_vendors(session: Session, organization_id: str, text: str, *, actor: Principal,
                   ip: str | None = None) -> ImportReport:
    """Vendors from CSV (``name`` required; ``tax_id``, ``iban``, ``bic``, ``country``, ``active`` optional):
    a vendor with the same name is updated. A bad row is reported with its row number; the others are kept."""
    def store(row: dict[str, Any]) -> bool:
        values = _vendor_values(row)
        existing = _vendor_named(session, organization_id, values["name"])
        if existing is None:
            create_vendor(session, organization_id, values, actor=actor, ip=ip)
            return True
        update_vendor(session, existing.id, organization_id, values, actor=actor, ip=ip)
        return False

    return _import_rows(session, text, ("name",), store)


def _vendor_values(row: dict[str, Any]) -> dict[str, Any]:
    name = _cell(row, "name")
    if not name:
        raise ValueError("the name is empty")
    if len(name) > 200:
        raise ValueError("the name is longer than 200 characters")
    values: dict[str, Any] = {"name": name}
    for column, limit in (("tax_id", 40), ("iban", 42), ("bic", 14)):
        cell = _cell(row, column)
        if len(cell) > limit:
            raise ValueError(f"{column} is longer than {limit} characters")
        if column in row:
            values[column] = cell or None
    country = _cell(row, "country")
    if country and not re.fullmatch(r"[A-Za-z]{2}", country):
        raise ValueError(f"country {country!r} is not a two-letter ISO code")
    if "country" in row:
        values["country"] = country or None
    active = _cell(row, "active").lower()
    if active:
        if active not in _TRUE | _FALSE:
            raise ValueError(f"active {active!r} is neither yes nor no")
        values["active"] = active in _TRUE
    return values


_PO_COLUMNS = ("po_number", "vendor", "currency", "line_number", "description", "quantity", "unit_price")


def import_purchase_orders(session: Session, organization_id: str, text: str, *, actor: Principal,
                           ip: str | None = None) -> ImportReport:
    """Purchase-order lines from CSV, one line a row (``po_number``, ``vendor`` (name or tax ID), ``currency``,
    ``order_date`` optional, ``line_number``, ``description``, ``quantity``, ``unit_price``). An order is created
    on its first row; a line with an existing number is updated. Bad rows are reported, good rows kept."""
    return _import_rows(session, text, _PO_COLUMNS,
                        lambda row: _import_order_row(session, organization_id, row, actor=actor, ip=ip))


def _decimal(row: dict[str, Any], name: str, *, positive: bool) -> Decimal:
    cell = _cell(row, name)
    if not re.fullmatch(r"-?\d{1,14}(?:\.\d{1,6})?", cell):
        raise ValueError(f"{name} {cell!r} is not a plain decimal number (e.g. 12.50)")
    value = Decimal(cell)
    if positive and value <= 0:
        raise ValueError(f"{name} must be more than 0")
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


def _line_number(row: dict[str, Any]) -> int:
    cell = _cell(row, "line_number")
    if not re.fullmatch(r"\d{1,6}", cell) or int(cell) < 1:
        raise ValueError(f"line_number {cell!r} is not a whole number from 1")
    return int(cell)


def _iso_date(row: dict[str, Any], name: str) -> date | None:
    cell = _cell(row, name)
    if not cell:
        return None
    try:
        return date.fromisoformat(cell)
    except ValueError:
        raise ValueError(f"{name} {cell!r} is not an ISO date (2024-03-14)") from None


def _import_order_row(session: Session, organization_id: str, row: dict[str, Any], *, actor: Principal,
                      ip: str | None) -> bool:
    """Store one CSV row; True when it created a new order."""
    po_number, vendor_ref, currency = _cell(row, "po_number"), _cell(row, "vendor"), _cell(row, "currency").upper()
    if not po_number or len(po_number) > 60:
        raise ValueError("po_number is empty or longer than 60 characters")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ValueError(f"currency {currency!r} is not a three-letter ISO 4217 code")
    vendor = session.scalars(select(Vendor).where(Vendor.organization_id == organization_id, or_(
        func.lower(Vendor.name) == vendor_ref.lower(), Vendor.tax_id == (compact(vendor_ref) or None)))).first()
    if vendor is None:
        raise ValueError(f"no vendor {vendor_ref!r} (import the vendors first)")
    description = _cell(row, "description")
    if not description or len(description) > 500:
        raise ValueError("description is empty or longer than 500 characters")
    line = {"line_number": _line_number(row), "description": description,
            "quantity": _decimal(row, "quantity", positive=True), "unit_price": _decimal(row, "unit_price",
                                                                                        positive=False)}
    order_date = _iso_date(row, "order_date")
    order = session.scalars(select(PurchaseOrder).options(selectinload(PurchaseOrder.lines)).where(
        PurchaseOrder.organization_id == organization_id, PurchaseOrder.number == po_number)).first()
    if order is None:
        create_purchase_order(session, organization_id, {"number": po_number, "vendor_id": vendor.id,
                                                         "currency": currency, "order_date": order_date,
                                                         "lines": [line]}, actor=actor, ip=ip)
        return True
    if order.vendor_id != vendor.id or order.currency != currency:
        raise ValueError(f"purchase order {po_number} already exists with another vendor or currency")
    lines = [_snapshot(item, "line_number", "description", "quantity", "unit_price") for item in order.lines
             if item.line_number != line["line_number"]]
    update_purchase_order(session, order.id, organization_id,
                          {"lines": sorted([*lines, line], key=lambda item: item["line_number"])}, actor=actor, ip=ip)
    return False


_RECEIPT_COLUMNS = ("receipt_number", "po_number", "received_on", "line_number", "quantity")


def import_goods_receipts(session: Session, organization_id: str, text: str, *, actor: Principal,
                          ip: str | None = None) -> ImportReport:
    """Goods received from CSV, one received purchase-order line a row (``receipt_number``, ``po_number``,
    ``received_on`` (ISO date), ``line_number`` (the PO's), ``quantity``). A receipt is created on its first row;
    later rows add lines or replace the line with their number, and their date becomes the receipt's. A row naming
    an unknown order or an order line that does not exist, a bad date or a quantity not above 0 is reported; the
    other rows are kept."""
    return _import_rows(session, text, _RECEIPT_COLUMNS,
                        lambda row: _import_receipt_row(session, organization_id, row, actor=actor, ip=ip))


def _import_receipt_row(session: Session, organization_id: str, row: dict[str, Any], *, actor: Principal,
                        ip: str | None) -> bool:
    """Store one CSV row; True when it created a new goods receipt."""
    number, po_number = _cell(row, "receipt_number"), _cell(row, "po_number")
    if not number or len(number) > 60:
        raise ValueError("receipt_number is empty or longer than 60 characters")
    received_on = _iso_date(row, "received_on")
    if received_on is None:
        raise ValueError("received_on is empty")
    line = {"line_number": _line_number(row), "quantity": _decimal(row, "quantity", positive=True)}
    order = session.scalars(select(PurchaseOrder).where(PurchaseOrder.organization_id == organization_id,
                                                        PurchaseOrder.number == po_number)).first()
    if order is None:
        raise ValueError(f"no purchase order {po_number!r} (import the purchase orders first)")
    receipt = session.scalars(select(GoodsReceipt).options(selectinload(GoodsReceipt.lines)).where(
        GoodsReceipt.organization_id == organization_id, GoodsReceipt.number == number)).first()
    if receipt is None:
        create_goods_receipt(session, organization_id, {"number": number, "purchase_order_id": order.id,
                                                        "received_on": received_on, "lines": [line]},
                             actor=actor, ip=ip)
        return True
    if receipt.purchase_order_id != order.id:
        raise ValueError(f"goods receipt {number} already exists for another purchase order")
    lines = [{"line_number": item.line_number, "quantity": item.quantity} for item in receipt.lines
             if item.line_number != line["line_number"]]
    update_goods_receipt(session, receipt.id, organization_id,
                         {"received_on": received_on,
                          "lines": sorted([*lines, line], key=lambda item: item["line_number"])}, actor=actor, ip=ip)
    return False
