"""Stripe's signed webhooks: only Stripe's recent signatures are believed, and the events become payout news."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from paperclerk.config import Settings
from paperclerk.core.errors import PaperclerkError
from paperclerk.feedback.payments.provider import AccountEvent, PayoutEvent, PayoutRequest, PayoutStatus
from paperclerk.feedback.payments.stripe_connect import StripeConnect
from paperclerk.feedback.payments.stripe_webhooks import parse_event, sign, verify
from tests.feedback.payments.stripe_server import StripeServer


def paid_transfer(connect: StripeConnect, stripe: StripeServer) -> dict[str, object]:
    account = connect.create_account(email="k@example.se", country="SE", reference="c1").account_id
    stripe.finish_onboarding(account)
    result = connect.pay(PayoutRequest("ledger-1", account, Decimal("40.00"), "SEK", "payout-1"))
    return stripe.transfers[result.provider_ref]


def rejected(payload: bytes, header: str | None, secret: str = "whsec_test_secret") -> str:
    with pytest.raises(PaperclerkError) as caught:
        verify(payload, header, secret=secret)
    assert caught.value.http_status in (400, 503)
    return caught.value.code


def test_transfer_events_become_payout_events(connect: StripeConnect, stripe: StripeServer) -> None:
    transfer = paid_transfer(connect, stripe)
    payload, header = stripe.event("transfer.created", transfer)
    event = parse_event(verify(payload, header, secret=stripe.webhook_secret))
    assert isinstance(event, PayoutEvent) and event.status == PayoutStatus.PAID
    assert event.provider_ref == transfer["id"] and event.amount == Decimal("40.00") and event.currency == "SEK"

    payload, header = stripe.event("transfer.reversed", stripe.reverse(str(transfer["id"])))
    reversed_event = parse_event(verify(payload, header, secret=stripe.webhook_secret))
    assert isinstance(reversed_event, PayoutEvent) and reversed_event.status == PayoutStatus.REVERSED
    assert reversed_event.event_id != event.event_id


def test_bank_payouts_and_onboarding_of_connected_accounts(stripe: StripeServer) -> None:
    failed = {"id": "po_1", "object": "payout", "amount": 4000, "currency": "sek", "status": "failed",
              "failure_code": "account_closed", "failure_message": "The bank account has been closed."}
    payload, header = stripe.event("payout.failed", failed, account="acct_1")
    event = parse_event(verify(payload, header, secret=stripe.webhook_secret))
    assert isinstance(event, PayoutEvent) and event.status == PayoutStatus.FAILED and event.account == "acct_1"
    assert event.failure_reason == "The bank account has been closed."

    account = {"id": "acct_1", "object": "account", "payouts_enabled": True, "details_submitted": True}
    payload, header = stripe.event("account.updated", account, account="acct_1")
    news = parse_event(verify(payload, header, secret=stripe.webhook_secret))
    assert isinstance(news, AccountEvent) and news.account.payouts_enabled

    payload, header = stripe.event("charge.succeeded", {"id": "ch_1", "object": "charge"})
    assert parse_event(verify(payload, header, secret=stripe.webhook_secret)) is None


def test_tampered_old_or_unsigned_deliveries_are_refused(connect: StripeConnect, stripe: StripeServer) -> None:
    transfer = paid_transfer(connect, stripe)
    payload, header = stripe.event("transfer.created", transfer)
    assert rejected(payload.replace(b'"amount": 4000', b'"amount": 400000'), header) == "WEBHOOK_SIGNATURE_INVALID"
    assert rejected(payload, None) == "WEBHOOK_SIGNATURE_INVALID"
    assert rejected(payload, "t=,v1=") == "WEBHOOK_SIGNATURE_INVALID"
    assert rejected(payload, header.split(",v1=")[0]) == "WEBHOOK_SIGNATURE_INVALID"
    assert rejected(payload, header, secret="whsec_other") == "WEBHOOK_SIGNATURE_INVALID"
    assert rejected(payload, header, secret="") == "PAYOUT_PROVIDER_NOT_CONFIGURED"
    old_payload, old_header = stripe.event("transfer.created", transfer, signed_at=int(time.time()) - 301)
    assert rejected(old_payload, old_header) == "WEBHOOK_SIGNATURE_INVALID"
    other_payload, other_header = stripe.event("transfer.created", transfer, secret="whsec_other")
    assert rejected(other_payload, other_header) == "WEBHOOK_SIGNATURE_INVALID"


def test_a_rolled_secret_still_verifies_while_both_signatures_are_sent(stripe: StripeServer) -> None:
    payload, header = stripe.event("account.updated", {"id": "acct_1", "object": "account"})
    _, rolled = stripe.event("account.updated", {}, secret="whsec_new")
    both = f"{header},v1={rolled.split('v1=')[1].split(',')[0]}"
    assert verify(payload, both, secret="whsec_test_secret", now=time.time())["type"] == "account.updated"
    assert verify(payload, header, secret="whsec_test_secret", tolerance=5, now=time.time() + 4)


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"object": "charge"}', b"\xff\xfe"])
def test_a_signed_body_that_is_not_an_event_is_refused(stripe: StripeServer, body: bytes) -> None:
    moment = int(time.time())
    assert rejected(body, sign(body, stripe.webhook_secret, moment)) == "WEBHOOK_PAYLOAD_INVALID"


def test_a_signed_event_with_a_broken_object_is_refused(stripe: StripeServer) -> None:
    payload, header = stripe.event("transfer.created", {"id": "tr_1", "object": "transfer", "amount": -1.5,
                                                        "currency": "sek", "destination": "acct_1"})
    with pytest.raises(PaperclerkError) as caught:
        parse_event(verify(payload, header, secret=stripe.webhook_secret))
    assert caught.value.code == "WEBHOOK_PAYLOAD_INVALID"


def test_the_secret_and_tolerance_come_from_the_settings(stripe: StripeServer) -> None:
    settings = Settings(feedback_stripe_webhook_secret=stripe.webhook_secret,
                        feedback_stripe_webhook_tolerance_seconds=10)
    payload, header = stripe.event("account.updated", {"id": "acct_1", "object": "account"})
    assert verify(payload, header, settings=settings)["type"] == "account.updated"
    with pytest.raises(PaperclerkError, match="old"):
        verify(payload, header, settings=settings, now=time.time() + 11)
