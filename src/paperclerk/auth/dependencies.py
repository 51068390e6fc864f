"""Who is calling, and may they: ``Depends(require("documents:read"))`` next to each route.

Credentials, first found wins: ``X-API-Key: pck_…``, ``Authorization: Bearer <jwt>``, the web
session cookie. None → ``401 AUTH_REQUIRED``; invalid → 401 with the reason's code; valid but
the role lacks the permission → ``403 FORBIDDEN`` with the permission in ``details``.

Example::

    @router.get("", dependencies=[Depends(require("documents:read"))])
    def list_documents(...): ...

    @router.post("/{id}/approve")
    def approve(id: str, principal: Annotated[Principal, Depends(require("documents:approve"))]): ...
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from paperclerk.auth import service, tokens
from paperclerk.auth.errors import Forbidden, Unauthorized
from paperclerk.auth.permissions import check_permission_name
from paperclerk.auth.principal import Principal
from paperclerk.core.db import session_scope
from paperclerk.ops.security import client_ip

SESSION_COOKIE = "paperclerk_session"


def _bearer(request: Request) -> str | None:
    value = request.headers.get("authorization")
    if value is None:
        return None
    scheme, _, credentials = value.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise Unauthorized("Use 'Authorization: Bearer <access token>' or an X-API-Key header.",
                           code="AUTH_SCHEME")
    return credentials.strip()


def authenticate_request(request: Request) -> Principal | None:
    """The caller, or ``None`` when the request carries no credentials at all (invalid ones raise)."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    principal: Principal | None = None
    api_key = request.headers.get("x-api-key")
    bearer = _bearer(request)
    if api_key is not None:
        with session_scope(readonly=True) as session:
            resolved = service.resolve_api_key(session, api_key)
        principal = resolved.principal
        if resolved.touch_due:
            with session_scope() as session:
                service.touch_api_key(session, principal.id)  # type: ignore[arg-type]
    elif bearer is not None:
        claims = tokens.decode_token(bearer, expected_type=tokens.ACCESS)
        with session_scope(readonly=True) as session:
            principal = service.principal_for_token(session, claims, via="bearer")
    elif (cookie := request.cookies.get(SESSION_COOKIE)) is not None:
        claims = tokens.decode_token(cookie, expected_type=tokens.SESSION)
        with session_scope(readonly=True) as session:
            principal = service.principal_for_token(session, claims, via="cookie")
    if principal is not None:
        request.state.principal = principal
    return principal


def current_principal(request: Request) -> Principal:
    """FastAPI dependency: any authenticated caller."""
    principal = authenticate_request(request)
    if principal is None:
        raise Unauthorized("Log in, or send an access token or an API key.", code="AUTH_REQUIRED")
    return principal


def optional_principal(request: Request) -> Principal | None:
    """FastAPI dependency: the caller if there is one (pages that look different when logged in)."""
    try:
        return authenticate_request(request)
    except Unauthorized:
        return None


def require(permission: str) -> Callable[[Request], Principal]:
    """A dependency that lets through only callers whose role grants ``permission``."""
    check_permission_name(permission)

    def dependency(request: Request) -> Principal:
        principal = current_principal(request)
        if not principal.can(permission):
            raise Forbidden(f"Your role ({principal.role}) does not allow {permission}.",
                            details={"permission": permission, "role": principal.role})
        return principal

    dependency.__name__ = f"require_{permission.replace(':', '_')}"
    dependency.permission = permission  # type: ignore[attr-defined]  # read by the route-by-role test matrix
    return dependency


def request_ip(request: Request) -> str:
    return client_ip(request.scope)
