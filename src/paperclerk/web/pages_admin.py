"""The administrators' pages: the organisation's users and its API keys.

They call the same service functions as the identity API (``auth.service``), so the same rules hold: a user who
also belongs to an organisation the administrator does not administer cannot be disabled, enabled or given a new
password from here either (``ACCOUNT_SHARED``); adding an address that has an account elsewhere makes it a member
without telling so. A generated password and a new API key are shown once, on the page the form post answers
with (never in a URL). Every change is audited by the services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from paperclerk.auth import service as accounts
from paperclerk.auth.dependencies import request_ip
from paperclerk.auth.models import ActorType
from paperclerk.auth.permissions import ROLES
from paperclerk.core.db import session_scope
from paperclerk.core.errors import NotFound, PaperclerkError
from paperclerk.web.shell import Viewer, not_found, page_require, render

router = APIRouter(include_in_schema=False)
NO_USER = "There is no such user in this organisation."
NO_KEY = "There is no such API key in this organisation."
DONE = {"role": "The role was changed.", "disabled": "The user was disabled and logged out everywhere.",
        "enabled": "The user can log in again.", "revoked": "The API key was revoked; it no longer works."}

ManageUsers = Annotated[Viewer, Depends(page_require("users:manage"))]
ManageKeys = Annotated[Viewer, Depends(page_require("apikeys:manage"))]


def _in_transaction(change: Callable[[Session], Any]) -> Any:
    with session_scope() as session:
        return change(session)


# -- users ---------------------------------------------------------------------------------------------


def _users(request: Request, viewer: Viewer, *, error: str | None = None, shown_password: dict[str, str] | None = None,
           form: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    with session_scope(readonly=True) as session:
        members = accounts.list_users(session, viewer.principal.tenant)
    me = viewer.principal.id if viewer.principal.actor_type == ActorType.USER else None
    return render(request, "users.html", {
        "members": members, "roles": ROLES, "me_id": me, "error": error, "shown_password": shown_password,
        "form": form or {}, "done": DONE.get(request.query_params.get("done", "")), "nav": "users",
    }, viewer=viewer, status_code=status_code)


@router.get("/users", response_class=HTMLResponse, response_model=None)
def users_page(request: Request, viewer: ManageUsers) -> Response:
    return _users(request, viewer)


@router.post("/users", response_model=None)
def add_user_page(request: Request, viewer: Annotated[Viewer, Depends(page_require("users:manage", back="/users"))],
                  email: Annotated[str, Form(max_length=1000)] = "",
                  role: Annotated[str, Form(max_length=40)] = "viewer",
                  password: Annotated[str, Form(max_length=1024)] = "") -> Response:
    generated = accounts.generate_password() if not password else None
    try:
        _in_transaction(lambda session: accounts.add_user(
            session, email, password or generated or "", organization_id=viewer.principal.tenant, role=role,
            actor=viewer.principal, ip=request_ip(request)))
    except PaperclerkError as problem:
        return _users(request, viewer, error=problem.message, form={"email": email, "role": role},
                      status_code=problem.http_status)
    # Shown whether or not the address had an account (which keeps its own): the page must not tell them apart.
    shown = {"email": email.strip().lower(), "password": generated, "added": "yes"} if generated else None
    return _users(request, viewer, shown_password=shown)


def _user_change(request: Request, viewer: Viewer, user_id: str, done: str,
                 change: Callable[[Session], Any]) -> Response:
    try:
        result = _in_transaction(change)
    except NotFound:
        return not_found(request, NO_USER, viewer)
    except PaperclerkError as problem:
        return _users(request, viewer, error=problem.message, status_code=problem.http_status)
    if done == "reset":
        user, generated = result
        return _users(request, viewer, shown_password={"email": user.email, "password": generated})
    return RedirectResponse(f"/users?done={done}", status_code=303)


@router.post("/users/{user_id}/role", response_model=None)
def change_role_page(request: Request,
                     viewer: Annotated[Viewer, Depends(page_require("users:manage", back="/users"))], user_id: str,
                     role: Annotated[str, Form(max_length=40)] = "") -> Response:
    return _user_change(request, viewer, user_id, "role", lambda session: accounts.set_role(
        session, user_id, viewer.principal.tenant, role, actor=viewer.principal, ip=request_ip(request)))


@router.post("/users/{user_id}/disable", response_model=None)
def disable_user_page(request: Request,
                      viewer: Annotated[Viewer, Depends(page_require("users:manage", back="/users"))],
                      user_id: str) -> Response:
    return _user_change(request, viewer, user_id, "disabled", lambda session: accounts.disable_user(
        session, user_id, organization_id=viewer.principal.tenant, actor=viewer.principal, ip=request_ip(request)))


@router.post("/users/{user_id}/enable", response_model=None)
def enable_user_page(request: Request,
                     viewer: Annotated[Viewer, Depends(page_require("users:manage", back="/users"))],
                     user_id: str) -> Response:
    return _user_change(request, viewer, user_id, "enabled", lambda session: accounts.enable_user(
        session, user_id, organization_id=viewer.principal.tenant, actor=viewer.principal, ip=request_ip(request)))


@router.post("/users/{user_id}/reset-password", response_model=None)
def reset_password_page(request: Request,
                        viewer: Annotated[Viewer, Depends(page_require("users:manage", back="/users"))],
                        user_id: str) -> Response:
    return _user_change(request, viewer, user_id, "reset", lambda session: accounts.reset_password(
        session, user_id, organization_id=viewer.principal.tenant, actor=viewer.principal, ip=request_ip(request)))


# -- API keys ------------------------------------------------------------------------------------------


def _keys(request: Request, viewer: Viewer, *, error: str | None = None, shown_key: dict[str, str] | None = None,
          form: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    with session_scope(readonly=True) as session:
        keys = accounts.list_api_keys(session, viewer.principal.tenant)
    return render(request, "apikeys.html", {
        "keys": keys, "roles": ROLES, "error": error, "shown_key": shown_key, "form": form or {},
        "done": DONE.get(request.query_params.get("done", "")), "nav": "apikeys",
    }, viewer=viewer, status_code=status_code)


@router.get("/apikeys", response_class=HTMLResponse, response_model=None)
def api_keys_page(request: Request, viewer: ManageKeys) -> Response:
    return _keys(request, viewer)


@router.post("/apikeys", response_model=None)
def create_api_key_page(request: Request,
                        viewer: Annotated[Viewer, Depends(page_require("apikeys:manage", back="/apikeys"))],
                        name: Annotated[str, Form(max_length=1000)] = "",
                        role: Annotated[str, Form(max_length=40)] = "viewer") -> Response:
    try:
        key, secret = _in_transaction(lambda session: accounts.create_api_key(
            session, viewer.principal.tenant, role, name, actor=viewer.principal, ip=request_ip(request)))
    except PaperclerkError as problem:
        return _keys(request, viewer, error=problem.message, form={"name": name, "role": role},
                     status_code=problem.http_status)
    return _keys(request, viewer, shown_key={"name": key.name, "key": secret})


@router.post("/apikeys/{key_id}/revoke", response_model=None)
def revoke_api_key_page(request: Request,
                        viewer: Annotated[Viewer, Depends(page_require("apikeys:manage", back="/apikeys"))],
                        key_id: str) -> Response:
    try:
        _in_transaction(lambda session: accounts.revoke_api_key(
            session, key_id, organization_id=viewer.principal.tenant, actor=viewer.principal, ip=request_ip(request)))
    except NotFound:
        return not_found(request, NO_KEY, viewer)
    return RedirectResponse("/apikeys?done=revoked", status_code=303)
