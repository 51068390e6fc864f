"""Stripe Connect: accounts, onboarding links, transfers paid exactly once per idempotency key, Stripe's errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperclerk.core.errors import PaperclerkError
from paperclerk.feedback.payments.provider import PayoutRequest, PayoutStatus
from paperclerk.feedback.payments.stripe_connect import StripeConnect
from tests.feedback.payments.stripe_server import StripeServer
from tests.feedback.pos.conftest import Waits, vendor_settings


def onboarded(connect: StripeConnect, stripe: StripeServer, reference: str = "customer-1") -> str:
    account = connect.create_account(email="kund@example.se", country="se", reference=reference)
    stripe.finish_onboarding(account.account_id)
    return account.account_id


def reward(account: str, amount: str = "25.50", currency: str = "SEK", key: str = "payout-1") -> PayoutRequest:
    return PayoutRequest(reference="ledger-17", account=account, amount=Decimal(amount), currency=currency,
                         idempotency_key=key, description="Feedback reward")


def test_an_account_is_onboarded_through_a_link(connect: StripeConnect, stripe: StripeServer) -> None:
    account = connect.create_account(email="kund@example.se", country="se", reference="customer-1")
    assert account.account_id.startswith("acct_") and not account.payouts_enabled
    again = connect.create_account(email="kund@example.se", country="se", reference="customer-1")
    assert again.account_id == account.account_id and len(stripe.accounts) == 1

    link = connect.onboarding_link(account.account_id, return_url="https://app.example/done",
                                   refresh_url="https://app.example/again")
    assert link.url.startswith(stripe.url) and link.expires_at.tzinfo is not None
    assert stripe.requests[-1].headers["idempotency-key"].startswith("paperclerk-")  # a retry makes no second link
    created = stripe.requests[0]
    assert created.headers["content-type"] == "application/x-www-form-urlencoded"
    assert created.form()["capabilities[transfers][requested]"] == "true" and created.form()["country"] == "SE"

    stripe.finish_onboarding(account.account_id)
    assert connect.account(account.account_id).payouts_enabled


def test_a_payout_is_a_transfer_in_minor_units(connect: StripeConnect, stripe: StripeServer) -> None:
    account = onboarded(connect, stripe)
    result = connect.pay(reward(account))
    assert result.status == PayoutStatus.PAID and result.amount == Decimal("25.50") and result.currency == "SEK"
    sent = stripe.requests[-1]
    assert sent.form()["amount"] == "2550" and sent.form()["currency"] == "sek"
    assert sent.headers["idempotency-key"] == "payout-1" and sent.form()["destination"] == account
    yen = connect.pay(reward(account, "500", "JPY", key="payout-2"))
    assert stripe.requests[-1].form()["amount"] == "500" and yen.amount == Decimal("500")
    assert connect.status(result.provider_ref) == result


def test_the_same_payout_twice_pays_once(connect: StripeConnect, stripe: StripeServer) -> None:
    account = onboarded(connect, stripe)
    first = connect.pay(reward(account))
    second = connect.pay(reward(account))
    assert first == second and len(stripe.transfers) == 1


def test_an_answer_lost_on_the_way_back_is_retried_without_paying_twice(connect: StripeConnect, stripe: StripeServer,
                                                                        waits: Waits) -> None:
    account = onboarded(connect, stripe)
    stripe.lose_answers(1)
    result = connect.pay(reward(account))
    assert result.status == PayoutStatus.PAID and len(stripe.transfers) == 1 and waits == [0.5]
    assert stripe.balance["sek"] == 1_000_000 - 2550


def test_a_key_reused_for_another_payout_is_a_conflict(connect: StripeConnect, stripe: StripeServer) -> None:
    account = onboarded(connect, stripe)
    connect.pay(reward(account))
    with pytest.raises(PaperclerkError) as caught:
        connect.pay(reward(account, amount="99.00"))
    assert caught.value.code == "PAYOUT_IDEMPOTENCY_CONFLICT" and caught.value.http_status == 409
    assert len(stripe.transfers) == 1


@pytest.mark.parametrize(("amount", "currency", "code"), [
    ("-5.00", "SEK", "AMOUNT_INVALID"), ("0", "SEK", "AMOUNT_INVALID"), ("12.345", "SEK", "AMOUNT_INVALID"),
    ("10.5", "JPY", "AMOUNT_INVALID"), ("10", "KRONOR", "CURRENCY_INVALID"), ("10", "XXX", "CURRENCY_INVALID"),
    ("NaN", "SEK", "AMOUNT_INVALID"),
])
def test_bad_amounts_and_currencies_never_reach_stripe(connect: StripeConnect, stripe: StripeServer, amount: str,
                                                       currency: str, code: str) -> None:
    with pytest.raises(PaperclerkError) as caught:
        connect.pay(reward("acct_1", amount, currency))
    assert caught.value.code == code and stripe.requests == []


def test_stripe_refusals_keep_their_code(connect: StripeConnect, stripe: StripeServer) -> None:
    unfinished = connect.create_account(email="a@example.se", country="SE", reference="c2").account_id
    with pytest.raises(PaperclerkError) as caught:
        connect.pay(reward(unfinished))
    assert caught.value.code == "VENDOR_REJECTED"
    assert caught.value.details["vendor_code"] == "insufficient_capabilities_for_transfer"
    account = onboarded(connect, stripe, "c3")
    stripe.balance["sek"] = 100
    with pytest.raises(PaperclerkError) as caught:
        connect.pay(reward(account, key="payout-9"))
    assert caught.value.details["vendor_code"] == "balance_insufficient" and "insufficient" in caught.value.message


def test_a_wrong_secret_key_is_an_auth_failure(stripe: StripeServer, waits: Waits) -> None:
    wrong = StripeConnect(secret_key="sk_test_wrong", settings=vendor_settings(feedback_stripe_url=stripe.url),
                          sleep=waits)
    with pytest.raises(PaperclerkError) as caught:
        wrong.create_account(email="a@example.se", country="SE", reference="x")
    assert caught.value.code == "VENDOR_AUTH_FAILED" and "Invalid API Key" in caught.value.message
    with pytest.raises(PaperclerkError) as caught:
        StripeConnect(settings=vendor_settings(feedback_stripe_url=stripe.url))
    assert caught.value.code == "PAYOUT_PROVIDER_NOT_CONFIGURED"


def test_stripe_should_retry_false_is_not_retried(connect: StripeConnect, stripe: StripeServer, waits: Waits) -> None:
    account = onboarded(connect, stripe)
    stripe.fail(1, 500, headers={"Stripe-Should-Retry": "false"},
                body={"error": {"type": "api_error", "message": "An unknown error occurred"}})
    with pytest.raises(PaperclerkError) as caught:
        connect.pay(reward(account))
    assert caught.value.code == "VENDOR_UNAVAILABLE" and waits == []


@pytest.mark.parametrize("body", [b"{oops", b'{"object": "transfer", "id": "tr_1"}',
                                  b'{"object": "charge", "id": "ch_1"}',
                                  b'{"object": "transfer", "id": "tr_1", "amount": "many", "currency": "sek", '
                                  b'"destination": "acct_1"}'])
def test_malformed_stripe_answers_are_bad_responses(connect: StripeConnect, stripe: StripeServer,
                                                    body: bytes) -> None:
    account = onboarded(connect, stripe)
    stripe.fail(1, 200, body=body)
    with pytest.raises(PaperclerkError) as caught:
        connect.pay(reward(account))
    assert caught.value.code == "VENDOR_BAD_RESPONSE"


def test_ids_cannot_walk_the_api(connect: StripeConnect) -> None:
    with pytest.raises(PaperclerkError) as caught:
        connect.status("../v1/accounts")
    assert caught.value.code == "PAYOUT_REF_INVALID"
