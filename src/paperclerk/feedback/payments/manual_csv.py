"""Manual payouts: rewards someone pays by hand (a bank transfer, Swish). Each payout asked for is a row in one CSV
file (``PAPERCLERK_FEEDBACK_MANUAL_PAYOUTS_FILE``); ``to_pay()`` is the CSV of those still to be made, and
``confirm`` / ``fail`` mark them once they are made or cannot be. The file is rewritten whole under a lock, so that
two workers never lose each other's rows; the idempotency key is the row's key.

The customer's "account" is whatever the business pays into (an IBAN, a Swish number) and needs no onboarding.
"""

from __future__ import annotations

import csv
import fcntl
import io
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from paperclerk.config import Settings, get_settings
from paperclerk.core.errors import InvalidRequest, NotFound
from paperclerk.core.money import plain
from paperclerk.core.spreadsheets import formula_safe
from paperclerk.feedback.minor_units import parse_amount
from paperclerk.feedback.payments.provider import (
    ConnectedAccount,
    PayoutConflict,
    PayoutEvent,
    PayoutRequest,
    PayoutResult,
    PayoutStatus,
    check_request,
)

COLUMNS = ("payout_id", "reference", "account", "amount", "currency", "description", "status", "requested_at",
           "settled_at", "failure_reason")
#: The columns of ``to_pay()``: what the person paying needs.
TO_PAY_COLUMNS = ("payout_id", "reference", "account", "amount", "currency", "description")
Row = dict[str, str]


class ManualCsvPayouts:
    name = "manual"

    def __init__(self, path: Path | None = None, *, settings: Settings | None = None) -> None:
        config = settings or get_settings()
        configured = config.feedback_manual_payouts_file
        self.path = path or (Path(configured) if configured else config.data_dir / "feedback" / "manual-payouts.csv")

    def create_account(self, *, email: str, country: str, reference: str) -> ConnectedAccount:
        if not reference.strip():
            raise InvalidRequest("A manual payout account needs what to pay into.", code="PAYOUT_ACCOUNT_MISSING")
        return ConnectedAccount(account_id=reference.strip(), payouts_enabled=True, details_submitted=True)

    def onboarding_link(self, account_id: str, *, return_url: str, refresh_url: str) -> None:
        return None

    def pay(self, request: PayoutRequest) -> PayoutResult:
        request = check_request(request)
        with self._rows() as rows:
            row = next((row for row in rows if row["payout_id"] == request.idempotency_key), None)
            if row is None:
                row = {"payout_id": request.idempotency_key, "reference": request.reference,
                       "account": request.account, "amount": plain(request.amount) or "",
                       "currency": request.currency, "description": request.description,
                       "status": PayoutStatus.PENDING.value, "requested_at": _now().isoformat(),
                       "settled_at": "", "failure_reason": ""}
                rows.append(row)
            elif (row["account"], parse_amount(row["amount"]), row["currency"]) != (
                    request.account, request.amount, request.currency):
                raise PayoutConflict(f"The idempotency key {request.idempotency_key} was used for another payout.",
                                     details={"idempotency_key": request.idempotency_key})
            return _result(row)

    def status(self, provider_ref: str) -> PayoutResult:
        with self._rows(write=False) as rows:
            return _result(_find(rows, provider_ref))

    def to_pay(self) -> str:
        """The CSV of payouts still to be made, oldest first; text a customer typed cannot run as a formula."""
        with self._rows(write=False) as rows:
            pending = [{**row, **{name: formula_safe(row[name]) for name in ("reference", "account", "description")}}
                       for row in rows if row["status"] == PayoutStatus.PENDING]
            return _csv(pending, TO_PAY_COLUMNS)

    def confirm(self, provider_refs: Iterable[str]) -> list[PayoutEvent]:
        """Mark payouts made; a payout confirmed before is reported again unchanged."""
        return self._settle(provider_refs, PayoutStatus.PAID, None)

    def fail(self, provider_refs: Iterable[str], reason: str) -> list[PayoutEvent]:
        """Mark payouts that could not be made (a closed account, say)."""
        return self._settle(provider_refs, PayoutStatus.FAILED, reason)

    def _settle(self, provider_refs: Iterable[str], status: PayoutStatus, reason: str | None) -> list[PayoutEvent]:
        events: list[PayoutEvent] = []
        with self._rows() as rows:
            chosen = [_find(rows, ref) for ref in dict.fromkeys(provider_refs)]
            for row in chosen:
                if row["status"] not in (PayoutStatus.PENDING, status):
                    raise InvalidRequest(f"Payout {row['payout_id']} is already {row['status']}.",
                                         code="PAYOUT_ALREADY_SETTLED", details={"payout_id": row["payout_id"]})
            for row in chosen:
                if row["status"] == PayoutStatus.PENDING:
                    row.update(status=status.value, settled_at=_now().isoformat(), failure_reason=reason or "")
                result = _result(row)
                events.append(PayoutEvent(provider=self.name, event_id=f"{row['payout_id']}:{row['status']}",
                                          provider_ref=result.provider_ref, account=result.account,
                                          amount=result.amount, currency=result.currency, status=result.status,
                                          occurred_at=datetime.fromisoformat(row["settled_at"]),
                                          failure_reason=result.failure_reason))
        return events

    @contextmanager
    def _rows(self, *, write: bool = True) -> Iterator[list[Row]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX if write else fcntl.LOCK_SH)
            rows = _read(self.path)
            yield rows
            if write:
                # One writer at a time holds the lock, so one scratch name serves all (a crash leaves no litter).
                scratch = self.path.with_name(f".{self.path.name}.writing")
                scratch.write_text(_csv(rows, COLUMNS), encoding="utf-8")
                os.replace(scratch, self.path)


def _read(path: Path) -> list[Row]:
    if not path.exists():
        return []
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise InvalidRequest(f"{path} is not a manual payouts file (columns {', '.join(COLUMNS)}).",
                             code="PAYOUT_FILE_INVALID")
    return [{name: row.get(name) or "" for name in COLUMNS} for row in reader]


def _csv(rows: Iterable[Row], columns: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _find(rows: list[Row], provider_ref: str) -> Row:
    for row in rows:
        if row["payout_id"] == provider_ref:
            return row
    raise NotFound(f"No manual payout {provider_ref}.", code="PAYOUT_NOT_FOUND")


def _result(row: Row) -> PayoutResult:
    return PayoutResult(provider="manual", provider_ref=row["payout_id"], account=row["account"],
                        amount=parse_amount(row["amount"]), currency=row["currency"],
                        status=PayoutStatus(row["status"]), failure_reason=row["failure_reason"] or None)


def _now() -> datetime:
    return datetime.now(UTC)
