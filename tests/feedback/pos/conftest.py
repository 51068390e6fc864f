"""The POS vendors' servers on loopback and settings that point the sources at them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from paperclerk.config import Settings
from tests.feedback.pos.servers import ShopifyServer, SquareServer, ZettleServer


class Waits(list[float]):
    """What a client waited between attempts (its ``sleep``): the tests never wait on the clock."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def waits() -> Waits:
    return Waits()


def vendor_settings(**values: Any) -> Settings:
    defaults: dict[str, Any] = {"feedback_vendor_retries": 2, "feedback_vendor_retry_base_seconds": 0.5,
                                "feedback_vendor_timeout_seconds": 5}
    return Settings(**{**defaults, **values})


@pytest.fixture
def square() -> Iterator[SquareServer]:
    with SquareServer() as server:
        yield server


@pytest.fixture
def zettle() -> Iterator[ZettleServer]:
    with ZettleServer() as server:
        yield server


@pytest.fixture
def shopify() -> Iterator[ShopifyServer]:
    with ShopifyServer() as server:
        yield server
