"""Paying a batch of rewards through one provider: each payout on its own, so that one refused payout does not hold
back the others; a provider that is down or refuses our credentials stops the batch, since every further payout
would fail the same way. Running a batch again is safe: the idempotency keys make payouts already made answer
their first result."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from paperclerk.core.errors import PaperclerkError
from paperclerk.feedback.payments.provider import PayoutProvider, PayoutRequest, PayoutResult

#: Failures that say nothing about the payout and everything about the provider.
STOPS_THE_BATCH = frozenset({"VENDOR_AUTH_FAILED", "VENDOR_UNAVAILABLE", "VENDOR_RATE_LIMITED",
                             "PAYOUT_PROVIDER_NOT_CONFIGURED"})


@dataclass(frozen=True)
class PayoutFailure:
    request: PayoutRequest
    code: str
    message: str


@dataclass(frozen=True)
class BatchOutcome:
    results: tuple[PayoutResult, ...]
    failures: tuple[PayoutFailure, ...]
    #: The requests not tried because the batch stopped (its reason is the last failure).
    not_tried: tuple[PayoutRequest, ...]


def pay_all(provider: PayoutProvider, requests: Iterable[PayoutRequest]) -> BatchOutcome:
    results: list[PayoutResult] = []
    failures: list[PayoutFailure] = []
    pending = list(requests)
    while pending:
        request = pending.pop(0)
        try:
            results.append(provider.pay(request))
        except PaperclerkError as exc:
            failures.append(PayoutFailure(request, exc.code, exc.message))
            if exc.code in STOPS_THE_BATCH:
                break
    return BatchOutcome(tuple(results), tuple(failures), tuple(pending))
