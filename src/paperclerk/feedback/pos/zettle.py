"""Zettle: purchases from the Purchase API (``GET /purchases/v2``), paged by ``lastPurchaseHash``. The business
creates an API key for paperclerk's app; it is exchanged for a two-hour access token at the OAuth server
(``POST /token``, grant ``urn:ietf:params:oauth:grant-type:jwt-bearer``). Amounts are in minor units; refunds
(negative amounts, ``refund: true``) are not sales and are left out."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from paperclerk.config import Settings, get_settings
from paperclerk.core.errors import PaperclerkError
from paperclerk.feedback.minor_units import currency_code, from_minor
from paperclerk.feedback.pos.transaction import (
    PosTransaction,
    check_window,
    fingerprint,
    identifier,
    in_window,
    vendor_time,
)
from paperclerk.feedback.vendor_http import VendorClient, VendorError

#: Pages read per import at most (1,000 purchases each).
MAX_PAGES = 500
_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class ZettleSource:
    name = "zettle"

    def __init__(self, api_key: str, *, store_ref: str | None = None, settings: Settings | None = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> None:
        config = settings or get_settings()
        self._api_key = api_key
        self._client_id = config.feedback_zettle_client_id
        self._token_url = config.feedback_zettle_oauth_url.rstrip("/") + "/token"
        self._url = config.feedback_zettle_purchase_url.rstrip("/") + "/purchases/v2"
        self._store_ref = store_ref
        self._clock = clock
        self._token: tuple[str, float] | None = None
        self._client = VendorClient("Zettle", settings=config, read_error=_error, sleep=sleep,
                                    headers={"Accept": "application/json"})

    def transactions(self, since: datetime, until: datetime) -> Iterator[PosTransaction]:
        since, until = check_window(since, until)
        # The API takes UTC minutes: widen to whole minutes, then keep the exact window.
        params: dict[str, Any] = {"startDate": since.strftime("%Y-%m-%dT%H:%M"),
                                  "endDate": (until + timedelta(seconds=59)).strftime("%Y-%m-%dT%H:%M"),
                                  "limit": 1000, "descending": "false"}
        for _ in range(MAX_PAGES):
            body = self._get(params)
            purchases = body.get("purchases", [])
            if not isinstance(purchases, list):
                raise self._client.bad_response("purchases is not a list")
            if not purchases:
                return
            for purchase in purchases:
                transaction = self._transaction(purchase)
                if transaction is not None and in_window(transaction, since, until):
                    yield transaction
            last = body.get("lastPurchaseHash")
            if not last or not isinstance(last, str) or last == params.get("lastPurchaseHash"):
                return
            params["lastPurchaseHash"] = last
        raise self._client.bad_response(f"more than {MAX_PAGES} pages")

    def _get(self, params: dict[str, Any]) -> dict[str, Any]:
        reused = self._token is not None and self._token[1] > self._clock()
        try:
            response = self._client.request("GET", self._url, params=params, headers=self._authorization())
        except VendorError as exc:
            if exc.code != "VENDOR_AUTH_FAILED" or not reused:
                raise
            self._token = None  # revoked or expired early: one fresh token, then give up
            response = self._client.request("GET", self._url, params=params, headers=self._authorization())
        return self._client.json(response)

    def _authorization(self) -> dict[str, str]:
        if self._token is None or self._token[1] <= self._clock():
            try:
                response = self._client.request("POST", self._token_url, data={
                    "grant_type": _GRANT, "client_id": self._client_id, "assertion": self._api_key})
            except VendorError as exc:
                if exc.vendor_code != "invalid_grant":
                    raise
                raise VendorError(self._client.vendor, "the API key is invalid or was revoked; the business needs "
                                  "to create a new one", code="VENDOR_AUTH_FAILED", status=exc.status,
                                  vendor_code=exc.vendor_code) from None
            answer = self._client.json(response)
            token, lifetime = answer.get("access_token"), answer.get("expires_in", 7200)
            if not isinstance(token, str) or not token or not isinstance(lifetime, int | float):
                raise self._client.bad_response("the token answer has no access_token")
            self._token = (token, self._clock() + max(0.0, float(lifetime) - 60))
        return {"Authorization": f"Bearer {self._token[0]}"}

    def _transaction(self, purchase: Any) -> PosTransaction | None:
        try:
            amount_minor = purchase["amount"]
            if purchase.get("refund") or (isinstance(amount_minor, int) and amount_minor <= 0):
                return None
            currency = currency_code(purchase["currency"])
            register = purchase.get("cashRegister") or {}
            card = next((payment.get("attributes") or {} for payment in purchase.get("payments") or []
                         if (payment.get("attributes") or {}).get("maskedPan")), {})
            number = purchase.get("purchaseNumber")
            return PosTransaction(
                source=self.name, external_id=identifier(purchase.get("purchaseUUID1") or purchase["purchaseUUID"]),
                store_ref=self._store_ref or identifier(register.get("uuid") or purchase["organizationId"]),
                amount=from_minor(amount_minor, currency), currency=currency,
                occurred_at=vendor_time(purchase["timestamp"]),
                card_fingerprint=fingerprint(self.name, card.get("maskedPan"), card.get("cardType")),
                receipt_number=str(number) if number is not None else None)
        except (KeyError, TypeError, ValueError, AttributeError, PaperclerkError) as exc:
            name = purchase.get("purchaseUUID1") if isinstance(purchase, dict) else None
            raise self._client.bad_response(f"purchase {name or repr(purchase)[:40]}: {exc}") from None


def _error(body: Any) -> tuple[str, str | None] | None:
    """The OAuth server's ``{"error", "error_description"}`` or the Purchase API's ``developerMessage``."""
    if not isinstance(body, dict):
        return None
    said = body.get("error_description") or body.get("developerMessage") or body.get("error")
    code = body.get("error") or body.get("errorType")
    return (str(said), str(code) if code else None) if said else None
