"""The invoice line's rows of the page access matrix: inbox and review, the review's changes, the page images,
rules, master data and exports."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from paperclerk.core.db import session_scope
from paperclerk.invoices.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    Invoice,
    InvoiceExport,
    InvoiceFinding,
    InvoiceLine,
    PurchaseOrder,
    PurchaseOrderLine,
    Vendor,
)
from tests.page_matrix import PageCall, PageWorld, stored_document


@dataclass(frozen=True)
class InvoiceObjects:
    invoice_id: str
    vendor_id: str
    purchase_order_id: str
    export_id: str


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def fresh_invoice(world: PageWorld, status: str = "needs_review") -> tuple[str, str]:
    """A new invoice in review (one line, one open warning) on its own one-page PDF; its id and the finding's."""
    with session_scope() as session:
        invoice = Invoice(organization_id=world.acme, document_id=stored_document(world.acme), status=status,
                          vendor_name="Matrix", invoice_number=_unique("M"), currency="EUR", total=Decimal("10.00"))
        invoice.lines.append(InvoiceLine(position=1, description="Pens", quantity=Decimal(5), unit_price=Decimal(2),
                                         amount=Decimal(10)))
        invoice.findings.append(InvoiceFinding(rule_id="INV-VENDOR-UNKNOWN", severity="warning", message="matrix",
                                               fix="matrix"))
        session.add(invoice)
        session.flush()
        return invoice.id, invoice.findings[0].id


def prepare(world: PageWorld) -> None:
    fresh_invoice(world, status="approved")  # something to export
    invoice_id, _ = fresh_invoice(world)
    with session_scope() as session:
        vendor = Vendor(organization_id=world.acme, name="Matrix")
        session.add(vendor)
        session.flush()
        order = PurchaseOrder(organization_id=world.acme, number="PO-M", vendor_id=vendor.id, currency="EUR",
                              lines=[PurchaseOrderLine(line_number=1, description="Pens", quantity=Decimal(500),
                                                       unit_price=Decimal(2))])
        session.add(order)
        session.flush()
        session.add(GoodsReceipt(organization_id=world.acme, number="GR-M", purchase_order_id=order.id,
                                 received_on=date(2024, 3, 9),
                                 lines=[GoodsReceiptLine(line_number=1, quantity=Decimal(5))]))
        export = InvoiceExport(organization_id=world.acme, filename="invoices-matrix.csv", format="csv",
                               media_type="text/csv; charset=utf-8", content=b"id\r\n", invoice_ids=[],
                               created_by="matrix")
        session.add(export)
        session.flush()
        world.extra["invoices"] = InvoiceObjects(invoice_id, vendor.id, order.id, export.id)


def _objects(world: PageWorld) -> InvoiceObjects:
    objects: InvoiceObjects = world.extra["invoices"]
    return objects


def _invoice(world: PageWorld, action: str, form: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    return f"/invoices/{_objects(world).invoice_id}{action}", {"data": form or {}}


def _decide(world: PageWorld, action: str, form: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    invoice_id, _ = fresh_invoice(world)
    return f"/invoices/{invoice_id}/{action}", {"data": form or {}}


def _dismiss(world: PageWorld) -> tuple[str, dict[str, Any]]:
    invoice_id, finding_id = fresh_invoice(world)
    return f"/invoices/{invoice_id}/findings/{finding_id}/dismiss", {"data": {"reason": "matrix"}}


def _csv(text: str) -> dict[str, Any]:
    return {"files": {"file": ("import.csv", text.encode(), "text/csv")}}


def _vendor(world: PageWorld, action: str = "") -> str:
    return f"/vendors/{_objects(world).vendor_id}{action}"


def _order(world: PageWorld, action: str = "") -> str:
    return f"/purchase-orders/{_objects(world).purchase_order_id}{action}"


PAGE_CALLS = [
    PageCall("GET", "/invoices", lambda w: ("/invoices", {})),
    PageCall("GET", "/invoices/{invoice_id}", lambda w: _invoice(w, "")),
    PageCall("GET", "/invoices/{invoice_id}/pages/{number}.png", lambda w: _invoice(w, "/pages/1.png")),
    PageCall("POST", "/invoices/{invoice_id}/corrections",
             lambda w: _invoice(w, "/corrections", {"field": "invoice_number", "value": _unique("M")}), allowed=303),
    PageCall("POST", "/invoices/{invoice_id}/findings/{finding_id}/dismiss", _dismiss, allowed=303),
    PageCall("POST", "/invoices/{invoice_id}/approve", lambda w: _decide(w, "approve"), allowed=303),
    PageCall("POST", "/invoices/{invoice_id}/reject", lambda w: _decide(w, "reject", {"reason": "matrix"}),
             allowed=303),
    PageCall("POST", "/invoices/{invoice_id}/lines",
             lambda w: _invoice(w, "/lines", {"description": "Ink", "amount": "1"}), allowed=303),
    PageCall("POST", "/invoices/{invoice_id}/lines/{position}",
             lambda w: _invoice(w, "/lines/1", {"description": "Pens", "quantity": "5"}), allowed=303),
    PageCall("POST", "/invoices/{invoice_id}/lines/{position}/remove", lambda w: _decide(w, "lines/1/remove"),
             allowed=303),
    PageCall("GET", "/rules", lambda w: ("/rules", {})),
    PageCall("POST", "/rules", lambda w: ("/rules", {"data": {"enabled:INV-DUP-001": "on"}}), allowed=303),
    PageCall("POST", "/rules/tolerances", lambda w: ("/rules/tolerances", {"data": {}}), allowed=303),
    PageCall("GET", "/vendors", lambda w: ("/vendors", {})),
    PageCall("POST", "/vendors", lambda w: ("/vendors", {"data": {"name": _unique("V")}}), allowed=303),
    PageCall("POST", "/vendors/import", lambda w: ("/vendors/import", _csv("name\nMatrix import\n"))),
    PageCall("GET", "/vendors/{vendor_id}", lambda w: (_vendor(w), {})),
    PageCall("POST", "/vendors/{vendor_id}", lambda w: (_vendor(w), {"data": {"name": "Matrix"}}), allowed=303),
    PageCall("POST", "/vendors/{vendor_id}/active", lambda w: (_vendor(w, "/active"), {"data": {"active": "yes"}}),
             allowed=303),
    PageCall("GET", "/purchase-orders", lambda w: ("/purchase-orders", {})),
    PageCall("POST", "/purchase-orders", lambda w: ("/purchase-orders", {"data": {
        "number": _unique("PO"), "vendor_id": _objects(w).vendor_id, "currency": "EUR",
        "description": ["Pens"], "quantity": ["1"], "unit_price": ["2"]}}), allowed=303),
    PageCall("POST", "/purchase-orders/import", lambda w: ("/purchase-orders/import", _csv(
        "po_number,vendor,currency,line_number,description,quantity,unit_price\nPO-I,Matrix,EUR,1,Ink,1,3\n"))),
    PageCall("GET", "/purchase-orders/{order_id}", lambda w: (_order(w), {})),
    PageCall("POST", "/purchase-orders/{order_id}/goods-receipts", lambda w: (_order(w, "/goods-receipts"), {"data": {
        "number": _unique("GR"), "received_on": "2024-03-10", "line_number": ["1"], "quantity": ["1"]}}),
             allowed=303),
    PageCall("GET", "/goods-receipts", lambda w: ("/goods-receipts", {})),
    PageCall("GET", "/exports", lambda w: ("/exports", {})),
    PageCall("GET", "/exports/{export_id}/download", lambda w: (f"/exports/{_objects(w).export_id}/download", {})),
    PageCall("POST", "/exports", lambda w: ("/exports", {"data": {"format": "json", "include_exported": "yes"}})),
]
