"""The payout and POS libraries wired into the line: a POS CSV uploaded on the settings page becomes transactions
receipts are checked against (by id or receipt number); rewards owed are paid in batches, manual CSV or Stripe
Connect (a local server speaking Stripe's wire format), each once, and the ledger moves them to the clearing
account and still balances."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from paperclerk.app import create_app
from paperclerk.auth.principal import system_actor
from paperclerk.core.db import session_scope
from paperclerk.feedback import ledger, payouts
from paperclerk.feedback.models import Customer, FeedbackSession, PosTransaction
from paperclerk.feedback.payments.stripe_connect import StripeConnect
from tests.conftest import Env
from tests.feedback.payments.conftest import connect, stripe, waits
from tests.feedback.payments.stripe_server import StripeServer
from tests.feedback.support import business, submitted_feedback
from tests.helpers import api_key

__all__ = ["connect", "stripe", "waits"]
CSV = (b"external_id,amount,occurred_at,store_ref,receipt_number,card\n"
       b"sq-1001,89.50,2026-12-03 13:05,Main street,K-42,**** 4242\n"
       b"sq-1002,12,2026-12-03 13:10,Main street,,\n"
       b"sq-1003,lots,2026-12-03 13:15,Main street,,\n")


def test_pos_csv_upload_feeds_receipt_checks(env: Env) -> None:
    shop = business(sales=0)
    with TestClient(create_app(embedded_workers=False), raise_server_exceptions=False) as client:
        client.headers["X-API-Key"] = api_key("acme", "approver")
        page = client.post("/feedback/transactions", files={"file": ("pos.csv", CSV, "text/csv")},
                           data={"timezone": "Europe/Stockholm"})
        assert page.status_code == 200, page.text
        assert "2 new, 0 already known, 1 rows with errors" in page.text and "line 4" in page.text
        again = client.post("/feedback/transactions", files={"file": ("pos.csv", CSV, "text/csv")})
        assert "0 new, 2 already known" in again.text
        broken = client.post("/feedback/transactions", files={"file": ("pos.csv", b"\x00\x01binary", "text/csv")})
        assert broken.status_code == 400
        client.headers["X-API-Key"] = api_key("acme", "reviewer")
        assert client.post("/feedback/transactions", files={"file": ("pos.csv", CSV, "text/csv")}).status_code == 403
    with TestClient(create_app(embedded_workers=False), raise_server_exceptions=False) as customer:
        # the receipt shows K-42 and local time 13:05 (Stockholm, UTC+1)
        verified = customer.post(f"/f/{shop.store_code}/verify", follow_redirects=False, data={
            "transaction_id": "K-42", "amount": "89.50", "occurred_at": "2026-12-03T12:05"})
        assert verified.status_code == 303, verified.text
    with session_scope(readonly=True) as session:
        sale = session.scalars(select(PosTransaction).where(PosTransaction.external_id == "sq-1001")).one()
        assert sale.store_id == shop.store_id and sale.session_id and sale.card_fingerprint
        assert "4242" not in sale.card_fingerprint


def _owed_customer(shop_slug: str = "acme") -> tuple[str, str]:
    shop = business(shop_slug, sales=1)
    sent = submitted_feedback(shop, 0, flagged=False)
    with session_scope(readonly=True) as session:
        feedback = session.get(FeedbackSession, sent.session_id)
        assert feedback is not None and feedback.reward_amount > 0
        return feedback.customer_id, sent.customer_token or ""


def test_manual_payout_batch_pays_each_balance_once(env: Env) -> None:
    customer_id, token = _owed_customer()
    with TestClient(create_app(embedded_workers=False), raise_server_exceptions=False) as phone:
        phone.cookies.set("paperclerk_feedback", token, path="/f")
        assert phone.post("/f/me/payout-account", data={"account": "x"}).status_code == 400
        assert phone.post("/f/me/payout-account", data={"account": "+46701234567"},
                          follow_redirects=False).status_code == 303
    actor = system_actor("tests")
    with session_scope() as session:
        owed = ledger.customer_totals(session, customer_id)["SEK"]["balance"]
        report = payouts.pay_rewards(session, actor, provider=payouts.provider_named("manual"), currency="SEK")
        assert (report.paid, report.failed) == (1, 0) and report.batch.total == owed
    with session_scope() as session:
        assert ledger.customer_totals(session, customer_id)["SEK"]["balance"] == 0
        assert ledger.balances(session, ledger.CLEARING) == {"SEK": owed}
        assert ledger.trial_balance(session) == {"SEK": Decimal(0)}
        again = payouts.pay_rewards(session, actor, provider=payouts.provider_named("manual"), currency="SEK")
        assert again.paid == 0
    to_pay = payouts.provider_named("manual")
    assert "+46701234567" in to_pay.to_pay()  # type: ignore[attr-defined]


def test_stripe_connect_payout(env: Env, stripe: StripeServer, connect: StripeConnect) -> None:
    customer_id, _token = _owed_customer()
    account = connect.create_account(email="customer@example.com", country="SE", reference=customer_id)
    stripe.finish_onboarding(account.account_id)
    with session_scope() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        payouts.set_payout_account(session, customer, account.account_id)
    with session_scope() as session:
        report = payouts.pay_rewards(session, system_actor("tests"), provider=connect, currency="SEK")
        assert report.paid == 1 and report.failed == 0
    with session_scope(readonly=True) as session:
        assert ledger.customer_totals(session, customer_id)["SEK"]["balance"] == 0
        assert ledger.trial_balance(session) == {"SEK": Decimal(0)}
    assert any(re.match(r"/v1/transfers", request.path) for request in stripe.requests)


def test_stripe_webhook_returns_a_failed_payout_to_the_balance(env: Env, stripe: StripeServer,
                                                               connect: StripeConnect,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from paperclerk.config import get_settings
    from paperclerk.feedback.payments.stripe_webhooks import sign

    monkeypatch.setenv("PAPERCLERK_FEEDBACK_STRIPE_WEBHOOK_SECRET", stripe.webhook_secret)
    get_settings.cache_clear()
    customer_id, _token = _owed_customer()
    account = connect.create_account(email="customer@example.com", country="SE", reference=customer_id)
    stripe.finish_onboarding(account.account_id)
    with session_scope() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        payouts.set_payout_account(session, customer, account.account_id)
        owed = ledger.customer_totals(session, customer_id)["SEK"]["balance"]
    with session_scope() as session:
        payouts.pay_rewards(session, system_actor("tests"), provider=connect, currency="SEK")
    with session_scope(readonly=True) as session:
        from paperclerk.feedback.models import Payout

        transfer_id = session.scalars(select(Payout.provider_ref)).one()
    reversed_transfer = stripe.reverse(transfer_id)
    body, signature = stripe.event("transfer.reversed", reversed_transfer)
    with TestClient(create_app(embedded_workers=False), raise_server_exceptions=False) as client:
        forged = client.post("/api/v1/feedback/stripe/webhook", content=body,
                             headers={"Stripe-Signature": sign(body, "whsec_wrong", int(time.time()))})
        assert forged.status_code == 400 and forged.json()["error"]["code"] == "WEBHOOK_SIGNATURE_INVALID"
        for expected in (True, False):  # the same event twice changes nothing the second time
            answer = client.post("/api/v1/feedback/stripe/webhook", content=body,
                                 headers={"Stripe-Signature": signature})
            assert answer.status_code == 200, answer.text
            assert answer.json() == {"received": True, "applied": expected}
    with session_scope(readonly=True) as session:
        assert ledger.customer_totals(session, customer_id)["SEK"]["balance"] == owed
        assert ledger.trial_balance(session) == {"SEK": Decimal(0)}


def test_square_sales_imported_by_the_command(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, datetime, timedelta

    from typer.testing import CliRunner

    from paperclerk.cli import app as cli
    from paperclerk.config import get_settings
    from tests.feedback.pos.servers import SquareServer, square_payment

    shop = business(sales=0)
    recent = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with SquareServer() as square:
        square.sales = [square_payment(8950, "SEK", recent), square_payment(1200, "SEK", recent)]
        monkeypatch.setenv("PAPERCLERK_FEEDBACK_SQUARE_URL", square.url)
        get_settings.cache_clear()
        runner = CliRunner()
        first = runner.invoke(cli, ["feedback", "import-pos", "square", "--org", "acme"],
                              env={"PAPERCLERK_FEEDBACK_POS_TOKEN": square.access_token})
        assert first.exit_code == 0, first.output
        assert "2 new, 0 already known" in first.output
        again = runner.invoke(cli, ["feedback", "import-pos", "square", "--org", "acme"],
                              env={"PAPERCLERK_FEEDBACK_POS_TOKEN": square.access_token})
        assert "0 new, 2 already known" in again.output
        wrong = runner.invoke(cli, ["feedback", "import-pos", "square", "--org", "acme", "--token", "nope"])
        assert wrong.exit_code == 1 and "VENDOR_AUTH_FAILED" in wrong.output
    with session_scope(readonly=True) as session:
        amounts = sorted(sale.amount for sale in session.scalars(select(PosTransaction).where(
            PosTransaction.organization_id == shop.organization_id)))
        assert amounts == [Decimal("12.00"), Decimal("89.50")]
