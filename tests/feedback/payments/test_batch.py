"""A batch of payouts: refusals stay with their payout, a provider that is down stops the batch, and running the
batch again pays only what was not paid."""

from __future__ import annotations

from decimal import Decimal

from paperclerk.feedback.payments.batch import pay_all
from paperclerk.feedback.payments.provider import PayoutRequest, PayoutStatus
from paperclerk.feedback.payments.stripe_connect import StripeConnect
from tests.feedback.payments.stripe_server import StripeServer


def batch(accounts: list[str]) -> list[PayoutRequest]:
    return [PayoutRequest(f"ledger-{n}", account, Decimal("10.00"), "SEK", f"batch-7-{n}")
            for n, account in enumerate(accounts)]


def test_a_refused_payout_does_not_hold_back_the_others(connect: StripeConnect, stripe: StripeServer) -> None:
    ready = connect.create_account(email="a@example.se", country="SE", reference="a").account_id
    stripe.finish_onboarding(ready)
    unfinished = connect.create_account(email="b@example.se", country="SE", reference="b").account_id
    outcome = pay_all(connect, batch([ready, unfinished, ready]))
    assert [r.status for r in outcome.results] == [PayoutStatus.PAID, PayoutStatus.PAID]
    assert [(f.request.reference, f.code) for f in outcome.failures] == [("ledger-1", "VENDOR_REJECTED")]
    assert outcome.not_tried == ()


def test_a_provider_that_is_down_stops_the_batch_and_a_rerun_pays_the_rest_once(
        connect: StripeConnect, stripe: StripeServer) -> None:
    ready = connect.create_account(email="a@example.se", country="SE", reference="a").account_id
    stripe.finish_onboarding(ready)
    requests = batch([ready, ready, ready, ready])
    connect.pay(requests[0])  # paid before, by a batch that died
    stripe.fail(3, 503, body={"error": {"type": "api_error", "message": "Service unavailable"}})
    outcome = pay_all(connect, requests)
    assert outcome.results == () and [f.code for f in outcome.failures] == ["VENDOR_UNAVAILABLE"]
    assert outcome.not_tried == tuple(requests[1:])
    rerun = pay_all(connect, requests)
    assert len(rerun.results) == 4 and rerun.failures == () and len(stripe.transfers) == 4
