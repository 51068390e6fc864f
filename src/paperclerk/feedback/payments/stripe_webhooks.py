"""Stripe's webhooks: the ``Stripe-Signature`` header is checked (``t=<unix time>,v1=<hex>``: HMAC-SHA256 with the
endpoint's signing secret over ``"{t}.{raw body}"``; any ``v1`` may match, so secrets can be rolled; ``t`` within
the tolerance of now) before the body is read, and the events about reward money and accounts become
:class:`PayoutEvent` / :class:`AccountEvent`.

Events used: ``transfer.created``, ``transfer.updated`` and ``transfer.reversed`` (the reward reached the customer's
account, or was taken back), ``payout.paid`` and ``payout.failed`` on a connected account (its money reached the
customer's bank, or did not), ``account.updated`` (onboarding finished). Others are answered and ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any

from paperclerk.config import Settings, get_settings
from paperclerk.core.errors import PaperclerkError
from paperclerk.feedback.minor_units import currency_code, from_minor
from paperclerk.feedback.payments.provider import AccountEvent, ConnectedAccount, PayoutEvent, PayoutStatus
from paperclerk.feedback.payments.stripe_connect import STRIPE_DECIMALS, transfer_result

_TRANSFER_EVENTS = {"transfer.created", "transfer.updated", "transfer.reversed"}
_PAYOUT_STATUS = {"payout.paid": PayoutStatus.PAID, "payout.failed": PayoutStatus.FAILED}


class WebhookRejected(PaperclerkError):
    """A webhook call that is not from Stripe or not readable: ``WEBHOOK_SIGNATURE_INVALID`` (no, a wrong or an
    old signature) or ``WEBHOOK_PAYLOAD_INVALID`` (signed, but not an event). Nothing is applied."""

    code = "WEBHOOK_SIGNATURE_INVALID"
    http_status = 400


def sign(payload: bytes, secret: str, timestamp: int) -> str:
    """The ``Stripe-Signature`` header Stripe sends with ``payload``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(payload: bytes, header: str | None, *, secret: str | None = None, tolerance: int | None = None,
           now: float | None = None, settings: Settings | None = None) -> dict[str, Any]:
    """The event, once the signature is Stripe's and recent; otherwise :class:`WebhookRejected`. The secret and
    tolerance default to ``PAPERCLERK_FEEDBACK_STRIPE_WEBHOOK_SECRET`` / ``…_TOLERANCE_SECONDS``."""
    config = settings or get_settings()
    secret = config.feedback_stripe_webhook_secret.get_secret_value() if secret is None else secret
    tolerance = config.feedback_stripe_webhook_tolerance_seconds if tolerance is None else tolerance
    if not secret:
        raise WebhookRejected("No Stripe webhook secret is configured.", code="PAYOUT_PROVIDER_NOT_CONFIGURED",
                              http_status=503)
    timestamp, signatures = _parse_header(header or "")
    age = (time.time() if now is None else now) - timestamp
    if abs(age) > tolerance:
        raise WebhookRejected(f"The Stripe signature is {int(age)} s old (more than {tolerance} s apart from now).",
                              details={"age_seconds": int(age)})
    expected = sign(payload, secret, timestamp).split("v1=", 1)[1]
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise WebhookRejected("The Stripe signature does not match the payload.")
    try:
        event = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        event = None
    if not isinstance(event, dict) or event.get("object") != "event" or not isinstance(event.get("type"), str):
        raise WebhookRejected("The webhook body is not a Stripe event.", code="WEBHOOK_PAYLOAD_INVALID")
    return event


def parse_event(event: dict[str, Any]) -> PayoutEvent | AccountEvent | None:
    """What a verified event means for rewards; ``None`` for events nothing here uses."""
    kind = event["type"]
    try:
        subject = event["data"]["object"]
        when = datetime.fromtimestamp(int(event["created"]), UTC)
        if kind in _TRANSFER_EVENTS:
            result = transfer_result(subject)
            return PayoutEvent(provider="stripe", event_id=str(event["id"]), provider_ref=result.provider_ref,
                               account=result.account, amount=result.amount, currency=result.currency,
                               status=result.status, occurred_at=when)
        if kind in _PAYOUT_STATUS:
            currency = currency_code(subject["currency"])
            return PayoutEvent(provider="stripe", event_id=str(event["id"]), provider_ref=str(subject["id"]),
                               account=event.get("account"),
                               amount=from_minor(subject["amount"], currency, STRIPE_DECIMALS), currency=currency,
                               status=_PAYOUT_STATUS[kind], occurred_at=when,
                               failure_reason=subject.get("failure_message") or subject.get("failure_code"))
        if kind == "account.updated":
            account = ConnectedAccount(account_id=str(subject["id"]),
                                       payouts_enabled=bool(subject.get("payouts_enabled")),
                                       details_submitted=bool(subject.get("details_submitted")))
            return AccountEvent(provider="stripe", event_id=str(event["id"]), account=account, occurred_at=when)
    except (KeyError, TypeError, ValueError, OverflowError, PaperclerkError) as exc:
        raise WebhookRejected(f"The {kind} event cannot be read: {exc}.", code="WEBHOOK_PAYLOAD_INVALID") from None
    return None


def _parse_header(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1" and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise WebhookRejected("The Stripe-Signature header is missing or has no t= and v1=.")
    return timestamp, signatures
