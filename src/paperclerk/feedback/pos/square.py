"""Square: completed payments from the Payments API (``GET /v2/payments``), paged by ``cursor``, a seller's access
token as ``Authorization: Bearer``. Money is ``{"amount": <minor units>, "currency": "SEK"}``; the receipt shows
``total_money`` (the amount with the tip)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from paperclerk.config import Settings, get_settings
from paperclerk.core.errors import PaperclerkError
from paperclerk.feedback.minor_units import currency_code, from_minor
from paperclerk.feedback.pos.transaction import (
    PosTransaction,
    check_window,
    identifier,
    in_window,
    rfc3339,
    vendor_time,
)
from paperclerk.feedback.vendor_http import VendorClient

#: Pages read per import at most (100 payments each).
MAX_PAGES = 2000


class SquareSource:
    name = "square"

    def __init__(self, access_token: str, *, location_id: str | None = None, settings: Settings | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        config = settings or get_settings()
        self._url = config.feedback_square_url.rstrip("/") + "/v2/payments"
        self._location_id = location_id
        self._client = VendorClient("Square", settings=config, read_error=_error, sleep=sleep,
                                    headers={"Authorization": f"Bearer {access_token}",
                                             "Square-Version": config.feedback_square_version,
                                             "Accept": "application/json"})

    def transactions(self, since: datetime, until: datetime) -> Iterator[PosTransaction]:
        since, until = check_window(since, until)
        params: dict[str, Any] = {"begin_time": rfc3339(since), "end_time": rfc3339(until), "sort_order": "ASC",
                                  "limit": 100}
        if self._location_id:
            params["location_id"] = self._location_id
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            body = self._client.json(self._client.request("GET", self._url, params=params))
            payments = body.get("payments", [])
            if not isinstance(payments, list):
                raise self._client.bad_response("payments is not a list")
            for payment in payments:
                transaction = self._transaction(payment)
                if transaction is not None and in_window(transaction, since, until):
                    yield transaction
            cursor = body.get("cursor")
            if not cursor:
                return
            if not isinstance(cursor, str) or cursor in seen:
                raise self._client.bad_response("the cursor repeats or is not text")
            seen.add(cursor)
            params["cursor"] = cursor
        raise self._client.bad_response(f"more than {MAX_PAGES} pages")

    def _transaction(self, payment: Any) -> PosTransaction | None:
        try:
            if payment["status"] != "COMPLETED":
                return None
            money = payment.get("total_money") or payment["amount_money"]
            currency = currency_code(money["currency"])
            card = (payment.get("card_details") or {}).get("card") or {}
            return PosTransaction(
                source=self.name, external_id=identifier(payment["id"]), store_ref=identifier(payment["location_id"]),
                amount=from_minor(money["amount"], currency), currency=currency,
                occurred_at=vendor_time(payment["created_at"]),
                card_fingerprint=f"square:{card['fingerprint']}" if card.get("fingerprint") else None,
                receipt_number=payment.get("receipt_number") or None)
        except (KeyError, TypeError, ValueError, AttributeError, PaperclerkError) as exc:
            raise self._client.bad_response(f"payment {_id(payment)}: {exc}") from None


def _id(row: Any) -> str:
    return str(row.get("id")) if isinstance(row, dict) else repr(row)[:40]


def _error(body: Any) -> tuple[str, str | None] | None:
    """Square's ``{"errors": [{"category", "code", "detail"}]}``."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        return str(first.get("detail") or first.get("code")), first.get("code")
    return None
