"""Pages of each person's notifications: the list (unread first to see, mark read) and their choices of what to be
told about, in the app and by e-mail. The unread count in every page's header comes from ``service.unread_count``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from paperclerk.auth.dependencies import request_ip
from paperclerk.config import get_settings
from paperclerk.core.db import read_session, session_scope
from paperclerk.core.errors import NotFound, PaperclerkError
from paperclerk.notifications import mailer, service
from paperclerk.web.shell import Viewer, page_number, page_require, pager, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
MAX_FORM_FIELDS = 1000
Reader = Annotated[Viewer, Depends(page_require("notifications:read"))]
DONE = {"read": "All notifications are marked read.", "saved": "Your choices were saved.",
        "missing": "That notification is not in your list.",
        "person-only": "API keys have no notifications (use a webhook); nothing was saved."}


@router.get("/notifications", response_class=HTMLResponse, response_model=None)
def notifications_page(request: Request, viewer: Reader, session: Annotated[Session, Depends(read_session)],
                       page: str | None = None, unread: str | None = None) -> Response:
    number = page_number(page)
    only_unread = unread == "1"
    items, total = service.list_notifications(session, viewer.principal, unread_only=only_unread, limit=PAGE_SIZE,
                                              offset=(number - 1) * PAGE_SIZE)
    return render(request, "notifications/list.html", {
        "items": items, "unread_only": only_unread, "is_person": viewer.principal.is_user,
        "pager": pager("/notifications", {"unread": "1" if only_unread else None}, number, total, PAGE_SIZE),
        "done": DONE.get(request.query_params.get("done", "")), "nav": "notifications",
    }, viewer=viewer)


@router.post("/notifications/read-all", response_model=None)
def read_all(request: Request, viewer: Annotated[Viewer, Depends(page_require("notifications:read",
                                                                               back="/notifications"))]) -> Response:
    with session_scope() as session:
        service.mark_all_read(session, viewer.principal, ip=request_ip(request))
    return RedirectResponse("/notifications?done=read", status_code=303)


@router.post("/notifications/read", response_model=None)
async def read_one(request: Request, viewer: Annotated[Viewer, Depends(page_require(
        "notifications:read", back="/notifications"))]) -> Response:
    """Mark the notification (form field ``id``) read and open what it is about. One not in the caller's list, of
    any organisation, gets the same answer as one that does not exist."""
    form = await request.form(max_fields=10)
    notification_id = form.get("id")
    try:
        with session_scope() as session:
            item = service.mark_read(session, viewer.principal, notification_id if isinstance(notification_id, str)
                                     else "", ip=request_ip(request))
            target = item.link or "/notifications"
    except NotFound:
        return RedirectResponse("/notifications?done=missing", status_code=303)
    return RedirectResponse(target, status_code=303)


def _preferences(request: Request, session: Session, viewer: Viewer, *, error: str | None = None,
                 status_code: int = 200) -> Response:
    return render(request, "notifications/preferences.html", {
        "choices": service.choices(session, viewer.principal), "is_person": viewer.principal.is_user,
        "email_on": mailer.configured(get_settings()), "error": error, "nav": "notifications",
        "done": DONE.get(request.query_params.get("done", "")),
    }, viewer=viewer, status_code=status_code)


@router.get("/notifications/preferences", response_class=HTMLResponse, response_model=None)
def preferences_page(request: Request, viewer: Reader,
                     session: Annotated[Session, Depends(read_session)]) -> Response:
    return _preferences(request, session, viewer)


@router.post("/notifications/preferences", response_model=None)
async def save_preferences(request: Request, viewer: Annotated[Viewer, Depends(page_require(
        "notifications:read", back="/notifications/preferences"))]) -> Response:
    """Every event shown on the form is set: a ticked box is on, an unticked one off."""
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    if not viewer.principal.is_user:
        return RedirectResponse("/notifications/preferences?done=person-only", status_code=303)
    shown = [value for value in form.getlist("event") if isinstance(value, str)]
    changes = {name: {str(channel): form.get(f"{channel}:{name}") == "on" for channel in service.PERSONAL_CHANNELS}
               for name in shown}
    try:
        with session_scope() as session:
            service.set_choices(session, viewer.principal, changes, ip=request_ip(request))
    except PaperclerkError as problem:
        with session_scope(readonly=True) as session:
            return _preferences(request, session, viewer, error=problem.message, status_code=problem.http_status)
    return RedirectResponse("/notifications/preferences?done=saved", status_code=303)


