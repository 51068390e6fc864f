"""Shopify: orders from the Admin REST API (``GET /admin/api/<version>/orders.json``), paged by the ``Link``
header's ``rel="next"`` address, the shop's access token as ``X-Shopify-Access-Token``. Amounts are decimal text
(``"598.94"``) in the shop's currency; cancelled, voided, refunded and unpaid orders are not sales."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from paperclerk.config import Settings, get_settings
from paperclerk.core.errors import InvalidRequest, PaperclerkError
from paperclerk.feedback.minor_units import currency_code, parse_amount
from paperclerk.feedback.pos.transaction import (
    PosTransaction,
    check_window,
    fingerprint,
    identifier,
    in_window,
    rfc3339,
    vendor_time,
)
from paperclerk.feedback.vendor_http import VendorClient

#: Pages read per import at most (250 orders each).
MAX_PAGES = 2000
_SHOP = re.compile(r"[a-z0-9][a-z0-9-]{0,60}")
_NOT_SALES = {"pending", "authorized", "voided", "refunded", "expired"}


class ShopifySource:
    name = "shopify"

    def __init__(self, shop: str, access_token: str, *, settings: Settings | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        config = settings or get_settings()
        shop = shop.strip().lower().removesuffix(".myshopify.com")
        if not _SHOP.fullmatch(shop):
            raise InvalidRequest(f"{shop!r} is not a Shopify shop name.", code="POS_SHOP_INVALID")
        self._shop = shop
        base = config.feedback_shopify_url.format(shop=shop).rstrip("/")
        self._url = f"{base}/admin/api/{config.feedback_shopify_version}/orders.json"
        self._client = VendorClient("Shopify", settings=config, read_error=_error, sleep=sleep,
                                    headers={"X-Shopify-Access-Token": access_token, "Accept": "application/json"})

    def transactions(self, since: datetime, until: datetime) -> Iterator[PosTransaction]:
        since, until = check_window(since, until)
        url = self._url
        params: dict[str, Any] | None = {"status": "any", "created_at_min": rfc3339(since),
                                         "created_at_max": rfc3339(until), "limit": 250}
        for _ in range(MAX_PAGES):
            response = self._client.request("GET", url, params=params)
            orders = self._client.json(response).get("orders")
            if not isinstance(orders, list):
                raise self._client.bad_response("orders is not a list")
            for order in orders:
                transaction = self._transaction(order)
                if transaction is not None and in_window(transaction, since, until):
                    yield transaction
            following = response.links.get("next", {}).get("url")
            if not following:
                return
            if urlsplit(following).netloc != urlsplit(self._url).netloc:
                raise self._client.bad_response(f"the next page is on another host: {following}")
            url, params = following, None  # the next address carries page_info and limit; no other filter
        raise self._client.bad_response(f"more than {MAX_PAGES} pages")

    def _transaction(self, order: Any) -> PosTransaction | None:
        try:
            if order.get("cancelled_at") or order.get("financial_status") in _NOT_SALES:
                return None
            amount = parse_amount(order["total_price"])
            if amount <= 0:
                return None
            card = order.get("payment_details") or {}
            return PosTransaction(
                source=self.name, external_id=identifier(order["id"]),
                store_ref=identifier(order.get("location_id") or self._shop), amount=amount,
                currency=currency_code(order["currency"]),
                occurred_at=vendor_time(order.get("processed_at") or order["created_at"]),
                card_fingerprint=fingerprint(self.name, _last4(card.get("credit_card_number")),
                                             card.get("credit_card_bin"), card.get("credit_card_company")),
                receipt_number=order.get("name") or None)
        except (KeyError, TypeError, ValueError, AttributeError, PaperclerkError) as exc:
            name = order.get("id") if isinstance(order, dict) else None
            raise self._client.bad_response(f"order {name or repr(order)[:40]}: {exc}") from None


def _last4(masked: object) -> str | None:
    digits = re.sub(r"\D", "", masked) if isinstance(masked, str) else ""
    return digits[-4:] or None


def _error(body: Any) -> tuple[str, str | None] | None:
    """Shopify's ``{"errors": "…"}`` (or a map of field → messages)."""
    said = body.get("errors") if isinstance(body, dict) else None
    return (str(said), None) if said else None
