"""Square, Zettle and Shopify on 127.0.0.1, answering in their wire formats: their list endpoints with their
pagination, authentication and error bodies, over the sales a test puts in ``server.sales``."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from typing import Any

from tests.feedback.pos.vendor_server import Reply, Request, VendorServer, json_reply


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(cursor: str) -> int:
    return int(base64.urlsafe_b64decode(cursor.encode()).decode().split(":")[1])


class SquareServer(VendorServer):
    """``GET /v2/payments``: ``begin_time``/``end_time`` on ``created_at``, ``sort_order``, ``location_id``,
    ``limit`` (at most ``page_size``), ``cursor``."""

    def __init__(self, access_token: str = "EAAA-test-token", page_size: int = 2) -> None:
        super().__init__()
        self.access_token = access_token
        self.page_size = page_size
        self.sales: list[dict[str, Any]] = []

    def answer(self, request: Request) -> Reply:
        if request.bearer() != self.access_token:
            return json_reply(401, {"errors": [{"category": "AUTHENTICATION_ERROR", "code": "UNAUTHORIZED",
                                                "detail": "This request could not be authorized."}]})
        if request.method != "GET" or request.path != "/v2/payments":
            return json_reply(404, {"errors": [{"category": "INVALID_REQUEST_ERROR", "code": "NOT_FOUND",
                                                "detail": "Resource not found."}]})
        query = request.query
        chosen = [sale for sale in self.sales
                  if _time(query["begin_time"]) <= _time(sale["created_at"]) < _time(query["end_time"])
                  and query.get("location_id", sale["location_id"]) == sale["location_id"]]
        chosen.sort(key=lambda sale: _time(sale["created_at"]), reverse=query.get("sort_order") != "ASC")
        start = _offset(query["cursor"]) if "cursor" in query else 0
        size = min(int(query.get("limit", 100)), self.page_size)
        body: dict[str, Any] = {"payments": chosen[start:start + size]} if chosen else {}
        if start + size < len(chosen):
            body["cursor"] = _cursor(start + size)
        return json_reply(200, body)


def square_payment(amount: int, currency: str, created_at: str, *, location_id: str = "L1",
                   status: str = "COMPLETED", tip: int = 0, card: str | None = "sq-1-abc") -> dict[str, Any]:
    """A Square Payment object as the API returns it."""
    payment_id = uuid.uuid4().hex[:22]
    payment: dict[str, Any] = {
        "id": payment_id, "created_at": created_at, "updated_at": created_at, "status": status,
        "amount_money": {"amount": amount, "currency": currency},
        "total_money": {"amount": amount + tip, "currency": currency},
        "approved_money": {"amount": amount + tip, "currency": currency},
        "location_id": location_id, "order_id": uuid.uuid4().hex[:24], "receipt_number": payment_id[:4],
        "source_type": "CARD" if card else "CASH", "version_token": "v1"}
    if tip:
        payment["tip_money"] = {"amount": tip, "currency": currency}
    if card:
        payment["card_details"] = {"status": "CAPTURED", "entry_method": "EMV",
                                   "card": {"card_brand": "VISA", "last_4": "1111", "exp_month": 11,
                                            "exp_year": 2030, "fingerprint": card, "card_type": "DEBIT",
                                            "bin": "411111"}}
    return payment


class ZettleServer(VendorServer):
    """``POST /token`` (the API-key assertion grant) and ``GET /purchases/v2`` (``startDate``/``endDate`` in UTC
    minutes, ``limit`` at most ``page_size``, ``lastPurchaseHash``)."""

    def __init__(self, client_id: str = "6adde977-c34d-4de1-99b2-f6ed3e65431a", api_key: str = "eyJraWQiOiIwIiwi",
                 page_size: int = 2) -> None:
        super().__init__()
        self.client_id = client_id
        self.api_key = api_key
        self.page_size = page_size
        self.tokens: set[str] = set()
        self.sales: list[dict[str, Any]] = []

    def revoke_tokens(self) -> None:
        self.tokens.clear()

    def answer(self, request: Request) -> Reply:
        if request.method == "POST" and request.path == "/token":
            form = request.form()
            if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
                return json_reply(400, {"error": "unsupported_grant_type"})
            if form.get("client_id") != self.client_id or form.get("assertion") != self.api_key:
                return json_reply(400, {"error": "invalid_grant", "error_description": "Invalid API key"})
            token = uuid.uuid4().hex
            self.tokens.add(token)
            return json_reply(200, {"access_token": token, "expires_in": 7200})
        if request.bearer() not in self.tokens:
            return json_reply(401, {"error": "invalid_token", "error_description": "Access token expired"})
        return self._purchases(request.query)

    def _purchases(self, query: dict[str, str]) -> Reply:
        start = datetime.fromisoformat(query["startDate"]).replace(tzinfo=UTC)
        end = datetime.fromisoformat(query["endDate"]).replace(tzinfo=UTC)
        chosen = sorted((sale for sale in self.sales if start <= _time(sale["timestamp"]) < end),
                        key=lambda sale: sale["timestamp"], reverse=query.get("descending") == "true")
        hashes = [_purchase_hash(sale) for sale in chosen]
        after = hashes.index(query["lastPurchaseHash"]) + 1 if "lastPurchaseHash" in query else 0
        page = chosen[after:after + min(int(query.get("limit", 1000)), self.page_size)]
        body: dict[str, Any] = {"purchases": page}
        if page:
            last = _purchase_hash(page[-1])
            body.update(firstPurchaseHash=_purchase_hash(page[0]), lastPurchaseHash=last,
                        linkUrls=[f'<{self.url}/purchases/v2?lastPurchaseHash={last}>; rel="next"'])
        return json_reply(200, body)


def _purchase_hash(sale: dict[str, Any]) -> str:
    return str(int(_time(sale["timestamp"]).timestamp() * 1000)) + sale["purchaseUUID"]


def zettle_purchase(amount: int, currency: str, timestamp: str, *, number: int = 1, masked_pan: str | None =
                    "537410******1234", refund: bool = False) -> dict[str, Any]:
    """A Zettle purchase as ``/purchases/v2`` returns it (``timestamp`` like ``2026-12-03T09:15:20.028+0000``)."""
    purchase_uuid = uuid.uuid1()
    payment: dict[str, Any] = {"uuid": str(uuid.uuid1()), "amount": amount,
                               "type": "IZETTLE_CARD" if masked_pan else "IZETTLE_CASH", "createdAt": timestamp}
    payment["attributes"] = ({"maskedPan": masked_pan, "cardType": "MASTERCARD", "cardPaymentEntryMode": "EMV",
                              "referenceNumber": "LQTTTTT"} if masked_pan else {"handedAmount": amount})
    return {"source": "POS", "purchaseUUID": base64.urlsafe_b64encode(purchase_uuid.bytes).decode()[:22],
            "purchaseUUID1": str(purchase_uuid), "amount": amount, "vatAmount": amount // 9, "country": "SE",
            "currency": currency, "timestamp": timestamp, "created": timestamp, "purchaseNumber": number,
            "globalPurchaseNumber": 390000 + number, "userDisplayName": "Sven Andersson", "userId": 11111,
            "organizationId": 22222, "products": [], "discounts": [], "payments": [payment],
            "cashRegister": {"displayName": "Kassa 2", "uuid": "YdVwSn4i111DZepjFuVBw"}, "refunded": False,
            "refund": refund, "groupedVatAmounts": {}}


class ShopifyServer(VendorServer):
    """``GET /shops/<shop>/admin/api/<version>/orders.json`` (the shop's address is ``{url}/shops/{shop}``):
    ``created_at_min``/``max``, ``limit`` at most ``page_size``, then ``page_info`` pages announced in the ``Link``
    header; with ``page_info`` no other filter is allowed."""

    def __init__(self, shop: str = "acme-coffee", access_token: str = "shpat_test", page_size: int = 2) -> None:
        super().__init__()
        self.shop = shop
        self.access_token = access_token
        self.page_size = page_size
        self.sales: list[dict[str, Any]] = []
        self._pages: dict[str, tuple[list[dict[str, Any]], int, int]] = {}

    def answer(self, request: Request) -> Reply:
        if request.headers.get("x-shopify-access-token") != self.access_token:
            return json_reply(401, {"errors": "[API] Invalid API key or access token (unrecognized login or wrong "
                                              "password)"})
        if not (request.path.startswith(f"/shops/{self.shop}/admin/api/")
                and request.path.endswith("/orders.json")):
            return json_reply(404, {"errors": "Not Found"})
        query = request.query
        if "page_info" in query:
            if set(query) - {"page_info", "limit", "fields"}:
                return json_reply(400, {"errors": {"page_info": ["Invalid value."]}})
            chosen, start, size = self._pages[query["page_info"]]
        else:
            low, high = _time(query["created_at_min"]), _time(query["created_at_max"])
            chosen = sorted((order for order in self.sales if low <= _time(order["created_at"]) <= high),
                            key=lambda order: order["created_at"], reverse=True)
            start, size = 0, min(int(query.get("limit", 50)), self.page_size)
        headers = {}
        if start + size < len(chosen):
            token = uuid.uuid4().hex
            self._pages[token] = (chosen, start + size, size)
            headers["Link"] = (f'<{self.url}{request.path}?limit={size}&page_info={token}>; rel="next"')
        return json_reply(200, {"orders": chosen[start:start + size]}, headers)


def shopify_order(total: str, currency: str, created_at: str, *, number: int = 1001,
                  financial_status: str = "paid", card_number: str | None = "•••• •••• •••• 4242",
                  location_id: int | None = 655441491) -> dict[str, Any]:
    """A Shopify order as the Admin REST API returns it (the fields read here and a few around them)."""
    return {"id": 450789469 + number, "name": f"#{number}", "order_number": number, "created_at": created_at,
            "processed_at": created_at, "updated_at": created_at, "total_price": total, "subtotal_price": total,
            "total_tax": "0.00", "currency": currency, "presentment_currency": currency,
            "financial_status": financial_status, "cancelled_at": None, "location_id": location_id,
            "payment_gateway_names": ["shopify_payments"],
            "payment_details": ({"credit_card_bin": "424242", "credit_card_company": "Visa",
                                 "credit_card_number": card_number, "avs_result_code": None}
                                if card_number else None),
            "line_items": []}
