"""Manual payouts: a CSV of payouts to make by hand, each asked for once per key, marked paid on confirmation."""

from __future__ import annotations

import csv
import io
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from paperclerk.core.errors import PaperclerkError
from paperclerk.feedback.payments.manual_csv import ManualCsvPayouts
from paperclerk.feedback.payments.provider import PayoutRequest, PayoutStatus
from tests.feedback.pos.conftest import vendor_settings


def request(key: str, amount: str = "30.00", account: str = "SE45 5000 0000 0583 9825 7466",
            description: str = "Reward") -> PayoutRequest:
    return PayoutRequest(reference=f"ledger-{key}", account=account, amount=Decimal(amount), currency="sek",
                         idempotency_key=key, description=description)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_payouts_wait_in_the_csv_until_confirmed(tmp_path: Path) -> None:
    manual = ManualCsvPayouts(tmp_path / "payouts.csv")
    first = manual.pay(request("k1"))
    manual.pay(request("k2", "12.5", account="+46701234567", description="=HYPERLINK(\"http://x\")"))
    assert first.status == PayoutStatus.PENDING and first.provider_ref == "k1" and first.currency == "SEK"
    assert manual.onboarding_link("x", return_url="", refresh_url="") is None
    assert manual.create_account(email="", country="SE", reference=" +46701234567 ").account_id == "+46701234567"

    to_pay = rows(manual.to_pay())
    assert [(r["payout_id"], r["amount"], r["currency"]) for r in to_pay] == [("k1", "30.00", "SEK"),
                                                                           ("k2", "12.50", "SEK")]
    assert to_pay[1]["description"].startswith("'=") and to_pay[1]["account"] == "'+46701234567"

    events = manual.confirm(["k1"])
    assert [(e.provider_ref, e.status, e.amount) for e in events] == [("k1", PayoutStatus.PAID, Decimal("30.00"))]
    assert manual.status("k1").status == PayoutStatus.PAID
    assert [r["payout_id"] for r in rows(manual.to_pay())] == ["k2"]
    failed = manual.fail(["k2"], "The account number does not exist")
    assert failed[0].status == PayoutStatus.FAILED and manual.status("k2").failure_reason
    assert manual.confirm(["k1"])[0].event_id == events[0].event_id  # confirming again reports the same news


def test_the_same_payout_twice_is_one_row_and_a_reused_key_a_conflict(tmp_path: Path) -> None:
    manual = ManualCsvPayouts(tmp_path / "payouts.csv")
    assert manual.pay(request("k1")) == manual.pay(request("k1"))
    with pytest.raises(PaperclerkError) as caught:
        manual.pay(request("k1", "31.00"))
    assert caught.value.code == "PAYOUT_IDEMPOTENCY_CONFLICT"
    assert len(rows((tmp_path / "payouts.csv").read_text())) == 1


def test_settled_payouts_cannot_change_and_unknown_ones_are_not_found(tmp_path: Path) -> None:
    manual = ManualCsvPayouts(tmp_path / "payouts.csv")
    manual.pay(request("k1"))
    manual.confirm(["k1"])
    with pytest.raises(PaperclerkError) as caught:
        manual.fail(["k1"], "late")
    assert caught.value.code == "PAYOUT_ALREADY_SETTLED"
    with pytest.raises(PaperclerkError) as caught:
        manual.confirm(["nope"])
    assert caught.value.code == "PAYOUT_NOT_FOUND"


@pytest.mark.parametrize(("amount", "code"), [("-1", "AMOUNT_INVALID"), ("0.001", "AMOUNT_INVALID")])
def test_bad_payouts_are_refused_and_nothing_is_written(tmp_path: Path, amount: str, code: str) -> None:
    manual = ManualCsvPayouts(tmp_path / "payouts.csv")
    with pytest.raises(PaperclerkError) as caught:
        manual.pay(request("k1", amount))
    assert caught.value.code == code and not (tmp_path / "payouts.csv").exists()


def test_concurrent_payouts_lose_no_row(tmp_path: Path) -> None:
    manual = ManualCsvPayouts(settings=vendor_settings(data_dir=tmp_path))
    threads = [threading.Thread(target=manual.pay, args=(request(f"k{n}"),)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(rows(manual.to_pay())) == 12 and manual.path == tmp_path / "feedback" / "manual-payouts.csv"


def test_a_foreign_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "payouts.csv"
    path.write_text("name,iban\nx,y\n")
    with pytest.raises(PaperclerkError) as caught:
        ManualCsvPayouts(path).pay(request("k1"))
    assert caught.value.code == "PAYOUT_FILE_INVALID" and path.read_text() == "name,iban\nx,y\n"
