"""Identity API: login, refresh, logout; users, API keys and the audit trail (administrators).

Wiring (app factory): both ``router`` and ``session_router`` are in ``app.API_ROUTERS``.
Every change made here appends an audit entry in the same transaction.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from paperclerk.api_errors import error_responses
from paperclerk.auth import service
from paperclerk.auth.dependencies import current_principal, optional_principal, request_ip, require
from paperclerk.auth.errors import RateLimited, Unauthorized
from paperclerk.auth.permissions import permissions_of
from paperclerk.auth.principal import Principal
from paperclerk.auth.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    AuditOut,
    AuditPage,
    LoginRequest,
    LogoutRequest,
    MeOut,
    OrganizationOut,
    PasswordReset,
    RefreshRequest,
    RoleChange,
    TokenResponse,
    UserCreate,
    UserCreated,
    UserOut,
)
from paperclerk.core.audit import AuditFilter, list_audit
from paperclerk.core.db import read_session, session_scope
from paperclerk.core.errors import NotFound
from paperclerk.core.moments import UTCMoment

# Every route here may be rate limited (429); every one of ``router`` needs a caller of an organisation with a
# permission (401, 403, 404). A POST may be over the size limit (413) or have a body that is not JSON (400).
router = APIRouter(tags=["identity"], responses=error_responses(401, 403, 404, 429))
session_router = APIRouter(prefix="/api/v1/auth", responses=error_responses(429))
POSTED = (400, 413, 422)


def rate_limited_response(exc: RateLimited) -> JSONResponse:
    """The error shape with a ``Retry-After`` header (the app's generic handler cannot add headers)."""
    return JSONResponse(status_code=exc.http_status, content={"error": exc.to_dict()},
                        headers={"Retry-After": str(exc.retry_after)})


def _tokens(login: service.LoginSession) -> TokenResponse:
    return TokenResponse(access_token=login.access_token, expires_in=login.expires_in,
                         refresh_token=login.refresh_token, organization=OrganizationOut.of(login.organization),
                         role=login.role)


@session_router.post("/login", response_model=TokenResponse, responses=error_responses(*POSTED, 401, 403),
                  summary="Exchange e-mail and password for an access token and a refresh token")
def login(body: LoginRequest, request: Request) -> TokenResponse | JSONResponse:
    ip = request_ip(request)
    try:
        with service.unit_of_work_keeping_failures() as session:
            who = service.authenticate(session, body.email, body.password, organization=body.organization, ip=ip)
            return _tokens(service.start_session(session, who, ip=ip))
    except RateLimited as exc:
        return rate_limited_response(exc)


@session_router.post("/refresh", response_model=TokenResponse, responses=error_responses(*POSTED, 401),
                  summary="Spend a refresh token for new tokens (reuse of a spent one ends the session)")
def refresh(body: RefreshRequest) -> TokenResponse:
    with service.unit_of_work_keeping_failures() as session:
        return _tokens(service.refresh_session(session, body.refresh_token))


@session_router.post("/logout", status_code=204, response_class=Response, responses=error_responses(*POSTED, 401),
                  summary="End the login session of a refresh token, or of the calling access token")
def logout(request: Request, principal: Annotated[Principal | None, Depends(optional_principal)],
           body: LogoutRequest | None = None) -> Response:
    refresh_token = body.refresh_token if body else None
    if refresh_token is None and (principal is None or principal.session_id is None):
        raise Unauthorized("Send the refresh token, or call with the session's access token.",
                           code="AUTH_REQUIRED")
    with session_scope() as session:
        service.logout(session, refresh_token=refresh_token,
                       session_id=None if refresh_token else principal.session_id if principal else None,
                       actor=principal, ip=request_ip(request))
    return Response(status_code=204)


@session_router.get("/me", response_model=MeOut, summary="Who am I, in which organisation, allowed to do what",
                    responses=error_responses(401))
def me(principal: Annotated[Principal, Depends(current_principal)]) -> MeOut:
    return MeOut(actor_type=principal.actor_type, id=principal.id, label=principal.label,
                 organization_id=principal.organization_id, role=principal.role,
                 permissions=sorted(permissions_of(principal.role)))




# -- users -------------------------------------------------------------------------------------------

ManageUsers = Annotated[Principal, Depends(require("users:manage"))]


def _org(principal: Principal) -> str:
    if principal.organization_id is None:
        raise NotFound("This caller belongs to no organisation.", code="ORGANIZATION_NOT_FOUND")
    return principal.organization_id


@router.get("/api/v1/users", response_model=list[UserOut], summary="Users of your organisation")
def list_users(principal: ManageUsers) -> list[UserOut]:
    with session_scope(readonly=True) as session:
        return [UserOut.of(user, membership) for user, membership in service.list_users(session, _org(principal))]


@router.post("/api/v1/users", response_model=UserCreated, status_code=201, responses=error_responses(*POSTED, 409),
             summary="Add a user to your organisation: a new account (a password is generated when none is given), "
                     "or an existing account's membership (it keeps its own password)")
def create_user(body: UserCreate, principal: ManageUsers, request: Request) -> UserCreated:
    generated = service.generate_password() if body.password is None else None
    with session_scope() as session:
        user, _ = service.add_user(session, body.email, body.password or generated or "",
                                         organization_id=_org(principal), role=body.role, actor=principal,
                                         ip=request_ip(request))
        # The generated password is shown whether or not the address had an account (which keeps its own): the
        # answer must not tell the two apart.
        return UserCreated(user=_user_out(session, user.id, _org(principal)), password=generated)


@router.post("/api/v1/users/{user_id}/disable", response_model=UserOut, summary="Disable a user and end "
             "their sessions (403 when the account also belongs to an organisation you do not administer)",
             responses=error_responses(*POSTED))
def disable_user(user_id: str, principal: ManageUsers, request: Request) -> UserOut:
    with session_scope() as session:
        user = service.disable_user(session, user_id, organization_id=_org(principal), actor=principal,
                                    ip=request_ip(request))
        return _user_out(session, user.id, _org(principal))


@router.post("/api/v1/users/{user_id}/enable", response_model=UserOut, summary="Let a disabled user log in again "
             "(403 when the account also belongs to an organisation you do not administer)",
             responses=error_responses(*POSTED))
def enable_user(user_id: str, principal: ManageUsers, request: Request) -> UserOut:
    with session_scope() as session:
        user = service.enable_user(session, user_id, organization_id=_org(principal), actor=principal,
                                   ip=request_ip(request))
        return _user_out(session, user.id, _org(principal))


@router.post("/api/v1/users/{user_id}/reset-password", response_model=UserCreated, responses=error_responses(*POSTED),
             summary="Set or generate a new password; unlocks the account and ends its sessions (403 when the "
                     "account also belongs to an organisation you do not administer)")
def reset_password(user_id: str, principal: ManageUsers, request: Request,
                   body: PasswordReset | None = None) -> UserCreated:
    with session_scope() as session:
        user, generated = service.reset_password(session, user_id, body.password if body else None,
                                                 organization_id=_org(principal), actor=principal,
                                                 ip=request_ip(request))
        return UserCreated(user=_user_out(session, user.id, _org(principal)), password=generated)


@router.post("/api/v1/users/{user_id}/role", response_model=UserOut, summary="Change a user's role",
             responses=error_responses(*POSTED))
def change_role(user_id: str, body: RoleChange, principal: ManageUsers, request: Request) -> UserOut:
    with session_scope() as session:
        service.set_role(session, user_id, _org(principal), body.role, actor=principal, ip=request_ip(request))
        return _user_out(session, user_id, _org(principal))


def _user_out(session: Session, user_id: str, organization_id: str) -> UserOut:
    for user, membership in service.list_users(session, organization_id):
        if user.id == user_id:
            return UserOut.of(user, membership)
    raise NotFound("There is no such user in this organisation.", code="USER_NOT_FOUND")


# -- API keys ----------------------------------------------------------------------------------------

ManageKeys = Annotated[Principal, Depends(require("apikeys:manage"))]


@router.get("/api/v1/apikeys", response_model=list[ApiKeyOut], summary="API keys of your organisation")
def list_api_keys(principal: ManageKeys) -> list[ApiKeyOut]:
    with session_scope(readonly=True) as session:
        return [ApiKeyOut.of(key) for key in service.list_api_keys(session, _org(principal))]


@router.post("/api/v1/apikeys", response_model=ApiKeyCreated, status_code=201, responses=error_responses(*POSTED),
             summary="Create an API key; the key is in this answer only")
def create_api_key(body: ApiKeyCreate, principal: ManageKeys, request: Request) -> ApiKeyCreated:
    with session_scope() as session:
        key, secret = service.create_api_key(session, _org(principal), body.role, body.name, actor=principal,
                                             ip=request_ip(request))
        return ApiKeyCreated(api_key=ApiKeyOut.of(key), key=secret)


@router.delete("/api/v1/apikeys/{key_id}", response_model=ApiKeyOut, summary="Revoke an API key (id or prefix)",
               responses=error_responses(422))
def revoke_api_key(key_id: str, principal: ManageKeys, request: Request) -> ApiKeyOut:
    with session_scope() as session:
        return ApiKeyOut.of(service.revoke_api_key(session, key_id, organization_id=_org(principal),
                                                   actor=principal, ip=request_ip(request)))


# -- audit ---------------------------------------------------------------------------------------------


@router.get("/api/v1/audit", response_model=AuditPage, summary="The audit trail of your organisation, newest first",
            responses=error_responses(422))
def audit(
    principal: Annotated[Principal, Depends(require("audit:read"))],
    session: Annotated[Session, Depends(read_session)],
    actor: Annotated[str | None, Query(max_length=254, description="Actor id or e-mail/label")] = None,
    action: Annotated[str | None, Query(max_length=80, description="Exact, or a prefix ending in '.'")] = None,
    subject: Annotated[str | None, Query(max_length=80, description="type, type:id, or an id")] = None,
    since: Annotated[UTCMoment | None, Query(description="Inclusive")] = None,
    until: Annotated[UTCMoment | None, Query(description="Exclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AuditPage:
    filters = AuditFilter(actor=actor, action=action, subject=subject, since=since,
                          until=until)
    items, total = list_audit(session, _org(principal), filters, limit=limit, offset=offset)
    return AuditPage(items=[AuditOut.of(entry) for entry in items], total=total, limit=limit, offset=offset)
