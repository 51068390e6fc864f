"""The customer's pages, reached from a store's QR code, for a phone (375 px up), no log-in, installable (PWA):
verify the purchase from the receipt, give consent, speak (MediaRecorder) or type, see the score and the reward;
see, export and erase one's own data.

A customer is known by a random token in an HttpOnly, SameSite=Strict cookie (set when a first purchase is
verified), never by an account. Every route here also counts against the customer-side rate limit
(``feedback_customer_rate_limit`` per ``feedback_customer_rate_window_seconds`` per client, on top of the global
limits); uploads are size-checked before they are read.
"""

from __future__ import annotations

import json
import tempfile
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from paperclerk.auth.errors import RateLimited
from paperclerk.auth.ratelimit import Limiter, make_limiter
from paperclerk.auth.web import csrf_token_for
from paperclerk.config import get_settings
from paperclerk.core.db import session_scope
from paperclerk.core.errors import FileTooLarge, NotFound, PaperclerkError
from paperclerk.core.money import display
from paperclerk.feedback import ledger, payouts, privacy, sessions
from paperclerk.feedback.models import Customer, FindingStatus, FraudFinding, Store
from paperclerk.feedback.program import program_of, store_by_code
from paperclerk.ops.security import client_ip
from paperclerk.web.shell import templates

COOKIE = "paperclerk_feedback"
CONSENT_TEXT = ("I agree that {business} and paperclerk process my feedback (and my recording, if I make one) to "
                "improve the service and to pay my reward. The recording is deleted {hours:g} hours after it has "
                "been transcribed; my feedback and data are deleted after {days} days. Reward records are kept as "
                "bookkeeping law requires, without my name or number. I can see, export and erase my data at any "
                "time on the \"My data\" page.")
_limiters: dict[str, Limiter] = {}


def customer_rate_limit(request: Request) -> None:
    """The customer side's own limit per client address, on top of the global ones."""
    settings = get_settings()
    if not settings.rate_limit_enabled:
        return
    key = settings.resolved_redis_url or "memory"
    limiter = _limiters.get(key) or _limiters.setdefault(key, make_limiter(settings))
    decision = limiter.hit(f"feedback-customer:{client_ip(request.scope)}", settings.feedback_customer_rate_limit,
                           settings.feedback_customer_rate_window_seconds)
    if not decision.allowed:
        raise RateLimited("Too many requests; try again later.", retry_after=decision.retry_after,
                          details={"limit": decision.limit, "group": "feedback-customer"})


router = APIRouter(include_in_schema=False, dependencies=[Depends(customer_rate_limit)])


def _page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    values = {"csrf_token": csrf_token_for(request), "me": None, **context}
    return templates().TemplateResponse(request, f"feedback/{template}", values, status_code=status_code)


def _customer(session: Session, request: Request) -> Customer | None:
    return sessions.customer_by_token(session, request.cookies.get(COOKIE))


def _consent(business: str) -> str:
    settings = get_settings()
    return CONSENT_TEXT.format(business=business, hours=settings.voice_data_retention_hours,
                               days=settings.data_retention_days)


def _business_name(session: Session, store: Store) -> str:
    from paperclerk.auth.models import Organization

    organization = session.get(Organization, store.organization_id)
    return organization.name if organization else store.name


@router.get("/f/manifest.webmanifest", response_model=None)
def manifest() -> Response:
    body = {"name": "paperclerk feedback", "short_name": "Feedback", "start_url": "/f/me", "scope": "/f/",
            "display": "standalone", "background_color": "#ffffff", "theme_color": "#1f4e79",
            "icons": [{"src": "/static/favicon.svg", "sizes": "any", "type": "image/svg+xml"}]}
    return JSONResponse(body, media_type="application/manifest+json")


@router.get("/f/sw.js", response_model=None)
def service_worker() -> Response:
    script = (Path(__file__).parent / "static" / "sw.js").read_text()
    return Response(script, media_type="text/javascript", headers={"Service-Worker-Allowed": "/f/",
                                                                    "Cache-Control": "no-cache"})


@router.get("/f/me", response_class=HTMLResponse, response_model=None)
def my_data(request: Request) -> Response:
    with session_scope(readonly=True) as session:
        customer = _customer(session, request)
        export = privacy.customer_export(session, customer) if customer else None
        return _page(request, "customer_me.html", {"export": export, "payout_account": customer.payout_account
                                                   if customer else "",
                                                   "erased": request.query_params.get("erased") == "1"})


@router.get("/f/me/export", response_model=None)
def my_data_export(request: Request) -> Response:
    with session_scope(readonly=True) as session:
        customer = _customer(session, request)
        if customer is None:
            return _page(request, "customer_me.html", {"export": None, "erased": False}, status_code=404)
        body = json.dumps(privacy.customer_export(session, customer), ensure_ascii=False, indent=2)
    return Response(body, media_type="application/json",
                    headers={"Content-Disposition": 'attachment; filename="my-feedback-data.json"'})


@router.post("/f/me/erase", response_model=None)
def my_data_erase(request: Request, confirm: Annotated[str, Form(max_length=10)] = "") -> Response:
    with session_scope() as session:
        customer = _customer(session, request)
        if customer is None or confirm != "yes":
            return _page(request, "customer_me.html", {"export": None, "erased": False,
                                                       "error": "Tick the box to confirm."}, status_code=400)
        privacy.erase_customer(session, customer)
    response = RedirectResponse("/f/me?erased=1", status_code=303)
    response.delete_cookie(COOKIE, path="/f")
    return response


@router.post("/f/me/payout-account", response_model=None)
def my_payout_account(request: Request, account: Annotated[str, Form(max_length=120)] = "") -> Response:
    with session_scope() as session:
        customer = _customer(session, request)
        try:
            if customer is None:
                raise NotFound("there is no feedback from this phone yet", code="CUSTOMER_NOT_FOUND")
            payouts.set_payout_account(session, customer, account)
        except PaperclerkError as exc:
            session.rollback()
            return _page(request, "customer_error.html", {"error": exc, "back": "/f/me"}, status_code=exc.http_status)
    return RedirectResponse("/f/me", status_code=303)


@router.get("/f/s/{session_id}", response_class=HTMLResponse, response_model=None)
def feedback_form(request: Request, session_id: str) -> Response:
    with session_scope(readonly=True) as session:
        try:
            feedback = sessions.session_for_customer(session, session_id, _customer(session, request))
        except PaperclerkError as exc:
            return _page(request, "customer_error.html", {"error": exc}, status_code=exc.http_status)
        if feedback.submitted_at is not None:
            return RedirectResponse(f"/f/s/{feedback.id}/result", status_code=303)
        store = session.get(Store, feedback.store_id)
        assert store is not None
        settings = get_settings()
        return _page(request, "customer_feedback.html", {
            "feedback": feedback, "store": store, "consent_text": _consent(_business_name(session, store)),
            "categories": program_of(session, store.organization_id).categories,
            "max_seconds": int(settings.feedback_max_audio_seconds), "max_chars": settings.feedback_max_text_chars})


def _form_number(value: str) -> int:
    try:
        return max(0, int(float(value)))
    except ValueError:
        return 0


@router.post("/f/s/{session_id}", response_model=None)
def feedback_submit(request: Request, session_id: str, consent: Annotated[str, Form(max_length=10)] = "",
                    text: Annotated[str | None, Form()] = None, audio: UploadFile | None = None,
                    pasted_chars: Annotated[str, Form(max_length=12)] = "0",
                    typing_seconds: Annotated[str, Form(max_length=12)] = "") -> Response:
    settings = get_settings()
    with tempfile.TemporaryDirectory(prefix="feedback-voice-") as scratch, session_scope() as session:
        try:
            feedback = sessions.session_for_customer(session, session_id, _customer(session, request))
            store = session.get(Store, feedback.store_id)
            assert store is not None
            recording = _spool(audio, Path(scratch), settings.feedback_max_audio_bytes) if audio else None
            typing = sessions.Typing(pasted_chars=_form_number(pasted_chars),
                                     typing_seconds=float(_form_number(typing_seconds)) if typing_seconds else None)
            sessions.submit(session, feedback, consent_text=_consent(_business_name(session, store)),
                            consent=consent == "yes", text=None if recording else (text or ""), audio=recording,
                            typing=typing)
        except PaperclerkError as exc:
            session.rollback()
            if "application/json" in request.headers.get("accept", ""):
                return JSONResponse({"error": exc.to_dict()}, status_code=exc.http_status)
            return _page(request, "customer_error.html", {"error": exc, "back": f"/f/s/{session_id}"},
                         status_code=exc.http_status)
    return RedirectResponse(f"/f/s/{session_id}/result", status_code=303)


def _spool(upload: UploadFile, scratch: Path, limit: int) -> Path:
    """The uploaded recording in a scratch file, refused as soon as it passes the size limit."""
    target = scratch / "recording"
    written = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(1 << 16):
            written += len(chunk)
            if written > limit:
                raise FileTooLarge(f"the recording is larger than {limit} bytes", details={"max_bytes": limit})
            out.write(chunk)
    return target


@router.get("/f/s/{session_id}/result", response_class=HTMLResponse, response_model=None)
def feedback_result(request: Request, session_id: str) -> Response:
    with session_scope(readonly=True) as session:
        customer = _customer(session, request)
        try:
            feedback = sessions.session_for_customer(session, session_id, customer)
        except PaperclerkError as exc:
            return _page(request, "customer_error.html", {"error": exc}, status_code=exc.http_status)
        if feedback.submitted_at is None:
            return RedirectResponse(f"/f/s/{feedback.id}", status_code=303)
        held = session.query(FraudFinding).filter(FraudFinding.session_id == feedback.id,
                                                  FraudFinding.status == FindingStatus.OPEN).count()
        balance = ledger.customer_totals(session, feedback.customer_id).get(feedback.currency, {}).get(
            "balance", Decimal(0))
        return _page(request, "customer_result.html", {
            "feedback": feedback, "held": held, "reward": display(feedback.reward_amount, feedback.currency),
            "balance": display(balance, feedback.currency)})


@router.get("/f/{code}", response_class=HTMLResponse, response_model=None)
def store_landing(request: Request, code: str) -> Response:
    with session_scope(readonly=True) as session:
        try:
            store = store_by_code(session, code)
        except PaperclerkError as exc:
            return _page(request, "customer_error.html", {"error": exc}, status_code=exc.http_status)
        return _page(request, "customer_verify.html", {
            "store": store, "business": _business_name(session, store), "form": {}, "error": None,
            "program": program_of(session, store.organization_id)})


def _commit_claim(session: Session) -> None:
    """Commit the claim on the transaction; a second claim racing this one loses on the unique column."""
    from sqlalchemy.exc import IntegrityError

    from paperclerk.core.errors import Conflict

    try:
        session.commit()
    except IntegrityError as exc:
        raise Conflict("this purchase has already been used for feedback", code="PURCHASE_ALREADY_USED",
                       details={"rule": "FB-TXN-REUSED"}) from exc


def _parse_purchase(amount: str, when: str) -> tuple[Decimal, datetime]:
    from paperclerk.core.errors import InvalidRequest

    try:
        value = Decimal(amount.replace(",", ".").replace(" ", ""))
        if not value.is_finite() or value <= 0:
            raise InvalidOperation
    except InvalidOperation as exc:
        raise InvalidRequest("the amount must be a number such as 89.50", code="INVALID_FIELD",
                             details={"field": "amount"}) from exc
    try:
        moment = datetime.fromisoformat(when)
    except ValueError as exc:
        raise InvalidRequest("the time must be a date and time such as 2026-12-03 14:05", code="INVALID_FIELD",
                             details={"field": "occurred_at"}) from exc
    return value, moment


@router.post("/f/{code}/verify", response_model=None)
def verify_purchase(request: Request, code: str, transaction_id: Annotated[str, Form(max_length=120)] = "",
                    amount: Annotated[str, Form(max_length=30)] = "",
                    occurred_at: Annotated[str, Form(max_length=40)] = "",
                    phone: Annotated[str, Form(max_length=30)] = "",
                    device_id: Annotated[str, Form(max_length=100)] = "") -> Response:
    form = {"transaction_id": transaction_id, "amount": amount, "occurred_at": occurred_at, "phone": phone}
    with session_scope() as session:
        try:
            store = store_by_code(session, code)
        except PaperclerkError as exc:
            return _page(request, "customer_error.html", {"error": exc}, status_code=exc.http_status)
        try:
            value, moment = _parse_purchase(amount, occurred_at)
            feedback, token = sessions.start(
                session, store_code=code, external_id=transaction_id, amount=value, occurred_at=moment,
                customer_token=request.cookies.get(COOKIE), phone=phone or None, device_id=device_id,
                ip=client_ip(request.scope))
            _commit_claim(session)
        except PaperclerkError as exc:
            session.rollback()
            return _page(request, "customer_verify.html", {
                "store": store, "business": _business_name(session, store), "form": form, "error": exc,
                "program": program_of(session, store.organization_id)}, status_code=exc.http_status)
        response = RedirectResponse(f"/f/s/{feedback.id}", status_code=303)
    if token:
        response.set_cookie(COOKIE, token, max_age=400 * 24 * 3600, path="/f", httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")
    return response

