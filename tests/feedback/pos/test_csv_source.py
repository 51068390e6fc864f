"""The CSV import: documented columns, time zones, decimal commas, and a clear error per bad row."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from paperclerk.core.errors import PaperclerkError
from paperclerk.feedback.pos.csv_source import CsvSource, read_csv

STOCKHOLM = "Europe/Stockholm"


def test_reads_rows_in_the_import_time_zone_or_their_own_offset() -> None:
    content = ("external_id;amount;occurred_at;card;receipt_number\n"
               "A-1;123,50;2026-07-01 14:05;**** 1234;R1\n"
               "A-2;99.00;2026-12-03T09:00:00+00:00;;\n"
               "A-3;10;2026-12-03 09:00;**** 1234;\n").encode("utf-8-sig")
    result = read_csv(content, store_ref="store-1", currency="sek", timezone=STOCKHOLM)
    assert result.errors == ()
    first, second, third = result.transactions
    assert first.amount == Decimal("123.50") and first.currency == "SEK" and first.store_ref == "store-1"
    assert first.occurred_at == datetime(2026, 7, 1, 12, 5, tzinfo=UTC)      # summer: UTC+2
    assert third.occurred_at == datetime(2026, 12, 3, 8, 0, tzinfo=UTC)      # winter: UTC+1
    assert second.occurred_at == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)     # its own offset wins
    assert first.receipt_number == "R1" and second.receipt_number is None
    assert first.card_fingerprint == third.card_fingerprint and "1234" not in (first.card_fingerprint or "")
    assert second.card_fingerprint is None


def test_each_bad_row_is_reported_and_the_good_ones_kept() -> None:
    content = "\n".join([
        "External_ID,Amount,Occurred_At,Store_Ref,Currency",
        "ok-1,10.00,2026-12-03 10:00,s1,SEK",
        ",10.00,2026-12-03 10:00,s1,SEK",          # no id
        "bad-2,ten,2026-12-03 10:00,s1,SEK",       # not an amount
        "bad-3,-5.00,2026-12-03 10:00,s1,SEK",     # negative
        "bad-4,10.00,yesterday,s1,SEK",            # not a time
        "bad-5,10.00,2026-12-03 10:00,s1,KRONOR",  # not a currency
        "bad-6,10.5,2026-12-03 10:00,s1,JPY",      # yen have no decimals
        "bad-7,10.00,2026-03-29 02:30,s1,SEK",     # does not exist in Stockholm (clocks jump)
        "ok-1,11.00,2026-12-03 11:00,s1,SEK",      # the same id again
        "bad-9,10.00,2026-12-03 10:00,,SEK",       # no store, and the import names none
        "",
        "ok-2,1e3,2026-12-03 10:00,s2,EUR",        # exponent: not an amount
    ])
    result = read_csv(content, timezone=STOCKHOLM)
    assert [t.external_id for t in result.transactions] == ["ok-1"]
    lines = {error.line: error.message for error in result.errors}
    assert sorted(lines) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 13]
    assert "external_id is empty" in lines[3] and "'ten'" in lines[4] and "not more than zero" in lines[5]
    assert "ISO 8601" in lines[6] and "KRONOR" in lines[7] and "JPY allows (0)" in lines[8]
    assert "does not exist in Europe/Stockholm" in lines[9] and "appears twice" in lines[10]
    assert "no store" in lines[11]


@pytest.mark.parametrize(("content", "code"), [
    (b"", "POS_CSV_INVALID"),
    (b"id,amount\n1,2\n", "POS_CSV_INVALID"),
    ("external_id,amount,occurred_at\nx,1,2026-12-03\n".encode("utf-16"), "POS_CSV_INVALID"),
    (b"external_id,amount,occurred_at\nx\x00,1,2026-12-03\n", "POS_CSV_INVALID"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "POS_CSV_INVALID"),
])
def test_a_file_that_is_not_such_a_csv_keeps_nothing(content: bytes, code: str) -> None:
    with pytest.raises(PaperclerkError) as caught:
        read_csv(content)
    assert caught.value.code == code


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(PaperclerkError) as caught:
        read_csv("external_id,amount,occurred_at\n", timezone="Mars/Olympus")
    assert caught.value.code == "POS_TIMEZONE_INVALID"


def test_the_source_serves_its_window() -> None:
    source = CsvSource("external_id\tamount\toccurred_at\tstore_ref\n"
                       "1\t5\t2026-12-02T23:59:59Z\ts\n2\t5\t2026-12-03T00:00:00Z\ts\n3\t5\t2026-12-04T00:00:00Z\ts\n")
    window = (datetime(2026, 12, 3, tzinfo=UTC), datetime(2026, 12, 4, tzinfo=UTC))
    assert [t.external_id for t in source.transactions(*window)] == ["2"]
    assert source.name == "csv" and source.result.errors == ()
