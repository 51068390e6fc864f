"""A customer's feedback from purchase to reward: verify the receipt against the POS, take the consent, read the
text or the recording, score it (offline, blended with a language model's judgement when one is configured, both
kept), check it for fraud, and earn the reward in the ledger — or hold it until a person decides the findings.
Plain functions taking a session; they never commit."""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from paperclerk.ai import service as ai
from paperclerk.ai.errors import BadModelOutput, BudgetExceeded, LLMNotConfigured, ModelUnavailable
from paperclerk.ai.providers import Message
from paperclerk.auth.principal import Principal
from paperclerk.auth.settings import signing_key
from paperclerk.config import get_settings
from paperclerk.core import events
from paperclerk.core.audit import record_audit
from paperclerk.core.db import utcnow
from paperclerk.core.errors import Conflict, InvalidRequest, NotFound
from paperclerk.feedback import fraud, ledger, metrics, speech
from paperclerk.feedback.models import (
    Customer,
    FeedbackSession,
    FindingStatus,
    FraudFinding,
    PosTransaction,
    SessionStatus,
    Store,
)
from paperclerk.feedback.program import program_of, store_by_code, tiers_of
from paperclerk.feedback.quality import combine, score_text, tier_for
from paperclerk.feedback.transactions import find_purchase
from paperclerk.feedback.voice_store import voice_store

log = logging.getLogger(__name__)
#: How far back the fraud rules look.
HISTORY_DAYS = 90
HISTORY_LIMIT = 500
LLM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"score": {"type": "integer", "minimum": 0, "maximum": 100},
                   "reasons": {"type": "array", "items": {"type": "string"}, "maxItems": 5}},
    "required": ["score", "reasons"],
}


def identifier_hash(value: str) -> str:
    return fraud.hash_identifier(value, signing_key())


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def customer_by_token(session: Session, token: str | None) -> Customer | None:
    if not token or len(token) > 100:
        return None
    customer = session.scalar(select(Customer).where(Customer.token_hash == _token_hash(token)))
    return None if customer is None or customer.erased_at is not None else customer


def _customer(session: Session, token: str | None, phone: str | None, now: datetime) -> tuple[Customer, str | None]:
    """The returning customer (by access token, else by phone number) or a new one with a fresh token."""
    known = customer_by_token(session, token)
    phone_hash = identifier_hash("".join(ch for ch in phone if ch.isdigit() or ch == "+")) if phone else None
    if known is None and phone_hash:
        known = session.scalar(select(Customer).where(Customer.phone_hash == phone_hash,
                                                      Customer.erased_at.is_(None)))
    if known is not None:
        known.last_seen_at = now
        if phone_hash and not known.phone_hash:
            known.phone_hash = phone_hash
        return known, None
    fresh = secrets.token_urlsafe(24)
    customer = Customer(token_hash=_token_hash(fresh), phone_hash=phone_hash, created_at=now, last_seen_at=now)
    session.add(customer)
    session.flush()
    return customer, fresh


def start(session: Session, *, store_code: str, external_id: str, amount: Decimal, occurred_at: datetime,
          customer_token: str | None, phone: str | None, device_id: str, ip: str,
          now: datetime | None = None) -> tuple[FeedbackSession, str | None]:
    """Verify the purchase and open a session for it; returns the session and, for a new customer, their token."""
    now = now or utcnow()
    store = store_by_code(session, store_code)
    program = program_of(session, store.organization_id)
    purchase = find_purchase(session, store, program, external_id=external_id, amount=amount,
                             occurred_at=occurred_at)
    customer, token = _customer(session, customer_token, phone, now)
    feedback = FeedbackSession(organization_id=store.organization_id, store_id=store.id, customer_id=customer.id,
                               transaction_id=purchase.id, status=SessionStatus.VERIFIED, currency=program.currency,
                               device_hash=identifier_hash(device_id) if device_id else "",
                               ip_hash=identifier_hash(ip) if ip else "", created_at=now)
    session.add(feedback)
    session.flush()
    purchase.session_id = feedback.id  # unique: a racing second claim fails at commit
    session.flush()
    return feedback, token


def session_for_customer(session: Session, session_id: str, customer: Customer | None) -> FeedbackSession:
    feedback = session.get(FeedbackSession, session_id)
    if feedback is None or customer is None or feedback.customer_id != customer.id or feedback.erased_at:
        raise NotFound("no such feedback", code="FEEDBACK_NOT_FOUND")
    return feedback


@dataclass(frozen=True)
class Typing:
    """What the customer page measured while the text was written."""

    pasted_chars: int = 0
    typing_seconds: float | None = None


def submit(session: Session, feedback: FeedbackSession, *, consent_text: str, consent: bool, text: str | None = None,
           audio: Path | None = None, typing: Typing | None = None, now: datetime | None = None) -> FeedbackSession:
    """Record the consent and the feedback, score it, check it, and earn or hold the reward."""
    settings = get_settings()
    now = now or utcnow()
    if feedback.status != SessionStatus.VERIFIED:
        raise Conflict("this feedback has already been sent", code="FEEDBACK_ALREADY_SENT")
    if not consent or not consent_text.strip():
        raise InvalidRequest("please agree to how your feedback is processed and kept", code="CONSENT_REQUIRED")
    if (text is None) == (audio is None):
        raise InvalidRequest("send either text or a recording", code="INVALID_FIELD", details={"field": "text"})
    feedback.consent_text = consent_text.strip()[:4000]
    feedback.consent_at = now
    if audio is not None:
        _read_recording(feedback, audio, now)
    else:
        cleaned = (text or "").strip()
        if not cleaned:
            raise InvalidRequest("the feedback is empty", code="FEEDBACK_EMPTY")
        if len(cleaned) > settings.feedback_max_text_chars:
            raise InvalidRequest(f"feedback is limited to {settings.feedback_max_text_chars} characters",
                                 code="FEEDBACK_TOO_LONG", details={"max_chars": settings.feedback_max_text_chars})
        feedback.text = cleaned
        feedback.channel = "text"
    feedback.submitted_at = now
    _score(session, feedback)
    _check(session, feedback, typing or Typing())
    _settle(session, feedback)
    metrics.SESSIONS.labels(feedback.organization_id, feedback.status, feedback.tier).inc()
    if feedback.score is not None:
        metrics.QUALITY.observe(feedback.score)
    events.record(session, "feedback.submitted", organization_id=feedback.organization_id,
                  subject_type="feedback_session", subject_id=feedback.id,
                  payload={"score": feedback.score, "status": feedback.status})
    return feedback


def _read_recording(feedback: FeedbackSession, audio: Path, now: datetime) -> None:
    started = time.perf_counter()
    transcript = speech.transcribe_file(audio)
    metrics.VOICE_SECONDS.observe(time.perf_counter() - started)
    if not transcript.text.strip():
        raise InvalidRequest("no words could be heard in the recording", code="FEEDBACK_EMPTY")
    digest = hashlib.sha256(audio.read_bytes()).hexdigest()
    voice_store().put(digest, audio)
    feedback.audio_key = digest
    feedback.audio_fingerprint = transcript.fingerprint or None
    feedback.audio_seconds = transcript.duration_s
    feedback.text = transcript.text
    feedback.language = transcript.language
    feedback.channel = "voice"
    feedback.transcribed_at = now


def _score(session: Session, feedback: FeedbackSession) -> None:
    program = program_of(session, feedback.organization_id)
    result = score_text(feedback.text, program.categories)
    feedback.offline_score = result.score
    feedback.criteria = result.criteria
    feedback.reasons = result.reasons
    feedback.sentiment = result.sentiment
    feedback.topics = result.topics
    feedback.sentences = [{"text": item.text, "sentiment": item.sentiment, "label": item.label,
                           "topics": list(item.topics)} for item in result.sentences]
    feedback.minhash = list(fraud.minhash(feedback.text))
    feedback.llm_score = None
    if ai.llm_configured():
        feedback.llm_score, feedback.llm_reasons = _llm_judgement(session, feedback, program.categories)
    feedback.score = combine(result.score, feedback.llm_score, program.llm_weight)
    tier = tier_for(feedback.score, tiers_of(program))
    feedback.tier = tier.name
    feedback.reward_amount = (program.reward_amount * tier.reward_percent / 100).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP)


def _llm_judgement(session: Session, feedback: FeedbackSession, categories: list[str]) -> tuple[int | None, list[str]]:
    """The model's 0 to 100 and its reasons; a model that is down or over budget leaves the offline score alone."""
    messages: list[Message] = [
        {"role": "system", "content": "You rate customer feedback for the business that receives it. Useful "
         "feedback is specific (products, staff, times, places), actionable (says what to change), constructive and "
         "relevant to the business's categories. Answer with a score from 0 to 100 and up to five short reasons."},
        {"role": "user", "content": f"Business categories: {', '.join(categories) or 'none given'}\n"
                                    f"Feedback:\n{feedback.text[:4000]}"},
    ]
    try:
        answer = ai.structured(session, feedback.organization_id, messages, LLM_SCHEMA, purpose="feedback.score")
    except (ModelUnavailable, BudgetExceeded, BadModelOutput, LLMNotConfigured) as exc:
        log.warning("feedback: the language model did not judge %s: %s", feedback.id, exc)
        return None, [f"model unavailable: {exc.code}"]
    return int(answer["score"]), [str(reason)[:300] for reason in answer["reasons"]]


def signals(feedback: FeedbackSession, card: str | None, typing: Typing | None = None) -> fraud.Signals:
    typing = typing or Typing()
    return fraud.Signals(id=feedback.id, organization_id=feedback.organization_id, store_id=feedback.store_id,
                         customer_id=feedback.customer_id, created_at=feedback.created_at, text=feedback.text,
                         minhash=tuple(feedback.minhash or ()), device_hash=feedback.device_hash,
                         ip_hash=feedback.ip_hash, card_fingerprint=card, audio_fingerprint=feedback.audio_fingerprint,
                         pasted_chars=typing.pasted_chars, typing_seconds=typing.typing_seconds)


def _history(session: Session, feedback: FeedbackSession, card: str | None) -> list[fraud.Signals]:
    """Recent sessions on the whole platform that share something with this one (near-duplicate texts are looked
    for among all recent ones)."""
    since = feedback.created_at - timedelta(days=HISTORY_DAYS)
    rows = session.execute(
        select(FeedbackSession, PosTransaction.card_fingerprint)
        .outerjoin(PosTransaction, PosTransaction.id == FeedbackSession.transaction_id)
        .where(FeedbackSession.id != feedback.id, FeedbackSession.created_at >= since,
               FeedbackSession.erased_at.is_(None), FeedbackSession.submitted_at.is_not(None))
        .order_by(FeedbackSession.created_at.desc()).limit(HISTORY_LIMIT)).all()
    related = [row for row in rows if row[0].customer_id == feedback.customer_id
               or (feedback.device_hash and row[0].device_hash == feedback.device_hash)
               or (feedback.ip_hash and row[0].ip_hash == feedback.ip_hash) or (card and row[1] == card)
               or row[0].minhash or row[0].audio_fingerprint]
    return [signals(other, other_card) for other, other_card in related]


def _check(session: Session, feedback: FeedbackSession, typing: Typing) -> None:
    card = session.scalar(select(PosTransaction.card_fingerprint)
                          .where(PosTransaction.id == feedback.transaction_id)) if feedback.transaction_id else None
    findings = fraud.evaluate(signals(feedback, card, typing), _history(session, feedback, card))
    for finding in findings:
        session.add(FraudFinding(organization_id=feedback.organization_id, session_id=feedback.id, rule=finding.rule,
                                 message=finding.message, evidence=finding.evidence))
        metrics.FRAUD_FINDINGS.labels(finding.rule).inc()
    session.flush()
    feedback.status = SessionStatus.HELD if findings else SessionStatus.SCORED
    if findings:
        events.record(session, "feedback.flagged", organization_id=feedback.organization_id,
                      subject_type="feedback_session", subject_id=feedback.id,
                      payload={"rules": [finding.rule for finding in findings]})


def _settle(session: Session, feedback: FeedbackSession) -> None:
    """Earn the reward of scored feedback (once)."""
    if feedback.status != SessionStatus.SCORED or feedback.reward_amount <= 0:
        return
    program = program_of(session, feedback.organization_id)
    ledger.earn(session, organization_id=feedback.organization_id, customer_id=feedback.customer_id,
                session_id=feedback.id, reward=feedback.reward_amount,
                commission=ledger.commission_on(feedback.reward_amount, program.commission_percent),
                currency=feedback.currency)
    if feedback.currency == "SEK":
        metrics.REWARD_SEK.observe(float(feedback.reward_amount))


def feedback_of(session: Session, organization_id: str, session_id: str) -> FeedbackSession:
    feedback = session.get(FeedbackSession, session_id)
    if feedback is None or feedback.organization_id != organization_id:
        raise NotFound("no such feedback", code="FEEDBACK_NOT_FOUND")
    return feedback


def decide(session: Session, principal: Principal, finding_id: str, *, uphold: bool, note: str = "",
           operator: bool = False) -> FraudFinding:
    """A business (its own findings) or the operator (any) upholds or overrides a finding. When none is left open,
    the session is settled: any upheld finding rejects it (and reverses a reward already earned), else it earns."""
    finding = session.get(FraudFinding, finding_id)
    if finding is None or (not operator and finding.organization_id != principal.tenant):
        raise NotFound("no such finding", code="FINDING_NOT_FOUND")
    if finding.status != FindingStatus.OPEN:
        raise Conflict("this finding has already been decided", code="FINDING_DECIDED")
    before = {"status": finding.status}
    finding.status = FindingStatus.UPHELD if uphold else FindingStatus.OVERRIDDEN
    finding.decided_by = principal.id
    finding.decided_at = utcnow()
    finding.note = note.strip()[:2000]
    feedback = session.get(FeedbackSession, finding.session_id)
    assert feedback is not None
    statuses = set(session.scalars(select(FraudFinding.status).where(FraudFinding.session_id == feedback.id)))
    if FindingStatus.OPEN not in statuses:
        if FindingStatus.UPHELD in statuses:
            feedback.status = SessionStatus.REJECTED
            ledger.reverse(session, feedback.id)
        else:
            feedback.status = SessionStatus.SCORED
            _settle(session, feedback)
    record_audit(session, principal, "feedback.finding.decide", ("feedback_finding", finding.id), before=before,
                 after={"status": finding.status, "note": finding.note, "session_status": feedback.status},
                 organization_id=finding.organization_id)
    events.record(session, "feedback.finding_decided", organization_id=finding.organization_id,
                  subject_type="feedback_session", subject_id=feedback.id,
                  payload={"rule": finding.rule, "status": finding.status})
    return finding


def open_findings(session: Session, organization_id: str | None, limit: int = 200) -> list[FraudFinding]:
    """The fraud queue: one business's open findings, or every business's (``None``, the operator's)."""
    query = select(FraudFinding).where(FraudFinding.status == FindingStatus.OPEN)
    if organization_id is not None:
        query = query.where(FraudFinding.organization_id == organization_id)
    return list(session.scalars(query.order_by(FraudFinding.created_at.desc()).limit(limit)))


def stores_of_sessions(session: Session, sessions: list[FeedbackSession]) -> dict[str, str]:
    ids = {item.store_id for item in sessions}
    return dict(session.execute(select(Store.id, Store.name).where(or_(Store.id.in_(ids)))).all())
