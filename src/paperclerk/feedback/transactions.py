"""The business's POS transactions: stored once per (source, id) from whatever reads them, and matched against
what a customer types from the receipt (id, amount and time within the programme's tolerances; a transaction
serves one piece of feedback only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from paperclerk.auth.principal import Principal
from paperclerk.core import events
from paperclerk.core.audit import record_audit
from paperclerk.core.errors import Conflict, NotFound
from paperclerk.feedback.models import PosTransaction, Program, Store


class TransactionLike(Protocol):
    """What a POS reader yields (``feedback.pos.PosTransaction``)."""

    @property
    def source(self) -> str: ...
    @property
    def external_id(self) -> str: ...
    @property
    def store_ref(self) -> str: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def currency(self) -> str: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def card_fingerprint(self) -> str | None: ...
    @property
    def receipt_number(self) -> str | None: ...


@dataclass(frozen=True)
class ImportResult:
    created: int
    already_known: int
    unmatched_stores: list[str]


def import_transactions(session: Session, principal: Principal, rows: Iterable[TransactionLike]) -> ImportResult:
    """Store new transactions (one already known by source and id is left as it is); each is tied to the store
    whose POS reference (or name) matches its ``store_ref``."""
    organization_id = principal.tenant
    by_ref: dict[str, str] = {}
    for store in session.scalars(select(Store).where(Store.organization_id == organization_id)):
        by_ref[store.name.lower()] = store.id
        if store.pos_ref:
            by_ref[store.pos_ref.lower()] = store.id
    created = known = 0
    unmatched: set[str] = set()
    seen: set[tuple[str, str]] = set()
    for row in rows:
        key = (row.source, row.external_id)
        exists = key in seen or session.scalar(select(PosTransaction.id).where(
            PosTransaction.organization_id == organization_id, PosTransaction.source == row.source,
            PosTransaction.external_id == row.external_id))
        if exists:
            known += 1
            continue
        seen.add(key)
        store_id = by_ref.get(row.store_ref.lower()) if row.store_ref else None
        if row.store_ref and store_id is None:
            unmatched.add(row.store_ref)
        occurred = row.occurred_at if row.occurred_at.tzinfo else row.occurred_at.replace(tzinfo=UTC)
        session.add(PosTransaction(organization_id=organization_id, store_id=store_id, source=row.source,
                                   external_id=row.external_id, store_ref=row.store_ref, amount=row.amount,
                                   currency=row.currency.upper(), occurred_at=occurred,
                                   card_fingerprint=row.card_fingerprint, receipt_number=row.receipt_number))
        created += 1
    session.flush()
    if created:
        record_audit(session, principal, "feedback.transactions.import", ("feedback_pos", organization_id),
                     after={"created": created, "already_known": known})
        events.record(session, "feedback.transactions_imported", organization_id=organization_id,
                      subject_type="feedback_pos", subject_id=organization_id,
                      payload={"created": created, "already_known": known})
    return ImportResult(created, known, sorted(unmatched))


def find_purchase(session: Session, store: Store, program: Program, *, external_id: str, amount: Decimal,
                  occurred_at: datetime) -> PosTransaction:
    """The transaction a receipt shows: same business, this store (or none recorded), the id or the receipt number,
    the amount and the
    time within the tolerances. Raises ``NotFound`` PURCHASE_NOT_FOUND (rule FB-TXN-UNKNOWN) or ``Conflict``
    PURCHASE_ALREADY_USED (rule FB-TXN-REUSED); neither says which part did not match."""
    external_id = external_id.strip()
    occurred = occurred_at if occurred_at.tzinfo else occurred_at.replace(tzinfo=UTC)
    window = timedelta(minutes=program.time_tolerance_minutes)
    candidates = session.scalars(select(PosTransaction).where(
        PosTransaction.organization_id == store.organization_id,
        or_(PosTransaction.external_id == external_id, PosTransaction.receipt_number == external_id)))
    for candidate in candidates:
        if candidate.store_id not in (None, store.id):
            continue
        if abs(candidate.amount - amount) > program.amount_tolerance:
            continue
        if abs(candidate.occurred_at - occurred) > window:
            continue
        if candidate.session_id is not None:
            raise Conflict("this purchase has already been used for feedback", code="PURCHASE_ALREADY_USED",
                           details={"rule": "FB-TXN-REUSED"})
        return candidate
    raise NotFound("no purchase matches this receipt: check the number, the amount and the time",
                   code="PURCHASE_NOT_FOUND", details={"rule": "FB-TXN-UNKNOWN"})
