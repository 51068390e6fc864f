"""Identity services: plain functions taking a session; they never commit (the caller owns the unit of work).

Login lockout: five failed logins for one e-mail address lock it for fifteen minutes, and so do
five failures from one client address (both configurable). The counter for an address without
an account behaves exactly like an account's, and an unknown user's password is verified
against a dummy argon2id hash, so neither the answer nor its timing tells whether an account
exists: a wrong password and an unknown user both answer ``401 CREDENTIALS_INVALID``; a locked
address or client answers ``429 ACCOUNT_LOCKED`` with ``details.retry_after_seconds``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from paperclerk.auth import passwords, tokens
from paperclerk.auth.errors import AccountLocked, Forbidden, Unauthorized
from paperclerk.auth.models import (
    ActorType,
    ApiKey,
    LoginAttempt,
    Membership,
    Organization,
    Role,
    User,
    normalise_email,
)
from paperclerk.auth.permissions import ROLES, role_allows
from paperclerk.auth.principal import Principal
from paperclerk.config import get_settings
from paperclerk.core.audit import record_audit
from paperclerk.core.db import session_scope, utcnow
from paperclerk.core.errors import Conflict, InvalidRequest, NotFound, PaperclerkError

API_KEY_PREFIX = "pck_"
#: ``pck_`` and eight hex digits, then ``_`` and the secret part.
API_KEY_PREFIX_LENGTH = len(API_KEY_PREFIX) + 8
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
#: last_used_at is written at most this often per key (a write per request would serialise SQLite).
API_KEY_TOUCH_INTERVAL = timedelta(seconds=60)


class AuthFailure(tokens.AuthFailure):
    """Wrong credentials (the failure counts are committed before this reaches the client)."""

    code = "CREDENTIALS_INVALID"


class LockedOut(AccountLocked):
    keep_changes = True


# -- organisations, users, memberships ---------------------------------------------------------------


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")[:64].strip("-")
    return slug or "org"


def create_organization(session: Session, name: str, *, slug: str | None = None, actor: Principal | None = None,
                        ip: str | None = None) -> Organization:
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidRequest("An organisation needs a name of 1 to 200 characters.", code="ORGANIZATION_NAME")
    slug = (slug or slugify(name)).strip().lower()
    if not _SLUG.match(slug):
        raise InvalidRequest("A slug has lower-case letters, digits and inner hyphens (at most 64).",
                             code="ORGANIZATION_SLUG", details={"slug": slug})
    taken = session.scalar(select(Organization.id).where(or_(Organization.name == name, Organization.slug == slug)))
    if taken is not None:
        raise Conflict("An organisation with this name or slug exists.", code="ORGANIZATION_EXISTS",
                       details={"name": name, "slug": slug})
    organization = Organization(name=name, slug=slug)
    session.add(organization)
    session.flush()
    if actor is not None:
        record_audit(session, actor, "organization.create", ("organization", organization.id),
                     after={"name": name, "slug": slug}, ip=ip, organization_id=organization.id)
    return organization


def get_organization(session: Session, ref: str) -> Organization:
    """An organisation by id or slug."""
    organization = session.scalar(select(Organization).where(or_(Organization.id == ref,
                                                                 Organization.slug == ref.strip().lower())))
    if organization is None:
        raise NotFound(f"There is no organisation {ref!r}.", code="ORGANIZATION_NOT_FOUND")
    return organization


def list_organizations(session: Session) -> Sequence[Organization]:
    return session.scalars(select(Organization).order_by(Organization.name)).all()


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidRequest(f"Unknown role {role!r}; roles are {', '.join(ROLES)}.", code="ROLE_UNKNOWN",
                             details={"roles": list(ROLES)})
    return role


def create_user(session: Session, email: str, password: str, *, organization_id: str | None = None,
                role: str | None = None, actor: Principal | None = None, ip: str | None = None) -> User:
    """A user whose password passed the policy; with ``organization_id`` and ``role`` also a member."""
    email = normalise_email(email)
    if not _EMAIL.match(email) or len(email) > 254:
        raise InvalidRequest("That is not an e-mail address.", code="EMAIL_INVALID")
    if role is not None:
        _check_role(role)
    passwords.check_password_policy(password, email=email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("A user with this e-mail address exists.", code="USER_EXISTS")
    user = User(email=email, password_hash=passwords.hash_password(password), is_active=True, failed_logins=0)
    session.add(user)
    session.flush()
    if actor is not None:
        record_audit(session, actor, "user.create", ("user", user.id), after={"email": email, "role": role},
                     ip=ip, organization_id=organization_id)
    if organization_id is not None:
        add_membership(session, user.id, organization_id, role or Role.VIEWER, actor=actor, ip=ip)
    return user


def add_user(session: Session, email: str, password: str, *, organization_id: str, role: str,
             actor: Principal, ip: str | None = None) -> tuple[User, bool]:
    """Make ``email`` a member of the organisation, as an organisation's administrator does (invite semantics).

    A new address gets an account with ``password``; an address that has an account already (through another
    organisation) becomes a member of this one and keeps its own password, which no other organisation's
    administrator may set. Both answer alike (no ``USER_EXISTS``), so the call reveals nothing about other
    organisations' members; only a member of this organisation already is a conflict. Returns the user and
    whether the account is new (only then does ``password`` apply).
    """
    email = normalise_email(email)
    if not _EMAIL.match(email) or len(email) > 254:
        raise InvalidRequest("That is not an e-mail address.", code="EMAIL_INVALID")
    _check_role(role)
    passwords.check_password_policy(password, email=email)
    user = session.scalar(select(User).where(User.email == email))
    created = user is None
    if user is None:
        user = create_user(session, email, password)
    else:
        passwords.hash_password(password)  # the same work as a new account: the answer's timing tells nothing
    add_membership(session, user.id, organization_id, role)
    # One entry either way: the organisation's trail must not tell a new account from an existing one.
    record_audit(session, actor, "user.add", ("user", user.id), after={"email": email, "role": role}, ip=ip,
                 organization_id=organization_id)
    return user, created


def get_user(session: Session, user_id: str, *, organization_id: str | None = None) -> User:
    """A user by id; with ``organization_id`` only a member of that organisation (else 404)."""
    query = select(User).where(User.id == user_id)
    if organization_id is not None:
        query = query.join(Membership, Membership.user_id == User.id).where(
            Membership.organization_id == organization_id)
    user = session.scalar(query)
    if user is None:
        raise NotFound("There is no such user in this organisation.", code="USER_NOT_FOUND")
    return user


def find_user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"There is no user {email!r}.", code="USER_NOT_FOUND")
    return user


def list_users(session: Session, organization_id: str | None = None) -> list[tuple[User, Membership | None]]:
    """Users with their membership in ``organization_id`` (all users and no membership when ``None``)."""
    if organization_id is None:
        return [(user, None) for user in session.scalars(select(User).order_by(User.email))]
    rows = session.execute(select(User, Membership).join(Membership, Membership.user_id == User.id)
                           .where(Membership.organization_id == organization_id).order_by(User.email)).all()
    return [(user, membership) for user, membership in rows]


def memberships_of(session: Session, user_id: str) -> list[tuple[Membership, Organization]]:
    rows = session.execute(select(Membership, Organization).join(Organization)
                           .where(Membership.user_id == user_id).order_by(Organization.name)).all()
    return [(membership, organization) for membership, organization in rows]


def add_membership(session: Session, user_id: str, organization_id: str, role: str, *,
                   actor: Principal | None = None, ip: str | None = None) -> Membership:
    _check_role(role)
    existing = session.scalar(select(Membership).where(Membership.user_id == user_id,
                                                       Membership.organization_id == organization_id))
    if existing is not None:
        raise Conflict("The user is already a member of this organisation.", code="MEMBERSHIP_EXISTS")
    membership = Membership(user_id=user_id, organization_id=organization_id, role=role)
    session.add(membership)
    session.flush()
    if actor is not None:
        record_audit(session, actor, "membership.create", ("user", user_id), after={"role": role}, ip=ip,
                     organization_id=organization_id)
    return membership


def set_role(session: Session, user_id: str, organization_id: str, role: str, *, actor: Principal | None = None,
             ip: str | None = None) -> Membership:
    _check_role(role)
    membership = session.scalar(select(Membership).where(Membership.user_id == user_id,
                                                         Membership.organization_id == organization_id))
    if membership is None:
        raise NotFound("The user is not a member of this organisation.", code="USER_NOT_FOUND")
    before = membership.role
    membership.role = role
    if actor is not None:
        record_audit(session, actor, "user.set_role", ("user", user_id), before={"role": before},
                     after={"role": role}, ip=ip, organization_id=organization_id)
    return membership


def _administers(session: Session, actor: Principal, organization_id: str) -> bool:
    if actor.organization_id == organization_id:
        return actor.can("users:manage")
    if actor.actor_type != ActorType.USER:  # an API key acts in its own organisation only
        return False
    role = session.scalar(select(Membership.role).where(Membership.user_id == actor.id,
                                                        Membership.organization_id == organization_id))
    return role is not None and role_allows(role, "users:manage")


def check_may_change_account(session: Session, user: User, actor: Principal | None) -> None:
    """The password, the active flag and the e-mail address belong to the account, not to one organisation:
    only the user, the system (CLI) or someone who administers every organisation the user belongs to may
    change them (else 403 ``ACCOUNT_SHARED``), so one organisation's admin cannot take over another's."""
    if actor is None or actor.actor_type == ActorType.SYSTEM or (actor.is_user and actor.id == user.id):
        return
    if not all(_administers(session, actor, membership.organization_id)
               for membership, _ in memberships_of(session, user.id)):
        raise Forbidden("This account also belongs to an organisation you do not administer; only an "
                        "administrator of all its organisations, or the user, can change its password or "
                        "disable it.", code="ACCOUNT_SHARED")


def disable_user(session: Session, user_id: str, *, organization_id: str | None = None,
                 actor: Principal | None = None, ip: str | None = None, now: datetime | None = None) -> User:
    """Disable the account and end all its sessions at once (tokens are checked against them)."""
    user = get_user(session, user_id, organization_id=organization_id)
    check_may_change_account(session, user, actor)
    if actor is not None and actor.actor_type == ActorType.USER and actor.id == user.id:
        raise InvalidRequest("You cannot disable your own account.", code="CANNOT_DISABLE_SELF")
    before = user.is_active
    user.is_active = False
    tokens.revoke_user_sessions(session, user.id, now=now)
    if actor is not None:
        record_audit(session, actor, "user.disable", ("user", user.id), before={"is_active": before},
                     after={"is_active": False}, ip=ip, organization_id=organization_id or actor.organization_id)
    return user


def enable_user(session: Session, user_id: str, *, organization_id: str | None = None,
                actor: Principal | None = None, ip: str | None = None) -> User:
    """Let a disabled account log in again (same rule as disabling it)."""
    user = get_user(session, user_id, organization_id=organization_id)
    check_may_change_account(session, user, actor)
    before = user.is_active
    user.is_active = True
    if actor is not None and not before:
        record_audit(session, actor, "user.enable", ("user", user.id), before={"is_active": before},
                     after={"is_active": True}, ip=ip, organization_id=organization_id or actor.organization_id)
    return user


def reset_password(session: Session, user_id: str, new_password: str | None = None, *,
                   organization_id: str | None = None, actor: Principal | None = None, ip: str | None = None,
                   now: datetime | None = None) -> tuple[User, str | None]:
    """Set a new password (policy-checked) or generate one (returned once); unlocks and logs out everywhere."""
    user = get_user(session, user_id, organization_id=organization_id)
    check_may_change_account(session, user, actor)
    generated = None
    if new_password is None:
        generated = new_password = generate_password()
    passwords.check_password_policy(new_password, email=user.email)
    user.password_hash = passwords.hash_password(new_password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_failed_at = None
    tokens.revoke_user_sessions(session, user.id, now=now)
    if actor is not None:
        record_audit(session, actor, "user.reset_password", ("user", user.id), after={"generated": bool(generated)},
                     ip=ip, organization_id=organization_id or actor.organization_id)
    return user, generated


def generate_password() -> str:
    """A random password that passes the policy (about 190 bits)."""
    while True:
        candidate = secrets.token_urlsafe(24)
        if not passwords.password_problems(candidate):
            return candidate


# -- login ---------------------------------------------------------------------------------------------


class _Counter(Protocol):
    failed_logins: int
    last_failed_at: datetime | None
    locked_until: datetime | None


def _seconds_left(counter: _Counter | None, now: datetime) -> int:
    if counter is None or counter.locked_until is None or counter.locked_until <= now:
        return 0
    return max(1, int((counter.locked_until - now).total_seconds() + 0.999))


def _register_failure(counter: _Counter, now: datetime, attempts: int, window: timedelta) -> bool:
    """Count one failure; failures older than the window are forgotten. True when this one locks."""
    if counter.last_failed_at is None or now - counter.last_failed_at > window or (
            counter.locked_until is not None and counter.locked_until <= now):
        counter.failed_logins = 0
        counter.locked_until = None
    counter.failed_logins = (counter.failed_logins or 0) + 1
    counter.last_failed_at = now
    if counter.failed_logins >= attempts:
        counter.locked_until = now + window
        return True
    return False


def _attempts(session: Session, kind: str, key: str, *, create: bool) -> LoginAttempt | None:
    query = select(LoginAttempt).where(LoginAttempt.kind == kind, LoginAttempt.key == key).with_for_update()
    row = session.scalar(query)
    if row is not None or not create:
        return row
    try:
        with session.begin_nested():
            row = LoginAttempt(kind=kind, key=key, failed_logins=0)
            session.add(row)
    except IntegrityError:  # a concurrent failure created it first
        row = session.scalar(query)
    return row


@dataclass(frozen=True)
class Authenticated:
    user: User
    organization: Organization
    membership: Membership


def authenticate(session: Session, email: str, password: str, *, organization: str | None = None,
                 ip: str | None = None, now: datetime | None = None) -> Authenticated:
    """Check the credentials with lockout; raises CREDENTIALS_INVALID (401) or ACCOUNT_LOCKED (429).

    Both errors carry ``keep_changes``: the caller commits the counters before answering.
    """
    settings = get_settings()
    now = now or utcnow()
    window = timedelta(minutes=settings.lockout_minutes)
    email = normalise_email(email)[:254]

    ip_counter = _attempts(session, "ip", ip, create=False) if ip else None
    wait = _seconds_left(ip_counter, now)
    user = session.scalar(select(User).where(User.email == email).with_for_update())
    email_counter: _Counter | None = user if user is not None else _attempts(session, "email", email, create=False)
    wait = max(wait, _seconds_left(email_counter, now))
    if wait:
        raise _locked(wait)

    if user is None:
        passwords.burn_verification(password)
        verified = passwords.Verification(ok=False)
    else:
        verified = passwords.verify_password(user.password_hash, password)

    if user is None or not verified.ok or not user.is_active:
        if email_counter is None:
            email_counter = _attempts(session, "email", email, create=True)
        assert email_counter is not None
        locked = _register_failure(email_counter, now, settings.lockout_attempts, window)
        if ip:
            ip_counter = ip_counter or _attempts(session, "ip", ip, create=True)
            assert ip_counter is not None
            locked = _register_failure(ip_counter, now, settings.effective_ip_lockout_attempts, window) or locked
        _audit_login_failure(session, user, email, ip, "auth.lockout" if locked else "auth.login_failed")
        if locked:
            raise _locked(max(_seconds_left(email_counter, now), _seconds_left(ip_counter, now)))
        raise AuthFailure("The e-mail address or the password is wrong.")

    user.failed_logins = 0
    user.last_failed_at = None
    user.locked_until = None
    user.last_login_at = now
    if verified.new_hash:
        user.password_hash = verified.new_hash
    membership, org = _choose_membership(session, user, organization)
    return Authenticated(user=user, organization=org, membership=membership)


def _audit_login_failure(session: Session, user: User | None, email: str, ip: str | None, action: str) -> None:
    """A failed login (never the password tried) in the trail of each organisation of the account, so that its
    administrators see attempts on their members; an address without an account has no organisation."""
    reason = "unknown_email" if user is None else "disabled" if not user.is_active else "wrong_password"
    after = {"email": email, "reason": reason}
    subject = ("user", user.id) if user is not None else None
    organizations: list[str | None] = [membership.organization_id
                                       for membership, _ in memberships_of(session, user.id)] if user else []
    for organization_id in organizations or [None]:
        record_audit(session, None, action, subject, ip=ip, after=after, organization_id=organization_id)


def _locked(seconds: int) -> LockedOut:
    return LockedOut(f"Too many failed logins. Try again in {seconds} seconds.", retry_after=seconds)


def _choose_membership(session: Session, user: User, organization: str | None) -> tuple[Membership, Organization]:
    memberships = memberships_of(session, user.id)
    if organization:
        wanted = organization.strip().lower()
        for membership, org in memberships:
            if wanted in (org.id, org.slug):
                return membership, org
        raise Forbidden("You are not a member of this organisation.", code="NOT_A_MEMBER",
                        details={"organization": organization})
    if len(memberships) == 1:
        return memberships[0]
    if not memberships:
        raise Forbidden("This account belongs to no organisation yet; ask an administrator.", code="NO_ORGANIZATION")
    raise InvalidRequest("This account belongs to several organisations; say which one.",
                         code="ORGANIZATION_REQUIRED",
                         details={"organizations": [org.slug for _, org in memberships]})


@dataclass(frozen=True)
class LoginSession:
    access_token: str
    expires_in: int
    refresh_token: str
    session_id: str
    user: User
    organization: Organization
    role: str


def start_session(session: Session, who: Authenticated, *, ip: str | None = None,
                  now: datetime | None = None) -> LoginSession:
    """Open a login session (a refresh-token family) and issue its first access and refresh tokens."""
    now = now or utcnow()
    refresh, row = tokens.issue_refresh_token(session, user_id=who.user.id, organization_id=who.organization.id,
                                              now=now)
    access = tokens.create_token(user_id=who.user.id, organization_id=who.organization.id,
                                 role=who.membership.role, session_id=row.family_id, now=now)
    record_audit(session, user_actor(who.user, who.membership, row.family_id), "auth.login",
                 ("user", who.user.id), ip=ip)
    return LoginSession(access.token, access.expires_in, refresh, row.family_id, who.user, who.organization,
                        who.membership.role)


def refresh_session(session: Session, refresh_token: str, *, now: datetime | None = None) -> LoginSession:
    """Rotate the refresh token; the user must still be active and a member (role read afresh)."""
    now = now or utcnow()
    new_refresh, row = tokens.rotate_refresh_token(session, refresh_token, now=now)
    user = session.get(User, row.user_id)
    membership = session.scalar(select(Membership).where(Membership.user_id == row.user_id,
                                                         Membership.organization_id == row.organization_id))
    if user is None or not user.is_active or membership is None:
        tokens.revoke_family(session, row.family_id, now=now)
        raise tokens.AuthFailure("This account can no longer log in.", code="TOKEN_REVOKED")
    organization = session.get(Organization, row.organization_id)
    assert organization is not None
    access = tokens.create_token(user_id=user.id, organization_id=organization.id, role=membership.role,
                                 session_id=row.family_id, now=now)
    return LoginSession(access.token, access.expires_in, new_refresh, row.family_id, user, organization,
                        membership.role)


def logout(session: Session, *, refresh_token: str | None = None, session_id: str | None = None,
           actor: Principal | None = None, ip: str | None = None, now: datetime | None = None) -> bool:
    """Revoke the login session named by a refresh token or a session id; False when there is none."""
    family = session_id
    if refresh_token:
        row = tokens.find_refresh_token(session, refresh_token)
        family = row.family_id if row is not None else None
    if not family:
        return False
    revoked = tokens.revoke_family(session, family, now=now)
    if revoked and actor is not None:
        record_audit(session, actor, "auth.logout", ("session", family), ip=ip)
    return bool(revoked)


def user_actor(user: User, membership: Membership, session_id: str | None = None, via: str = "bearer") -> Principal:
    return Principal(actor_type=ActorType.USER, id=user.id, organization_id=membership.organization_id,
                     role=membership.role, label=user.email, session_id=session_id, via=via)


def principal_for_token(session: Session, claims: dict[str, Any], *, via: str = "bearer") -> Principal:
    """The caller behind verified token claims: the session, the account and the membership must still
    be live (logout, disable and role changes take effect at once)."""
    if not tokens.family_is_active(session, str(claims["sid"])):
        raise Unauthorized("This session has ended; log in again.", code="TOKEN_REVOKED")
    user = session.get(User, str(claims["sub"]))
    membership = session.scalar(select(Membership).where(Membership.user_id == str(claims["sub"]),
                                                         Membership.organization_id == str(claims["org"])))
    if user is None or not user.is_active or membership is None:
        raise Unauthorized("This account can no longer sign in.", code="TOKEN_REVOKED")
    return user_actor(user, membership, str(claims["sid"]), via=via)


# -- API keys ----------------------------------------------------------------------------------------


def _key_hash(key: str) -> str:
    # The key carries 256 random bits: a fast hash is enough (nothing to brute-force), unlike passwords.
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_api_key(session: Session, organization_id: str, role: str, name: str, *, actor: Principal | None = None,
                   ip: str | None = None, now: datetime | None = None) -> tuple[ApiKey, str]:
    """A new key; the returned secret is the only time anybody sees it (only its SHA-256 is stored)."""
    _check_role(role)
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidRequest("An API key needs a name of 1 to 200 characters.", code="API_KEY_NAME")
    prefix = API_KEY_PREFIX + secrets.token_hex(4)
    while session.scalar(select(ApiKey.id).where(ApiKey.prefix == prefix)) is not None:
        prefix = API_KEY_PREFIX + secrets.token_hex(4)
    secret = f"{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(organization_id=organization_id, role=role, name=name, prefix=prefix, key_hash=_key_hash(secret),
                 created_by=actor.id if actor is not None else None, created_at=now or utcnow())
    session.add(key)
    session.flush()
    if actor is not None:
        record_audit(session, actor, "apikey.create", ("api_key", key.id),
                     after={"name": name, "role": role, "prefix": prefix}, ip=ip, organization_id=organization_id)
    return key, secret


def list_api_keys(session: Session, organization_id: str) -> Sequence[ApiKey]:
    return session.scalars(select(ApiKey).where(ApiKey.organization_id == organization_id)
                           .order_by(ApiKey.created_at, ApiKey.name)).all()


def revoke_api_key(session: Session, key_id: str, *, organization_id: str | None = None,
                   actor: Principal | None = None, ip: str | None = None, now: datetime | None = None) -> ApiKey:
    query = select(ApiKey).where(or_(ApiKey.id == key_id, ApiKey.prefix == key_id))
    if organization_id is not None:
        query = query.where(ApiKey.organization_id == organization_id)
    key = session.scalar(query)
    if key is None:
        raise NotFound("There is no such API key in this organisation.", code="API_KEY_NOT_FOUND")
    if key.revoked_at is None:
        key.revoked_at = now or utcnow()
        if actor is not None:
            record_audit(session, actor, "apikey.revoke", ("api_key", key.id), before={"revoked": False},
                         after={"revoked": True}, ip=ip, organization_id=key.organization_id)
    return key


@dataclass(frozen=True)
class ResolvedKey:
    principal: Principal
    #: The key's last use is over a minute old: :func:`touch_api_key` should record this one.
    touch_due: bool


def resolve_api_key(session: Session, secret: str, *, now: datetime | None = None) -> ResolvedKey:
    """The caller behind an ``X-API-Key``, read without writing (requests stay off the write lock)."""
    now = now or utcnow()
    invalid = Unauthorized("The API key is not valid.", code="API_KEY_INVALID")
    secret = secret.strip()
    prefix, separator, rest = secret[:API_KEY_PREFIX_LENGTH], secret[API_KEY_PREFIX_LENGTH:][:1], secret[
        API_KEY_PREFIX_LENGTH + 1:]
    if not prefix.startswith(API_KEY_PREFIX) or separator != "_" or not rest:
        raise invalid
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None or not secrets.compare_digest(key.key_hash, _key_hash(secret)):
        raise invalid
    if key.revoked_at is not None:
        raise Unauthorized("The API key has been revoked.", code="API_KEY_REVOKED")
    principal = Principal(actor_type=ActorType.API_KEY, id=key.id, organization_id=key.organization_id,
                          role=key.role, label=f"api key {key.name} ({key.prefix})", via="api_key")
    return ResolvedKey(principal, key.last_used_at is None or now - key.last_used_at >= API_KEY_TOUCH_INTERVAL)


def touch_api_key(session: Session, key_id: str, *, now: datetime | None = None) -> None:
    """Record that a key was used now (at most once a minute, even when requests race)."""
    now = now or utcnow()
    session.execute(update(ApiKey).where(
        ApiKey.id == key_id,
        or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at <= now - API_KEY_TOUCH_INTERVAL),
    ).values(last_used_at=now))


def prune_login_attempts(session: Session, *, now: datetime | None = None) -> int:
    """Forget counters that neither lock nor count any more (a maintenance chore; returns how many).

    One DELETE statement: workers running it at the same time just find fewer rows."""
    now = now or utcnow()
    cutoff = now - timedelta(minutes=get_settings().lockout_minutes)
    result = session.execute(delete(LoginAttempt).where(
        or_(LoginAttempt.locked_until.is_(None), LoginAttempt.locked_until <= now),
        or_(LoginAttempt.last_failed_at.is_(None), LoginAttempt.last_failed_at < cutoff)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@contextmanager
def unit_of_work_keeping_failures() -> Iterator[Session]:
    """``session_scope()`` for login, refresh and logout: an error that says ``keep_changes`` (failed-login
    counts, a family revoked after token reuse) is raised only after the transaction committed."""
    failure: PaperclerkError | None = None
    with session_scope() as session:
        try:
            yield session
        except PaperclerkError as exc:
            if not getattr(exc, "keep_changes", False):
                raise
            failure = exc
    if failure is not None:
        raise failure
