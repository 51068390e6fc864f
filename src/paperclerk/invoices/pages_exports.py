"""The export page: approved invoices out as CSV (chosen columns), JSON or UBL (zip), for ``documents:export``.

The form posts to a page route that calls the same export service as ``POST /api/v1/invoices/exports`` and answers
with the same file as an attachment; an export with nothing in it re-renders the page with the reason.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from paperclerk.auth.dependencies import request_ip
from paperclerk.core.db import session_scope
from paperclerk.core.errors import InvalidRequest, NotFound, PaperclerkError
from paperclerk.invoices import exports, service
from paperclerk.invoices.models import InvoiceStatus
from paperclerk.web.shell import Viewer, not_found, page_require, render

WORDING = "export invoices"  # what the 403 page says a caller without documents:export cannot do
FORMAT_LABELS = {"csv": "CSV (the columns chosen below)", "json": "JSON (every field and the line items)",
                 "ubl": "UBL 2.1 / Peppol BIS 3 XML, one file per invoice, zipped"}

router = APIRouter(include_in_schema=False)


def _exports(request: Request, viewer: Viewer, *, choice: dict[str, Any] | None = None, error: str | None = None,
             status_code: int = 200) -> HTMLResponse:
    tenant = viewer.principal.tenant
    with session_scope(readonly=True) as session:
        _, waiting, _ = service.list_invoices(session, service.InvoiceFilter(organization_id=tenant,
                                                                             status=InvoiceStatus.APPROVED),
                                              limit=0, offset=0)
        recent = exports.recent_exports(session, tenant)
    return render(request, "invoices/exports.html", {
        "waiting": waiting, "recent": recent, "error": error, "formats": FORMAT_LABELS, "columns": exports.COLUMNS,
        "choice": choice or {"format": "csv", "columns": list(exports.DEFAULT_COLUMNS), "include_exported": False},
        "nav": "exports",
    }, viewer=viewer, status_code=status_code)


@router.get("/exports", response_class=HTMLResponse, response_model=None)
def exports_page(
    request: Request, viewer: Annotated[Viewer, Depends(page_require("documents:export", wording=WORDING))]
) -> Response:
    return _exports(request, viewer)


@router.get("/exports/{export_id}/download", response_model=None)
def download_page(
    request: Request, viewer: Annotated[Viewer, Depends(page_require("documents:export", wording=WORDING))],
    export_id: str
) -> Response:
    """An earlier export's file again, exactly as it was handed over."""
    try:
        with session_scope(readonly=True) as session:
            result = exports.get_export(session, export_id, organization_id=viewer.principal.tenant)
    except NotFound:
        return not_found(request, "There is no export with this id.", viewer)
    return Response(result.content, media_type=result.media_type, headers=result.headers)


@router.post("/exports", response_model=None)
def export_page(
    request: Request,
    viewer: Annotated[Viewer, Depends(page_require("documents:export", back="/exports", wording=WORDING))],
    format: Annotated[str, Form(max_length=10)] = "csv", columns: Annotated[list[str] | None, Form()] = None,
    include_exported: Annotated[str, Form(max_length=10)] = ""
) -> Response:
    """The export file as a download (exactly the API's answer), or the page with the reason there is none."""
    choice: dict[str, Any] = {"format": format, "columns": columns or [], "include_exported": include_exported == "yes"}
    try:
        if format == "csv" and not columns:
            raise InvalidRequest("Choose at least one column for the CSV file.", code="NO_COLUMNS")
        with session_scope() as session:
            result = exports.export(session, viewer.principal.tenant, format=format, columns=columns,
                                    include_exported=choice["include_exported"], actor=viewer.principal,
                                    ip=request_ip(request))
    except PaperclerkError as problem:
        return _exports(request, viewer, choice=choice, error=problem.message, status_code=problem.http_status)
    return Response(result.content, media_type=result.media_type, headers=result.headers)
