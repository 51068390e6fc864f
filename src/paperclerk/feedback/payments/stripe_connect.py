"""Stripe Connect: each customer has a connected account (``POST /v1/accounts``, onboarding through
``POST /v1/account_links``) and a reward is a transfer from the platform's balance into it
(``POST /v1/transfers`` with an ``Idempotency-Key``). Requests are form-encoded with the platform's secret key as
``Authorization: Bearer``; errors are ``{"error": {"type", "code", "message"}}``. Amounts are in Stripe's minor
units (SEK öre; JPY has none; ISK and UGX are counted in hundredths)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from paperclerk.config import Settings, get_settings
from paperclerk.core.errors import InvalidRequest, PaperclerkError
from paperclerk.feedback.minor_units import currency_code, from_minor, to_minor
from paperclerk.feedback.payments.provider import (
    ConnectedAccount,
    OnboardingLink,
    PayoutConflict,
    PayoutRequest,
    PayoutResult,
    PayoutStatus,
    check_request,
)
from paperclerk.feedback.vendor_http import VendorClient, VendorError

#: Stripe's decimals where they differ from ISO 4217.
STRIPE_DECIMALS: Mapping[str, int] = {"ISK": 2, "UGX": 2, "MGA": 0}


class StripeConnect:
    name = "stripe"

    def __init__(self, *, secret_key: str | None = None, settings: Settings | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        config = settings or get_settings()
        key = secret_key if secret_key is not None else config.feedback_stripe_secret_key.get_secret_value()
        if not key:
            raise InvalidRequest("Stripe payouts need PAPERCLERK_FEEDBACK_STRIPE_SECRET_KEY.",
                                 code="PAYOUT_PROVIDER_NOT_CONFIGURED")
        self._base = config.feedback_stripe_url.rstrip("/")
        self._client = VendorClient("Stripe", settings=config, read_error=_error, sleep=sleep,
                                    headers={"Authorization": f"Bearer {key}"})

    def create_account(self, *, email: str, country: str, reference: str) -> ConnectedAccount:
        body = self._post("/v1/accounts", {
            "type": "express", "country": country.strip().upper(), "email": email, "business_type": "individual",
            "capabilities[transfers][requested]": "true", "metadata[reference]": reference},
            idempotency_key=f"account-{reference}")
        return self._account(body)

    def account(self, account_id: str) -> ConnectedAccount:
        return self._account(self._get(f"/v1/accounts/{_path(account_id)}"))

    def onboarding_link(self, account_id: str, *, return_url: str, refresh_url: str) -> OnboardingLink:
        body = self._post("/v1/account_links", {"account": account_id, "refresh_url": refresh_url,
                                                "return_url": return_url, "type": "account_onboarding"})
        try:
            return OnboardingLink(url=str(body["url"]), expires_at=datetime.fromtimestamp(body["expires_at"], UTC))
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            raise self._client.bad_response(f"account link: {exc}") from None

    def pay(self, request: PayoutRequest) -> PayoutResult:
        request = check_request(request)
        fields = {"amount": str(to_minor(request.amount, request.currency, STRIPE_DECIMALS)),
                  "currency": request.currency.lower(), "destination": request.account,
                  "metadata[reference]": request.reference}
        if request.description:
            fields["description"] = request.description
        try:
            body = self._post("/v1/transfers", fields, idempotency_key=request.idempotency_key)
        except VendorError as exc:
            if exc.vendor_code == "idempotency_error":
                raise PayoutConflict(f"The idempotency key {request.idempotency_key} was used for another payout.",
                                     details={"idempotency_key": request.idempotency_key}) from None
            raise
        return self._result(body)

    def status(self, provider_ref: str) -> PayoutResult:
        return self._result(self._get(f"/v1/transfers/{_path(provider_ref)}"))

    # -- wire ---------------------------------------------------------------------------------------------------

    def _post(self, path: str, fields: dict[str, str], *, idempotency_key: str | None = None
              ) -> dict[str, Any]:
        # Every POST carries a key (a fresh one when the caller has none), so that a retry never does it twice.
        headers = {"Idempotency-Key": idempotency_key or f"paperclerk-{uuid.uuid4()}"}
        return self._client.json(self._client.request("POST", self._base + path, data=fields, headers=headers))

    def _get(self, path: str) -> dict[str, Any]:
        return self._client.json(self._client.request("GET", self._base + path))

    def _account(self, body: dict[str, Any]) -> ConnectedAccount:
        account_id = body.get("id")
        if body.get("object") != "account" or not isinstance(account_id, str):
            raise self._client.bad_response("not an account object")
        return ConnectedAccount(account_id=account_id, payouts_enabled=bool(body.get("payouts_enabled")),
                                details_submitted=bool(body.get("details_submitted")))

    def _result(self, body: dict[str, Any]) -> PayoutResult:
        try:
            if body["object"] != "transfer":
                raise ValueError(f"a {body['object']!r} object, not a transfer")
            return transfer_result(body)
        except (KeyError, TypeError, ValueError, PaperclerkError) as exc:
            raise self._client.bad_response(f"transfer {body.get('id')}: {exc}") from None


def transfer_result(transfer: Mapping[str, Any]) -> PayoutResult:
    """A Stripe transfer object as a payout: paid once made, reversed when all of it was taken back."""
    currency = currency_code(transfer["currency"])
    amount = from_minor(transfer["amount"], currency, STRIPE_DECIMALS)
    reversed_amount = from_minor(transfer.get("amount_reversed") or 0, currency, STRIPE_DECIMALS)
    status = PayoutStatus.REVERSED if transfer.get("reversed") or reversed_amount >= amount > 0 else PayoutStatus.PAID
    destination = transfer["destination"]
    if isinstance(destination, Mapping):  # expanded
        destination = destination["id"]
    return PayoutResult(provider="stripe", provider_ref=str(transfer["id"]), account=str(destination),
                        amount=amount, currency=currency, status=status)


def _path(identifier: str) -> str:
    if not identifier or not identifier.replace("_", "").isalnum():
        raise InvalidRequest(f"{identifier!r} is not a Stripe id.", code="PAYOUT_REF_INVALID")
    return identifier


def _error(body: Any) -> tuple[str, str | None] | None:
    """Stripe's ``{"error": {"type", "code", "message", "param"}}``; the code is ``code`` or else ``type``."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None
    code = error.get("code") or error.get("type")
    return str(error.get("message") or code), str(code) if code else None
