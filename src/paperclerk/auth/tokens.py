"""Tokens: short-lived JWT access tokens (HS256 only) and rotating opaque refresh tokens.

Access token claims: ``sub`` (user id), ``org``, ``role``, ``type`` (``access``; web session
cookies use the same format with ``session``), ``sid`` (the refresh-token family = the login
session), ``iat``, ``exp``, ``jti``. Decoding accepts exactly HS256, so ``alg: none`` and
RS256/HS256 key confusion are refused before any signature check.

Refresh tokens are 256 random bits (``pcr_…``), stored as SHA-256. Each use returns a new one in
the same family and marks the old one used; presenting a used or revoked one again revokes the
whole family (someone holds a stolen copy) and answers ``401 TOKEN_REUSED``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from paperclerk.auth.errors import Unauthorized
from paperclerk.auth.models import RefreshToken
from paperclerk.auth.settings import signing_key
from paperclerk.config import get_settings
from paperclerk.core.db import new_id, utcnow

ALGORITHM = "HS256"
ACCESS = "access"
SESSION = "session"
REFRESH_PREFIX = "pcr_"
REQUIRED_CLAIMS = ("sub", "org", "role", "type", "sid", "iat", "exp", "jti")


class AuthFailure(Unauthorized):
    """A 401 whose bookkeeping (failed-login counts, a revoked family) must still be committed."""

    keep_changes = True


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    expires_in: int


def _encode(claims: dict[str, Any], key: str | None = None) -> str:
    return jwt.encode(claims, key or signing_key(), algorithm=ALGORITHM)


def create_token(*, user_id: str, organization_id: str, role: str, session_id: str, token_type: str = ACCESS,
                 lifetime: timedelta | None = None, now: datetime | None = None) -> IssuedToken:
    now = now or utcnow()
    if lifetime is None:
        lifetime = timedelta(minutes=get_settings().access_token_minutes)
    expires_at = now + lifetime
    claims = {"sub": user_id, "org": organization_id, "role": role, "type": token_type, "sid": session_id,
              "iat": int(now.timestamp()), "exp": int(expires_at.timestamp()), "jti": secrets.token_hex(16)}
    return IssuedToken(_encode(claims), expires_at, int(lifetime.total_seconds()))


def decode_token(token: str, *, expected_type: str = ACCESS, key: str | None = None) -> dict[str, Any]:
    """Verify and return the claims, or raise 401 with TOKEN_MALFORMED, TOKEN_ALGORITHM,
    TOKEN_INVALID (bad signature, tampered, other key), TOKEN_EXPIRED or TOKEN_WRONG_TYPE."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError as exc:
        raise Unauthorized("The token is not a well-formed JWT.", code="TOKEN_MALFORMED") from exc
    if header.get("alg") != ALGORITHM:
        raise Unauthorized(f"Tokens are signed with {ALGORITHM}; this one says {header.get('alg')!r}.",
                           code="TOKEN_ALGORITHM")
    try:
        claims: dict[str, Any] = jwt.decode(token, key or signing_key(), algorithms=[ALGORITHM],
                                            options={"require": list(REQUIRED_CLAIMS)})
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("The token has expired; refresh it or log in again.", code="TOKEN_EXPIRED") from exc
    except jwt.InvalidSignatureError as exc:
        raise Unauthorized("The token's signature is not valid.", code="TOKEN_INVALID") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"The token is not valid: {exc}.", code="TOKEN_INVALID") from exc
    if claims.get("type") != expected_type:
        raise Unauthorized(f"This is a {claims.get('type')!r} token, not an {expected_type!r} token.",
                           code="TOKEN_WRONG_TYPE")
    return claims


# -- refresh tokens ----------------------------------------------------------------------------------


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_refresh_token(session: Session, *, user_id: str, organization_id: str, family_id: str | None = None,
                        now: datetime | None = None) -> tuple[str, RefreshToken]:
    """A new refresh token (the secret is returned, only its hash stored); a new family unless given."""
    now = now or utcnow()
    secret = REFRESH_PREFIX + secrets.token_urlsafe(32)
    row = RefreshToken(user_id=user_id, organization_id=organization_id, family_id=family_id or new_id(),
                       token_hash=hash_token(secret), issued_at=now,
                       expires_at=now + timedelta(days=get_settings().refresh_token_days))
    session.add(row)
    session.flush()
    return secret, row


def rotate_refresh_token(session: Session, secret: str, *, now: datetime | None = None) -> tuple[str, RefreshToken]:
    """Spend ``secret`` and return its successor; reuse revokes the family (commit before re-raising)."""
    now = now or utcnow()
    row = session.scalars(select(RefreshToken).where(RefreshToken.token_hash == hash_token(secret))
                          .with_for_update()).one_or_none()
    if row is None:
        raise Unauthorized("The refresh token is not valid.", code="TOKEN_INVALID")
    if row.used_at is not None or row.revoked_at is not None:
        revoke_family(session, row.family_id, now=now)
        raise AuthFailure("This refresh token was already used; every session of this login has been "
                          "revoked. Log in again.", code="TOKEN_REUSED")
    if row.expires_at <= now:
        raise Unauthorized("The refresh token has expired; log in again.", code="TOKEN_EXPIRED")
    row.used_at = now
    return issue_refresh_token(session, user_id=row.user_id, organization_id=row.organization_id,
                               family_id=row.family_id, now=now)


def find_refresh_token(session: Session, secret: str) -> RefreshToken | None:
    return session.scalars(select(RefreshToken).where(RefreshToken.token_hash == hash_token(secret))).one_or_none()


def revoke_family(session: Session, family_id: str, *, now: datetime | None = None) -> int:
    result = session.execute(update(RefreshToken)
                             .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
                             .values(revoked_at=now or utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def revoke_user_sessions(session: Session, user_id: str, *, now: datetime | None = None) -> int:
    result = session.execute(update(RefreshToken)
                             .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
                             .values(revoked_at=now or utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def family_is_active(session: Session, family_id: str) -> bool:
    """A session lives while its family has a token that was not revoked (logout revokes them all)."""
    return session.scalar(select(RefreshToken.id).where(RefreshToken.family_id == family_id,
                                                        RefreshToken.revoked_at.is_(None)).limit(1)) is not None
