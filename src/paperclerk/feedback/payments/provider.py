"""What every payout provider does: give a customer an account to be paid into, pay an amount into it exactly
once per idempotency key, and say how a payout stands; and what providers report back (events)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from paperclerk.core.errors import Conflict, InvalidRequest
from paperclerk.feedback.minor_units import AmountInvalid, currency_code, to_minor

#: Stripe's limit, and a sensible one for every provider.
MAX_KEY_LENGTH = 255


class PayoutStatus(StrEnum):
    #: Asked for, not yet paid (a manual payout waiting for someone to make it).
    PENDING = "pending"
    #: The money is in the customer's account.
    PAID = "paid"
    #: The provider could not pay it; nothing left the platform.
    FAILED = "failed"
    #: Paid, then taken back.
    REVERSED = "reversed"


class PayoutConflict(Conflict):
    """The idempotency key was used before for a different payout (another account, amount or currency)."""

    code = "PAYOUT_IDEMPOTENCY_CONFLICT"


@dataclass(frozen=True)
class PayoutRequest:
    """One reward payout. ``idempotency_key`` names it for good: asking again with the same key pays nothing more
    and answers the first result (a retry after a crash is safe); ``reference`` is ours (the ledger entry)."""

    reference: str
    account: str
    amount: Decimal
    currency: str
    idempotency_key: str
    description: str = ""


@dataclass(frozen=True)
class PayoutResult:
    provider: str
    provider_ref: str
    account: str
    amount: Decimal
    currency: str
    status: PayoutStatus
    failure_reason: str | None = None


@dataclass(frozen=True)
class ConnectedAccount:
    """A customer's account at the provider; ``payouts_enabled`` once onboarding is done."""

    account_id: str
    payouts_enabled: bool
    details_submitted: bool


@dataclass(frozen=True)
class OnboardingLink:
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class PayoutEvent:
    """A provider's news about money: a payout paid, failed or reversed. ``event_id`` is unique per provider
    (a redelivered event has the same one)."""

    provider: str
    event_id: str
    provider_ref: str
    account: str | None
    amount: Decimal
    currency: str
    status: PayoutStatus
    occurred_at: datetime
    failure_reason: str | None = None


@dataclass(frozen=True)
class AccountEvent:
    """A provider's news about a customer's account (onboarding finished, payouts switched off)."""

    provider: str
    event_id: str
    account: ConnectedAccount
    occurred_at: datetime


class PayoutProvider(Protocol):
    name: str

    def create_account(self, *, email: str, country: str, reference: str) -> ConnectedAccount:
        """An account for a customer (``reference`` is ours; asking twice gives the same account)."""
        ...

    def onboarding_link(self, account_id: str, *, return_url: str, refresh_url: str) -> OnboardingLink | None:
        """Where the customer finishes setting up the account; ``None`` when there is nothing to set up."""
        ...

    def pay(self, request: PayoutRequest) -> PayoutResult: ...

    def status(self, provider_ref: str) -> PayoutResult: ...


def check_request(request: PayoutRequest) -> PayoutRequest:
    """The request with its currency normalised; a non-positive amount, one with more decimals than its currency
    has, a bad currency or key is refused."""
    currency = currency_code(request.currency)
    if not isinstance(request.amount, Decimal) or not request.amount.is_finite() or request.amount <= 0:
        raise AmountInvalid(f"A payout must be a positive amount, not {request.amount}.",
                            details={"amount": str(request.amount)})
    to_minor(request.amount, currency)  # refuses 0.001 SEK and 10.5 JPY
    key = request.idempotency_key
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidRequest(f"An idempotency key is 1 to {MAX_KEY_LENGTH} printable characters.",
                             code="PAYOUT_KEY_INVALID")
    if not request.account.strip():
        raise InvalidRequest("A payout needs the account to pay into.", code="PAYOUT_ACCOUNT_MISSING")
    return PayoutRequest(request.reference, request.account.strip(), request.amount, currency, key,
                         request.description)
