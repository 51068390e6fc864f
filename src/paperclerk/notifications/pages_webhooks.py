"""Pages of the organisation's webhooks (administrators): the list and a form to add one; each webhook with its
settings, secret and delivery log (every attempt, its answer and its error)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from paperclerk.auth.dependencies import request_ip
from paperclerk.core import events
from paperclerk.core.db import read_session, session_scope
from paperclerk.core.errors import NotFound, PaperclerkError
from paperclerk.notifications import webhooks
from paperclerk.web.shell import Viewer, not_found, page_require, render

router = APIRouter(include_in_schema=False)
MAX_FORM_FIELDS = 400
DONE = {"created": "The webhook was added. Its secret signs every call: give it to the receiver.",
        "saved": "The webhook was saved.", "rotated": "A new secret was made; the old one no longer signs calls.",
        "deleted": "The webhook was removed."}
Manager = Annotated[Viewer, Depends(page_require("webhooks:manage"))]
ReadSession = Annotated[Session, Depends(read_session)]


def _event_choices() -> list[tuple[str, str]]:
    return [(webhooks.ALL_EVENTS, "Every event"),
            *sorted((item.name, item.description) for item in events.declared().values())]


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    return {"url": str(form.get("url") or ""), "description": str(form.get("description") or ""),
            "events": [value for value in form.getlist("events") if isinstance(value, str)],
            "active": form.get("active") == "on"}


def _list(request: Request, session: Session, viewer: Viewer, *, error: str | None = None,
          values: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    return render(request, "notifications/webhooks.html", {
        "webhooks": webhooks.list_webhooks(session, viewer.principal.tenant), "choices": _event_choices(),
        "values": values or {"url": "", "description": "", "events": []}, "error": error, "nav": "notifications",
        "done": DONE.get(request.query_params.get("done", "")),
    }, viewer=viewer, status_code=status_code)


@router.get("/webhooks", response_class=HTMLResponse, response_model=None)
def webhooks_page(request: Request, viewer: Manager, session: ReadSession) -> Response:
    return _list(request, session, viewer)


@router.post("/webhooks", response_model=None)
async def add_webhook(request: Request, viewer: Annotated[Viewer, Depends(page_require(
        "webhooks:manage", back="/webhooks"))]) -> Response:
    values = await _form(request)
    try:
        with session_scope() as session:
            webhook = webhooks.create_webhook(session, viewer.principal, url=values["url"],
                                              event_names=values["events"], description=values["description"],
                                              ip=request_ip(request))
            webhook_id = webhook.id
    except PaperclerkError as problem:
        with session_scope(readonly=True) as session:
            return _list(request, session, viewer, error=problem.message, values=values,
                         status_code=problem.http_status)
    return RedirectResponse(f"/webhooks/{webhook_id}?done=created", status_code=303)


def _detail(request: Request, session: Session, viewer: Viewer, webhook_id: str, *, error: str | None = None,
            status_code: int = 200) -> Response:
    try:
        webhook = webhooks.get_webhook(session, viewer.principal.tenant, webhook_id)
    except NotFound:
        return not_found(request, "There is no such webhook.", viewer)
    return render(request, "notifications/webhook.html", {
        "webhook": webhook, "deliveries": webhooks.deliveries(session, viewer.principal.tenant, webhook_id),
        "choices": _event_choices(), "error": error, "nav": "notifications",
        "done": DONE.get(request.query_params.get("done", "")),
    }, viewer=viewer, status_code=status_code)


@router.get("/webhooks/{webhook_id}", response_class=HTMLResponse, response_model=None)
def webhook_page(request: Request, webhook_id: str, viewer: Manager, session: ReadSession) -> Response:
    return _detail(request, session, viewer, webhook_id)


def _change(request: Request, viewer: Viewer, webhook_id: str, done: str, change: Any) -> Response:
    try:
        with session_scope() as session:
            change(session)
    except NotFound:
        return not_found(request, "There is no such webhook.", viewer)
    except PaperclerkError as problem:
        with session_scope(readonly=True) as session:
            return _detail(request, session, viewer, webhook_id, error=problem.message,
                           status_code=problem.http_status)
    target = "/webhooks?done=deleted" if done == "deleted" else f"/webhooks/{webhook_id}?done={done}"
    return RedirectResponse(target, status_code=303)


@router.post("/webhooks/{webhook_id}", response_model=None)
async def save_webhook(request: Request, webhook_id: str, viewer: Annotated[Viewer, Depends(page_require(
        "webhooks:manage", back="/webhooks/{webhook_id}"))]) -> Response:
    values = await _form(request)
    return _change(request, viewer, webhook_id, "saved", lambda session: webhooks.update_webhook(
        session, viewer.principal, webhook_id, url=values["url"], event_names=values["events"],
        description=values["description"], active=values["active"], ip=request_ip(request)))


@router.post("/webhooks/{webhook_id}/rotate-secret", response_model=None)
def rotate_secret(request: Request, webhook_id: str, viewer: Annotated[Viewer, Depends(page_require(
        "webhooks:manage", back="/webhooks/{webhook_id}"))]) -> Response:
    return _change(request, viewer, webhook_id, "rotated", lambda session: webhooks.update_webhook(
        session, viewer.principal, webhook_id, new_secret_value=True, ip=request_ip(request)))


@router.post("/webhooks/{webhook_id}/delete", response_model=None)
def delete_webhook(request: Request, webhook_id: str, viewer: Annotated[Viewer, Depends(page_require(
        "webhooks:manage", back="/webhooks/{webhook_id}"))]) -> Response:
    return _change(request, viewer, webhook_id, "deleted", lambda session: webhooks.delete_webhook(
        session, viewer.principal, webhook_id, ip=request_ip(request)))
