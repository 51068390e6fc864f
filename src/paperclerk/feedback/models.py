"""Tables of the feedback line.

Per organisation (the business): its programme (categories, reward tiers, currency, commission, purchase
tolerances), stores with their QR codes, POS transactions, feedback sessions, fraud findings. Per platform: the
customers (a person leaves feedback at many businesses; rewards and fraud checks follow the person, not the shop),
the rewards ledger (double-entry: every journal's legs add up to zero) and payout batches. Customers are found by
the hash of their phone number or of their access token, never by the number itself.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from paperclerk.core.db import Base, UTCDateTime, new_id, utcnow

Amount = Numeric(18, 4)


class SessionStatus(StrEnum):
    VERIFIED = "verified"        # the purchase matched a transaction; no feedback yet
    SCORED = "scored"            # scored, no fraud finding open: the reward is earned
    HELD = "held"                # a fraud finding is open: no reward until it is decided
    REJECTED = "rejected"        # a finding was upheld: the reward was reversed (or never earned)


class FindingStatus(StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    OVERRIDDEN = "overridden"


class EntryKind(StrEnum):
    EARNED = "earned"
    PAID = "paid"
    REVERSED = "reversed"


class PayoutStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"


def _org() -> Mapped[str]:
    return mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)


class Program(Base):
    """A business's feedback programme: what it asks about and what it pays."""

    __tablename__ = "feedback_programs"

    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"),
                                                 primary_key=True)
    #: The business's own categories ("coffee", "pastries", "checkout"): relevance and topics read them.
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: ``[{"name", "min_score", "reward_percent"}]``, highest first.
    tiers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: The full reward (the top tier's 100 %), in ``currency``.
    reward_amount: Mapped[Decimal] = mapped_column(Amount, default=Decimal("50"))
    currency: Mapped[str] = mapped_column(String(3), default="SEK")
    #: The platform's commission on each reward, in percent, paid by the business on top.
    commission_percent: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=Decimal("10"))
    #: How far a receipt's amount may differ from the POS transaction's.
    amount_tolerance: Mapped[Decimal] = mapped_column(Amount, default=Decimal("1.00"))
    #: How far a receipt's time may differ from the POS transaction's, in minutes.
    time_tolerance_minutes: Mapped[int] = mapped_column(Integer, default=15)
    #: How much of the score the language model's judgement makes when one is configured (0 … 1).
    llm_weight: Mapped[float] = mapped_column(Float, default=0.5)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Store(Base):
    """A shop of the business; ``code`` is the random part of its QR code's address."""

    __tablename__ = "feedback_stores"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    name: Mapped[str] = mapped_column(String(200))
    #: The store's reference in the POS system (a Square location id, say), matched on import.
    pos_ref: Mapped[str] = mapped_column(String(120), default="")
    code: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PosTransaction(Base):
    """A sale imported from the business's POS (API or CSV); ``session_id`` is set once feedback used it."""

    __tablename__ = "feedback_pos_transactions"
    __table_args__ = (UniqueConstraint("organization_id", "source", "external_id"),
                      Index("ix_feedback_pos_lookup", "organization_id", "external_id"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    store_id: Mapped[str | None] = mapped_column(ForeignKey("feedback_stores.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(120))
    #: What the receipt shows when it is not the id (Square's receipt number, Shopify's order name).
    receipt_number: Mapped[str | None] = mapped_column(String(120), index=True)
    store_ref: Mapped[str] = mapped_column(String(120), default="")
    amount: Mapped[Decimal] = mapped_column(Amount)
    currency: Mapped[str] = mapped_column(String(3))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    card_fingerprint: Mapped[str | None] = mapped_column(String(120))
    session_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Customer(Base):
    """A person who leaves feedback. Only hashes identify them; ``erased_at`` marks an erased person (their
    ledger legs stay, pointing at this pseudonymous row)."""

    __tablename__ = "feedback_customers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    phone_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Where rewards are paid (a payout provider's account id), empty until the person connects one.
    payout_account: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FeedbackSession(Base):
    """One customer's feedback on one purchase: verification, consent, what they said, its score and reward."""

    __tablename__ = "feedback_sessions"
    __table_args__ = (Index("ix_feedback_sessions_org_created", "organization_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    store_id: Mapped[str] = mapped_column(ForeignKey("feedback_stores.id", ondelete="RESTRICT"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("feedback_customers.id", ondelete="RESTRICT"), index=True)
    transaction_id: Mapped[str | None] = mapped_column(ForeignKey("feedback_pos_transactions.id",
                                                                  ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default=SessionStatus.VERIFIED, index=True)
    channel: Mapped[str] = mapped_column(String(10), default="text")
    text: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="")
    #: The recording in blob storage until the retention job deletes it.
    audio_key: Mapped[str | None] = mapped_column(String(200))
    audio_fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    audio_seconds: Mapped[float | None] = mapped_column(Float)
    transcribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voice_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offline_score: Mapped[int | None] = mapped_column(Integer)
    llm_score: Mapped[int | None] = mapped_column(Integer)
    llm_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    score: Mapped[int | None] = mapped_column(Integer, index=True)
    tier: Mapped[str] = mapped_column(String(40), default="")
    criteria: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    sentences: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    sentiment: Mapped[float | None] = mapped_column(Float)
    #: MinHash signature of the text's word shingles (near-duplicate check).
    minhash: Mapped[list[int]] = mapped_column(JSON, default=list)
    consent_text: Mapped[str] = mapped_column(Text, default="")
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    device_hash: Mapped[str] = mapped_column(String(64), default="", index=True)
    ip_hash: Mapped[str] = mapped_column(String(64), default="", index=True)
    reward_amount: Mapped[Decimal] = mapped_column(Amount, default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="SEK")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FraudFinding(Base):
    """A fraud rule that fired on a session: its rule id, the evidence, and what a person decided."""

    __tablename__ = "feedback_fraud_findings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    session_id: Mapped[str] = mapped_column(ForeignKey("feedback_sessions.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=FindingStatus.OPEN, index=True)
    decided_by: Mapped[str | None] = mapped_column(String(36))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LedgerEntry(Base):
    """One leg of a journal: an amount (debit positive, credit negative) on an account; a journal's legs add up
    to zero. Accounts: ``business:<org>:rewards`` (the business's reward expense), ``customer:<id>`` (what the
    platform owes the person), ``platform:commission``, ``payouts:clearing`` (money sent out)."""

    __tablename__ = "feedback_ledger_entries"
    __table_args__ = (Index("ix_feedback_ledger_account", "account", "currency"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    journal_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    account: Mapped[str] = mapped_column(String(120))
    amount: Mapped[Decimal] = mapped_column(Amount)
    currency: Mapped[str] = mapped_column(String(3))
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"),
                                                        index=True)
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("feedback_customers.id", ondelete="RESTRICT"),
                                                    index=True)
    session_id: Mapped[str | None] = mapped_column(String(36), index=True)
    payout_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PayoutBatch(Base):
    """Payouts made together through one provider."""

    __tablename__ = "feedback_payout_batches"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    provider: Mapped[str] = mapped_column(String(40))
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(Amount, default=Decimal("0"))
    status: Mapped[str] = mapped_column(String(20), default=PayoutStatus.PENDING)
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Payout(Base):
    """What one customer is paid in a batch; ``idempotency_key`` makes a retried payout the same payout."""

    __tablename__ = "feedback_payouts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    batch_id: Mapped[str] = mapped_column(ForeignKey("feedback_payout_batches.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("feedback_customers.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[Decimal] = mapped_column(Amount)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20), default=PayoutStatus.PENDING)
    provider_ref: Mapped[str] = mapped_column(String(120), default="")
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True, default=new_id)
