"""The shell every page shares, whichever product line it belongs to: templates (the shell's and each line's),
the top bar's navigation, who is looking (``page_require``), rendering, the 403 and 404 pages, paging.

Server-rendered Jinja2 with autoescaping always on; no inline script or style anywhere, so a
``default-src 'self'`` Content-Security-Policy holds. A line's templates are addressed by its name
(``"<line>/<template>.html"``) and extend ``base.html``; its static files are served under ``/static/<line>/``.

Every page route declares its permission beside itself, as API routes do::

    @router.get("/reports")
    def reports_page(request: Request, viewer: Annotated[Viewer, Depends(page_require("documents:read"))]): ...

An anonymous visitor is sent to ``/login?next=<this page>`` (a form post: to ``back``, the page the form is
on); a caller whose role lacks the permission gets the 403 page. Pages carry the CSRF token in
``<meta name="csrf-token">`` (for the script's ``X-CSRF-Token`` header) and as the first field of every form
that posts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.routing import Mount

from paperclerk import __version__, plugins
from paperclerk.auth import permissions
from paperclerk.auth import service as accounts
from paperclerk.auth.dependencies import authenticate_request
from paperclerk.auth.errors import Unauthorized
from paperclerk.auth.principal import Principal
from paperclerk.auth.web import csrf_token_for
from paperclerk.core.db import session_scope
from paperclerk.core.errors import NotFound
from paperclerk.core.lines import NavItem
from paperclerk.documents.models import FINAL_STATUSES
from paperclerk.notifications import service as notifications
from paperclerk.web.filters import FILTERS, STATUS_LABELS

HERE = Path(__file__).resolve().parent
MAX_PAGE = 10_000
#: The shell's own links; the lines' items fall in between by their ``order``.
SHELL_NAV = (
    NavItem("inbox", "Inbox", "/", "documents:read", 0),
    NavItem("search", "Search", "/search", "search:read", 900),
    NavItem("audit", "Audit", "/audit", "audit:read", 950),
    NavItem("users", "Users", "/users", "users:manage", 960),
    NavItem("apikeys", "API keys", "/apikeys", "apikeys:manage", 970),
)


def navigation() -> list[NavItem]:
    """The top bar's links: the shell's and every line's, by order."""
    items = [*SHELL_NAV, *(item for line in plugins.lines() for item in line.nav)]
    for item in items:
        permissions.check_permission_name(item.permission)
    return sorted(items, key=lambda item: item.order)


def _loader() -> jinja2.BaseLoader:
    folders = {line.name: str(line.templates_folder) for line in plugins.lines() if line.templates_folder}
    return jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(HERE / "templates"),
        jinja2.PrefixLoader({name: jinja2.FileSystemLoader(folder) for name, folder in folders.items()}),
    ])


@lru_cache
def templates() -> Jinja2Templates:
    """The one template environment of every page: the shell's templates, each line's under its name."""
    env = jinja2.Environment(loader=_loader(), autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(FILTERS)
    env.globals.update(version=__version__, nav_items=navigation(),
                       statuses=[(str(status), text) for status, text in STATUS_LABELS.items()],
                       final_statuses=sorted(FINAL_STATUSES))
    return Jinja2Templates(env=env)


def static_mounts() -> list[Mount]:
    """``/static/<line>/`` for each line's static folder, then the shell's ``/static`` (order matters)."""
    mounts = [Mount(f"/static/{line.name}", StaticFiles(directory=line.static_folder), name=f"static-{line.name}")
              for line in plugins.lines() if line.static_folder]
    return [*mounts, Mount("/static", StaticFiles(directory=HERE / "static"), name="static")]


def page_number(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), MAX_PAGE)
    except ValueError:
        return 1


def pager(path: str, params: dict[str, Any], page: int, total: int, size: int) -> dict[str, Any]:
    pages = max(1, math.ceil(total / size))

    def link(number: int) -> str:
        query = urlencode({key: value for key, value in {**params, "page": number}.items()
                           if value not in (None, "") and not (key == "page" and value == 1)})
        return f"{path}?{query}" if query else path

    return {"page": page, "pages": pages, "total": total,
            "first": (page - 1) * size + 1 if total else 0, "last": min(page * size, total),
            "previous": link(page - 1) if page > 1 else None,
            "next": link(page + 1) if page < pages else None}


# -- who is looking: authentication, permission, and what the top bar shows -----------------------------


@dataclass(frozen=True)
class Viewer:
    """The logged-in caller as the templates see it (the top bar, which controls to show)."""

    principal: Principal
    organization: str

    @property
    def label(self) -> str:
        return self.principal.label

    @property
    def role(self) -> str:
        return self.principal.role

    def can(self, permission: str) -> bool:
        return self.principal.can(permission)


class PageRefused(Exception):
    """Raised by :func:`page_require`; the app answers with :attr:`response`."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def _caller(request: Request) -> Principal | None:
    """The caller, or ``None``: no credentials, or ones that no longer work (expired or logged out)."""
    try:
        return authenticate_request(request)
    except Unauthorized:
        return None


def _viewer(principal: Principal) -> Viewer:
    name = ""
    if principal.organization_id is not None:
        with session_scope(readonly=True) as session:
            try:
                name = accounts.get_organization(session, principal.organization_id).name
            except NotFound:
                name = ""
    return Viewer(principal, name)


def _login_redirect(request: Request, back: str | None) -> RedirectResponse:
    if back is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:
        target = back.format(**{name: quote(str(value), safe="") for name, value in request.path_params.items()})
    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


def page_require(permission: str, *, back: str | None = None,
                 wording: str | None = None) -> Callable[[Request], Viewer]:
    """A page's dependency: the viewer, when their role grants ``permission``.

    ``back``: where a form post sends an anonymous visitor after logging in, with the route's path
    parameters filled in (``"/reports/{report_id}"``); a GET page returns to itself. ``wording``: what
    the 403 page says the caller cannot do (default: the permission's own wording).
    """
    permissions.check_permission_name(permission)

    def dependency(request: Request) -> Viewer:
        principal = _caller(request)
        if principal is None:
            raise PageRefused(_login_redirect(request, back))
        viewer = _viewer(principal)
        if principal.organization_id is None or not principal.can(permission):
            raise PageRefused(forbidden(request, viewer, permission, wording))
        return viewer

    dependency.__name__ = f"page_require_{permission.replace(':', '_')}"
    dependency.permission = permission  # type: ignore[attr-defined]  # read by the page access matrix
    return dependency


def _unread(viewer: Viewer | None) -> int:
    if viewer is None or viewer.principal.organization_id is None or not viewer.can("notifications:read"):
        return 0
    with session_scope(readonly=True) as session:
        return notifications.unread_count(session, viewer.principal)


def render(request: Request, template: str, context: dict[str, Any], *, viewer: Viewer | None,
           status_code: int = 200) -> HTMLResponse:
    """A page with what every page needs: the caller for the top bar (with their unread notifications) and the CSRF
    token."""
    values = {"me": viewer, "csrf_token": csrf_token_for(request) if viewer is not None else "",
              "unread_notifications": _unread(viewer), **context}
    return templates().TemplateResponse(request, template, values, status_code=status_code)


def forbidden(request: Request, viewer: Viewer, permission: str, wording: str | None = None) -> HTMLResponse:
    action = wording or permissions.wording(permission)
    return render(request, "403.html", {"permission": permission, "action": action}, viewer=viewer,
                  status_code=403)


def not_found(request: Request, message: str, viewer: Viewer | None = None) -> HTMLResponse:
    """The 404 page (also the app's answer to any unknown address a browser asks for)."""
    if viewer is None and (principal := _caller(request)) is not None:
        viewer = _viewer(principal)
    return render(request, "404.html", {"message": message}, viewer=viewer, status_code=404)
