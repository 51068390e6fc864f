"""Error types of authentication and authorisation; the app's one handler shapes them."""

from __future__ import annotations

from typing import Any

from paperclerk.core.errors import PaperclerkError


class Unauthorized(PaperclerkError):
    """No valid credentials. Codes: AUTH_REQUIRED, TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_REVOKED,
    TOKEN_REUSED, CREDENTIALS_INVALID, API_KEY_INVALID."""

    code = "TOKEN_INVALID"
    http_status = 401


class Forbidden(PaperclerkError):
    """Authenticated, but the role does not grant the permission (named in ``details``)."""

    code = "FORBIDDEN"
    http_status = 403


class RateLimited(PaperclerkError):
    """Too many requests (or login attempts): ``details.retry_after_seconds`` says when to come back."""

    code = "RATE_LIMITED"
    http_status = 429

    def __init__(self, message: str, *, retry_after: int, code: str | None = None,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message, code=code, details={**(details or {}), "retry_after_seconds": retry_after})
        self.retry_after = retry_after


class AccountLocked(RateLimited):
    """Too many failed logins for this e-mail address or from this address: 429 + Retry-After.

    Given alike for existing and unknown users so that it reveals nothing about who has an account.
    """

    code = "ACCOUNT_LOCKED"


class WeakPassword(PaperclerkError):
    code = "WEAK_PASSWORD"
    http_status = 400


class CsrfFailed(Forbidden):
    code = "CSRF_FAILED"


class InsecureConfiguration(PaperclerkError):
    """Refuse to start: a production deployment without a real secret key."""

    code = "INSECURE_CONFIGURATION"
    http_status = 500
