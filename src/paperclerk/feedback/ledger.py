"""The rewards ledger, double-entry: every journal's legs add up to zero in each currency.

Earning a reward debits the business's reward expense with the reward plus the platform's commission and credits
the customer (what the platform owes them) and the platform's commission. A payout debits the customer and credits
the payout clearing account (money sent). A reversal posts the earning's legs with the opposite sign. Balances are
sums of legs; nothing is ever updated or deleted (erasing a customer leaves their legs on the pseudonymous row).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from paperclerk.core.db import new_id
from paperclerk.feedback.models import EntryKind, LedgerEntry

COMMISSION = "platform:commission"
CLEARING = "payouts:clearing"
CENT = Decimal("0.01")


def business_account(organization_id: str) -> str:
    return f"business:{organization_id}:rewards"


def customer_account(customer_id: str) -> str:
    return f"customer:{customer_id}"


@dataclass(frozen=True)
class Leg:
    account: str
    amount: Decimal


def post(session: Session, kind: EntryKind, legs: Sequence[Leg], *, currency: str, organization_id: str | None,
         customer_id: str | None, session_id: str | None = None, payout_id: str | None = None) -> str:
    """Write one journal; refuses legs that do not add up to zero."""
    if sum((leg.amount for leg in legs), Decimal(0)) != 0:
        raise ValueError(f"journal legs must add up to zero: {legs}")
    journal = new_id()
    for leg in legs:
        session.add(LedgerEntry(journal_id=journal, kind=kind, account=leg.account, amount=leg.amount,
                                currency=currency, organization_id=organization_id, customer_id=customer_id,
                                session_id=session_id, payout_id=payout_id))
    session.flush()
    return journal


def commission_on(reward: Decimal, percent: Decimal) -> Decimal:
    return (reward * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def earn(session: Session, *, organization_id: str, customer_id: str, session_id: str, reward: Decimal,
         commission: Decimal, currency: str) -> str:
    return post(session, EntryKind.EARNED, [
        Leg(business_account(organization_id), reward + commission),
        Leg(customer_account(customer_id), -reward),
        Leg(COMMISSION, -commission),
    ], currency=currency, organization_id=organization_id, customer_id=customer_id, session_id=session_id)


def reverse(session: Session, session_id: str) -> str | None:
    """Undo what a session earned (its EARNED legs, less any earlier reversal); None when nothing is left."""
    rows = session.execute(select(LedgerEntry.account, LedgerEntry.currency, LedgerEntry.organization_id,
                                  LedgerEntry.customer_id, func.sum(LedgerEntry.amount))
                           .where(LedgerEntry.session_id == session_id,
                                  LedgerEntry.kind.in_([EntryKind.EARNED, EntryKind.REVERSED]))
                           .group_by(LedgerEntry.account, LedgerEntry.currency, LedgerEntry.organization_id,
                                     LedgerEntry.customer_id)).all()
    legs = [Leg(account, -Decimal(total)) for account, _currency, _org, _customer, total in rows if total]
    if not legs:
        return None
    _account, currency, organization_id, customer_id, _total = rows[0]
    return post(session, EntryKind.REVERSED, legs, currency=currency, organization_id=organization_id,
                customer_id=customer_id, session_id=session_id)


def pay(session: Session, *, customer_id: str, amount: Decimal, currency: str, payout_id: str) -> str:
    return post(session, EntryKind.PAID, [Leg(customer_account(customer_id), amount), Leg(CLEARING, -amount)],
                currency=currency, organization_id=None, customer_id=customer_id, payout_id=payout_id)


def balances(session: Session, account: str) -> dict[str, Decimal]:
    """The account's balance per currency, as the account holder sees it (what is owed to a customer is positive)."""
    rows = session.execute(select(LedgerEntry.currency, func.sum(LedgerEntry.amount))
                           .where(LedgerEntry.account == account).group_by(LedgerEntry.currency)).all()
    return {currency: -Decimal(total) for currency, total in rows if total}


def customer_totals(session: Session, customer_id: str) -> dict[str, dict[str, Decimal]]:
    """Per currency: earned, reversed (a reward taken back; negative when a failed payout came back), paid, and the
    balance still owed to the customer (the account's credit)."""
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: {kind.value: Decimal(0) for kind in EntryKind})
    rows = session.execute(select(LedgerEntry.currency, LedgerEntry.kind, func.sum(LedgerEntry.amount))
                           .where(LedgerEntry.account == customer_account(customer_id))
                           .group_by(LedgerEntry.currency, LedgerEntry.kind)).all()
    for currency, kind, total in rows:
        totals[currency][kind] = -Decimal(total) if kind == EntryKind.EARNED else Decimal(total)
    for values in totals.values():
        values["balance"] = values[EntryKind.EARNED] - values[EntryKind.REVERSED] - values[EntryKind.PAID]
    return dict(totals)


def trial_balance(session: Session) -> dict[str, Decimal]:
    """Sum of every leg per currency: zero in a consistent ledger."""
    rows = session.execute(select(LedgerEntry.currency, func.sum(LedgerEntry.amount))
                           .group_by(LedgerEntry.currency)).all()
    return {currency: Decimal(total) for currency, total in rows}
