"""Stripe on loopback and a provider pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from paperclerk.feedback.payments.stripe_connect import StripeConnect
from tests.feedback.payments.stripe_server import StripeServer
from tests.feedback.pos.conftest import Waits, vendor_settings, waits

__all__ = ["waits"]


@pytest.fixture
def stripe() -> Iterator[StripeServer]:
    with StripeServer() as server:
        yield server


@pytest.fixture
def connect(stripe: StripeServer, waits: Waits) -> StripeConnect:
    settings = vendor_settings(feedback_stripe_url=stripe.url, feedback_stripe_secret_key=stripe.secret_key)
    return StripeConnect(settings=settings, sleep=waits)
