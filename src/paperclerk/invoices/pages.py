"""Web pages of the AP-invoice inbox and review; their data and every change come from the invoice services.

Forms post to page routes that call the same workflow functions as the API and redirect back (303); a refused
change (e.g. approving while a critical finding is open) re-renders the review page with the reason.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from paperclerk.auth.dependencies import request_ip
from paperclerk.config import get_settings
from paperclerk.core.db import read_session, session_scope
from paperclerk.core.errors import ExtractionError, InvalidRequest, NotFound, PaperclerkError
from paperclerk.documents.models import Document, Page
from paperclerk.extraction.page_images import has_page_images, page_png
from paperclerk.invoices import policy, service, workflow
from paperclerk.invoices.models import OPEN_STATUSES, Invoice, InvoiceStatus
from paperclerk.invoices.reading import FIELDS
from paperclerk.invoices.schemas import FindingOut, InvoiceDetail, InvoiceSummary, LineIn
from paperclerk.web.shell import Viewer, not_found, page_number, page_require, pager, render

PAGE_SIZE = 25
RENDER_DPI = 100
NO_INVOICE = "There is no invoice with this id. It may have been deleted, or the link may be incomplete."
DONE_MESSAGES = {"corrected": "The field was corrected; the checks ran again.",
                 "line": "The line was changed; the checks ran again.",
                 "dismissed": "The finding was dismissed.", "approved": "The invoice was approved for payment.",
                 "rejected": "The invoice was rejected."}

router = APIRouter(include_in_schema=False)


def _status(value: str | None) -> str | None:
    return value if value in {status.value for status in InvoiceStatus} else None


def _flagged(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


@router.get("/invoices", response_class=HTMLResponse, response_model=None)
def invoices_page(
    request: Request, viewer: Annotated[Viewer, Depends(page_require("documents:read"))],
    session: Annotated[Session, Depends(read_session)], status: str | None = None, flagged: str | None = None,
    page: str | None = None
) -> Response:
    filters = service.InvoiceFilter(organization_id=viewer.principal.tenant, status=_status(status),
                                    flagged=_flagged(flagged))
    number = page_number(page)
    items, total, counts = service.list_invoices(session, filters, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    flagged_ids: set[str] = set()
    if items:
        flagged_ids = set(session.scalars(select(Invoice.id).where(
            Invoice.id.in_([item.id for item in items]), service.flagged_clause())))
    rows = [(InvoiceSummary.model_validate(item).model_copy(update={"open_findings": counts.get(item.id, 0)}),
             item.id in flagged_ids) for item in items]
    params = {"status": filters.status, "flagged": flagged if filters.flagged is not None else None}
    return render(request, "invoices/list.html", {
        "rows": rows, "status": filters.status or "", "flagged": params["flagged"] or "",
        "invoice_statuses": [status.value for status in InvoiceStatus],
        "pager": pager("/invoices", params, number, total, PAGE_SIZE), "nav": "invoices",
        "can_upload": viewer.can("documents:upload"), "max_upload_mb": get_settings().max_upload_mb,
    }, viewer=viewer)


#: The header fields a person may enter or correct on the review page, in the order shown (present or not).
EDITABLE_FIELDS = tuple(name for name in FIELDS if name not in ("document_type", "missing_pages"))


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _boxes(detail: InvoiceDetail, pages: list[Page]) -> list[dict[str, Any]]:
    """Per page: its size (the SVG viewBox) and the evidence boxes of the fields read on it, each with the field's
    name for its label (a corrected field's box shows where the value it replaced was read)."""
    result = []
    for page in pages:
        if not page.width or not page.height:
            continue
        boxes = [{"field": field.name, "label": _label(field.name), "x": field.bbox[0], "y": field.bbox[1],
                  "width": max(field.bbox[2] - field.bbox[0], 0), "height": max(field.bbox[3] - field.bbox[1], 0),
                  "corrected": field.corrected}
                 for field in detail.fields if field.page == page.number and field.bbox and len(field.bbox) == 4]
        result.append({"number": page.number, "width": page.width, "height": page.height, "boxes": boxes})
    return result


def _header_fields(detail: InvoiceDetail) -> list[dict[str, Any]]:
    """Every editable header field with what was read or entered (``field`` None: not read), then any other field
    the reader found."""
    found = {field.name: field for field in detail.fields}
    names = [*EDITABLE_FIELDS, *(name for name in found if name not in EDITABLE_FIELDS)]
    return [{"name": name, "label": _label(name), "field": found.get(name), "editable": name in EDITABLE_FIELDS}
            for name in names]


def _review(request: Request, viewer: Viewer, invoice_id: str, *, error: str | None = None,
            status_code: int = 200) -> Response:
    tenant = viewer.principal.tenant
    with session_scope(readonly=True) as session:
        try:
            invoice = service.get(session, invoice_id, organization_id=tenant, full=True)
        except NotFound:
            return not_found(request, NO_INVOICE, viewer)
        detail = InvoiceDetail.of(invoice, page_count=service.page_count(session, invoice))
        pages = list(session.scalars(select(Page).where(Page.document_id == invoice.document_id)
                                     .order_by(Page.number)))
        page_views = _boxes(detail, pages)
        blocking, overridable = workflow.approval_blockers(session, invoice)
        date_hint = service.DATE_EXAMPLES[policy.rule_config(session, tenant).date_order]
    editable = detail.status in OPEN_STATUSES
    return render(request, "invoices/review.html", {
        "inv": detail, "lines": [line.model_dump(mode="json") for line in detail.lines], "pages": page_views,
        "header_fields": _header_fields(detail), "date_hint": date_hint, "error": error, "nav": "invoices",
        "blocking": [FindingOut.of(item) for item in blocking],
        "overridable": [FindingOut.of(item) for item in overridable],
        "done": DONE_MESSAGES.get(request.query_params.get("done", "")),
        "can_correct": editable and viewer.can("documents:correct"),
        "can_dismiss": editable and viewer.can("documents:dismiss"),
        "can_decide": editable and viewer.can("documents:approve") and viewer.can("documents:reject"),
    }, viewer=viewer, status_code=status_code)


@router.get("/invoices/{invoice_id}", response_class=HTMLResponse, response_model=None)
def invoice_page(
    request: Request, viewer: Annotated[Viewer, Depends(page_require("documents:read"))], invoice_id: str
) -> Response:
    return _review(request, viewer, invoice_id)


@router.get("/invoices/{invoice_id}/pages/{number}.png", response_model=None)
def page_image(
    request: Request, viewer: Annotated[Viewer, Depends(page_require("documents:read"))], invoice_id: str, number: int,
    session: Annotated[Session, Depends(read_session)]
) -> Response:
    try:
        invoice = service.get(session, invoice_id, organization_id=viewer.principal.tenant)
    except NotFound:
        return not_found(request, NO_INVOICE, viewer)
    document = session.get(Document, invoice.document_id)
    if document is None or number < 1 or number > (document.page_count or 0):
        return not_found(request, "This invoice has no such page.", viewer)
    if not has_page_images(document.media_type):
        return not_found(request, "This invoice has no page images.", viewer)
    try:
        png = page_png(document.sha256, document.media_type, number, dpi=RENDER_DPI, settings=get_settings())
    except NotFound:  # a TIFF with fewer frames than pages read
        return not_found(request, "This invoice has no such page.", viewer)
    except ExtractionError as problem:  # too complex to render within the sandbox's limits
        return Response(problem.message, status_code=422, media_type="text/plain")
    return Response(png, media_type="image/png",
                    headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"})


def _change(request: Request, viewer: Viewer, invoice_id: str, done: str, action: Any) -> Response:
    """Run one workflow change as the viewer; back to the review page, or the page with the reason it was refused."""
    target = f"/invoices/{quote(invoice_id, safe='')}"
    try:
        with session_scope() as session:
            action(session, viewer)
    except PaperclerkError as problem:  # refused (409 critical findings open, 400 bad value, unknown finding …)
        if problem.code == "INVOICE_NOT_FOUND":
            return not_found(request, NO_INVOICE, viewer)
        return _review(request, viewer, invoice_id, error=problem.message, status_code=problem.http_status)
    return RedirectResponse(f"{target}?done={done}", status_code=303)


@router.post("/invoices/{invoice_id}/corrections", response_model=None)
def correct_page(
    request: Request,
    viewer: Annotated[Viewer, Depends(page_require("documents:correct", back="/invoices/{invoice_id}"))],
    invoice_id: str, field: Annotated[str, Form(max_length=40)], value: Annotated[str, Form(max_length=2000)] = ""
) -> Response:
    return _change(request, viewer, invoice_id, "corrected", lambda session, viewer: workflow.correct(
        session, invoice_id, organization_id=viewer.principal.tenant, field=field, value=value.strip() or None,
        actor=viewer.principal, ip=request_ip(request)))


@router.post("/invoices/{invoice_id}/findings/{finding_id}/dismiss", response_model=None)
def dismiss_page(
    request: Request,
    viewer: Annotated[Viewer, Depends(page_require("documents:dismiss", back="/invoices/{invoice_id}"))],
    invoice_id: str, finding_id: str, reason: Annotated[str, Form(max_length=2000)] = ""
) -> Response:
    def action(session: Session, viewer: Viewer) -> None:
        if not reason.strip():
            raise InvalidRequest("Give a reason for dismissing the finding.")
        workflow.dismiss(session, invoice_id, finding_id, organization_id=viewer.principal.tenant,
                         reason=reason.strip(), actor=viewer.principal, ip=request_ip(request))

    return _change(request, viewer, invoice_id, "dismissed", action)


@router.post("/invoices/{invoice_id}/approve", response_model=None)
def approve_page(
    request: Request,
    viewer: Annotated[Viewer, Depends(page_require("documents:approve", back="/invoices/{invoice_id}"))],
    invoice_id: str, reason: Annotated[str, Form(max_length=2000)] = ""
) -> Response:
    return _change(request, viewer, invoice_id, "approved", lambda session, viewer: workflow.approve(
        session, invoice_id, organization_id=viewer.principal.tenant, actor=viewer.principal, reason=reason,
        ip=request_ip(request)))


@router.post("/invoices/{invoice_id}/reject", response_model=None)
def reject_page(
    request: Request,
    viewer: Annotated[Viewer, Depends(page_require("documents:reject", back="/invoices/{invoice_id}"))],
    invoice_id: str, reason: Annotated[str, Form(max_length=2000)] = ""
) -> Response:
    def action(session: Session, viewer: Viewer) -> None:
        if not reason.strip():
            raise InvalidRequest("Give a reason for rejecting the invoice.")
        workflow.reject(session, invoice_id, organization_id=viewer.principal.tenant, reason=reason.strip(),
                        actor=viewer.principal, ip=request_ip(request))

    return _change(request, viewer, invoice_id, "rejected", action)


_LINE_FORM = Annotated[str, Form(max_length=2000)]


@router.post("/invoices/{invoice_id}/lines", response_model=None)
def add_line_page(
    request: Request,
    viewer: Annotated[Viewer, Depends(page_require("documents:correct", back="/invoices/{invoice_id}"))],
    invoice_id: str, description: _LINE_FORM = "", quantity: _LINE_FORM = "", unit_price: _LINE_FORM = "",
    amount: _LINE_FORM = "", tax_rate: _LINE_FORM = ""
) -> Response:
    values = {"description": description, "quantity": quantity, "unit_price": unit_price, "amount": amount,
              "tax_rate": tax_rate}
    return _change_line(request, viewer, invoice_id, None, values)


@router.post("/invoices/{invoice_id}/lines/{position}", response_model=None)
def correct_line_page(
    request: Request,
    viewer: Annotated[Viewer, Depends(page_require("documents:correct", back="/invoices/{invoice_id}"))],
    invoice_id: str, position: int, description: _LINE_FORM = "", quantity: _LINE_FORM = "",
    unit_price: _LINE_FORM = "", amount: _LINE_FORM = "", tax_rate: _LINE_FORM = ""
) -> Response:
    values = {"description": description, "quantity": quantity, "unit_price": unit_price, "amount": amount,
              "tax_rate": tax_rate}
    return _change_line(request, viewer, invoice_id, position, values)


@router.post("/invoices/{invoice_id}/lines/{position}/remove", response_model=None)
def remove_line_page(
    request: Request,
    viewer: Annotated[Viewer, Depends(page_require("documents:correct", back="/invoices/{invoice_id}"))],
    invoice_id: str, position: int
) -> Response:
    return _change_line(request, viewer, invoice_id, position, None)


def _line_values(form: dict[str, str]) -> dict[str, Any]:
    """The line form typed by the API's own ``LineIn`` (an empty number clears it); the first value refused,
    in words."""
    try:
        return LineIn.model_validate({name: " ".join(text.split()) or None for name, text in form.items()}).model_dump()
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0])
        raise InvalidRequest(f"{form.get(name, '')!r} is not a valid {name.replace('_', ' ')}: {error['msg']}.",
                             code="INVALID_LINE_VALUE", details={"field": name}) from None


def _change_line(request: Request, viewer: Viewer, invoice_id: str, position: int | None,
                 values: dict[str, str] | None) -> Response:
    def action(session: Session, viewer: Viewer) -> None:
        workflow.correct_line(session, invoice_id, position, organization_id=viewer.principal.tenant,
                              values=None if values is None else _line_values(values),
                              actor=viewer.principal, ip=request_ip(request))

    return _change(request, viewer, invoice_id, "line", action)
