"""Web pages of the invoice master data: vendors, purchase orders, goods receipts, and their CSV imports.

Anyone who reads invoices sees the master data; only administrators (``settings:manage``) see and use the forms,
as in the API. Forms post to page routes that call the same master-data services as the API, re-check the invoices
in review (the master-data service does) in the same transaction, and redirect (303); a refused change re-renders
the page with the reason and the values typed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from itertools import zip_longest
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from paperclerk.auth.dependencies import request_ip
from paperclerk.core.db import session_scope
from paperclerk.core.errors import InvalidRequest, NotFound, PaperclerkError
from paperclerk.invoices import service
from paperclerk.invoices.masterdata import imports
from paperclerk.invoices.masterdata import service as masterdata
from paperclerk.invoices.schemas import GoodsReceiptIn, PurchaseOrderIn, VendorIn, VendorPatch
from paperclerk.web.shell import Viewer, not_found, page_number, page_require, pager, render

ADMIN = "settings:manage"
MANAGE = "change the master data"  # what the 403 page says a caller without settings:manage cannot do
PAGE_SIZE = 50
RECENT_INVOICES = 10
BLANK_LINES = 5
MAX_CSV_MB = imports.MAX_CSV_BYTES // (1024 * 1024)
NO_VENDOR = "There is no vendor with this id. It may have been removed, or the link may be incomplete."
NO_ORDER = "There is no purchase order with this id. The link may be incomplete."
DONE_MESSAGES = {"created": "The vendor was added; the invoices in review were checked against it.",
                 "updated": "The vendor was saved; the invoices in review were checked again.",
                 "activated": "The vendor is active again; the invoices in review were checked again.",
                 "deactivated": "The vendor is inactive; the invoices in review were checked again.",
                 "ordered": "The purchase order was added; the invoices in review were checked against it.",
                 "received": "The goods receipt was recorded; the invoices in review were checked again."}
#: What to do about a value the schema refused, by field (line fields are prefixed with the line number).
HINTS = {"name": "Give the vendor a name (at most 200 characters).",
         "tax_id": "The tax ID may have at most 40 characters.",
         "iban": "The IBAN may have at most 42 characters.",
         "bic": "The BIC may have at most 14 characters.",
         "country": "The country must be a two-letter ISO code, such as NL.",
         "number": "Give a number of at most 60 characters.",
         "vendor_id": "Choose a vendor.",
         "currency": "The currency must be a three-letter ISO 4217 code, such as EUR.",
         "order_date": "The order date must be a date, such as 2024-03-14.",
         "received_on": "The date received must be a date, such as 2024-03-14.",
         "lines": "Fill in at most 1000 lines.",
         "line_number": "this line is not on the purchase order.",
         "description": "give a description of at most 500 characters.",
         "quantity": "the quantity must be a number above 0, such as 2 or 2.5.",
         "unit_price": "the unit price must be a number of 0 or more, such as 12.50."}

router = APIRouter(include_in_schema=False)
Schema = TypeVar("Schema", bound=BaseModel)


def _problem(exc: ValidationError, line_numbers: list[int]) -> str:
    """The first value refused, in words: ``HINTS`` by field, ``Line 2: …`` for a line's field."""
    location = exc.errors()[0]["loc"]
    if len(location) >= 3 and location[0] == "lines" and isinstance(location[1], int):
        number = line_numbers[location[1]] if location[1] < len(line_numbers) else location[1] + 1
        return f"Line {number}: {HINTS.get(str(location[2]), exc.errors()[0]['msg'])}"
    return HINTS.get(str(location[0]), exc.errors()[0]["msg"])


def _valid(schema: type[Schema], values: dict[str, Any], line_numbers: list[int] | None = None) -> Schema:
    try:
        return schema.model_validate(values)
    except ValidationError as exc:
        raise InvalidRequest(_problem(exc, line_numbers or [])) from None


def _save(viewer: Viewer, change: Callable[[Session], str]) -> str:
    """Run one master-data change as the viewer (the invoices in review are re-checked); returns what ``change``
    did."""
    with session_scope() as session:
        return change(session)


def _import(request: Request, viewer: Viewer, file: UploadFile | None,
            importer: Callable[..., imports.ImportReport]) -> imports.ImportReport:
    """Import an uploaded CSV file with ``importer`` (the invoices in review are re-checked when anything changed)."""
    if file is None or not file.filename:
        raise InvalidRequest("Choose a CSV file to import.", code="CSV_MISSING")
    text = imports.csv_text(file.file)
    tenant = viewer.principal.tenant
    with session_scope() as session:
        return importer(session, tenant, text, actor=viewer.principal, ip=request_ip(request))


def _page_of(items: list[Any], page: str | None, path: str, params: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    number = page_number(page)
    return (items[(number - 1) * PAGE_SIZE:number * PAGE_SIZE],
            pager(path, params, number, len(items), PAGE_SIZE))


def _text(value: str) -> str | None:
    return value.strip() or None


# -- vendors -----------------------------------------------------------------------------------------------


def _vendors(request: Request, viewer: Viewer, *, name: str | None = None, page: str | None = None,
             error: str | None = None, form: dict[str, str] | None = None,
             report: imports.ImportReport | None = None, status_code: int = 200) -> HTMLResponse:
    name = (name or "").strip()[:200]
    with session_scope(readonly=True) as session:
        vendors = masterdata.list_vendors(session, viewer.principal.tenant, name=name or None)
        shown, pages = _page_of(vendors, page, "/vendors", {"name": name})
        return render(request, "invoices/vendors.html", {
            "vendors": shown, "pager": pages, "name": name, "error": error, "form": form or {}, "report": report,
            "can_manage": viewer.can(ADMIN), "max_csv_mb": MAX_CSV_MB, "nav": "vendors",
        }, viewer=viewer, status_code=status_code)


@router.get("/vendors", response_class=HTMLResponse, response_model=None)
def vendors_page(request: Request, viewer: Annotated[Viewer, Depends(page_require("documents:read"))],
                 name: str | None = None, page: str | None = None) -> Response:
    return _vendors(request, viewer, name=name, page=page)


@router.post("/vendors", response_model=None)
def create_vendor_page(
    request: Request,
    viewer: Annotated[Viewer, Depends(page_require("settings:manage", back="/vendors", wording=MANAGE))],
    name: Annotated[str, Form(max_length=1000)] = "", tax_id: Annotated[str, Form(max_length=1000)] = "",
    iban: Annotated[str, Form(max_length=1000)] = "", bic: Annotated[str, Form(max_length=1000)] = "",
    country: Annotated[str, Form(max_length=1000)] = ""
) -> Response:
    form = {"name": name, "tax_id": tax_id, "iban": iban, "bic": bic, "country": country}
    try:
        values = _valid(VendorIn, {key: _text(value) for key, value in form.items()}).model_dump()
        vendor_id = _save(viewer, lambda session: masterdata.create_vendor(
            session, viewer.principal.tenant, values, actor=viewer.principal, ip=request_ip(request)).id)
    except PaperclerkError as problem:
        return _vendors(request, viewer, error=problem.message, form=form, status_code=problem.http_status)
    return RedirectResponse(f"/vendors/{quote(vendor_id, safe='')}?done=created", status_code=303)


@router.post("/vendors/import", response_model=None)
def import_vendors_page(
    request: Request,
    viewer: Annotated[Viewer, Depends(page_require("settings:manage", back="/vendors", wording=MANAGE))],
    file: Annotated[UploadFile | None, File()] = None
) -> Response:
    try:
        report = _import(request, viewer, file, imports.import_vendors)
    except PaperclerkError as problem:
        return _vendors(request, viewer, error=problem.message, status_code=problem.http_status)
    return _vendors(request, viewer, report=report)


def _vendor(request: Request, viewer: Viewer, vendor_id: str, *, error: str | None = None,
            form: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    tenant = viewer.principal.tenant
    with session_scope(readonly=True) as session:
        try:
            vendor = masterdata.get_vendor(session, vendor_id, organization_id=tenant)
        except NotFound:
            return not_found(request, NO_VENDOR, viewer)
        invoices, total, _ = service.list_invoices(session, service.InvoiceFilter(organization_id=tenant,
                                                                                  vendor_id=vendor.id),
                                                   limit=RECENT_INVOICES, offset=0)
        saved = {name: getattr(vendor, name) or "" for name in ("name", "tax_id", "iban", "bic", "country")}
        return render(request, "invoices/vendor.html", {
            "vendor": vendor, "invoices": invoices, "invoice_total": total, "form": form or saved, "error": error,
            "done": DONE_MESSAGES.get(request.query_params.get("done", "")), "can_manage": viewer.can(ADMIN),
            "nav": "vendors",
        }, viewer=viewer, status_code=status_code)


@router.get("/vendors/{vendor_id}", response_class=HTMLResponse, response_model=None)
def vendor_page(request: Request, viewer: Annotated[Viewer, Depends(page_require("documents:read"))],
                vendor_id: str) -> Response:
    return _vendor(request, viewer, vendor_id)


def _change_vendor(request: Request, viewer: Viewer, vendor_id: str, values: dict[str, Any], done: str,
                   form: dict[str, str] | None = None) -> Response:
    target = f"/vendors/{quote(vendor_id, safe='')}"
    try:
        patch = _valid(VendorPatch, values).model_dump(exclude_unset=True)
        _save(viewer, lambda session: masterdata.update_vendor(
            session, vendor_id, viewer.principal.tenant, patch, actor=viewer.principal, ip=request_ip(request)).id)
    except PaperclerkError as problem:
        if problem.code == "VENDOR_NOT_FOUND":
            return not_found(request, NO_VENDOR, viewer)
        return _vendor(request, viewer, vendor_id, error=problem.message, form=form, status_code=problem.http_status)
    return RedirectResponse(f"{target}?done={done}", status_code=303)


@router.post("/vendors/{vendor_id}", response_model=None)
def update_vendor_page(
    request: Request,
    viewer: Annotated[Viewer, Depends(page_require("settings:manage", back="/vendors/{vendor_id}", wording=MANAGE))],
    vendor_id: str, name: Annotated[str, Form(max_length=1000)] = "",
    tax_id: Annotated[str, Form(max_length=1000)] = "", iban: Annotated[str, Form(max_length=1000)] = "",
    bic: Annotated[str, Form(max_length=1000)] = "", country: Annotated[str, Form(max_length=1000)] = ""
) -> Response:
    form = {"name": name, "tax_id": tax_id, "iban": iban, "bic": bic, "country": country}
    # Every field is sent: a blank one clears the value on file, except the name, which the schema requires.
    values = {key: value.strip() if key == "name" else _text(value) for key, value in form.items()}
    return _change_vendor(request, viewer, vendor_id, values, "updated", form)


@router.post("/vendors/{vendor_id}/active", response_model=None)
def vendor_active_page(
    request: Request,
    viewer: Annotated[Viewer, Depends(page_require("settings:manage", back="/vendors/{vendor_id}", wording=MANAGE))],
    vendor_id: str, active: Annotated[str, Form(max_length=10)] = ""
) -> Response:
    """Activate (``active=yes``) or deactivate (anything else) the vendor."""
    on = active == "yes"
    return _change_vendor(request, viewer, vendor_id, {"active": on}, "activated" if on else "deactivated")


# -- purchase orders and goods receipts ----------------------------------------------------------------------


def _ordered_value(order: Any) -> Decimal:
    return sum((line.quantity * line.unit_price for line in order.lines), Decimal(0))


def _orders(request: Request, viewer: Viewer, *, page: str | None = None, error: str | None = None,
            form: dict[str, Any] | None = None, report: imports.ImportReport | None = None,
            status_code: int = 200) -> HTMLResponse:
    tenant = viewer.principal.tenant
    with session_scope(readonly=True) as session:
        vendors = masterdata.list_vendors(session, tenant)
        orders, pages = _page_of(masterdata.list_purchase_orders(session, tenant), page, "/purchase-orders", {})
        form = form or {"currency": "EUR", "lines": []}
        lines = list(form["lines"]) + [("", "", "")] * max(BLANK_LINES - len(form["lines"]), 1)
        return render(request, "invoices/purchase_orders.html", {
            "orders": [(order, _ordered_value(order)) for order in orders], "pager": pages,
            "vendor_names": {vendor.id: vendor.name for vendor in vendors}, "vendors": vendors,
            "error": error, "form": form, "form_lines": lines, "report": report, "can_manage": viewer.can(ADMIN),
            "max_csv_mb": MAX_CSV_MB, "nav": "orders", "tab": "orders",
        }, viewer=viewer, status_code=status_code)


@router.get("/purchase-orders", response_class=HTMLResponse, response_model=None)
def purchase_orders_page(request: Request, viewer: Annotated[Viewer, Depends(page_require("documents:read"))],
                         page: str | None = None) -> Response:
    return _orders(request, viewer, page=page)


@router.post("/purchase-orders", response_model=None)
def create_purchase_order_page(
    request: Request,
    viewer: Annotated[Viewer, Depends(page_require("settings:manage", back="/purchase-orders", wording=MANAGE))],
    number: Annotated[str, Form(max_length=1000)] = "",
    vendor_id: Annotated[str, Form(max_length=100)] = "", currency: Annotated[str, Form(max_length=100)] = "",
    order_date: Annotated[str, Form(max_length=100)] = "",
    description: Annotated[list[str] | None, Form()] = None, quantity: Annotated[list[str] | None, Form()] = None,
    unit_price: Annotated[list[str] | None, Form()] = None,
) -> Response:
    typed = [row for row in zip_longest(description or [], quantity or [], unit_price or [], fillvalue="")
             if any(cell.strip() for cell in row)]
    form = {"number": number, "vendor_id": vendor_id, "currency": currency, "order_date": order_date, "lines": typed}
    try:
        if not typed:
            raise InvalidRequest("Fill in at least one line: a description, the quantity and the unit price.")
        values = _valid(PurchaseOrderIn, {
            "number": number.strip(), "vendor_id": vendor_id or None, "currency": currency.strip(),
            "order_date": _text(order_date),
            "lines": [{"line_number": index, "description": text.strip(), "quantity": amount.strip(),
                       "unit_price": price.strip()} for index, (text, amount, price) in enumerate(typed, start=1)],
        }).model_dump()
        order_id = _save(viewer, lambda session: masterdata.create_purchase_order(
            session, viewer.principal.tenant, values, actor=viewer.principal, ip=request_ip(request)).id)
    except PaperclerkError as problem:
        return _orders(request, viewer, error=problem.message, form=form, status_code=problem.http_status)
    return RedirectResponse(f"/purchase-orders/{quote(order_id, safe='')}?done=ordered", status_code=303)


@router.post("/purchase-orders/import", response_model=None)
def import_purchase_orders_page(
    request: Request,
    viewer: Annotated[Viewer, Depends(page_require("settings:manage", back="/purchase-orders", wording=MANAGE))],
    file: Annotated[UploadFile | None, File()] = None
) -> Response:
    try:
        report = _import(request, viewer, file, imports.import_purchase_orders)
    except PaperclerkError as problem:
        return _orders(request, viewer, error=problem.message, status_code=problem.http_status)
    return _orders(request, viewer, report=report)


def _order(request: Request, viewer: Viewer, order_id: str, *, error: str | None = None,
           form: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    tenant = viewer.principal.tenant
    with session_scope(readonly=True) as session:
        try:
            order = masterdata.get_purchase_order(session, order_id, organization_id=tenant)
        except NotFound:
            return not_found(request, NO_ORDER, viewer)
        vendor = masterdata.get_vendor(session, order.vendor_id, organization_id=tenant)
        receipts = masterdata.list_goods_receipts(session, tenant, purchase_order_id=order.id)
        invoices, invoice_total, _ = service.list_invoices(session, service.InvoiceFilter(
            organization_id=tenant, purchase_order=order.number), limit=RECENT_INVOICES, offset=0)
        received: dict[int, Decimal] = defaultdict(Decimal)
        for receipt in receipts:
            for line in receipt.lines:
                received[line.line_number] += line.quantity
        return render(request, "invoices/purchase_order.html", {
            "order": order, "vendor": vendor, "receipts": receipts, "received": received, "invoices": invoices,
            "invoice_total": invoice_total,
            "value": _ordered_value(order), "error": error,
            "form": form or {"received_on": date.today().isoformat(), "quantities": {}},
            "done": DONE_MESSAGES.get(request.query_params.get("done", "")), "can_manage": viewer.can(ADMIN),
            "nav": "orders",
        }, viewer=viewer, status_code=status_code)


@router.get("/purchase-orders/{order_id}", response_class=HTMLResponse, response_model=None)
def purchase_order_page(request: Request, viewer: Annotated[Viewer, Depends(page_require("documents:read"))],
                        order_id: str) -> Response:
    return _order(request, viewer, order_id)


@router.post("/purchase-orders/{order_id}/goods-receipts", response_model=None)
def create_goods_receipt_page(
    request: Request,
    viewer: Annotated[Viewer, Depends(page_require("settings:manage", back="/purchase-orders/{order_id}",
                                                   wording=MANAGE))],
    order_id: str, number: Annotated[str, Form(max_length=1000)] = "",
    received_on: Annotated[str, Form(max_length=100)] = "", line_number: Annotated[list[str] | None, Form()] = None,
    quantity: Annotated[list[str] | None, Form()] = None
) -> Response:
    """Record goods received against the order: a quantity per order line (blank lines were not received)."""
    target = f"/purchase-orders/{quote(order_id, safe='')}"
    pairs = list(zip(line_number or [], quantity or [], strict=False))
    form = {"number": number, "received_on": received_on, "quantities": dict(pairs)}
    typed = [(line, amount.strip()) for line, amount in pairs if amount.strip()]
    try:
        if not typed:
            raise InvalidRequest("Fill in the quantity received of at least one line.")
        values = _valid(GoodsReceiptIn, {
            "number": number.strip(), "purchase_order_id": order_id, "received_on": received_on.strip(),
            "lines": [{"line_number": line, "quantity": amount} for line, amount in typed],
        }, [int(line) if line.isdigit() else 0 for line, _ in typed]).model_dump()
        _save(viewer, lambda session: masterdata.create_goods_receipt(
            session, viewer.principal.tenant, values, actor=viewer.principal, ip=request_ip(request)).id)
    except PaperclerkError as problem:
        if problem.code == "PURCHASE_ORDER_NOT_FOUND":
            return not_found(request, NO_ORDER, viewer)
        return _order(request, viewer, order_id, error=problem.message, form=form, status_code=problem.http_status)
    return RedirectResponse(f"{target}?done=received", status_code=303)


@router.get("/goods-receipts", response_class=HTMLResponse, response_model=None)
def goods_receipts_page(request: Request, viewer: Annotated[Viewer, Depends(page_require("documents:read"))],
                        page: str | None = None) -> Response:
    tenant = viewer.principal.tenant
    with session_scope(readonly=True) as session:
        orders = {order.id: order.number for order in masterdata.list_purchase_orders(session, tenant)}
        receipts, pages = _page_of(masterdata.list_goods_receipts(session, tenant), page, "/goods-receipts", {})
        return render(request, "invoices/goods_receipts.html", {
            "receipts": receipts, "order_numbers": orders, "pager": pages, "nav": "orders", "tab": "receipts",
        }, viewer=viewer)
