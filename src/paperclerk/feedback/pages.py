"""The business's pages (dashboard, one feedback with its fraud findings, export, programme and stores with their QR
codes) and the operator's admin dashboard (businesses, fraud queue, rewards owed, model status, platform figures).

The admin dashboard belongs to the organisation named by ``feedback_operator_organization``: for anyone else its
addresses do not exist (404), whatever their role.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from paperclerk.auth.models import Organization
from paperclerk.config import get_settings
from paperclerk.core.db import session_scope
from paperclerk.core.errors import NotFound, PaperclerkError
from paperclerk.feedback import dashboard, ledger, payouts, program, sessions, speech, transactions
from paperclerk.feedback.models import FeedbackSession, LedgerEntry
from paperclerk.web.shell import Viewer, not_found, page_require, render

router = APIRouter(include_in_schema=False)
Read = Annotated[Viewer, Depends(page_require("feedback:read"))]
Manage = Annotated[Viewer, Depends(page_require("feedback:manage", back="/feedback/settings"))]
Review = Annotated[Viewer, Depends(page_require("feedback:review", back="/feedback"))]
Operate = Annotated[Viewer, Depends(page_require("feedback:operate", back="/feedback/admin"))]
Import = Annotated[Viewer, Depends(page_require("feedback:import", back="/feedback/settings"))]
#: The largest POS export one upload may be.
MAX_CSV_BYTES = 20_000_000
NO_FEEDBACK = "There is no such feedback."


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters(store: str, since: str, until: str, q: str) -> dashboard.Filters:
    return dashboard.Filters(store_id=store, since=_date(since), until=_date(until), q=q)


@router.get("/feedback", response_class=HTMLResponse, response_model=None)
def dashboard_page(request: Request, viewer: Read, store: Annotated[str, Query(max_length=36)] = "",
                   since: Annotated[str, Query(max_length=10)] = "", until: Annotated[str, Query(max_length=10)] = "",
                   q: Annotated[str, Query(max_length=200)] = "") -> Response:
    filters = _filters(store, since, until, q)
    with session_scope(readonly=True) as session:
        summary = dashboard.overview(session, viewer.principal.tenant, filters)
        stores = program.stores(session, viewer.principal.tenant)
        queue = sessions.open_findings(session, viewer.principal.tenant, limit=20)
        return render(request, "feedback/dashboard.html", {
            "summary": summary, "stores": stores, "store_names": {item.id: item.name for item in stores},
            "filters": {"store": store, "since": since, "until": until, "q": q}, "queue": queue,
            "query": request.url.query, "nav": "feedback"}, viewer=viewer)


@router.get("/feedback/export.csv", response_model=None)
def export_page(viewer: Read, store: Annotated[str, Query(max_length=36)] = "",
                since: Annotated[str, Query(max_length=10)] = "", until: Annotated[str, Query(max_length=10)] = "",
                q: Annotated[str, Query(max_length=200)] = "") -> Response:
    with session_scope(readonly=True) as session:
        body = dashboard.export_csv(session, viewer.principal.tenant, _filters(store, since, until, q))
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="feedback.csv"'})


def _session_page(request: Request, viewer: Viewer, session: Session, feedback: FeedbackSession,
                  error: str | None = None, status_code: int = 200) -> HTMLResponse:
    store = program.store_of(session, feedback.organization_id, feedback.store_id)
    return render(request, "feedback/session.html", {
        "feedback": feedback, "store": store, "findings": dashboard.findings_of(session, feedback.id),
        "error": error, "nav": "feedback"}, viewer=viewer, status_code=status_code)


@router.get("/feedback/sessions/{session_id}", response_class=HTMLResponse, response_model=None)
def session_page(request: Request, viewer: Read, session_id: str) -> Response:
    with session_scope(readonly=True) as session:
        try:
            feedback = sessions.feedback_of(session, viewer.principal.tenant, session_id)
        except NotFound:
            return not_found(request, NO_FEEDBACK, viewer)
        return _session_page(request, viewer, session, feedback)


@router.post("/feedback/findings/{finding_id}/decision", response_model=None)
def decide_page(request: Request, viewer: Review, finding_id: str,
                decision: Annotated[str, Form(max_length=20)] = "",
                note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    with session_scope() as session:
        try:
            finding = sessions.decide(session, viewer.principal, finding_id, uphold=decision == "uphold", note=note)
        except NotFound:
            return not_found(request, "There is no such finding.", viewer)
        except PaperclerkError as exc:
            session.rollback()
            return render(request, "feedback/message.html", {"message": exc.message, "nav": "feedback"},
                          viewer=viewer, status_code=exc.http_status)
        target = f"/feedback/sessions/{finding.session_id}"
    return RedirectResponse(target, status_code=303)


def _settings_page(request: Request, viewer: Viewer, error: str | None = None, status_code: int = 200,
                   saved: bool = False, imported: dict[str, Any] | None = None) -> HTMLResponse:
    with session_scope() as session:
        current = program.program_of(session, viewer.principal.tenant)
        stores = program.stores(session, viewer.principal.tenant)
        base = get_settings().public_url.rstrip("/")
        return render(request, "feedback/settings.html", {
            "program": current, "tiers": program.tiers_of(current), "stores": stores, "base_url": base,
            "error": error, "saved": saved, "imported": imported, "nav": "feedback"}, viewer=viewer,
            status_code=status_code)


@router.get("/feedback/settings", response_class=HTMLResponse, response_model=None)
def settings_page(request: Request, viewer: Manage) -> Response:
    return _settings_page(request, viewer, saved=request.query_params.get("saved") == "1")


def _tier_rows(form: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for index in range(6):
        name = str(form.get(f"tier_name_{index}", "")).strip()
        if name:
            rows.append({"name": name, "min_score": form.get(f"tier_min_{index}", ""),
                         "reward_percent": form.get(f"tier_percent_{index}", "")})
    return rows


@router.post("/feedback/settings", response_model=None)
async def settings_save(request: Request, viewer: Manage) -> Response:
    form = dict(await request.form())
    changes: dict[str, Any] = {
        "categories": [item.strip() for item in str(form.get("categories", "")).split(",")],
        "reward_amount": form.get("reward_amount", ""), "currency": form.get("currency", ""),
        "commission_percent": form.get("commission_percent", ""),
        "amount_tolerance": form.get("amount_tolerance", ""),
        "time_tolerance_minutes": form.get("time_tolerance_minutes", ""),
    }
    if tiers := _tier_rows(form):
        changes["tiers"] = tiers
    with session_scope() as session:
        try:
            program.update_program(session, viewer.principal, changes)
        except PaperclerkError as exc:
            session.rollback()
            return _settings_page(request, viewer, error=exc.message, status_code=exc.http_status)
    return RedirectResponse("/feedback/settings?saved=1", status_code=303)


@router.post("/feedback/stores", response_model=None)
def store_create(request: Request, viewer: Manage, name: Annotated[str, Form(max_length=200)] = "",
                 pos_ref: Annotated[str, Form(max_length=120)] = "") -> Response:
    with session_scope() as session:
        try:
            program.create_store(session, viewer.principal, name, pos_ref)
        except PaperclerkError as exc:
            session.rollback()
            return _settings_page(request, viewer, error=exc.message, status_code=exc.http_status)
    return RedirectResponse("/feedback/settings?saved=1", status_code=303)


@router.post("/feedback/transactions", response_model=None)
def transactions_upload(request: Request, viewer: Import, file: Annotated[UploadFile, File()],
                        timezone: Annotated[str, Form(max_length=60)] = "Europe/Stockholm") -> Response:
    """POS transactions from a CSV export (``feedback.pos.csv_source``: its columns, per-row errors)."""
    from paperclerk.feedback.pos.csv_source import read_csv

    content = file.file.read(MAX_CSV_BYTES + 1)
    if len(content) > MAX_CSV_BYTES:
        return _settings_page(request, viewer, error=f"The file is larger than {MAX_CSV_BYTES // 1_000_000} MB.",
                              status_code=413)
    with session_scope() as session:
        try:
            current = program.program_of(session, viewer.principal.tenant)
            read = read_csv(content, currency=current.currency, timezone=timezone)
            result = transactions.import_transactions(session, viewer.principal, read.transactions)
        except PaperclerkError as exc:
            session.rollback()
            return _settings_page(request, viewer, error=exc.message, status_code=exc.http_status)
    return _settings_page(request, viewer, imported={
        "created": result.created, "already_known": result.already_known, "unmatched": result.unmatched_stores,
        "errors": [f"line {error.line}: {error.message}" for error in read.errors[:20]],
        "error_count": len(read.errors)})


@router.get("/feedback/stores/{store_id}/qr.svg", response_model=None)
def store_qr(request: Request, viewer: Read, store_id: str) -> Response:
    with session_scope(readonly=True) as session:
        try:
            store = program.store_of(session, viewer.principal.tenant, store_id)
        except NotFound:
            return not_found(request, "There is no such store.", viewer)
        url = f"{get_settings().public_url.rstrip('/')}/f/{store.code}"
    return Response(program.qr_svg(url), media_type="image/svg+xml")


def _is_operator(session: Session, viewer: Viewer) -> bool:
    slug = get_settings().feedback_operator_organization.strip()
    if not slug:
        return False
    organization = session.get(Organization, viewer.principal.tenant)
    return organization is not None and organization.slug == slug


@router.get("/feedback/admin", response_class=HTMLResponse, response_model=None)
def admin_page(request: Request, viewer: Operate) -> Response:
    with session_scope(readonly=True) as session:
        if not _is_operator(session, viewer):
            return not_found(request, "There is no such page.", viewer)
        figures = dashboard.platform(session)
        queue = sessions.open_findings(session, None, limit=50)
        names = dict(session.execute(select(Organization.id, Organization.name)).all())
        owed = ledger.balances(session, ledger.CLEARING)
        commission = ledger.balances(session, ledger.COMMISSION)
        customers_owed = _owed_per_currency(session)
        settings = get_settings()
        model = {"speech": speech.MODEL_NAME, "speech_loaded": speech.model_loaded(),
                 "speech_dir": str(settings.data_dir / "models" / speech.MODEL_NAME),
                 "languages": ", ".join(settings.feedback_languages),
                 "llm": settings.llm_model if settings.llm_url else "", "scoring": "offline (lexicon, en + sv)"}
        return render(request, "feedback/admin.html", {
            "figures": figures, "queue": queue, "names": names, "paid_out": owed, "commission": commission,
            "customers_owed": customers_owed, "model": model, "batches": payouts.batches(session),
            "providers": payouts.PROVIDERS, "done": request.query_params.get("done", "")[:80], "nav": "feedback"},
            viewer=viewer)


@router.post("/feedback/admin/payouts", response_model=None)
def admin_payouts(request: Request, viewer: Operate, provider: Annotated[str, Form(max_length=20)] = "manual",
                  currency: Annotated[str, Form(max_length=3)] = "SEK",
                  minimum: Annotated[str, Form(max_length=20)] = "1") -> Response:
    from decimal import Decimal, InvalidOperation

    with session_scope() as session:
        if not _is_operator(session, viewer):
            return not_found(request, "There is no such page.", viewer)
        try:
            least = Decimal(minimum or "1")
            report = payouts.pay_rewards(session, viewer.principal, provider=payouts.provider_named(provider),
                                         currency=currency, minimum=least)
        except (PaperclerkError, InvalidOperation) as exc:
            session.rollback()
            message = exc.message if isinstance(exc, PaperclerkError) else "The minimum must be a number."
            return render(request, "feedback/message.html", {"message": message, "nav": "feedback"}, viewer=viewer,
                          status_code=exc.http_status if isinstance(exc, PaperclerkError) else 400)
        done = f"{report.paid} paid, {report.failed} failed, {report.not_tried} not tried"
    return RedirectResponse(f"/feedback/admin?done={done}", status_code=303)


@router.get("/feedback/admin/payouts/manual.csv", response_model=None)
def admin_manual_csv(request: Request, viewer: Operate) -> Response:
    """The manual payouts still to make, as the CSV a person pays from."""
    from paperclerk.feedback.payments.manual_csv import ManualCsvPayouts

    with session_scope(readonly=True) as session:
        if not _is_operator(session, viewer):
            return not_found(request, "There is no such page.", viewer)
    return Response(ManualCsvPayouts().to_pay(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="payouts-to-make.csv"'})


def _owed_per_currency(session: Session) -> dict[str, Any]:
    from sqlalchemy import func

    rows = session.execute(select(LedgerEntry.currency, func.sum(LedgerEntry.amount))
                           .where(LedgerEntry.account.like("customer:%")).group_by(LedgerEntry.currency)).all()
    return {currency: -total for currency, total in rows if total}


@router.post("/feedback/admin/findings/{finding_id}/decision", response_model=None)
def admin_decide(request: Request, viewer: Operate, finding_id: str,
                 decision: Annotated[str, Form(max_length=20)] = "",
                 note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    with session_scope() as session:
        if not _is_operator(session, viewer):
            return not_found(request, "There is no such page.", viewer)
        try:
            sessions.decide(session, viewer.principal, finding_id, uphold=decision == "uphold", note=note,
                            operator=True)
        except NotFound:
            return not_found(request, "There is no such finding.", viewer)
        except PaperclerkError as exc:
            session.rollback()
            return render(request, "feedback/message.html", {"message": exc.message, "nav": "feedback"},
                          viewer=viewer, status_code=exc.http_status)
    return RedirectResponse("/feedback/admin", status_code=303)
