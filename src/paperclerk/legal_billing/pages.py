"""Pages of the legal e-billing line: the law-firm invoices in review, one invoice's review (lines with their
proposed adjustments and findings; accept, reduce or reject a line; approve or reject), the guidelines, the master
data and the spend dashboard."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from paperclerk.auth.dependencies import request_ip
from paperclerk.config import get_settings
from paperclerk.core.db import session_scope
from paperclerk.core.errors import NotFound, PaperclerkError
from paperclerk.legal_billing import dashboard, masterdata, service, utbms, workflow
from paperclerk.legal_billing.guidelines import MAX_GUIDELINES_BYTES, parse_guidelines
from paperclerk.legal_billing.models import LegalInvoiceStatus
from paperclerk.web.shell import Viewer, not_found, page_number, page_require, pager, render

router = APIRouter(include_in_schema=False)
BACK = "/legal/invoices/{invoice_id}"
Correct = Annotated[Viewer, Depends(page_require("documents:correct", back=BACK))]
Approve = Annotated[Viewer, Depends(page_require("documents:approve", back=BACK))]
Reject = Annotated[Viewer, Depends(page_require("documents:reject", back=BACK))]
ManageData = Annotated[Viewer, Depends(page_require("settings:manage", back="/legal/master-data"))]
NO_INVOICE = "There is no such legal invoice."
PAGE_SIZE = 50


@router.get("/legal/invoices", response_class=HTMLResponse, response_model=None)
def invoices_page(request: Request, viewer: Annotated[Viewer, Depends(page_require("documents:read"))],
                  status: Annotated[str, Query(max_length=20)] = "",
                  page: Annotated[str | None, Query(max_length=10)] = None) -> Response:
    chosen = status if status in {item.value for item in LegalInvoiceStatus} else None
    number = page_number(page)
    with session_scope(readonly=True) as session:
        items, total = service.list_invoices(session, viewer.principal.tenant, status=chosen, limit=PAGE_SIZE,
                                             offset=(number - 1) * PAGE_SIZE)
        return render(request, "legal_billing/invoices.html", {
            "invoices": items, "status": chosen or "", "statuses": [item.value for item in LegalInvoiceStatus],
            "pager": pager("/legal/invoices", {"status": chosen or ""}, number, total, PAGE_SIZE),
            "can_upload": viewer.can("documents:upload"), "max_upload_mb": get_settings().max_upload_mb,
            "nav": "legal_invoices"}, viewer=viewer)


def _review(request: Request, viewer: Viewer, invoice_id: str, *, error: str | None = None,
            status_code: int = 200) -> HTMLResponse:
    with session_scope(readonly=True) as session:
        try:
            invoice = service.get_invoice(session, viewer.principal.tenant, invoice_id)
        except NotFound:
            return not_found(request, NO_INVOICE, viewer)
        flagged: dict[int, list[Any]] = {}
        for finding in invoice.findings:
            for number in finding.lines or [0]:
                flagged.setdefault(number, []).append(finding)
        return render(request, "legal_billing/review.html", {
            "invoice": invoice, "flagged": flagged, "error": error, "describe": utbms.describe,
            "done": request.query_params.get("done", "")[:20], "open": invoice.status in service.OPEN_STATUSES,
            "nav": "legal_invoices"}, viewer=viewer, status_code=status_code)


@router.get("/legal/invoices/{invoice_id}", response_class=HTMLResponse, response_model=None)
def review_page(request: Request, viewer: Annotated[Viewer, Depends(page_require("documents:read"))],
                invoice_id: str) -> Response:
    return _review(request, viewer, invoice_id)


def _change(request: Request, viewer: Viewer, invoice_id: str, done: str, action: Any) -> Response:
    try:
        with session_scope() as session:
            action(session)
    except PaperclerkError as problem:
        if problem.http_status == 404 and problem.code == "NOT_FOUND" and "line" not in problem.details:
            return not_found(request, NO_INVOICE, viewer)
        return _review(request, viewer, invoice_id, error=problem.message, status_code=problem.http_status)
    return RedirectResponse(f"/legal/invoices/{quote(invoice_id, safe='')}?done={done}", status_code=303)


@router.post("/legal/invoices/{invoice_id}/lines/{number}/decision", response_model=None)
def decide_page(request: Request,
                viewer: Correct,
                invoice_id: str, number: int, decision: Annotated[str, Form(max_length=10)] = "",
                reason: Annotated[str, Form(max_length=2000)] = "",
                amount: Annotated[str, Form(max_length=30)] = "") -> Response:
    def action(session: Session) -> None:
        try:
            value = Decimal(amount.strip()) if amount.strip() else None
        except InvalidOperation:
            value = Decimal(-1)  # refused as an invalid amount below
        workflow.decide_line(session, viewer.principal.tenant, invoice_id, number, decision=decision, reason=reason,
                             amount=value, actor=viewer.principal, ip=request_ip(request))

    return _change(request, viewer, invoice_id, "line", action)


@router.post("/legal/invoices/{invoice_id}/approve", response_model=None)
def approve_page(request: Request,
                 viewer: Approve,
                 invoice_id: str) -> Response:
    return _change(request, viewer, invoice_id, "approved", lambda session: workflow.approve(
        session, viewer.principal.tenant, invoice_id, actor=viewer.principal, ip=request_ip(request)))


@router.post("/legal/invoices/{invoice_id}/reject", response_model=None)
def reject_page(request: Request,
                viewer: Reject,
                invoice_id: str, reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    return _change(request, viewer, invoice_id, "rejected", lambda session: workflow.reject(
        session, viewer.principal.tenant, invoice_id, reason=reason, actor=viewer.principal, ip=request_ip(request)))


def _guidelines(request: Request, viewer: Viewer, *, error: str | None = None, notice: str | None = None,
                status_code: int = 200) -> HTMLResponse:
    from paperclerk.legal_billing.guidelines import dump_guidelines

    with session_scope(readonly=True) as session:
        current = service.get_guidelines(session, viewer.principal.tenant)
    from paperclerk.legal_billing.rules import RULES

    return render(request, "legal_billing/guidelines.html", {
        "text": dump_guidelines(current), "rules": RULES, "error": error, "notice": notice,
        "can_manage": viewer.can("rules:manage"), "nav": "legal_invoices"}, viewer=viewer, status_code=status_code)


@router.get("/legal/guidelines", response_class=HTMLResponse, response_model=None)
def guidelines_page(request: Request, viewer: Annotated[Viewer, Depends(page_require("documents:read"))]) -> Response:
    return _guidelines(request, viewer)


@router.post("/legal/guidelines", response_model=None)
def import_guidelines_page(request: Request,
                           viewer: Annotated[Viewer, Depends(page_require("rules:manage", back="/legal/guidelines"))],
                           file: Annotated[UploadFile | None, File()] = None) -> Response:
    try:
        if file is None:
            raise PaperclerkError("Choose a YAML or JSON file.", code="NO_FILE", http_status=400)
        guidelines = parse_guidelines(file.file.read(MAX_GUIDELINES_BYTES + 1), source=file.filename or "guidelines")
        with session_scope() as session:
            count = workflow.set_guidelines(session, viewer.principal.tenant, guidelines, actor=viewer.principal,
                                            ip=request_ip(request))
    except PaperclerkError as problem:
        return _guidelines(request, viewer, error=problem.message, status_code=problem.http_status)
    return _guidelines(request, viewer, notice=f"Guidelines imported; {count} invoice(s) in review re-checked.")


def _masterdata(request: Request, viewer: Viewer, *, report: dict[str, Any] | None = None, error: str | None = None,
                status_code: int = 200) -> HTMLResponse:
    tenant = viewer.principal.tenant
    with session_scope(readonly=True) as session:
        return render(request, "legal_billing/masterdata.html", {
            "firms": masterdata.list_firms(session, tenant), "matters": masterdata.list_matters(session, tenant),
            "timekeepers": masterdata.list_timekeepers(session, tenant), "report": report, "error": error,
            "can_manage": viewer.can("settings:manage"), "nav": "legal_invoices"}, viewer=viewer,
            status_code=status_code)


@router.get("/legal/master-data", response_class=HTMLResponse, response_model=None)
def masterdata_page(request: Request, viewer: Annotated[Viewer, Depends(page_require("documents:read"))]) -> Response:
    return _masterdata(request, viewer)


@router.post("/legal/master-data", response_model=None)
def import_masterdata_page(request: Request,
                           viewer: ManageData,
                           kind: Annotated[str, Form(max_length=20)] = "",
                           file: Annotated[UploadFile | None, File()] = None) -> Response:
    try:
        if file is None:
            raise PaperclerkError("Choose a CSV file.", code="NO_FILE", http_status=400)
        text = masterdata.csv_text(file.file)
        with session_scope() as session:
            outcome = masterdata.import_csv(session, viewer.principal.tenant, kind, text, actor=viewer.principal,
                                            ip=request_ip(request))
            service.rereview_open(session, viewer.principal.tenant)
    except PaperclerkError as problem:
        return _masterdata(request, viewer, error=problem.message, status_code=problem.http_status)
    return _masterdata(request, viewer, report={
        "kind": kind, "created": outcome.created, "updated": outcome.updated,
        "rejected": [(problem["row"], problem["message"]) for problem in outcome.problems]})


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("/legal/dashboard", response_class=HTMLResponse, response_model=None)
def dashboard_page(request: Request, viewer: Annotated[Viewer, Depends(page_require("documents:read"))],
                   firm: Annotated[str, Query(max_length=200)] = "", matter: Annotated[str, Query(max_length=60)] = "",
                   start: Annotated[str, Query(max_length=10)] = "", end: Annotated[str, Query(max_length=10)] = ""
                   ) -> Response:
    filters = dashboard.DashboardFilter(firm=firm or None, matter=matter or None, start=_date(start), end=_date(end))
    with session_scope(readonly=True) as session:
        board = dashboard.build(session, viewer.principal.tenant, filters)
    charts = [
        ("Spend by law firm", dashboard.bars(board.by_firm), "firm"),
        ("Spend by matter", dashboard.bars(board.by_matter), "matter"),
        ("Spend by timekeeper (fees)", dashboard.bars(board.by_timekeeper), "timekeeper"),
        ("Spend by UTBMS phase", dashboard.bars(board.by_phase), "phase"),
        ("Spend by month", dashboard.bars(board.by_month), "month"),
        ("Top flagged rules (findings)", dashboard.bars(board.top_rules, money=False), "rules"),
        ("Invoices waiting for review, by age", dashboard.bars(board.waiting_by_age, money=False), "waiting"),
    ]
    return render(request, "legal_billing/dashboard.html", {
        "board": board, "charts": charts, "filters": {"firm": firm, "matter": matter, "start": start, "end": end},
        "nav": "legal_dashboard"}, viewer=viewer)
