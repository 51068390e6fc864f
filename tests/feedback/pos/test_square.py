"""Square's Payments API: pages, money in minor units, what is a sale, and every way the API can fail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime

import pytest

from paperclerk.core.errors import PaperclerkError
from paperclerk.feedback.pos.square import SquareSource
from tests.feedback.pos.conftest import Waits, vendor_settings
from tests.feedback.pos.servers import SquareServer, square_payment

DAY = (datetime(2026, 12, 3, tzinfo=UTC), datetime(2026, 12, 4, tzinfo=UTC))


def source(server: SquareServer, waits: Waits, token: str | None = None, **settings: object) -> SquareSource:
    return SquareSource(token or server.access_token, settings=vendor_settings(feedback_square_url=server.url,
                                                                               **settings), sleep=waits)


def test_reads_every_page_oldest_first_with_the_receipt_total(square: SquareServer, waits: Waits) -> None:
    square.sales = [square_payment(4500, "SEK", f"2026-12-03T0{hour}:15:00.000Z", tip=500 if hour == 9 else 0)
                    for hour in (9, 8, 7, 6, 5)]
    square.sales.append(square_payment(100, "SEK", "2026-12-02T23:59:59Z"))       # the day before
    square.sales.append(square_payment(100, "SEK", "2026-12-03T10:00:00Z", status="FAILED"))
    square.sales.append(square_payment(1200, "JPY", "2026-12-03T11:00:00+09:00", card=None))

    found = list(source(square, waits).transactions(*DAY))

    assert [t.occurred_at.hour for t in found] == [2, 5, 6, 7, 8, 9]
    first = found[-1]
    assert first.source == "square" and first.amount == Decimal("50.00") and first.currency == "SEK"
    assert first.store_ref == "L1" and first.card_fingerprint == "square:sq-1-abc"
    assert first.receipt_number == square.sales[0]["receipt_number"]
    assert found[0].amount == Decimal("1200") and found[0].currency == "JPY" and found[0].card_fingerprint is None
    assert found[0].occurred_at.tzinfo is not None
    pages = [r for r in square.requests if r.path == "/v2/payments"]
    assert len(pages) == 4 and "cursor" not in pages[0].query and pages[1].query["cursor"]
    assert pages[0].headers["square-version"] and pages[0].query["sort_order"] == "ASC"


def test_a_wrong_token_is_an_auth_failure_without_retries(square: SquareServer, waits: Waits) -> None:
    with pytest.raises(PaperclerkError) as caught:
        list(source(square, waits, token="EAAA-wrong").transactions(*DAY))
    assert caught.value.code == "VENDOR_AUTH_FAILED" and "could not be authorized" in caught.value.message
    assert len(square.requests) == 1 and waits == []


def test_429_waits_as_long_as_retry_after_says(square: SquareServer, waits: Waits) -> None:
    square.sales = [square_payment(1000, "SEK", "2026-12-03T12:00:00Z")]
    square.fail(2, 429, headers={"Retry-After": "3"},
                body={"errors": [{"category": "RATE_LIMIT_ERROR", "code": "RATE_LIMITED"}]})
    assert len(list(source(square, waits).transactions(*DAY))) == 1
    assert waits == [3.0, 3.0]


def test_retry_after_as_an_http_date(square: SquareServer, waits: Waits) -> None:
    square.fail(1, 429, headers={"Retry-After": format_datetime(datetime.now(UTC) + timedelta(seconds=5),
                                                                usegmt=True)})
    assert list(source(square, waits).transactions(*DAY)) == []
    assert len(waits) == 1 and 3 < waits[0] <= 5


def test_a_retry_after_longer_than_allowed_fails_at_once(square: SquareServer, waits: Waits) -> None:
    square.fail(1, 429, headers={"Retry-After": "3600"})
    with pytest.raises(PaperclerkError) as caught:
        list(source(square, waits).transactions(*DAY))
    assert caught.value.code == "VENDOR_RATE_LIMITED" and caught.value.details["retry_after_seconds"] == 3600
    assert waits == []


def test_5xx_is_retried_with_back_off_then_given_up(square: SquareServer, waits: Waits) -> None:
    square.sales = [square_payment(1000, "SEK", "2026-12-03T12:00:00Z")]
    square.fail(1, 503)
    assert len(list(source(square, waits).transactions(*DAY))) == 1
    square.fail(3, 500, body={"errors": [{"category": "API_ERROR", "code": "INTERNAL_SERVER_ERROR"}]})
    with pytest.raises(PaperclerkError) as caught:
        list(source(square, waits).transactions(*DAY))
    assert caught.value.code == "VENDOR_UNAVAILABLE" and caught.value.details["status"] == 500
    assert waits == [0.5, 0.5, 1.0]  # one retry, then two with back-off: three attempts in all


@pytest.mark.parametrize("body", [b"<html>gateway</html>", b'{"payments": {"id": 1}}', b'["payments"]',
                                  b'{"payments": [{"id": "x", "status": "COMPLETED"}]}',
                                  b'{"payments": [{"id": "x", "status": "COMPLETED", "location_id": "L1", '
                                  b'"created_at": "2026-12-03T10:00:00Z", '
                                  b'"amount_money": {"amount": 10.5, "currency": "SEK"}}]}',
                                  b'{"payments": [{"id": "x", "status": "COMPLETED", "location_id": "L1", '
                                  b'"created_at": "2026-12-03T10:00:00", '
                                  b'"amount_money": {"amount": 1050, "currency": "SEK"}}]}',
                                  b'{"payments": [{"id": "x", "status": "COMPLETED", "location_id": "L1", '
                                  b'"created_at": "2026-12-03T10:00:00Z", '
                                  b'"amount_money": {"amount": 1050, "currency": "KRONOR"}}]}'])
def test_malformed_answers_are_bad_responses(square: SquareServer, waits: Waits, body: bytes) -> None:
    square.fail(1, 200, body=body)
    with pytest.raises(PaperclerkError) as caught:
        list(source(square, waits).transactions(*DAY))
    assert caught.value.code == "VENDOR_BAD_RESPONSE"


def test_a_repeating_cursor_stops_instead_of_looping(square: SquareServer, waits: Waits) -> None:
    page = {"payments": [], "cursor": "same"}
    square.fail(2, 200, body=page)
    with pytest.raises(PaperclerkError) as caught:
        list(source(square, waits).transactions(*DAY))
    assert caught.value.code == "VENDOR_BAD_RESPONSE" and "cursor" in caught.value.message


def test_unreachable_square_is_unavailable(waits: Waits) -> None:
    with SquareServer() as gone:
        url = gone.url
    quick = SquareSource("t", settings=vendor_settings(feedback_square_url=url, feedback_vendor_retries=1),
                         sleep=waits)
    with pytest.raises(PaperclerkError) as caught:
        list(quick.transactions(*DAY))
    assert caught.value.code == "VENDOR_UNAVAILABLE" and waits == [0.5]


def test_windows_need_time_zones_and_an_order(square: SquareServer, waits: Waits) -> None:
    with pytest.raises(PaperclerkError, match="time zone"):
        list(source(square, waits).transactions(datetime(2026, 12, 3), datetime(2026, 12, 4)))
    with pytest.raises(PaperclerkError, match="end after"):
        list(source(square, waits).transactions(DAY[1], DAY[1] - timedelta(hours=1)))
    assert square.requests == []
