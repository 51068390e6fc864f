"""Privacy by law (GDPR): what a customer can see, export and erase, and the retention job.

Retention (a maintenance chore and ``paperclerk feedback retention``): a recording is deleted
``voice_data_retention_hours`` after it was transcribed; feedback older than ``data_retention_days`` is deleted and
customers not seen for that long are pseudonymised. Ledger legs are kept as bookkeeping law requires: they name only
the customer's pseudonymous id, whose hashes are replaced by random ones, so balances stay consistent.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from paperclerk.config import get_settings
from paperclerk.core.db import utcnow
from paperclerk.core.money import plain
from paperclerk.feedback import ledger
from paperclerk.feedback.models import Customer, FeedbackSession, FraudFinding, PosTransaction, Store
from paperclerk.feedback.voice_store import voice_store


def customer_export(session: Session, customer: Customer) -> dict[str, Any]:
    """Everything kept about the customer, as JSON (the "see" and "export" rights)."""
    rows = session.execute(select(FeedbackSession, Store.name).join(Store, Store.id == FeedbackSession.store_id)
                           .where(FeedbackSession.customer_id == customer.id, FeedbackSession.erased_at.is_(None))
                           .order_by(FeedbackSession.created_at)).all()
    return {
        "customer": {"id": customer.id, "created_at": customer.created_at.isoformat(),
                     "phone_number_kept": "only as a keyed hash" if customer.phone_hash else "no"},
        "feedback": [{
            "id": item.id, "store": store, "created_at": item.created_at.isoformat(), "channel": item.channel,
            "text": item.text, "language": item.language, "score": item.score, "tier": item.tier,
            "reasons": item.reasons, "status": item.status, "reward": plain(item.reward_amount),
            "currency": item.currency, "recording_kept": bool(item.audio_key),
            "consent": {"text": item.consent_text,
                        "given_at": item.consent_at.isoformat() if item.consent_at else None},
        } for item, store in rows],
        "rewards": {currency: {kind: plain(value) for kind, value in totals.items()}
                    for currency, totals in ledger.customer_totals(session, customer.id).items()},
    }


def _erase_session(item: FeedbackSession, now: datetime) -> str | None:
    key = item.audio_key
    item.text = ""
    item.sentences = []
    item.reasons = []
    item.llm_reasons = []
    item.minhash = []
    item.audio_key = None
    item.audio_fingerprint = None
    item.device_hash = ""
    item.ip_hash = ""
    item.consent_text = ""
    item.erased_at = now
    if key:
        item.voice_deleted_at = now
    return key


def _pseudonymise(customer: Customer, now: datetime) -> None:
    customer.phone_hash = None
    customer.token_hash = hashlib.sha256(secrets.token_bytes(32)).hexdigest()
    customer.payout_account = ""
    customer.erased_at = now


def erase_customer(session: Session, customer: Customer, now: datetime | None = None) -> int:
    """The "erase" right: every piece of feedback emptied, recordings deleted, the customer pseudonymised. Scores,
    statuses and ledger legs stay (they name no one), so every balance and business total is unchanged."""
    now = now or utcnow()
    items = list(session.scalars(select(FeedbackSession).where(FeedbackSession.customer_id == customer.id,
                                                               FeedbackSession.erased_at.is_(None))))
    keys = [key for item in items if (key := _erase_session(item, now))]
    _pseudonymise(customer, now)
    session.flush()
    _delete_blobs(session, keys)
    return len(items)


def _delete_blobs(session: Session, keys: list[str]) -> None:
    """Delete recordings no remaining session names (one recording sent twice is one blob)."""
    store = voice_store()
    for key in set(keys):
        if not session.scalar(select(FeedbackSession.id).where(FeedbackSession.audio_key == key).limit(1)):
            store.delete(key)


@dataclass(frozen=True)
class RetentionResult:
    recordings_deleted: int
    feedback_deleted: int
    customers_pseudonymised: int


def apply_retention(session: Session, now: datetime | None = None) -> RetentionResult:
    """Run the retention rules once as of ``now``."""
    settings = get_settings()
    now = now or utcnow()
    voice_cutoff = now - timedelta(hours=settings.voice_data_retention_hours)
    expired_voice = list(session.scalars(select(FeedbackSession).where(
        FeedbackSession.audio_key.is_not(None), FeedbackSession.transcribed_at <= voice_cutoff)))
    keys = []
    for item in expired_voice:
        keys.append(item.audio_key or "")
        item.audio_key = None
        item.voice_deleted_at = now
    data_cutoff = now - timedelta(days=settings.data_retention_days)
    old = list(session.scalars(select(FeedbackSession).where(FeedbackSession.created_at <= data_cutoff)))
    for item in old:
        if item.audio_key:
            keys.append(item.audio_key)
    old_ids = [item.id for item in old]
    if old_ids:
        session.execute(update(PosTransaction).where(PosTransaction.session_id.in_(old_ids))
                        .values(session_id=None).execution_options(synchronize_session=False))
        session.execute(delete(FraudFinding).where(FraudFinding.session_id.in_(old_ids)))
        session.execute(delete(FeedbackSession).where(FeedbackSession.id.in_(old_ids)))
    stale = list(session.scalars(select(Customer).where(Customer.last_seen_at <= data_cutoff,
                                                        Customer.erased_at.is_(None))))
    for customer in stale:
        _pseudonymise(customer, now)
    session.flush()
    _delete_blobs(session, [key for key in keys if key])
    return RetentionResult(len(expired_voice), len(old_ids), len(stale))


def retention_chore(session: Session) -> int:
    """The maintenance chore: how many rows the retention rules touched."""
    result = apply_retention(session)
    return result.recordings_deleted + result.feedback_deleted + result.customers_pseudonymised
