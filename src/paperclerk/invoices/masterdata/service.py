"""Vendors, purchase orders and goods receipts: create, read, update. Every change is audited and re-checks the
invoices still in review in the same transaction (``revalidate=False`` only for a caller that re-checks once
after many changes, like the CSV imports)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from paperclerk.auth.principal import Principal
from paperclerk.core import events
from paperclerk.core.audit import record_audit
from paperclerk.core.errors import Conflict, InvalidRequest, NotFound
from paperclerk.invoices import identifiers, validation
from paperclerk.invoices.identifiers import compact
from paperclerk.invoices.masterdata import checks
from paperclerk.invoices.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    Invoice,
    PurchaseOrder,
    PurchaseOrderLine,
    Vendor,
)


def snapshot(item: Any, *names: str) -> dict[str, Any]:
    values = {name: getattr(item, name) for name in names}
    return {name: str(value) if isinstance(value, Decimal | date) else value for name, value in values.items()}


VENDOR_FIELDS = ("name", "tax_id", "iban", "bic", "country", "active")
#: What names a vendor, order or receipt in its events (a notification's title).
SUBJECT_NAMES = ("name", "number")


def _record(session: Session, actor: Principal, ip: str | None, action: str, subject: tuple[str, str],
            organization_id: str, before: dict[str, Any] | None, after: dict[str, Any], *, revalidate: bool) -> None:
    """Audit the change, record its event, and re-check the invoices in review against the new master data."""
    record_audit(session, actor, action, subject, ip=ip, organization_id=organization_id, before=before, after=after)
    events.record(session, action, organization_id=organization_id, subject_type=subject[0], subject_id=subject[1],
                  payload={"changed": sorted(key for key in after if (before or {}).get(key) != after[key]),
                           **{key: after[key] for key in SUBJECT_NAMES if after.get(key)}})
    if revalidate:
        validation.revalidate_open(session, organization_id)


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


def link_invoices(session: Session, vendor: Vendor) -> int:
    """Give the vendor the organisation's invoices that match it (tax ID, IBAN or name) but were read before it was
    on file, closed ones included (those in review are matched again when they are re-checked); returns how many."""
    keys = checks.vendor_keys(vendor)
    linked = 0
    for invoice in session.scalars(select(Invoice).where(Invoice.organization_id == vendor.organization_id,
                                                         Invoice.vendor_id.is_(None))):
        if keys & checks.vendor_identity(invoice, None):
            invoice.vendor_id = vendor.id
            linked += 1
    return linked


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


def vendor_named(session: Session, organization_id: str, name: str) -> Vendor | None:
    """The vendor of that name, in any case; the exact name always counts (a database whose lower() folds ASCII
    only, PostgreSQL under the C locale, would otherwise miss it and break the unique name)."""
    return session.scalars(select(Vendor).where(Vendor.organization_id == organization_id, or_(
        Vendor.name == name, func.lower(Vendor.name) == name.lower())).order_by(Vendor.name != name)).first()


def create_vendor(session: Session, organization_id: str, values: dict[str, Any], *, actor: Principal,
                  ip: str | None = None,
                  revalidate: bool = True) -> Vendor:
    values = _clean_vendor(values)
    if vendor_named(session, organization_id, values["name"]) is not None:
        raise Conflict(f"A vendor called {values['name']!r} already exists.", code="VENDOR_EXISTS",
                       details={"name": values["name"]})
    vendor = Vendor(organization_id=organization_id, **values)
    session.add(vendor)
    session.flush()
    link_invoices(session, vendor)
    _record(session, actor, ip, "vendor.created", ("vendor", vendor.id), organization_id, None,
            snapshot(vendor, *VENDOR_FIELDS), revalidate=revalidate)
    return vendor


def update_vendor(session: Session, vendor_id: str, organization_id: str, values: dict[str, Any], *,
                  actor: Principal, ip: str | None = None,
                  revalidate: bool = True) -> Vendor:
    vendor = get_vendor(session, vendor_id, organization_id=organization_id)
    values = _clean_vendor(values)
    if "name" in values and values["name"].lower() != vendor.name.lower() \
            and vendor_named(session, organization_id, values["name"]) is not None:
        raise Conflict(f"A vendor called {values['name']!r} already exists.", code="VENDOR_EXISTS",
                           details={"name": values["name"]})
    before = snapshot(vendor, *VENDOR_FIELDS)
    for name, value in values.items():
        setattr(vendor, name, value)
    session.flush()
    link_invoices(session, vendor)
    _record(session, actor, ip, "vendor.updated", ("vendor", vendor.id), organization_id, before,
            snapshot(vendor, *VENDOR_FIELDS), revalidate=revalidate)
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
    return {**snapshot(order, "number", "vendor_id", "currency", "order_date"),
            "lines": [snapshot(line, "line_number", "description", "quantity", "unit_price") for line in order.lines]}


def _unique_lines(lines: list[dict[str, Any]]) -> None:
    numbers = [line["line_number"] for line in lines]
    if len(numbers) != len(set(numbers)):
        raise InvalidRequest("Each line number may appear only once.", code="DUPLICATE_LINE_NUMBER")


def create_purchase_order(session: Session, organization_id: str, values: dict[str, Any], *, actor: Principal,
                          ip: str | None = None,
                          revalidate: bool = True) -> PurchaseOrder:
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
            _order_snapshot(order), revalidate=revalidate)
    return order


def update_purchase_order(session: Session, order_id: str, organization_id: str, values: dict[str, Any], *,
                          actor: Principal, ip: str | None = None,
                          revalidate: bool = True) -> PurchaseOrder:
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
            _order_snapshot(order), revalidate=revalidate)
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
    return {**snapshot(receipt, "number", "purchase_order_id", "received_on"),
            "lines": [snapshot(line, "line_number", "quantity") for line in receipt.lines]}


def create_goods_receipt(session: Session, organization_id: str, values: dict[str, Any], *, actor: Principal,
                         ip: str | None = None,
                         revalidate: bool = True) -> GoodsReceipt:
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
            _receipt_snapshot(receipt), revalidate=revalidate)
    return receipt


def update_goods_receipt(session: Session, receipt_id: str, organization_id: str, values: dict[str, Any], *,
                         actor: Principal, ip: str | None = None,
                         revalidate: bool = True) -> GoodsReceipt:
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
            _receipt_snapshot(receipt), revalidate=revalidate)
    return receipt
