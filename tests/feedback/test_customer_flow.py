"""The customer's way through the pages (no browser): verify a purchase, consent, type, see the score and reward;
the ledger records it; bad input gets a clear error and loses nothing."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select

from paperclerk.app import create_app
from paperclerk.core.db import session_scope
from paperclerk.feedback import ledger
from paperclerk.feedback.models import FeedbackSession, LedgerEntry, PosTransaction
from tests.conftest import Env
from tests.feedback.support import business, receipt

USEFUL = ("The cinnamon bun was dry on Saturday morning and we waited 20 minutes at the counter because only one "
          "barista was working. You should put a second person on the till at weekends. Anna was friendly though.")


def _client() -> TestClient:
    return TestClient(create_app(embedded_workers=False), raise_server_exceptions=False)


def _verify(client: TestClient, code: str, form: dict[str, str]) -> str:
    response = client.post(f"/f/{code}/verify", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def test_typed_feedback_earns_its_reward(env: Env) -> None:
    shop = business()
    with _client() as client:
        landing = client.get(f"/f/{shop.store_code}")
        assert landing.status_code == 200 and "Receipt number" in landing.text
        assert 'rel="manifest"' in landing.text
        form_page = _verify(client, shop.store_code, receipt(shop.sales[0]))
        assert client.cookies.get("paperclerk_feedback")
        page = client.get(form_page)
        assert "I agree that Acme" in page.text
        sent = client.post(form_page, data={"consent": "yes", "text": USEFUL, "typing_seconds": "60"},
                           follow_redirects=False)
        assert sent.status_code == 303, sent.text
        result = client.get(sent.headers["location"])
        assert result.status_code == 200
        assert 'data-status="scored"' in result.text
    with session_scope(readonly=True) as session:
        feedback = session.scalars(select(FeedbackSession)).one()
        assert feedback.score is not None and feedback.score >= 60
        assert feedback.consent_at is not None and "I agree" in feedback.consent_text
        assert feedback.reward_amount > 0
        owed = ledger.customer_totals(session, feedback.customer_id)["SEK"]
        assert owed["balance"] == feedback.reward_amount
        assert ledger.trial_balance(session) == {"SEK": Decimal(0)}
        legs = session.scalars(select(LedgerEntry).where(LedgerEntry.session_id == feedback.id)).all()
        assert {leg.account for leg in legs} == {ledger.business_account(shop.organization_id),
                                                 ledger.customer_account(feedback.customer_id), ledger.COMMISSION}


def test_receipt_must_match_and_serves_once(env: Env) -> None:
    shop = business()
    sale = shop.sales[1]
    with _client() as client:
        wrong_amount = {**receipt(sale), "amount": str(sale.amount + 5)}
        response = client.post(f"/f/{shop.store_code}/verify", data=wrong_amount)
        assert response.status_code == 404 and 'data-error="PURCHASE_NOT_FOUND"' in response.text
        assert "value=\"" + sale.external_id in response.text  # what was typed is kept
        late = {**receipt(sale), "occurred_at": "2026-12-03T15:00"}
        assert client.post(f"/f/{shop.store_code}/verify", data=late).status_code == 404
        _verify(client, shop.store_code, receipt(sale))
        again = client.post(f"/f/{shop.store_code}/verify", data=receipt(sale))
        assert again.status_code == 409 and "PURCHASE_ALREADY_USED" in again.text
        for bad in ({**receipt(sale), "amount": "lots"}, {**receipt(sale), "occurred_at": "yesterday"}):
            assert client.post(f"/f/{shop.store_code}/verify", data=bad).status_code == 400
        assert client.get("/f/no-such-code").status_code == 404
    with session_scope(readonly=True) as session:
        used = session.scalars(select(PosTransaction).where(PosTransaction.external_id == sale.external_id)).one()
        assert used.session_id is not None


def test_consent_and_text_are_required_and_nothing_is_lost(env: Env) -> None:
    shop = business()
    with _client() as client:
        form_page = _verify(client, shop.store_code, receipt(shop.sales[2]))
        no_consent = client.post(form_page, data={"text": USEFUL})
        assert no_consent.status_code == 400 and "CONSENT_REQUIRED" in no_consent.text
        empty = client.post(form_page, data={"consent": "yes", "text": "   "})
        assert empty.status_code == 400 and "FEEDBACK_EMPTY" in empty.text
        too_long = client.post(form_page, data={"consent": "yes", "text": "x" * 6000})
        assert too_long.status_code == 400 and "FEEDBACK_TOO_LONG" in too_long.text
        # still open: the customer can send it properly now
        assert client.post(form_page, data={"consent": "yes", "text": USEFUL}, follow_redirects=False
                           ).status_code == 303
        twice = client.post(form_page, data={"consent": "yes", "text": USEFUL})
        assert twice.status_code == 409
    with _client() as stranger:  # another phone cannot open or send someone else's feedback
        assert stranger.get(form_page).status_code == 404
        assert stranger.post(form_page, data={"consent": "yes", "text": USEFUL}).status_code == 404


def test_voice_upload_limits(env: Env, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PAPERCLERK_FEEDBACK_MAX_AUDIO_BYTES", "1000")
    from paperclerk.config import get_settings

    get_settings.cache_clear()
    shop = business()
    with _client() as client:
        form_page = _verify(client, shop.store_code, receipt(shop.sales[3]))
        big = client.post(form_page, data={"consent": "yes"}, files={"audio": ("r.webm", b"\x1aE\xdf\xa3" * 600,
                                                                               "audio/webm")},
                          headers={"Accept": "application/json"})
        assert big.status_code == 413 and big.json()["error"]["code"] == "FILE_TOO_LARGE"
        junk = client.post(form_page, data={"consent": "yes"}, files={"audio": ("r.webm", b"not audio at all",
                                                                                "audio/webm")},
                           headers={"Accept": "application/json"})
        assert junk.status_code == 422 and junk.json()["error"]["code"] == "FILE_CORRUPT"
        pdf = client.post(form_page, data={"consent": "yes"}, files={"audio": ("r.pdf", b"%PDF-1.4\n%%EOF\n",
                                                                               "application/pdf")})
        assert pdf.status_code == 422
        assert client.get(form_page).status_code == 200  # nothing was lost: the form is still there
