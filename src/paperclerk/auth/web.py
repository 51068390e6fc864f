"""Web sessions: the login page, logout, the session cookie and CSRF protection for form posts.

Session cookie ``paperclerk_session``: an HS256-signed token (type ``session``, same claims as an
access token) that names a login session (a refresh-token family) on the server, so logout and
disabling an account end it at once. HttpOnly, SameSite=Lax, Secure when the request came over
HTTPS, lifetime ``session_hours``. A new session (new id) at every login.

CSRF: synchronizer tokens without server storage. The token is HMAC-SHA256(secret key,
``csrf:<anchor>``) where the anchor is the session id, or before login a random pre-session
cookie (``paperclerk_csrf``, HttpOnly, SameSite=Strict). :class:`CSRFMiddleware` checks every
POST/PUT/PATCH/DELETE that a browser authenticates with the session cookie, and the login form
itself: the token comes in the ``X-CSRF-Token`` header (scripts) or the ``csrf_token`` form field
(url-encoded forms; in multipart forms it must be the first field). Requests with a bearer token
or an API key are not cookie-authenticated and are not checked.

Wiring (app factory): ``app.include_router(paperclerk.auth.web.router)`` and
``app.add_middleware(CSRFMiddleware)``; pages that post forms render ``csrf_token_for(request)``
into a hidden ``csrf_token`` field (and scripts send it as ``X-CSRF-Token``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperclerk import __version__
from paperclerk.auth import service, tokens
from paperclerk.auth.dependencies import SESSION_COOKIE, optional_principal, request_ip
from paperclerk.auth.errors import CsrfFailed, RateLimited, Unauthorized
from paperclerk.auth.settings import signing_key
from paperclerk.config import get_settings
from paperclerk.core.db import session_scope
from paperclerk.core.errors import InvalidRequest, PaperclerkError
from paperclerk.ops.security import header, is_https

HERE = Path(__file__).resolve().parent
WEB_TEMPLATES = HERE.parent / "web" / "templates"
CSRF_COOKIE = "paperclerk_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = b"x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Form posts that need a token even without a session (login CSRF).
ANONYMOUS_FORM_PATHS = frozenset({"/login"})
#: How much of a form body is read to find the token (forms are small; uploads put it first).
MAX_FORM_PEEK = 64 * 1024

router = APIRouter(include_in_schema=False)


def _environment() -> jinja2.Environment:
    # The product's base layout when it is there, this package's own templates first.
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(HERE / "templates"), jinja2.FileSystemLoader(WEB_TEMPLATES)])
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.globals.update(version=__version__)
    return env


templates = Jinja2Templates(env=_environment())


# -- CSRF tokens -----------------------------------------------------------------------------------------


def _session_id(cookie: str | None) -> str | None:
    if not cookie:
        return None
    try:
        return str(tokens.decode_token(cookie, expected_type=tokens.SESSION)["sid"])
    except Unauthorized:
        return None


def _anchor(cookies: dict[str, str]) -> str | None:
    sid = _session_id(cookies.get(SESSION_COOKIE))
    if sid:
        return f"session:{sid}"
    presession = cookies.get(CSRF_COOKIE)
    return f"pre:{presession}" if presession and len(presession) >= 32 else None


def _token(anchor: str) -> str:
    digest = hmac.new(signing_key().encode(), f"csrf:{anchor}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def csrf_token_for(request: Request) -> str:
    """The token to put in this page's forms ('' when the visitor has neither session nor pre-session)."""
    anchor = _anchor(dict(request.cookies))
    return _token(anchor) if anchor else ""


def verify_csrf(cookies: dict[str, str], submitted: str | None) -> None:
    anchor = _anchor(cookies)
    if not anchor:
        raise CsrfFailed("The form expired or cookies are blocked; reload the page and try again.",
                         details={"reason": "no session"})
    if not submitted:
        raise CsrfFailed("The form has no CSRF token; reload the page and try again.",
                         details={"reason": "missing token"})
    if not hmac.compare_digest(_token(anchor), submitted.strip()):
        raise CsrfFailed("The form's CSRF token is not valid; reload the page and try again.",
                         details={"reason": "wrong token"})


def _cookies(scope: Scope) -> dict[str, str]:
    raw = header(scope, b"cookie")
    return cookie_parser(raw) if raw else {}


_MULTIPART_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_FIRST_PART = re.compile(rb'^\r?\n?--(?P<b>[^\r\n]+)\r\nContent-Disposition:\s*form-data;\s*name="csrf_token"'
                         rb"[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n(?P<value>[^\r\n]*)\r\n--", re.IGNORECASE)


def _token_from_body(content_type: str, body: bytes) -> str | None:
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        values = parse_qs(body.decode("latin-1"), keep_blank_values=True).get(CSRF_FIELD)
        return values[0] if values else None
    if kind == "multipart/form-data":
        boundary = _MULTIPART_BOUNDARY.search(content_type)
        match = _FIRST_PART.match(body)
        if boundary and match and match.group("b").decode("latin-1") == boundary.group(1):
            return match.group("value").decode("latin-1")
    return None


class CSRFMiddleware:
    """Refuses (403 CSRF_FAILED) unsafe cookie-authenticated requests without a valid token."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        machine_auth = header(scope, b"authorization") is not None or header(scope, b"x-api-key") is not None
        needs_check = not machine_auth and (SESSION_COOKIE in cookies or scope["path"] in ANONYMOUS_FORM_PATHS)
        if not needs_check:
            await self.app(scope, receive, send)
            return
        submitted = header(scope, CSRF_HEADER)
        buffered: list[Message] = []
        if submitted is None:
            body = b""
            more = True
            while more and len(body) < MAX_FORM_PEEK:
                message = await receive()
                buffered.append(message)
                if message["type"] != "http.request":
                    break
                body += message.get("body", b"")
                more = message.get("more_body", False)
            submitted = _token_from_body(header(scope, b"content-type") or "", body)
        try:
            verify_csrf(cookies, submitted)
        except CsrfFailed as exc:
            await _send_error(send, exc)
            return

        async def replay() -> Message:
            return buffered.pop(0) if buffered else await receive()

        await self.app(scope, replay, send)


async def _send_error(send: Send, exc: PaperclerkError) -> None:
    body = json.dumps({"error": exc.to_dict()}).encode()
    await send({"type": "http.response.start", "status": exc.http_status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


# -- pages -------------------------------------------------------------------------------------------------


def safe_next(value: str | None) -> str:
    """Only paths on this site (no ``//host``, no scheme, no backslash tricks) are followed after login."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")) or "\\" in value:
        return "/"
    if any(ord(char) < 32 for char in value):
        return "/"
    return value


def _wait_in_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def login_message(exc: PaperclerkError) -> str:
    """What the login page tells a person (the error code stays in the markup for tools, not in the text)."""
    if isinstance(exc, RateLimited):
        wait = _wait_in_words(exc.retry_after)
        if exc.code == "ACCOUNT_LOCKED":
            return f"Too many failed attempts: logging in is paused for safety. Please try again in {wait}."
        return f"Too many requests from your network. Please wait {wait} and try again."
    return {
        "CREDENTIALS_INVALID": "The e-mail address or the password is wrong. Please check both and try again.",
        "ORGANIZATION_REQUIRED": "Your account belongs to several organisations: choose the one to work in.",
        "NOT_A_MEMBER": "Your account is not a member of that organisation: choose another one.",
        "NO_ORGANIZATION": "Your account does not belong to an organisation yet. Please ask an administrator.",
    }.get(exc.code, exc.message)


def _cookie_options(request: Request) -> dict[str, Any]:
    return {"httponly": True, "secure": is_https(request.scope), "path": "/"}


def _render(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    presession = None
    anchor = _anchor(dict(request.cookies))
    if anchor is None:
        presession = secrets.token_urlsafe(32)
        anchor = f"pre:{presession}"
    values = {"error": None, "error_code": None, "email": "", "next": "/", "organization": "",
              "organizations": [], "csrf_token": _token(anchor), **context}
    response = templates.TemplateResponse(request, "login.html", values, status_code=status)
    if presession is not None:
        response.set_cookie(CSRF_COOKIE, presession, samesite="strict", **_cookie_options(request))
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    return _render(request, next=safe_next(next))


@router.post("/login", response_model=None)
async def login_submit(request: Request) -> Response:
    form = await request.form()
    email = str(form.get("email") or "")[:254]
    password = str(form.get("password") or "")[:4096]
    organization = str(form.get("organization") or "")[:64] or None
    target = safe_next(str(form.get("next") or "/"))
    context = {"email": email, "next": target, "organization": organization or ""}
    try:
        with service.unit_of_work_keeping_failures() as session:
            ip = request_ip(request)
            who = service.authenticate(session, email, password, organization=organization, ip=ip)
            opened = service.start_session(session, who, ip=ip)
    except RateLimited as exc:
        response = _render(request, exc.http_status, error=login_message(exc), error_code=exc.code, **context)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except InvalidRequest as exc:
        choices = exc.details.get("organizations", [])
        return _render(request, 400, error=login_message(exc), error_code=exc.code,
                       **{**context, "organizations": choices})
    except PaperclerkError as exc:
        return _render(request, exc.http_status, error=login_message(exc), error_code=exc.code, **context)
    lifetime = timedelta(hours=get_settings().session_hours)
    cookie = tokens.create_token(user_id=who.user.id, organization_id=who.organization.id, role=who.membership.role,
                                 session_id=opened.session_id, token_type=tokens.SESSION, lifetime=lifetime)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, cookie.token, max_age=int(lifetime.total_seconds()), samesite="lax",
                        **_cookie_options(request))
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.post("/logout", response_model=None)
def logout_submit(request: Request) -> Response:
    principal = optional_principal(request)
    sid = _session_id(request.cookies.get(SESSION_COOKIE))
    if sid:
        with session_scope() as session:
            service.logout(session, session_id=sid, actor=principal, ip=request_ip(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, secure=is_https(request.scope), samesite="lax")
    return response
