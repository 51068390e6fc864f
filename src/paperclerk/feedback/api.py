"""The feedback line's API: the endpoint Stripe calls with news about reward payouts (signed webhooks; public, the
signature is the authentication)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from paperclerk.api_errors import error_responses
from paperclerk.config import get_settings
from paperclerk.core.db import session_scope
from paperclerk.core.errors import FileTooLarge, NotFound
from paperclerk.feedback import payouts
from paperclerk.feedback.payments.stripe_webhooks import parse_event, verify

router = APIRouter(prefix="/api/v1/feedback", tags=["feedback"])
#: Stripe's events are a few kilobytes; anything far larger is not one.
MAX_WEBHOOK_BYTES = 256_000


class WebhookAnswer(BaseModel):
    received: bool
    applied: bool


def _apply(event: object) -> bool:
    with session_scope() as session:
        return payouts.apply_event(session, event)


@router.post("/stripe/webhook", response_model=WebhookAnswer, responses=error_responses(400, 404, 413))
async def stripe_webhook(request: Request) -> WebhookAnswer:
    """Stripe's payout news (``transfer.*``, ``payout.*``): checked against the ``Stripe-Signature`` header, then a
    failed or reversed payout puts the reward back on the customer's balance. Unknown events are acknowledged.
    Without ``PAPERCLERK_FEEDBACK_STRIPE_WEBHOOK_SECRET`` the endpoint does not exist (404)."""
    if not get_settings().feedback_stripe_webhook_secret.get_secret_value():
        raise NotFound("Stripe webhooks are not configured here.", code="WEBHOOK_NOT_CONFIGURED")
    payload = b""
    async for chunk in request.stream():
        payload += chunk
        if len(payload) > MAX_WEBHOOK_BYTES:
            raise FileTooLarge("The webhook body is too large.", details={"max_bytes": MAX_WEBHOOK_BYTES})
    event = verify(payload, request.headers.get("stripe-signature"))
    applied = await run_in_threadpool(_apply, parse_event(event))
    return WebhookAnswer(received=True, applied=applied)
