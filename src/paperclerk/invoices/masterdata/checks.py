"""Checks that need the organisation's data: the vendor on file, earlier invoices (duplicates), purchase
orders and goods receipts (2- and 3-way match), and the approval threshold.

``check`` returns :class:`Check` items like the engine's findings; the invoice's ``vendor_id`` is set
from the vendor it matches. Tolerances, severities and rules turned off come from the organisation's
``RuleConfig`` (:mod:`paperclerk.invoices.policy`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from paperclerk.core.money import display
from paperclerk.invoices.identifiers import compact
from paperclerk.invoices.models import (
    DUPLICATE_RULES,
    FindingStatus,
    GoodsReceipt,
    Invoice,
    InvoiceStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    Vendor,
)
from paperclerk.invoices.rules import RuleConfig
from paperclerk.invoices.service import field_evidence, in_use


@dataclass(frozen=True)
class MasterDataRule:
    id: str
    title: str
    severity: str
    description: str


#: The master-data rules; severities are overridden and rules turned off like the engine's (``RuleConfig``).
RULES: dict[str, MasterDataRule] = {rule.id: rule for rule in (
    MasterDataRule("INV-DUP-001", "Duplicate invoice", "critical",
                   "An earlier invoice from the same vendor (the vendor on file, tax ID, IBAN or name) has the same "
                   "invoice number (compared without spaces, punctuation, case or leading zeros)."),
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


def _name_key(value: str | None) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", (value or "").casefold()).split())


def match_vendor(session: Session, invoice: Invoice) -> Vendor | None:
    """The vendor on file for the invoice: by tax ID, else by name, else by IBAN."""
    tax_id, iban = compact(invoice.vendor_tax_id), compact(invoice.vendor_iban)
    name = (invoice.vendor_name or "").strip().lower()
    vendors = session.scalars(select(Vendor).where(Vendor.organization_id == invoice.organization_id, or_(
        Vendor.tax_id == (tax_id or None), func.lower(Vendor.name) == (name or None),
        Vendor.iban == (iban or None)))).all()
    matchers: tuple[Callable[[Vendor], bool], ...] = (lambda v: bool(tax_id) and v.tax_id == tax_id,
                                                     lambda v: bool(name) and v.name.lower() == name,
                                                     lambda v: bool(iban) and v.iban == iban)
    for matches in matchers:
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
    _duplicates(context, vendor)
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


def _identity(vendor_id: str | None, tax_id: str | None, iban: str | None, name: str | None) -> set[tuple[str, str]]:
    keys = {("vendor", vendor_id), ("tax_id", compact(tax_id)), ("iban", compact(iban)), ("name", _name_key(name))}
    return {(kind, value) for kind, value in keys if value}


def vendor_identity(invoice: Invoice, vendor: Vendor | None) -> set[tuple[str, str]]:
    """Who issued the invoice, as comparable keys: the vendor on file, the tax ID, the IBAN and the name (normalised),
    from the invoice and from the vendor it matches. Two invoices share a vendor when any key is shared."""
    keys = _identity(invoice.vendor_id, invoice.vendor_tax_id, invoice.vendor_iban, invoice.vendor_name)
    return keys | vendor_keys(vendor) if vendor is not None else keys


def vendor_keys(vendor: Vendor) -> set[tuple[str, str]]:
    """A vendor on file as :func:`vendor_identity` compares it."""
    return _identity(vendor.id, vendor.tax_id, vendor.iban, vendor.name)


def _same_vendor(mine: set[tuple[str, str]], invoice: Invoice, other: Invoice, vendors: dict[str, Vendor]) -> bool:
    if invoice.vendor_id and other.vendor_id and invoice.vendor_id != other.vendor_id:
        return False  # two vendors on file, whatever their names
    return bool(mine & vendor_identity(other, vendors.get(other.vendor_id or "")))


def _names_as_duplicate(other: Invoice, invoice: Invoice) -> bool:
    """Whether ``other`` already carries a duplicate finding (open or dismissed) that points at ``invoice``: then
    ``other`` is the copy, and ``invoice`` must not be flagged for it in turn."""
    return any(finding.rule_id in DUPLICATE_RULES and finding.status != FindingStatus.RESOLVED
               and any(item.get("invoice_id") == invoice.id for item in finding.evidence or [])
               for finding in other.findings)


def _earlier_copies(context: _Context, vendor: Vendor | None) -> list[Invoice]:
    """The organisation's other invoices (read, not rejected) from the same vendor with the same number key or the
    same total, first received first; whichever order the vendor's master data arrived in."""
    invoice = context.invoice
    same = [Invoice.total == invoice.total] if invoice.total is not None else []
    if invoice.number_key:
        same.append(Invoice.number_key == invoice.number_key)
    if not same:
        return []
    others = context.session.scalars(select(Invoice).where(
        Invoice.organization_id == invoice.organization_id, Invoice.id != invoice.id, or_(*same),
        Invoice.status.not_in([InvoiceStatus.REJECTED, InvoiceStatus.RECEIVED]), in_use(),
    ).order_by(Invoice.created_at, Invoice.id)).all()
    vendor_ids = {other.vendor_id for other in others if other.vendor_id}
    vendors = {item.id: item for item in context.session.scalars(select(Vendor).where(
        Vendor.organization_id == invoice.organization_id, Vendor.id.in_(vendor_ids)))} if vendor_ids else {}
    mine = vendor_identity(invoice, vendor)
    return [other for other in others
            if _same_vendor(mine, invoice, other, vendors) and not _names_as_duplicate(other, invoice)]


def _duplicates(context: _Context, vendor: Vendor | None) -> None:
    invoice = context.invoice
    earlier = _earlier_copies(context, vendor)
    exact = [other for other in earlier if invoice.number_key and other.number_key == invoice.number_key]
    for other in exact:
        context.add("INV-DUP-001",
                    f"Invoice {invoice.invoice_number} from {invoice.vendor_name or other.vendor_name} was already "
                    f"received (invoice {other.id}).",
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
                        f"This invoice from {invoice.vendor_name or other.vendor_name} has {why} and the same total "
                        f"{display(invoice.total, invoice.currency)} as invoice {other.invoice_number}.",
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
                            f"{display(line.unit_price, currency)} a unit, but purchase order {order.number} line "
                            f"{po_line.line_number} agreed {display(po_line.unit_price, currency)}.",
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
                    f"The total {display(invoice.total, invoice.currency)} is at or above the approval threshold of "
                    f"{threshold:,}: an approver must sign it off.", context.field("total"),
                    "An approver should check the invoice against the order and approve or reject it.")
