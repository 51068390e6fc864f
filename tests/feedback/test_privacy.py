"""GDPR: retention with a moved clock (recordings 24 h after transcription, feedback after 730 days, customers
pseudonymised), a customer's see/export/erase, and a ledger that stays consistent through erasure and reversal."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from paperclerk.app import create_app
from paperclerk.core.db import session_scope, utcnow
from paperclerk.feedback import ledger, privacy
from paperclerk.feedback.models import Customer, FeedbackSession, FraudFinding, PosTransaction
from paperclerk.feedback.voice_store import voice_store
from tests.conftest import Env
from tests.feedback.support import business, receipt, submitted_feedback

TEXT = ("The cinnamon bun was dry on Saturday morning and we waited 20 minutes at the counter. You should put a "
        "second person on the till at weekends.")


def _fake_recording(session_id: str, tmp_path: Path, *, hours_ago: float) -> str:
    """Give a session a stored recording transcribed ``hours_ago``."""
    clip = tmp_path / f"{session_id}.webm"
    clip.write_bytes(session_id.encode() * 50)
    import hashlib

    key = hashlib.sha256(clip.read_bytes()).hexdigest()
    voice_store().put(key, clip)
    with session_scope() as session:
        feedback = session.get(FeedbackSession, session_id)
        assert feedback is not None
        feedback.audio_key = key
        feedback.transcribed_at = utcnow() - timedelta(hours=hours_ago)
    return key


def test_every_worker_runs_the_retention_as_the_lines_chore(env: Env, tmp_path: Path) -> None:
    from paperclerk.config import get_settings
    from paperclerk.core.maintenance import Maintenance

    shop = business(sales=2)
    old = submitted_feedback(shop, 0, flagged=False)
    old_key = _fake_recording(old.session_id, tmp_path, hours_ago=25)
    done = Maintenance(get_settings()).run_due()
    assert done["feedback_retention"] == 1  # the one recording past its 24 h
    assert not voice_store().exists(old_key)


def test_retention_with_a_moved_clock(env: Env, tmp_path: Path) -> None:
    shop = business(sales=3)
    fresh = submitted_feedback(shop, 0, flagged=False)
    old = submitted_feedback(shop, 1, flagged=False)
    recent_key = _fake_recording(fresh.session_id, tmp_path, hours_ago=1)
    old_key = _fake_recording(old.session_id, tmp_path, hours_ago=25)
    with session_scope() as session:
        result = privacy.apply_retention(session)
    assert result.recordings_deleted == 1 and result.feedback_deleted == 0
    assert voice_store().exists(recent_key) and not voice_store().exists(old_key)
    with session_scope() as session:  # two years on: feedback and personal data go, the ledger stays and balances
        owed_before = ledger.trial_balance(session)
        result = privacy.apply_retention(session, now=utcnow() + timedelta(days=731))
        assert result.feedback_deleted == 2 and result.recordings_deleted == 1
        assert result.customers_pseudonymised == 2
        assert session.scalars(select(FeedbackSession)).all() == []
        assert all(customer.phone_hash is None and customer.erased_at for customer in
                   session.scalars(select(Customer)))
        assert ledger.trial_balance(session) == owed_before == {"SEK": Decimal(0)}
        assert not voice_store().exists(recent_key)
        assert session.scalars(select(PosTransaction.session_id).where(PosTransaction.session_id.is_not(None))
                               ).all() == []


def test_customer_sees_exports_and_erases(env: Env) -> None:
    shop = business(sales=2)
    with TestClient(create_app(embedded_workers=False), raise_server_exceptions=False) as client:
        form = {**receipt(shop.sales[0]), "phone": "+46701234567"}
        form_page = client.post(f"/f/{shop.store_code}/verify", data=form, follow_redirects=False).headers["location"]
        client.post(form_page, data={"consent": "yes", "text": TEXT})
        mine = client.get("/f/me")
        assert "cinnamon bun" in mine.text and "to be paid" in mine.text
        export = client.get("/f/me/export").json()
        assert export["feedback"][0]["text"] == TEXT
        assert export["feedback"][0]["consent"]["given_at"]
        assert "+4670" not in str(export)  # the number is only kept as a keyed hash
        assert client.post("/f/me/erase", data={}).status_code == 400  # must confirm
        erased = client.post("/f/me/erase", data={"confirm": "yes"}, follow_redirects=False)
        assert erased.status_code == 303
        assert "cinnamon" not in client.get("/f/me?erased=1").text
        assert client.get("/f/me/export").status_code == 404
    with session_scope(readonly=True) as session:
        feedback = session.scalars(select(FeedbackSession)).one()
        assert feedback.text == "" and feedback.erased_at and feedback.score is not None
        customer = session.get(Customer, feedback.customer_id)
        assert customer is not None and customer.phone_hash is None
        assert ledger.customer_totals(session, customer.id)["SEK"]["balance"] == feedback.reward_amount
        assert ledger.trial_balance(session) == {"SEK": Decimal(0)}


def test_upheld_finding_reverses_and_override_pays(env: Env) -> None:
    from paperclerk.auth.principal import system_actor
    from paperclerk.feedback import sessions

    shop = business(sales=3)
    held = submitted_feedback(shop, 0, flagged=True)
    other = submitted_feedback(shop, 1, flagged=True, text=(
        "In conclusion, the oat flat white at 8:15 on Monday was lukewarm and the barista Sara apologised. Please "
        "warm the cups first, because the milk cools fast in cold porcelain."))
    actor = system_actor("tests", organization_id=shop.organization_id)
    with session_scope() as session:
        assert ledger.trial_balance(session) == {}  # held feedback earns nothing yet
        assert held.finding_id and other.finding_id
        sessions.decide(session, actor, held.finding_id, uphold=True, note="farm")
        for finding in session.scalars(select(FraudFinding).where(FraudFinding.session_id == other.session_id)):
            sessions.decide(session, actor, finding.id, uphold=False)
    with session_scope(readonly=True) as session:
        rejected = session.get(FeedbackSession, held.session_id)
        paid = session.get(FeedbackSession, other.session_id)
        assert rejected is not None and rejected.status == "rejected"
        assert paid is not None and paid.status == "scored" and paid.reward_amount > 0
        assert ledger.customer_totals(session, paid.customer_id)["SEK"]["earned"] == paid.reward_amount
        assert ledger.trial_balance(session) == {"SEK": Decimal(0)}
