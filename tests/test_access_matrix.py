"""Who may call what: every API route for every role, and every object route from another organisation.

A route declares its permission next to itself (``Depends(require("documents:read"))``); this
test reads those declarations from the app. Adding a route means adding one line to ``CALLS``
(how to call it) — the first test fails, naming the route, until that line exists.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from paperclerk import samples
from paperclerk.app import api_routers, create_app
from paperclerk.auth import service as accounts
from paperclerk.auth.permissions import ROLES, role_allows
from paperclerk.core.db import session_scope
from paperclerk.invoices.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    Invoice,
    InvoiceExport,
    InvoiceFinding,
    PurchaseOrder,
    PurchaseOrderLine,
    Vendor,
)
from paperclerk.legal_billing.models import LawFirm
from tests.conftest import wait_until_final
from tests.helpers import api_key, organization_id
from tests.judgments.world import drafted_request
from tests.legal import support as legal
from tests.legal_billing.ledes_samples import legal_invoice
from tests.notifications.support import stored_webhook

#: Routes anybody may call (they authenticate the caller themselves).
PUBLIC = {("POST", "/api/v1/auth/login"), ("POST", "/api/v1/auth/refresh"), ("POST", "/api/v1/auth/logout"),
          # Stripe's payout webhooks: the signature authenticates (tests/feedback/test_payouts_and_pos.py)
          ("POST", "/api/v1/feedback/stripe/webhook")}


@dataclass
class World:
    """Organisation ``acme`` with a processed and a failed document, a user and a spare key; ``rival`` next door."""

    document_id: str
    failed_document_id: str
    user_id: str
    spare_key_id: str
    invoice_id: str
    finding_id: str
    vendor_id: str
    purchase_order_id: str
    goods_receipt_id: str
    export_id: str
    legal_invoice_id: str = ""
    #: The legal document line's objects (a case, a registry document, its analysis, a saved search), made once.
    legal: dict[str, str] = field(default_factory=dict)
    judgment_id: str = ""


Call = Callable[[World], tuple[str, dict[str, Any]]]


def _unique_text() -> dict[str, Any]:
    return {"files": [("files", (f"{uuid.uuid4()}.txt", uuid.uuid4().bytes * 4, "text/plain"))]}


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def _legal_invoice(world: World) -> str:
    """A fresh law-firm invoice in review (approving or rejecting closes it)."""
    return legal_invoice(organization_id("acme"))
def _fresh_document(world: World, *, deleted: bool = False) -> str:
    """A processed document of acme (deleting one is once only), or one deleted already (to restore)."""
    from paperclerk.core.db import utcnow
    from paperclerk.documents.models import Document

    with session_scope() as session:
        document = Document(organization_id=organization_id("acme"), sha256=uuid.uuid4().hex * 2,
                            filename="matrix-junk.txt", media_type="text/plain", size_bytes=4, status="processed",
                            deleted_at=utcnow() if deleted else None, deleted_by="matrix" if deleted else None)
        session.add(document)
        session.flush()
        return document.id


def _passage(world: World) -> int:
    from sqlalchemy import select

    from paperclerk.search.models import Passage

    with session_scope(readonly=True) as session:
        return session.scalars(select(Passage.id).where(Passage.document_id == world.document_id)).first()


def _legal(world: World, key: str) -> str:
    if not world.legal:
        from paperclerk.core.db import session_scope
        from paperclerk.legal.models import DocumentVersion

        acme = organization_id("acme")
        case_id = legal.stored_case(acme)
        entry_id = legal.filed_entry(acme, case_id)
        with session_scope(readonly=True) as session:
            document_id = session.query(DocumentVersion.document_id).filter(DocumentVersion.entry_id == entry_id,
                                                                            DocumentVersion.version == 2).scalar()
        world.legal.update(case=case_id, entry=entry_id, document=document_id, clause=legal.analysed(document_id),
                           search=legal.saved_search(acme))
    return world.legal[key]


def _csv(text: str) -> dict[str, Any]:
    return {"files": {"file": ("import.csv", text.encode(), "text/csv")}}


_J = "/api/v1/judgments"
CALLS: dict[tuple[str, str], Call] = {
    ("POST", "/api/v1/feedback/stripe/webhook"): lambda w: ("/api/v1/feedback/stripe/webhook", {
        "content": b'{"object": "event"}'}),
    ("POST", _J): lambda w: (_J, {"json": {"title": "matrix"}}),
    ("GET", _J): lambda w: (_J, {}),
    ("GET", _J + "/{request_id}"): lambda w: (f"{_J}/{w.judgment_id}", {}),
    ("PUT", _J + "/{request_id}/files/{filename}"):
        lambda w: (f"{_J}/{w.judgment_id}/files/{_unique('exhibit')}.txt", {"content": b"matrix exhibit"}),
    ("POST", _J + "/{request_id}/draft"): lambda w: (f"{_J}/{w.judgment_id}/draft", {}),
    ("PUT", _J + "/{request_id}/sections/{index}"):
        lambda w: (f"{_J}/{w.judgment_id}/sections/1", {"json": {"text": "matrix"}}),
    ("POST", _J + "/{request_id}/outcome"): lambda w: (f"{_J}/{w.judgment_id}/outcome", {"json": {}}),
    ("GET", _J + "/{request_id}/versions"): lambda w: (f"{_J}/{w.judgment_id}/versions", {}),
    ("GET", _J + "/{request_id}/versions/{number}"): lambda w: (f"{_J}/{w.judgment_id}/versions/1", {}),
    ("GET", _J + "/{request_id}/export"): lambda w: (f"{_J}/{w.judgment_id}/export", {}),
    ("POST", "/api/v1/legal/invoices/upload"): lambda w: ("/api/v1/legal/invoices/upload", _unique_text()),
    ("GET", "/api/v1/legal/invoices"): lambda w: ("/api/v1/legal/invoices", {}),
    ("GET", "/api/v1/legal/invoices/{invoice_id}"): lambda w: (f"/api/v1/legal/invoices/{w.legal_invoice_id}", {}),
    ("POST", "/api/v1/legal/invoices/{invoice_id}/lines/{number}/decision"):
        lambda w: (f"/api/v1/legal/invoices/{w.legal_invoice_id}/lines/1/decision", {"json": {"decision": "accept"}}),
    ("POST", "/api/v1/legal/invoices/{invoice_id}/approve"):
        lambda w: (f"/api/v1/legal/invoices/{_legal_invoice(w)}/approve", {}),
    ("POST", "/api/v1/legal/invoices/{invoice_id}/reject"):
        lambda w: (f"/api/v1/legal/invoices/{_legal_invoice(w)}/reject", {"json": {"reason": "matrix"}}),
    ("GET", "/api/v1/legal/invoices/{invoice_id}/export"):
        lambda w: (f"/api/v1/legal/invoices/{w.legal_invoice_id}/export", {}),
    ("POST", "/api/v1/legal/invoices/{invoice_id}/verify"):
        lambda w: (f"/api/v1/legal/invoices/{w.legal_invoice_id}/verify", {}),
    ("POST", "/api/v1/legal/bar-roll/import"): lambda w: ("/api/v1/legal/bar-roll/import", _csv(
        "name,bar_number,jurisdiction,status\nAda Marlowe,1,NY,Active\n")),
    ("GET", "/api/v1/legal/guidelines"): lambda w: ("/api/v1/legal/guidelines", {}),
    ("PUT", "/api/v1/legal/guidelines"): lambda w: ("/api/v1/legal/guidelines", {"json": {"max_hours_per_day": 9}}),
    ("POST", "/api/v1/legal/guidelines/import"):
        lambda w: ("/api/v1/legal/guidelines/import", {"files": {"file": ("g.yaml", b"max_hours_per_day: 9\n")}}),
    ("GET", "/api/v1/legal/firms"): lambda w: ("/api/v1/legal/firms", {}),
    ("POST", "/api/v1/legal/firms"):
        lambda w: ("/api/v1/legal/firms", {"json": {"name": "Matrix LLP", "tax_id": _unique("TAX")}}),
    ("GET", "/api/v1/legal/matters"): lambda w: ("/api/v1/legal/matters", {}),
    ("POST", "/api/v1/legal/matters"): lambda w: ("/api/v1/legal/matters", {"json": {"client_matter_id": "CM-M"}}),
    ("GET", "/api/v1/legal/timekeepers"): lambda w: ("/api/v1/legal/timekeepers", {}),
    ("POST", "/api/v1/legal/timekeepers"): lambda w: ("/api/v1/legal/timekeepers", {"json": {
        "law_firm_tax_id": "94-0000001", "timekeeper_id": "T1", "name": "Matrix, Max", "classification": "ASSOC"}}),
    ("POST", "/api/v1/legal/firms/import"): lambda w: ("/api/v1/legal/firms/import", _csv("name,tax_id\nA,T-A\n")),
    ("POST", "/api/v1/legal/matters/import"):
        lambda w: ("/api/v1/legal/matters/import", _csv("client_matter_id,budget\nCM-I,100\n")),
    ("POST", "/api/v1/legal/timekeepers/import"):
        lambda w: ("/api/v1/legal/timekeepers/import", _csv("law_firm_tax_id,timekeeper_id,name\n94-0000001,T2,X\n")),
    ("POST", "/api/v1/documents"): lambda w: ("/api/v1/documents", _unique_text()),
    ("GET", "/api/v1/documents"): lambda w: ("/api/v1/documents", {}),
    ("GET", "/api/v1/documents/{document_id}"): lambda w: (f"/api/v1/documents/{w.document_id}", {}),
    ("GET", "/api/v1/documents/{document_id}/file"): lambda w: (f"/api/v1/documents/{w.document_id}/file", {}),
    ("POST", "/api/v1/documents/{document_id}/retry"):
        lambda w: (f"/api/v1/documents/{w.failed_document_id}/retry", {}),
    ("DELETE", "/api/v1/documents/{document_id}"):
        lambda w: (f"/api/v1/documents/{_fresh_document(w)}", {"params": {"reason": "matrix"}}),
    ("POST", "/api/v1/documents/{document_id}/restore"):
        lambda w: (f"/api/v1/documents/{_fresh_document(w, deleted=True)}/restore", {}),
    ("GET", "/api/v1/documents/deleted"): lambda w: ("/api/v1/documents/deleted", {}),
    ("GET", "/api/v1/search"): lambda w: ("/api/v1/search?q=matrix", {}),
    ("GET", "/api/v1/ai/status"): lambda w: ("/api/v1/ai/status", {}),
    ("GET", "/api/v1/search/passages"): lambda w: ("/api/v1/search/passages?q=matrix", {}),
    ("GET", "/api/v1/search/passages/{passage_id}/similar"):
        lambda w: (f"/api/v1/search/passages/{_passage(w)}/similar", {}),
    ("GET", "/api/v1/search/documents/{document_id}/similar"):
        lambda w: (f"/api/v1/search/documents/{w.document_id}/similar", {}),
    ("GET", "/api/v1/auth/me"): lambda w: ("/api/v1/auth/me", {}),
    ("POST", "/api/v1/auth/login"): lambda w: ("/api/v1/auth/login", {"json": {"email": "a@b.example",
                                                                               "password": "wrong"}}),
    ("POST", "/api/v1/auth/refresh"): lambda w: ("/api/v1/auth/refresh", {"json": {"refresh_token": "x"}}),
    ("POST", "/api/v1/auth/logout"): lambda w: ("/api/v1/auth/logout", {"json": {}}),
    ("GET", "/api/v1/users"): lambda w: ("/api/v1/users", {}),
    ("POST", "/api/v1/users"): lambda w: ("/api/v1/users", {"json": {"email": f"{uuid.uuid4().hex}@acme.example"}}),
    ("POST", "/api/v1/users/{user_id}/disable"): lambda w: (f"/api/v1/users/{w.user_id}/disable", {}),
    ("POST", "/api/v1/users/{user_id}/enable"): lambda w: (f"/api/v1/users/{w.user_id}/enable", {}),
    ("POST", "/api/v1/users/{user_id}/reset-password"):
        lambda w: (f"/api/v1/users/{w.user_id}/reset-password", {"json": {}}),
    ("POST", "/api/v1/users/{user_id}/role"):
        lambda w: (f"/api/v1/users/{w.user_id}/role", {"json": {"role": "viewer"}}),
    ("GET", "/api/v1/apikeys"): lambda w: ("/api/v1/apikeys", {}),
    ("POST", "/api/v1/apikeys"): lambda w: ("/api/v1/apikeys", {"json": {"name": "matrix"}}),
    ("DELETE", "/api/v1/apikeys/{key_id}"): lambda w: (f"/api/v1/apikeys/{w.spare_key_id}", {}),
    ("GET", "/api/v1/audit"): lambda w: ("/api/v1/audit", {}),
    ("GET", "/api/v1/invoices"): lambda w: ("/api/v1/invoices", {}),
    ("POST", "/api/v1/invoices/upload"): lambda w: ("/api/v1/invoices/upload", _unique_text()),
    ("POST", "/api/v1/invoices/exports"): lambda w: ("/api/v1/invoices/exports", {"json": {"format": "csv"}}),
    ("GET", "/api/v1/invoices/exports/{export_id}"): lambda w: (f"/api/v1/invoices/exports/{w.export_id}", {}),
    ("GET", "/api/v1/invoices/{invoice_id}"): lambda w: (f"/api/v1/invoices/{w.invoice_id}", {}),
    ("POST", "/api/v1/invoices/{invoice_id}/corrections"):
        lambda w: (f"/api/v1/invoices/{w.invoice_id}/corrections",
                   {"json": {"field": "invoice_number", "value": "M-2"}}),
    ("POST", "/api/v1/invoices/{invoice_id}/findings/{finding_id}/dismiss"):
        lambda w: (f"/api/v1/invoices/{w.invoice_id}/findings/{w.finding_id}/dismiss", {"json": {"reason": "m"}}),
    ("POST", "/api/v1/invoices/{invoice_id}/approve"): lambda w: (f"/api/v1/invoices/{w.invoice_id}/approve", {}),
    ("POST", "/api/v1/invoices/{invoice_id}/reject"):
        lambda w: (f"/api/v1/invoices/{w.invoice_id}/reject", {"json": {"reason": "matrix"}}),
    ("POST", "/api/v1/invoices/{invoice_id}/lines"):
        lambda w: (f"/api/v1/invoices/{w.invoice_id}/lines", {"json": {"description": "Matrix", "amount": "1"}}),
    ("PATCH", "/api/v1/invoices/{invoice_id}/lines/{position}"):
        lambda w: (f"/api/v1/invoices/{w.invoice_id}/lines/1", {"json": {"quantity": "2"}}),
    ("DELETE", "/api/v1/invoices/{invoice_id}/lines/{position}"):
        lambda w: (f"/api/v1/invoices/{w.invoice_id}/lines/1", {}),
    ("GET", "/api/v1/invoices/rules"): lambda w: ("/api/v1/invoices/rules", {}),
    ("PATCH", "/api/v1/invoices/rules"):
        lambda w: ("/api/v1/invoices/rules", {"json": {"rules": {"INV-APPROVAL-001": {"severity": "info"}}}}),
    ("PATCH", "/api/v1/invoices/tolerances"):
        lambda w: ("/api/v1/invoices/tolerances", {"json": {"values": {"future_days": "10"}}}),
    ("GET", "/api/v1/invoices/vendors"): lambda w: ("/api/v1/invoices/vendors", {}),
    ("POST", "/api/v1/invoices/vendors"): lambda w: ("/api/v1/invoices/vendors", {"json": {"name": _unique("V")}}),
    ("POST", "/api/v1/invoices/vendors/import"): lambda w: ("/api/v1/invoices/vendors/import", _csv("name\nM\n")),
    ("GET", "/api/v1/invoices/vendors/{vendor_id}"): lambda w: (f"/api/v1/invoices/vendors/{w.vendor_id}", {}),
    ("PATCH", "/api/v1/invoices/vendors/{vendor_id}"):
        lambda w: (f"/api/v1/invoices/vendors/{w.vendor_id}", {"json": {"country": "NL"}}),
    ("GET", "/api/v1/invoices/purchase-orders"): lambda w: ("/api/v1/invoices/purchase-orders", {}),
    ("POST", "/api/v1/invoices/purchase-orders"): lambda w: ("/api/v1/invoices/purchase-orders", {"json": {
        "number": _unique("PO"), "vendor_id": w.vendor_id, "currency": "EUR",
        "lines": [{"line_number": 1, "description": "Pens", "quantity": "1", "unit_price": "2"}]}}),
    ("POST", "/api/v1/invoices/purchase-orders/import"): lambda w: ("/api/v1/invoices/purchase-orders/import", _csv(
        "po_number,vendor,currency,line_number,description,quantity,unit_price\nPO-M,Matrix,EUR,2,Ink,1,3\n")),
    ("GET", "/api/v1/invoices/purchase-orders/{order_id}"):
        lambda w: (f"/api/v1/invoices/purchase-orders/{w.purchase_order_id}", {}),
    ("PATCH", "/api/v1/invoices/purchase-orders/{order_id}"):
        lambda w: (f"/api/v1/invoices/purchase-orders/{w.purchase_order_id}", {"json": {"currency": "EUR"}}),
    ("GET", "/api/v1/invoices/goods-receipts"): lambda w: ("/api/v1/invoices/goods-receipts", {}),
    ("POST", "/api/v1/invoices/goods-receipts"): lambda w: ("/api/v1/invoices/goods-receipts", {"json": {
        "number": _unique("GR"), "purchase_order_id": w.purchase_order_id, "received_on": "2024-03-10",
        "lines": [{"line_number": 1, "quantity": "1"}]}}),
    ("POST", "/api/v1/invoices/goods-receipts/import"): lambda w: ("/api/v1/invoices/goods-receipts/import", _csv(
        "receipt_number,po_number,received_on,line_number,quantity\nGR-M,PO-M,2024-03-09,1,5\n")),
    ("GET", "/api/v1/invoices/goods-receipts/{receipt_id}"):
        lambda w: (f"/api/v1/invoices/goods-receipts/{w.goods_receipt_id}", {}),
    ("PATCH", "/api/v1/invoices/goods-receipts/{receipt_id}"):
        lambda w: (f"/api/v1/invoices/goods-receipts/{w.goods_receipt_id}", {"json": {"received_on": "2024-03-11"}}),
    ("GET", "/api/v1/legal/cases"): lambda w: ("/api/v1/legal/cases", {}),
    ("POST", "/api/v1/legal/cases"): lambda w: ("/api/v1/legal/cases", {"json": {"number": _unique("C"),
                                                                                 "title": "Matrix"}}),
    ("POST", "/api/v1/legal/cases/import"):
        lambda w: ("/api/v1/legal/cases/import", _csv(f"number,title\n{_unique('I')},Imported\n")),
    ("GET", "/api/v1/legal/cases/{case_id}"): lambda w: (f"/api/v1/legal/cases/{_legal(w, 'case')}", {}),
    ("PATCH", "/api/v1/legal/cases/{case_id}"):
        lambda w: (f"/api/v1/legal/cases/{_legal(w, 'case')}", {"json": {"court": "Matrix Court"}}),
    ("GET", "/api/v1/legal/cases/{case_id}/documents"):
        lambda w: (f"/api/v1/legal/cases/{_legal(w, 'case')}/documents", {}),
    ("POST", "/api/v1/legal/cases/{case_id}/documents"):
        lambda w: (f"/api/v1/legal/cases/{_legal(w, 'case')}/documents",
                   {"files": {"file": (f"{uuid.uuid4()}.txt", uuid.uuid4().bytes * 4, "text/plain")}}),
    ("GET", "/api/v1/legal/cases/{case_id}/deadlines"):
        lambda w: (f"/api/v1/legal/cases/{_legal(w, 'case')}/deadlines", {}),
    ("GET", "/api/v1/legal/cases/{case_id}/calendar.ics"):
        lambda w: (f"/api/v1/legal/cases/{_legal(w, 'case')}/calendar.ics", {}),
    ("POST", "/api/v1/legal/cases/{case_id}/summary"):
        lambda w: (f"/api/v1/legal/cases/{_legal(w, 'case')}/summary", {}),
    ("POST", "/api/v1/legal/cases/{case_id}/ask"):
        lambda w: (f"/api/v1/legal/cases/{_legal(w, 'case')}/ask", {"json": {"question": "Which law?"}}),
    ("GET", "/api/v1/legal/registry/{entry_id}"): lambda w: (f"/api/v1/legal/registry/{_legal(w, 'entry')}", {}),
    ("POST", "/api/v1/legal/registry/{entry_id}/move"):
        lambda w: (f"/api/v1/legal/registry/{_legal(w, 'entry')}/move", {"json": {"folder": "/contracts"}}),
    ("GET", "/api/v1/legal/registry/{entry_id}/diff"):
        lambda w: (f"/api/v1/legal/registry/{_legal(w, 'entry')}/diff?from=1&to=2", {}),
    ("GET", "/api/v1/legal/documents/{document_id}/analysis"):
        lambda w: (f"/api/v1/legal/documents/{_legal(w, 'document')}/analysis", {}),
    ("POST", "/api/v1/legal/documents/{document_id}/summary"):
        lambda w: (f"/api/v1/legal/documents/{_legal(w, 'document')}/summary", {}),
    ("GET", "/api/v1/legal/statistics"): lambda w: ("/api/v1/legal/statistics", {}),
    ("GET", "/api/v1/legal/search"): lambda w: ("/api/v1/legal/search?q=governing+law", {}),
    ("GET", "/api/v1/legal/clauses/{finding_id}/similar"):
        lambda w: (f"/api/v1/legal/clauses/{_legal(w, 'clause')}/similar", {}),
    ("POST", "/api/v1/legal/clauses/{finding_id}/explain"):
        lambda w: (f"/api/v1/legal/clauses/{_legal(w, 'clause')}/explain", {}),
    ("GET", "/api/v1/legal/searches"): lambda w: ("/api/v1/legal/searches", {}),
    ("POST", "/api/v1/legal/searches"):
        lambda w: ("/api/v1/legal/searches", {"json": {"name": "Matrix", "query": "governing law"}}),
    ("GET", "/api/v1/legal/searches/{search_id}"):
        lambda w: (f"/api/v1/legal/searches/{_legal(w, 'search')}", {}),
    ("POST", "/api/v1/legal/searches/{search_id}/run"):
        lambda w: (f"/api/v1/legal/searches/{_legal(w, 'search')}/run", {}),
    ("GET", "/api/v1/notifications"): lambda w: ("/api/v1/notifications", {}),
    ("POST", "/api/v1/notifications/read-all"): lambda w: ("/api/v1/notifications/read-all", {}),
    ("POST", "/api/v1/notifications/{notification_id}/read"):
        lambda w: (f"/api/v1/notifications/{uuid.uuid4()}/read", {}),
    ("GET", "/api/v1/notifications/preferences"): lambda w: ("/api/v1/notifications/preferences", {}),
    ("PATCH", "/api/v1/notifications/preferences"): lambda w: ("/api/v1/notifications/preferences", {
        "json": {"preferences": {"invoice.flagged": {"email": True}}}}),
    ("GET", "/api/v1/webhooks"): lambda w: ("/api/v1/webhooks", {}),
    ("POST", "/api/v1/webhooks"): lambda w: ("/api/v1/webhooks", {"json": {
        "url": "https://hooks.example.com/matrix", "events": ["invoice.flagged"]}}),
    ("GET", "/api/v1/webhooks/{webhook_id}"):
        lambda w: (f"/api/v1/webhooks/{stored_webhook(organization_id('acme'))}", {}),
    ("PATCH", "/api/v1/webhooks/{webhook_id}"):
        lambda w: (f"/api/v1/webhooks/{stored_webhook(organization_id('acme'))}", {"json": {"active": False}}),
    ("POST", "/api/v1/webhooks/{webhook_id}/rotate-secret"):
        lambda w: (f"/api/v1/webhooks/{stored_webhook(organization_id('acme'))}/rotate-secret", {}),
    ("DELETE", "/api/v1/webhooks/{webhook_id}"):
        lambda w: (f"/api/v1/webhooks/{stored_webhook(organization_id('acme'))}", {}),
    ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"):
        lambda w: (f"/api/v1/webhooks/{stored_webhook(organization_id('acme'))}/deliveries", {}),
}


def api_routes() -> list[APIRoute]:
    return [route for router in api_routers() for route in router.routes if isinstance(route, APIRoute)]


def declared_permissions(route: APIRoute) -> set[str]:
    found: set[str] = set()
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        permission = getattr(dependant.call, "permission", None)
        if permission:
            found.add(permission)
        pending.extend(dependant.dependencies)
    return found


ROUTES = sorted((method, route.path) for route in api_routes() for method in route.methods)
PERMISSIONS = {(method, route.path): declared_permissions(route) for route in api_routes() for method in route.methods}


def test_every_api_route_is_in_the_matrix():
    published = {(method.upper(), path) for path, operations in create_app().openapi()["paths"].items()
                 if path.startswith("/api/") for method in operations}
    assert published == set(ROUTES), f"routes under /api/ outside api_routers(): {published - set(ROUTES)}"
    missing = [route for route in ROUTES if route not in CALLS]
    assert not missing, f"add these routes to CALLS in {__file__}: {missing}"
    assert not set(CALLS) - set(ROUTES), f"CALLS names routes that no longer exist: {set(CALLS) - set(ROUTES)}"
    undeclared = [route for route in ROUTES if route not in PUBLIC and route != ("GET", "/api/v1/auth/me")
                  and not PERMISSIONS[route]]
    assert not undeclared, f"these routes declare no permission with require(...): {undeclared}"


@pytest.fixture
def world(env) -> World:
    keys = {role: api_key("acme", role) for role in ROLES}
    api_key("rival", "admin")
    with TestClient(create_app(embedded_workers=True)) as client:
        client.headers["X-API-Key"] = keys["admin"]
        response = client.post("/api/v1/documents", files=[
            ("files", ("matrix.txt", b"matrix document text", "text/plain")),
            ("files", ("broken.pdf", samples.truncated_pdf(), "application/pdf"))])
        document_id, failed_id = (doc["id"] for doc in response.json()["documents"])
        wait_until_final([document_id, failed_id])
    with session_scope() as session:
        user = accounts.create_user(session, "victim@acme.example", "Correct-Horse-42-battery",
                                    organization_id=organization_id("acme"), role="viewer")
        spare, _ = accounts.create_api_key(session, organization_id("acme"), "viewer", "spare")
        acme = organization_id("acme")
        vendor = Vendor(organization_id=acme, name="Matrix")
        session.add(vendor)
        session.flush()
        order = PurchaseOrder(organization_id=acme, number="PO-M", vendor_id=vendor.id, currency="EUR", lines=[
            PurchaseOrderLine(line_number=1, description="Pens", quantity=Decimal(5), unit_price=Decimal(2))])
        session.add(order)
        session.flush()
        receipt = GoodsReceipt(organization_id=acme, number="GR-M", purchase_order_id=order.id,
                               received_on=date(2024, 3, 9),
                               lines=[GoodsReceiptLine(line_number=1, quantity=Decimal(5))])
        invoice = Invoice(organization_id=acme, document_id=document_id, status="needs_review", vendor_name="Matrix",
                          invoice_number="M-1", currency="EUR", total=Decimal("10.00"))
        invoice.findings.append(InvoiceFinding(rule_id="INV-VENDOR-UNKNOWN", severity="warning", message="matrix",
                                               fix="matrix"))
        export = InvoiceExport(organization_id=acme, filename="invoices-matrix.csv", format="csv",
                               media_type="text/csv; charset=utf-8", content=b"id\r\n", invoice_ids=[],
                               created_by="matrix")
        session.add_all([receipt, invoice, export])
        session.add(LawFirm(organization_id=acme, name="Matrix LLP", tax_id="94-0000001"))
        session.flush()
        legal_invoice_id = legal_invoice(acme, session)
        judgment_id = drafted_request(acme, session)
        return World(legal_invoice_id=legal_invoice_id, judgment_id=judgment_id,
                     document_id=document_id, failed_document_id=failed_id, user_id=user.id, spare_key_id=spare.id,
                     invoice_id=invoice.id, finding_id=invoice.findings[0].id, vendor_id=vendor.id,
                     purchase_order_id=order.id, goods_receipt_id=receipt.id, export_id=export.id)


def _call(client: TestClient, route: tuple[str, str], world: World, headers: dict[str, str]) -> Any:
    url, kwargs = CALLS[route](world)
    return client.request(route[0], url, headers=headers, **kwargs)


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route[0]} {route[1]}")
def test_each_role_gets_exactly_its_access(world, route):
    permissions = PERMISSIONS[route]
    with TestClient(create_app(embedded_workers=False), raise_server_exceptions=False) as client:
        anonymous = _call(client, route, world, {})
        if route in PUBLIC:  # they judge the credentials in their body: never forbidden, never a crash
            assert anonymous.status_code < 500 and anonymous.status_code != 403, anonymous.text
            return
        assert anonymous.status_code == 401, anonymous.text
        assert anonymous.json()["error"]["code"] == "AUTH_REQUIRED"
        for role in ROLES:
            response = _call(client, route, world, {"X-API-Key": api_key("acme", role)})
            allowed = all(role_allows(role, permission) for permission in permissions)
            if allowed:
                assert response.status_code not in (401, 403) and response.status_code < 500, \
                    f"{role}: {response.status_code} {response.text}"
            else:
                assert response.status_code == 403, f"{role}: {response.status_code} {response.text}"
                assert response.json()["error"]["code"] == "FORBIDDEN"


OBJECT_ROUTES = [route for route in ROUTES if "{" in route[1]]


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda route: f"{route[0]} {route[1]}")
def test_another_organisations_objects_are_not_found(world, route):
    with TestClient(create_app(embedded_workers=False), raise_server_exceptions=False) as client:
        response = _call(client, route, world, {"X-API-Key": api_key("rival", "admin")})
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"].endswith("NOT_FOUND")


def test_lists_and_search_show_nothing_of_another_organisation(world):
    with TestClient(create_app(embedded_workers=False), raise_server_exceptions=False) as client:
        client.headers["X-API-Key"] = api_key("rival", "admin")
        assert client.get("/api/v1/documents").json()["total"] == 0
        assert client.get("/api/v1/search", params={"q": "matrix"}).json()["total"] == 0
        assert client.get("/api/v1/search/passages", params={"q": "matrix"}).json()["items"] == []
        assert all(user["email"] != "victim@acme.example" for user in client.get("/api/v1/users").json())
        assert all(key["name"] != "spare" for key in client.get("/api/v1/apikeys").json())
        assert client.get("/api/v1/invoices").json()["total"] == 0
        for listing in ("vendors", "purchase-orders", "goods-receipts"):
            assert client.get(f"/api/v1/invoices/{listing}").json() == []
        audit = client.get("/api/v1/audit").json()
        assert all(entry["subject_id"] not in (world.document_id, world.failed_document_id)
                   for entry in audit["items"])


def test_same_bytes_in_two_organisations_are_two_documents(env):
    with TestClient(create_app(embedded_workers=False)) as client:
        first = client.post("/api/v1/documents", headers={"X-API-Key": api_key("acme", "admin")},
                            files=[("files", ("a.txt", b"shared bytes", "text/plain"))]).json()["documents"][0]
        second = client.post("/api/v1/documents", headers={"X-API-Key": api_key("rival", "admin")},
                             files=[("files", ("a.txt", b"shared bytes", "text/plain"))]).json()["documents"][0]
    assert first["id"] != second["id"] and not second["duplicate"]
