"""One way to write money: plain for files and APIs, display for people, quantity for counts and rates."""

from __future__ import annotations

from decimal import Decimal

from paperclerk.core.money import display, plain, quantity


def test_amounts_keep_their_decimals_and_people_see_them_grouped():
    assert plain(Decimal("1512.5")) == "1512.50" and plain(Decimal("0.125")) == "0.125" and plain(None) is None
    assert plain(Decimal("10.000")) == "10.00"
    assert display(Decimal("1512.5"), "EUR") == "1,512.50 EUR" and display(Decimal("1234567.125")) == "1,234,567.125"
    assert display(None, "EUR") == "—" and display(Decimal("-3"), "USD") == "-3.00 USD"
    assert quantity(Decimal("10.000")) == "10" and quantity(Decimal("1E+1")) == "10"
    assert quantity(Decimal("2.50")) == "2.5"
