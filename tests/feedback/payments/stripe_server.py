"""Stripe on 127.0.0.1, in Stripe's wire format: form-encoded POSTs with ``Authorization: Bearer sk_…``,
``Idempotency-Key`` (the first answer for a key is the answer for that key; a key reused with other parameters is
an ``idempotency_error``), JSON objects with ``"object"`` names, ``{"error": {"type", "code", "message"}}`` errors.

Endpoints: ``POST /v1/accounts``, ``GET /v1/accounts/<id>``, ``POST /v1/account_links``, ``POST /v1/transfers``
(out of the platform ``balance``), ``GET /v1/transfers/<id>``. ``finish_onboarding`` and ``reverse`` change
objects as Stripe would; ``event(type, object)`` is a webhook delivery as Stripe sends it: the body and its
``Stripe-Signature`` header, signed with ``webhook_secret``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from typing import Any

from tests.feedback.pos.vendor_server import Reply, Request, VendorServer, json_reply


def stripe_error(status: int, kind: str, message: str, code: str | None = None, param: str | None = None) -> Reply:
    error: dict[str, Any] = {"type": kind, "message": message}
    if code:
        error["code"] = code
    if param:
        error["param"] = param
    return json_reply(status, {"error": error}, {"Request-Id": f"req_{uuid.uuid4().hex[:14]}"})


class StripeServer(VendorServer):
    def __init__(self, secret_key: str = "sk_test_51Paperclerk", webhook_secret: str = "whsec_test_secret",
                 balance: dict[str, int] | None = None) -> None:
        super().__init__()
        self.secret_key = secret_key
        self.webhook_secret = webhook_secret
        self.balance = dict(balance or {"sek": 1_000_000, "jpy": 1_000_000, "eur": 1_000_000})
        self.accounts: dict[str, dict[str, Any]] = {}
        self.transfers: dict[str, dict[str, Any]] = {}
        self._idempotent: dict[str, tuple[str, dict[str, str], Reply]] = {}
        self._serial = threading.Lock()

    # -- what Stripe does on its own ---------------------------------------------------------------------------

    def finish_onboarding(self, account_id: str) -> dict[str, Any]:
        account = self.accounts[account_id]
        account.update(details_submitted=True, payouts_enabled=True, charges_enabled=True)
        account["capabilities"]["transfers"] = "active"
        return account

    def reverse(self, transfer_id: str) -> dict[str, Any]:
        transfer = self.transfers[transfer_id]
        transfer.update(reversed=True, amount_reversed=transfer["amount"])
        self.balance[transfer["currency"]] += transfer["amount"]
        return transfer

    def event(self, kind: str, subject: dict[str, Any], *, account: str | None = None,
              signed_at: int | None = None, secret: str | None = None) -> tuple[bytes, str]:
        """A webhook delivery: the body and its Stripe-Signature header."""
        event: dict[str, Any] = {"id": f"evt_{uuid.uuid4().hex[:24]}", "object": "event",
                                 "api_version": "2025-01-27.acacia", "created": int(time.time()),
                                 "data": {"object": subject}, "livemode": False, "pending_webhooks": 1,
                                 "request": {"id": None, "idempotency_key": None}, "type": kind}
        if account:
            event["account"] = account
        payload = json.dumps(event, indent=2).encode()
        moment = int(time.time()) if signed_at is None else signed_at
        digest = hmac.new((secret or self.webhook_secret).encode(), f"{moment}.".encode() + payload,
                          hashlib.sha256).hexdigest()
        return payload, f"t={moment},v1={digest},v0={hashlib.sha256(payload).hexdigest()}"

    # -- the API -----------------------------------------------------------------------------------------------

    def answer(self, request: Request) -> Reply:
        if request.bearer() != self.secret_key:
            shown = request.bearer()[:8] + "*" * 4
            return stripe_error(401, "invalid_request_error", f"Invalid API Key provided: {shown}")
        with self._serial:
            key = request.headers.get("idempotency-key")
            if request.method == "POST" and key:
                return self._idempotently(request, key)
            return self._route(request)

    def _idempotently(self, request: Request, key: str) -> Reply:
        form = request.form()
        if key in self._idempotent:
            path, params, reply = self._idempotent[key]
            if (path, params) != (request.path, form):
                return stripe_error(400, "idempotency_error",
                                    "Keys for idempotent requests can only be used with the same parameters they "
                                    f"were first used with. Try using a key other than '{key}' if you meant to "
                                    "execute a different request.")
            return Reply(reply.status, reply.body, {**reply.headers, "Idempotent-Replayed": "true"})
        reply = self._route(request)
        if reply.status < 400 or reply.status >= 500:
            self._idempotent[key] = (request.path, form, reply)
        return reply

    def _route(self, request: Request) -> Reply:
        parts = request.path.strip("/").split("/")
        if request.method == "POST" and parts == ["v1", "accounts"]:
            return self._create_account(request.form())
        if request.method == "POST" and parts == ["v1", "account_links"]:
            return self._account_link(request.form())
        if request.method == "POST" and parts == ["v1", "transfers"]:
            return self._transfer(request.form())
        if request.method == "GET" and len(parts) == 3 and parts[:2] == ["v1", "accounts"]:
            return self._get(self.accounts, parts[2], "account")
        if request.method == "GET" and len(parts) == 3 and parts[:2] == ["v1", "transfers"]:
            return self._get(self.transfers, parts[2], "transfer")
        return stripe_error(404, "invalid_request_error", f"Unrecognized request URL ({request.method}: "
                                                          f"{request.path}).")

    def _get(self, objects: dict[str, dict[str, Any]], object_id: str, kind: str) -> Reply:
        if object_id not in objects:
            return stripe_error(404, "invalid_request_error", f"No such {kind}: '{object_id}'", "resource_missing",
                                "id")
        return json_reply(200, objects[object_id])

    def _create_account(self, form: dict[str, str]) -> Reply:
        if form.get("type") not in {"express", "standard", "custom"}:
            return stripe_error(400, "invalid_request_error", "Invalid type: must be one of custom, express, or "
                                                              "standard", "parameter_invalid_string", "type")
        if len(form.get("country", "")) != 2:
            return stripe_error(400, "invalid_request_error", "Country is invalid.", "country_unsupported",
                                "country")
        account_id = f"acct_{uuid.uuid4().hex[:16].upper()}"
        requested = "inactive" if form.get("capabilities[transfers][requested]") == "true" else None
        self.accounts[account_id] = {
            "id": account_id, "object": "account", "type": form["type"], "country": form["country"],
            "email": form.get("email"), "business_type": form.get("business_type"), "charges_enabled": False,
            "payouts_enabled": False, "details_submitted": False, "created": int(time.time()),
            "default_currency": "sek" if form["country"] == "SE" else "usd",
            "capabilities": {"transfers": requested} if requested else {},
            "metadata": {name[9:-1]: value for name, value in form.items() if name.startswith("metadata[")},
            "requirements": {"currently_due": ["individual.first_name", "external_account"]}}
        return json_reply(200, self.accounts[account_id])

    def _account_link(self, form: dict[str, str]) -> Reply:
        for name in ("account", "refresh_url", "return_url", "type"):
            if not form.get(name):
                return stripe_error(400, "invalid_request_error", f"Missing required param: {name}.",
                                    "parameter_missing", name)
        if form["account"] not in self.accounts:
            return stripe_error(400, "invalid_request_error", f"No such account: '{form['account']}'",
                                "resource_missing", "account")
        now = int(time.time())
        return json_reply(200, {"object": "account_link", "created": now, "expires_at": now + 300,
                                "url": f"{self.url}/setup/e/{form['account']}/{uuid.uuid4().hex}"})

    def _transfer(self, form: dict[str, str]) -> Reply:
        amount, currency, destination = form.get("amount", ""), form.get("currency", ""), form.get("destination")
        if not amount.isdigit() or int(amount) < 1:
            return stripe_error(400, "invalid_request_error", "Invalid positive integer", "parameter_invalid_integer",
                                "amount")
        if currency != currency.lower() or len(currency) != 3:
            return stripe_error(400, "invalid_request_error", f"Invalid currency: {currency}.", "invalid_currency",
                                "currency")
        account = self.accounts.get(destination or "")
        if account is None:
            return stripe_error(400, "invalid_request_error", f"No such destination: '{destination}'",
                                "resource_missing", "destination")
        if account["capabilities"].get("transfers") != "active":
            return stripe_error(400, "invalid_request_error", "Your destination account needs to have at least one "
                                "of the following capabilities enabled: transfers, crypto_transfers, legacy_payments",
                                "insufficient_capabilities_for_transfer", "destination")
        if self.balance.get(currency, 0) < int(amount):
            return stripe_error(400, "invalid_request_error", "You have insufficient available funds in your Stripe "
                                "account. Try adding funds directly to your available balance by creating Charges "
                                "using the 4000000000000077 test card.", "balance_insufficient")
        self.balance[currency] -= int(amount)
        transfer_id = f"tr_{uuid.uuid4().hex[:24]}"
        self.transfers[transfer_id] = {
            "id": transfer_id, "object": "transfer", "amount": int(amount), "amount_reversed": 0,
            "balance_transaction": f"txn_{uuid.uuid4().hex[:24]}", "created": int(time.time()),
            "currency": currency, "description": form.get("description"), "destination": destination,
            "destination_payment": f"py_{uuid.uuid4().hex[:24]}", "livemode": False,
            "metadata": {name[9:-1]: value for name, value in form.items() if name.startswith("metadata[")},
            "reversals": {"object": "list", "data": [], "has_more": False, "total_count": 0,
                          "url": f"/v1/transfers/{transfer_id}/reversals"},
            "reversed": False, "source_transaction": None, "source_type": "card", "transfer_group": None}
        return json_reply(200, self.transfers[transfer_id])
