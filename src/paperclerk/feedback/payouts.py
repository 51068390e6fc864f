"""Paying customers what the ledger owes them, in batches through one payout provider (``feedback.payments``:
Stripe Connect, or the manual CSV a person pays from), and bringing POS transactions in from any
``feedback.pos`` source. Plain functions taking a session; they never commit.

A batch pays each customer with a payout account their whole balance in the batch's currency (at least
``minimum``). Every payout has its own idempotency key, so a batch run again after a crash pays nothing twice; a payout
the provider accepted moves the amount from the customer's account to the payout clearing account in the ledger, one
it refused stays owed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from paperclerk.auth.principal import Principal
from paperclerk.core.audit import record_audit
from paperclerk.core.errors import InvalidRequest
from paperclerk.feedback import ledger
from paperclerk.feedback.models import Customer, EntryKind, LedgerEntry, Payout, PayoutBatch, PayoutStatus
from paperclerk.feedback.transactions import ImportResult, import_transactions

if TYPE_CHECKING:
    from paperclerk.feedback.payments.provider import PayoutProvider
    from paperclerk.feedback.pos.transaction import PosSource

PROVIDERS = ("manual", "stripe")


def provider_named(name: str) -> PayoutProvider:
    """The configured provider: ``manual`` (a CSV someone pays from) or ``stripe`` (Stripe Connect)."""
    if name == "manual":
        from paperclerk.feedback.payments.manual_csv import ManualCsvPayouts

        return ManualCsvPayouts()
    if name == "stripe":
        from paperclerk.feedback.payments.stripe_connect import StripeConnect

        return StripeConnect()
    raise InvalidRequest(f"unknown payout provider {name!r}; choose {' or '.join(PROVIDERS)}", code="INVALID_FIELD",
                         details={"field": "provider"})


def owed(session: Session, currency: str) -> list[tuple[Customer, Decimal]]:
    """Customers with a payout account and a positive balance in ``currency``, largest first."""
    balance = func.sum(LedgerEntry.amount)
    rows = session.execute(
        select(Customer, balance).join(LedgerEntry, LedgerEntry.customer_id == Customer.id)
        .where(LedgerEntry.account.like("customer:%"), LedgerEntry.currency == currency,
               Customer.payout_account != "")
        .group_by(Customer.id).having(balance < 0).order_by(balance)).all()
    return [(customer, -Decimal(total)) for customer, total in rows]


@dataclass(frozen=True)
class BatchReport:
    batch: PayoutBatch
    paid: int
    failed: int
    not_tried: int


def pay_rewards(session: Session, principal: Principal, *, provider: PayoutProvider, currency: str,
                minimum: Decimal = Decimal("1")) -> BatchReport:
    from paperclerk.feedback.payments.batch import pay_all
    from paperclerk.feedback.payments.provider import PayoutRequest
    from paperclerk.feedback.payments.provider import PayoutStatus as ProviderStatus

    currency = currency.strip().upper()
    batch = PayoutBatch(provider=provider.name, currency=currency, created_by=principal.id)
    session.add(batch)
    session.flush()
    payouts: dict[str, tuple[Payout, Customer]] = {}
    for customer, amount in owed(session, currency):
        if amount >= minimum:
            payout = Payout(batch_id=batch.id, customer_id=customer.id, amount=amount, currency=currency)
            session.add(payout)
            session.flush()
            payouts[payout.id] = (payout, customer)
    requests = [PayoutRequest(reference=payout.id, account=customer.payout_account, amount=payout.amount,
                              currency=currency, idempotency_key=payout.idempotency_key,
                              description="paperclerk feedback rewards") for payout, customer in payouts.values()]
    outcome = pay_all(provider, requests)
    unpaid = {item.request.reference for item in outcome.failures} | {item.reference for item in outcome.not_tried}
    total = Decimal(0)
    for request, result in zip([item for item in requests if item.reference not in unpaid], outcome.results,
                               strict=True):
        payout, customer = payouts[request.reference]
        payout.provider_ref = result.provider_ref
        payout.status = PayoutStatus.FAILED if result.status == ProviderStatus.FAILED else (
            PayoutStatus.PAID if result.status == ProviderStatus.PAID else PayoutStatus.PENDING)
        if payout.status != PayoutStatus.FAILED:
            ledger.pay(session, customer_id=customer.id, amount=payout.amount, currency=currency, payout_id=payout.id)
            total += payout.amount
    for failure in outcome.failures:
        payouts[failure.request.reference][0].status = PayoutStatus.FAILED
    batch.total = total
    batch.status = PayoutStatus.FAILED if outcome.failures and not outcome.results else PayoutStatus.PAID
    session.flush()
    record_audit(session, principal, "feedback.payouts.batch", ("feedback_payout_batch", batch.id),
                 after={"provider": provider.name, "currency": currency, "total": str(total),
                        "payouts": len(outcome.results), "failed": len(outcome.failures),
                        "not_tried": len(outcome.not_tried)}, organization_id=principal.organization_id)
    return BatchReport(batch, len(outcome.results), len(outcome.failures), len(outcome.not_tried))


def batches(session: Session, limit: int = 20) -> list[PayoutBatch]:
    return list(session.scalars(select(PayoutBatch).order_by(PayoutBatch.created_at.desc()).limit(limit)))


def set_payout_account(session: Session, customer: Customer, account: str) -> None:
    """Where the customer's rewards are paid (a Swish number or an IBAN for manual payouts)."""
    account = account.strip()
    if not 3 <= len(account) <= 120:
        raise InvalidRequest("give the number or account your rewards should be paid to", code="INVALID_FIELD",
                             details={"field": "account"})
    customer.payout_account = account


def import_from(session: Session, principal: Principal, source: PosSource, since: datetime,
                until: datetime) -> ImportResult:
    """Bring in a POS source's sales of a period (Square, Zettle, Shopify or a CSV file)."""
    return import_transactions(session, principal, source.transactions(since, until))


def apply_event(session: Session, event: object) -> bool:
    """A provider's news about a payout (``PayoutEvent``): paid confirms it; failed or reversed after it was sent
    puts the amount back on the customer's account (a REVERSED journal). Applying the same news twice changes nothing.
    Returns whether anything changed."""
    from paperclerk.feedback.payments.provider import PayoutEvent
    from paperclerk.feedback.payments.provider import PayoutStatus as ProviderStatus

    if not isinstance(event, PayoutEvent):
        return False
    payout = session.scalar(select(Payout).where(Payout.provider_ref == event.provider_ref))
    if payout is None or payout.status == PayoutStatus.FAILED:
        return False
    if event.status == ProviderStatus.PAID:
        changed = payout.status != PayoutStatus.PAID
        payout.status = PayoutStatus.PAID
        return changed
    if event.status in (ProviderStatus.FAILED, ProviderStatus.REVERSED):
        payout.status = PayoutStatus.FAILED
        ledger.post(session, EntryKind.REVERSED,
                    [ledger.Leg(ledger.CLEARING, payout.amount),
                     ledger.Leg(ledger.customer_account(payout.customer_id), -payout.amount)],
                    currency=payout.currency, organization_id=None, customer_id=payout.customer_id,
                    payout_id=payout.id)
        record_audit(session, None, "feedback.payout.returned", ("feedback_payout", payout.id),
                     after={"status": event.status, "reason": event.failure_reason, "event": event.event_id})
        return True
    return False
