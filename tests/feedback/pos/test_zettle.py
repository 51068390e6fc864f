"""Zettle: the API-key grant, token reuse and renewal, purchase pages, refunds left out."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from paperclerk.core.errors import PaperclerkError
from paperclerk.feedback.pos.zettle import ZettleSource
from tests.feedback.pos.conftest import Waits, vendor_settings
from tests.feedback.pos.servers import ZettleServer, zettle_purchase

DAY = (datetime(2026, 12, 3, tzinfo=UTC), datetime(2026, 12, 4, tzinfo=UTC))


def source(server: ZettleServer, waits: Waits, api_key: str | None = None, **options: object) -> ZettleSource:
    settings = vendor_settings(feedback_zettle_oauth_url=server.url, feedback_zettle_purchase_url=server.url,
                               feedback_zettle_client_id=server.client_id)
    return ZettleSource(api_key or server.api_key, settings=settings, sleep=waits, **options)  # type: ignore[arg-type]


def test_reads_purchases_page_by_page_with_one_token(zettle: ZettleServer, waits: Waits) -> None:
    zettle.sales = [zettle_purchase(5000 + n, "SEK", f"2026-12-03T1{n}:16:20.028+0000", number=120090 + n)
                    for n in range(5)]
    zettle.sales.append(zettle_purchase(-3500, "SEK", "2026-12-03T16:00:00.000+0000", refund=True))
    zettle.sales.append(zettle_purchase(900, "SEK", "2026-12-03T17:00:00.000+0000", masked_pan=None))
    zettle.sales.append(zettle_purchase(900, "SEK", "2026-12-04T00:00:00.000+0000"))  # the next day

    found = list(source(zettle, waits).transactions(*DAY))

    assert [t.amount for t in found] == [Decimal("50.00"), Decimal("50.01"), Decimal("50.02"), Decimal("50.03"),
                                         Decimal("50.04"), Decimal("9.00")]
    first = found[0]
    assert first.source == "zettle" and first.external_id == zettle.sales[0]["purchaseUUID1"]
    assert first.receipt_number == "120090" and first.store_ref == "YdVwSn4i111DZepjFuVBw"
    assert first.occurred_at == datetime(2026, 12, 3, 10, 16, 20, 28000, tzinfo=UTC)
    assert first.card_fingerprint and "537410" not in first.card_fingerprint
    assert first.card_fingerprint == found[1].card_fingerprint and found[-1].card_fingerprint is None
    assert [r.path for r in zettle.requests].count("/token") == 1
    assert zettle.requests[0].form()["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"


def test_a_revoked_token_is_renewed_once(zettle: ZettleServer, waits: Waits) -> None:
    zettle.sales = [zettle_purchase(5000, "SEK", "2026-12-03T10:00:00.000+0000")]
    reader = source(zettle, waits, store_ref="store-7")
    assert len(list(reader.transactions(*DAY))) == 1
    zettle.revoke_tokens()
    again = list(reader.transactions(*DAY))
    assert again[0].store_ref == "store-7"
    assert [r.path for r in zettle.requests].count("/token") == 2


def test_a_revoked_api_key_is_an_auth_failure(zettle: ZettleServer, waits: Waits) -> None:
    with pytest.raises(PaperclerkError) as caught:
        list(source(zettle, waits, api_key="revoked").transactions(*DAY))
    assert caught.value.code == "VENDOR_AUTH_FAILED" and caught.value.details["vendor_code"] == "invalid_grant"
    assert "revoked" in caught.value.message and len(zettle.requests) == 1


def test_a_token_answer_without_a_token_is_a_bad_response(zettle: ZettleServer, waits: Waits) -> None:
    zettle.fail(1, 200, body={"expires_in": 7200})
    with pytest.raises(PaperclerkError) as caught:
        list(source(zettle, waits).transactions(*DAY))
    assert caught.value.code == "VENDOR_BAD_RESPONSE"


def test_a_purchase_with_a_broken_amount_is_a_bad_response(zettle: ZettleServer, waits: Waits) -> None:
    broken = zettle_purchase(5000, "SEK", "2026-12-03T10:00:00.000+0000")
    broken["amount"] = "fifty"
    zettle.sales = [broken]
    with pytest.raises(PaperclerkError) as caught:
        list(source(zettle, waits).transactions(*DAY))
    assert caught.value.code == "VENDOR_BAD_RESPONSE" and broken["purchaseUUID1"] in caught.value.message
