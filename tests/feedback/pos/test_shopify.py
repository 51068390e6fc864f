"""Shopify: Link-header pages, decimal amounts, orders that are not sales, the token header, shop names."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from paperclerk.core.errors import PaperclerkError
from paperclerk.feedback.pos.shopify import ShopifySource
from tests.feedback.pos.conftest import Waits, vendor_settings
from tests.feedback.pos.servers import ShopifyServer, shopify_order

DAY = (datetime(2026, 12, 3, tzinfo=UTC), datetime(2026, 12, 4, tzinfo=UTC))


def source(server: ShopifyServer, waits: Waits, token: str | None = None) -> ShopifySource:
    settings = vendor_settings(feedback_shopify_url=server.url + "/shops/{shop}")
    return ShopifySource(server.shop, token or server.access_token, settings=settings, sleep=waits)


def test_follows_the_link_header_and_keeps_only_sales(shopify: ShopifyServer, waits: Waits) -> None:
    shopify.sales = [shopify_order(f"{100 + n}.50", "SEK", f"2026-12-03T1{n}:00:00+01:00", number=1001 + n)
                     for n in range(5)]
    shopify.sales += [shopify_order("80.00", "SEK", "2026-12-03T12:30:00+01:00", number=1010,
                                    financial_status="refunded"),
                      shopify_order("75.00", "SEK", "2026-12-03T12:45:00+01:00", number=1011, card_number=None,
                                    location_id=None)]
    cancelled = shopify_order("60.00", "SEK", "2026-12-03T13:00:00+01:00", number=1012)
    cancelled["cancelled_at"] = "2026-12-03T13:05:00+01:00"
    shopify.sales.append(cancelled)

    found = {t.receipt_number: t for t in source(shopify, waits).transactions(*DAY)}

    assert set(found) == {"#1001", "#1002", "#1003", "#1004", "#1005", "#1011"}
    sale = found["#1001"]
    assert sale.amount == Decimal("100.50") and sale.currency == "SEK" and sale.store_ref == "655441491"
    assert sale.occurred_at == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert sale.card_fingerprint and sale.card_fingerprint == found["#1002"].card_fingerprint
    assert found["#1011"].card_fingerprint is None and found["#1011"].store_ref == "acme-coffee"
    pages = shopify.requests
    assert len(pages) == 4 and set(pages[1].query) == {"limit", "page_info"}
    assert pages[0].headers["x-shopify-access-token"] == "shpat_test" and pages[0].query["status"] == "any"


def test_shopify_retry_after_in_fractional_seconds(shopify: ShopifyServer, waits: Waits) -> None:
    shopify.sales = [shopify_order("10.00", "SEK", "2026-12-03T10:00:00Z")]
    shopify.fail(1, 429, headers={"Retry-After": "2.0"}, body={"errors": "Exceeded 2 calls per second"})
    assert len(list(source(shopify, waits).transactions(*DAY))) == 1
    assert waits == [2.0]


def test_a_wrong_token_is_an_auth_failure(shopify: ShopifyServer, waits: Waits) -> None:
    with pytest.raises(PaperclerkError) as caught:
        list(source(shopify, waits, token="shpat_wrong").transactions(*DAY))
    assert caught.value.code == "VENDOR_AUTH_FAILED" and "Invalid API key" in caught.value.message


def test_a_next_page_on_another_host_is_refused(shopify: ShopifyServer, waits: Waits) -> None:
    shopify.fail(1, 200, body={"orders": []}, headers={"Link": '<https://evil.example/orders.json>; rel="next"'})
    with pytest.raises(PaperclerkError) as caught:
        list(source(shopify, waits).transactions(*DAY))
    assert caught.value.code == "VENDOR_BAD_RESPONSE" and "another host" in caught.value.message


@pytest.mark.parametrize("total", ["ten", "", None, "1e999999"])
def test_an_order_without_a_readable_total_is_a_bad_response(shopify: ShopifyServer, waits: Waits,
                                                               total: str | None) -> None:
    order = shopify_order("10.00", "SEK", "2026-12-03T10:00:00Z")
    order["total_price"] = total
    shopify.sales = [order]
    with pytest.raises(PaperclerkError) as caught:
        list(source(shopify, waits).transactions(*DAY))
    assert caught.value.code == "VENDOR_BAD_RESPONSE"


@pytest.mark.parametrize("shop", ["acme/../../admin", "evil.example.com#", "", "a" * 80])
def test_shop_names_cannot_point_elsewhere(shop: str) -> None:
    with pytest.raises(PaperclerkError) as caught:
        ShopifySource(shop, "token", settings=vendor_settings())
    assert caught.value.code == "POS_SHOP_INVALID"
