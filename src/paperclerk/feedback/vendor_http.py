"""The one HTTP client for the feedback line's vendors (POS systems, payout providers): JSON answers, a time limit,
bounded retries, and the vendor's errors as stable codes.

Connection errors, time-outs and 5xx answers are tried again with exponential back-off; a 429 waits as long as its
``Retry-After`` says (seconds or an HTTP date) when that is no longer than ``max_retry_after_seconds``. Every request
is tried again, so one that changes something must be one the vendor deduplicates (Stripe's POSTs carry an
``Idempotency-Key``). A vendor may also say itself whether to try again (Stripe's ``Stripe-Should-Retry``).
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from paperclerk.config import Settings, get_settings
from paperclerk.core.errors import PaperclerkError

#: What a vendor's error body says: a sentence and the vendor's own error code (``None`` when it says nothing).
ErrorReader = Callable[[Any], tuple[str, str | None] | None]


class VendorError(PaperclerkError):
    """A vendor's API failed us. Codes: ``VENDOR_AUTH_FAILED`` (401/403: the credentials are wrong or revoked),
    ``VENDOR_RATE_LIMITED`` (429 beyond the retries or with a longer wait than allowed), ``VENDOR_UNAVAILABLE``
    (unreachable or 5xx after the retries), ``VENDOR_BAD_RESPONSE`` (an answer we cannot read),
    ``VENDOR_REJECTED`` (the vendor refused the request: its message is in the error)."""

    code = "VENDOR_UNAVAILABLE"
    http_status = 502

    def __init__(self, vendor: str, message: str, *, code: str, status: int | None = None,
                 vendor_code: str | None = None, retry_after: float | None = None) -> None:
        details: dict[str, Any] = {"vendor": vendor}
        if status is not None:
            details["status"] = status
        if vendor_code:
            details["vendor_code"] = vendor_code
        if retry_after is not None:
            details["retry_after_seconds"] = retry_after
        super().__init__(f"{vendor}: {message}", code=code, details=details,
                         http_status=503 if code in {"VENDOR_RATE_LIMITED", "VENDOR_UNAVAILABLE"} else 502)
        self.vendor = vendor
        self.status = status
        self.vendor_code = vendor_code


class VendorClient:
    """Requests to one vendor; ``sleep`` is how the client waits between attempts."""

    def __init__(self, vendor: str, *, settings: Settings | None = None, headers: Mapping[str, str] | None = None,
                 read_error: ErrorReader | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        config = settings or get_settings()
        self.vendor = vendor
        self._retries = config.feedback_vendor_retries
        self._retry_base = config.feedback_vendor_retry_base_seconds
        self._max_wait = config.feedback_vendor_max_retry_after_seconds
        self._read_error = read_error or (lambda body: None)
        self._sleep = sleep
        self._http = httpx.Client(timeout=config.feedback_vendor_timeout_seconds, headers=dict(headers or {}))

    def request(self, method: str, url: str, *, params: Mapping[str, Any] | None = None,
                data: Mapping[str, str] | None = None,
                headers: Mapping[str, str] | None = None) -> httpx.Response:
        """The vendor's successful answer, after the retries; a failure is a :class:`VendorError`."""
        failure: VendorError | None = None
        for attempt in range(self._retries + 1):
            if attempt:
                self._sleep(_wait(failure, self._retry_base * 2 ** (attempt - 1)))
            try:
                response = self._http.request(method, url, params=params, data=data, headers=headers)
            except httpx.HTTPError as exc:
                failure = VendorError(self.vendor, f"cannot reach {url}: {type(exc).__name__}",
                                      code="VENDOR_UNAVAILABLE")
                continue
            if response.status_code < 400:
                return response
            failure = self._failure(response)
            if not _worth_retrying(response, failure, self._max_wait):
                raise failure
        assert failure is not None
        raise failure

    def json(self, response: httpx.Response) -> dict[str, Any]:
        """The answer's JSON object; anything else is ``VENDOR_BAD_RESPONSE``."""
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise self.bad_response("the answer is not a JSON object", response.status_code)
        return body

    def bad_response(self, reason: str, status: int | None = None) -> VendorError:
        return VendorError(self.vendor, f"unexpected answer: {reason}", code="VENDOR_BAD_RESPONSE", status=status)

    def _failure(self, response: httpx.Response) -> VendorError:
        try:
            message, vendor_code = self._read_error(response.json()) or (None, None)
        except ValueError:
            message, vendor_code = None, None
        status = response.status_code
        code = ("VENDOR_AUTH_FAILED" if status in (401, 403) else "VENDOR_RATE_LIMITED" if status == 429
                else "VENDOR_UNAVAILABLE" if status >= 500 else "VENDOR_REJECTED")
        return VendorError(self.vendor, message or f"HTTP {status}", code=code, status=status,
                           vendor_code=vendor_code, retry_after=_retry_after(response))


def _worth_retrying(response: httpx.Response, failure: VendorError, max_wait: float) -> bool:
    told: str | None = response.headers.get("Stripe-Should-Retry")
    if told is not None:
        return told == "true"
    if failure.code == "VENDOR_RATE_LIMITED":
        wait = failure.details.get("retry_after_seconds")
        return wait is None or float(wait) <= max_wait
    return failure.code == "VENDOR_UNAVAILABLE"


def _wait(failure: VendorError | None, backoff: float) -> float:
    told = failure.details.get("retry_after_seconds") if failure is not None else None
    return float(told) if told is not None else backoff


def _retry_after(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds: a number (Shopify sends ``2.0``) or an HTTP date."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
