"""Each validation rule firing on a bad invoice and staying quiet on a good one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from paperclerk.invoices.reading import Evidence, FieldValue, Finding, InvoiceExtraction, LineItem
from paperclerk.invoices.rules import RULES, SEVERITIES, RuleConfig, describe_rules, validate
from paperclerk.invoices.tax_rates import RATES
from tests.invoices import generate

TODAY = date(2024, 6, 1)
CONFIG = RuleConfig(today=TODAY)
D = Decimal


def _evidence(text: str) -> Evidence:
    return Evidence(1, 0, len(text), (10.0, 10.0, 100.0, 20.0), text)


def invoice(lines: list[LineItem] | None = None, **overrides: Any) -> InvoiceExtraction:
    """A correct invoice; ``overrides`` replace fields (None removes one)."""
    values: dict[str, Any] = {
        "document_type": "invoice", "vendor_name": "ACME Office Supplies Ltd", "vendor_tax_id": "DE136695976",
        "vendor_iban": generate.iban("DE", "370400440532013000"), "vendor_bic": "COBADEFFXXX",
        "invoice_number": "INV-1", "invoice_date": date(2024, 5, 2), "due_date": date(2024, 6, 1), "currency": "EUR",
        "subtotal": D("300.00"), "tax_total": D("57.00"), "total": D("357.00"), "amount_due": D("357.00"),
    }
    values.update(overrides)
    fields = {name: FieldValue(name, value, 0.9, "test", _evidence(str(value)))
              for name, value in values.items() if value is not None}
    if lines is None:
        lines = [LineItem("Chair", D("2"), D("100.00"), D("200.00"), D("19"), _evidence("Chair 2 100.00 200.00")),
                 LineItem("Desk", D("1"), D("100.00"), D("100.00"), D("19"), _evidence("Desk 1 100.00 100.00"))]
    return InvoiceExtraction(fields=fields, lines=lines)


def invoice_at(rate: str, **overrides: Any) -> InvoiceExtraction:
    """A correct invoice whose two lines are taxed at ``rate`` percent (the default invoice is German, 19 %)."""
    tax = (D("300.00") * D(rate) / 100).quantize(D("0.01"))
    lines = [LineItem("Chair", D("2"), D("100.00"), D("200.00"), D(rate), _evidence("Chair 2 100.00 200.00")),
             LineItem("Desk", D("1"), D("100.00"), D("100.00"), D(rate), _evidence("Desk 1 100.00 100.00"))]
    values: dict[str, Any] = {"tax_total": tax, "total": 300 + tax, "amount_due": 300 + tax, **overrides}
    return invoice(lines, **values)


def ids(extraction: InvoiceExtraction, config: RuleConfig = CONFIG) -> list[str]:
    return [finding.rule_id for finding in validate(extraction, config)]


def test_a_correct_invoice_has_no_findings() -> None:
    assert validate(invoice(), CONFIG) == []


def test_rule_ids_are_stable_and_documented() -> None:
    assert set(RULES) == {
        "INV-REQ-001", "INV-TOT-001", "INV-TOT-002", "INV-DATE-001", "INV-DATE-002", "INV-DATE-003",
        "INV-ARITH-001", "INV-ARITH-002", "INV-ARITH-003", "INV-ARITH-004", "INV-ARITH-005", "INV-ARITH-006",
        "INV-AMT-001",
        "INV-AMT-002", "INV-ID-001", "INV-ID-002", "INV-ID-003", "INV-CUR-001", "INV-TAX-001", "INV-KIND-001",
        "INV-PAGE-001",
    }
    for item in describe_rules():
        assert item["severity"] in SEVERITIES
        assert len(item["description"]) > 30 and item["title"]


@pytest.mark.parametrize(("rule_id", "bad"), [
    ("INV-REQ-001", invoice(invoice_number=None)),
    ("INV-REQ-001", invoice(vendor_name="")),
    ("INV-TOT-001", invoice(total=None, amount_due=None)),
    ("INV-DATE-001", invoice(due_date=date(2024, 4, 1))),
    ("INV-DATE-002", invoice(invoice_date=date(2024, 7, 1), due_date=date(2024, 8, 1))),
    ("INV-DATE-003", invoice(invoice_date=date(2019, 5, 2))),
    ("INV-ARITH-001", invoice(lines=[LineItem("Chair", D("2"), D("100.00"), D("210.00")),
                                     LineItem("Desk", D("1"), D("90.00"), D("90.00"))])),
    ("INV-ARITH-002", invoice(lines=[LineItem("Chair", D("2"), D("100.00"), D("200.00"))])),
    ("INV-ARITH-003", invoice(total=D("367.00"), amount_due=D("367.00"))),
    ("INV-ARITH-004", invoice(amount_due=D("500.00"))),
    ("INV-ARITH-006", invoice(prepaid_amount=D("100.00"))),
    ("INV-ARITH-002", invoice(subtotal=D("290.00"), tax_total=D("55.10"), total=D("345.10"), amount_due=D("345.10"),
                              charge_total=D("10.00"))),
    ("INV-ARITH-005", invoice(tax_total=D("3000.00"), total=D("3300.00"), amount_due=D("3300.00"))),
    ("INV-AMT-001", invoice(subtotal=D("30000000.00"), tax_total=D("0.00"), total=D("30000000.00"), amount_due=None,
                            lines=[])),
    ("INV-AMT-002", invoice(subtotal=D("-300.00"), tax_total=D("-57.00"), total=D("-357.00"),
                            amount_due=D("-357.00"), lines=[])),
    ("INV-ID-001", invoice(vendor_tax_id="DE136695977")),
    ("INV-ID-001", invoice(vendor_tax_id="27AAPFU0939F1ZX")),
    ("INV-ID-001", invoice(vendor_tax_id="XYZ")),
    ("INV-ID-001", invoice(vendor_tax_id="GB980780685")),
    ("INV-ID-001", invoice(vendor_tax_id="04-21035")),
    ("INV-ID-002", invoice(vendor_iban="DE89370400440532013001")),
    ("INV-ID-003", invoice(vendor_bic="CO1ADEFF")),
    ("INV-CUR-001", invoice(currency="EUX")),
    ("INV-KIND-001", invoice(document_type="not_invoice")),
    ("INV-PAGE-001", invoice(missing_pages="2, 3")),
])
def test_each_rule_fires(rule_id: str, bad: InvoiceExtraction) -> None:
    findings = [finding for finding in validate(bad, CONFIG) if finding.rule_id == rule_id]
    assert findings, ids(bad)
    for finding in findings:
        assert finding.severity == RULES[rule_id].severity
        assert finding.message.endswith(".") and finding.fix.endswith(".")
        assert all(isinstance(item, Evidence) for item in finding.evidence)


@pytest.mark.parametrize("good", [
    invoice_at("18", vendor_tax_id="27AAPFU0939F1ZV"), invoice_at("20", vendor_tax_id="FR40303265045"),
    invoice_at("20", vendor_tax_id="73282932000074"), invoice_at("10", vendor_tax_id="51824753556"),
    invoice(vendor_tax_id="04-2103594"), invoice_at("21", vendor_tax_id="NL004495445B01"),
    invoice_at("20", vendor_tax_id="GB980780684"), invoice_at("21", vendor_tax_id="ESB58378431"),
    invoice(vendor_tax_id=None),
    invoice(vendor_iban=None, vendor_bic=None), invoice(currency="CHF"), invoice(due_date=None),
    invoice(invoice_date=date(2024, 6, 5), due_date=date(2024, 7, 5)),  # within the future allowance
    invoice(amount_due=D("100.00")),  # part prepaid
    invoice(amount_due=D("257.00"), prepaid_amount=D("100.00")),
    invoice(subtotal=D("290.00"), tax_total=D("55.10"), total=D("345.10"), amount_due=D("345.10"),
            allowance_total=D("10.00")),  # BR-CO-13: lines 300 - allowance 10 = 290
    invoice(total=D("357.02"), amount_due=D("357.02")),  # within the 0.02 rounding tolerance
    invoice(lines=[]),
    invoice(lines=[LineItem("Hours", D("3"), D("33.333"), D("99.999")), LineItem("Fee", None, None, D("200.00"))]),
    invoice(document_type="credit_note", subtotal=D("-300.00"), tax_total=D("-57.00"), total=D("-357.00"),
            amount_due=D("-357.00"), lines=[]),
])
def test_rules_stay_quiet_on_good_invoices(good: InvoiceExtraction) -> None:
    assert ids(good) == []


def test_required_fields_one_finding_per_missing_field() -> None:
    findings = validate(invoice(invoice_number=None, invoice_date=None, due_date=None), CONFIG)
    assert [f.message for f in findings if f.rule_id == "INV-REQ-001"] == [
        "The invoice number could not be found on the invoice.", "The invoice date could not be found on the invoice."]


def test_conflicting_totals_from_candidates() -> None:
    extraction = invoice()
    extraction.candidates["total"] = [FieldValue("total", D("375.00"), 0.6, "layout", _evidence("375.00")),
                                      FieldValue("total", D("357.01"), 0.6, "layout", _evidence("357.01"))]
    [finding] = [f for f in validate(extraction, CONFIG) if f.rule_id == "INV-TOT-002"]
    assert "357.00 EUR and 375.00 EUR" in finding.message
    assert len(finding.evidence) == 2


def test_line_arithmetic_tolerance_is_configurable() -> None:
    lines = [LineItem("Chair", D("3"), D("33.32"), D("100.00"))]
    extraction = invoice(lines=lines, subtotal=D("100.00"), tax_total=D("0.00"), total=D("100.00"),
                         amount_due=D("100.00"))
    assert "INV-ARITH-001" in ids(extraction)  # 99.96 vs 100.00: beyond the default 0.01
    assert ids(extraction, RuleConfig(today=TODAY, line_tolerance=D("0.05"))) == []


def test_messages_name_amounts_a_clerk_can_check() -> None:
    [finding] = validate(invoice(total=D("1367.00"), amount_due=None), CONFIG)
    assert finding.message == "Subtotal 300.00 EUR + tax 57.00 EUR = 357.00 EUR, but the total is 1,367.00 EUR."
    assert [e.text for e in finding.evidence] == ["300.00", "57.00", "1367.00"]


def test_severity_override_disabling_and_order() -> None:
    bad = invoice(currency="EUX", due_date=date(2024, 1, 1), total=None, amount_due=None)
    config = RuleConfig(today=TODAY, severities={"INV-CUR-001": "info"}, disabled=frozenset({"INV-DATE-001"}))
    findings = validate(bad, config)
    assert [(f.rule_id, f.severity) for f in findings] == [("INV-TOT-001", "critical"), ("INV-CUR-001", "info")]
    with pytest.raises(ValueError, match="Unknown severity"):
        validate(bad, RuleConfig(severities={"INV-CUR-001": "fatal"}))


def test_without_today_the_date_rules_that_need_it_are_skipped() -> None:
    assert ids(invoice(invoice_date=date(2090, 1, 1), due_date=None), RuleConfig()) == []


def test_values_of_the_wrong_type_are_ignored_not_crashed_on() -> None:
    odd = invoice(total="a lot", subtotal=12, invoice_date="yesterday", vendor_iban=7, currency=None)
    assert {"INV-REQ-001"} <= set(ids(odd))


def test_huge_and_odd_precision_amounts_are_reported_not_crashed_on() -> None:
    huge = D("9" * 15 + ".99")
    findings = validate(invoice(subtotal=huge, tax_total=D("0.001"), total=huge * 2, amount_due=None, lines=[
        LineItem("x", D("123456789012345"), D("987654321.123456"), D("1"))]), CONFIG)
    assert {"INV-AMT-001", "INV-ARITH-001", "INV-ARITH-003"} <= {f.rule_id for f in findings}
    assert all(f.message for f in findings)


# INV-TAX-001: the tax rate against the supplier's country ------------------------------------------------

SWISS_UID = "CHE-116.281.710 MWST"
SWISS_IBAN = generate.iban("CH", "00762011623852957")


def tax_findings(extraction: InvoiceExtraction) -> list[Finding]:
    return [finding for finding in validate(extraction, CONFIG) if finding.rule_id == "INV-TAX-001"]


def header_only(subtotal: str, tax: str, **overrides: Any) -> InvoiceExtraction:
    """An invoice that lists no lines: only the effective rate tax / subtotal can be checked."""
    total = D(subtotal) + D(tax)
    values: dict[str, Any] = {"subtotal": D(subtotal), "tax_total": D(tax), "total": total, "amount_due": total,
                              **overrides}
    return invoice([], **values)


def test_a_rate_on_a_line_that_the_country_does_not_have() -> None:
    [finding] = tax_findings(invoice_at("25"))  # a German VAT number, 25 % (the Danish or Swedish rate)
    assert finding.severity == "warning"
    assert finding.message == ("Lines 1, 2 charge 25 % tax, which is not a tax rate of Germany (DE, from the tax ID "
                               "DE136695976); its rates are 0 %, 7 % and 19 %.")
    assert [item.text for item in finding.evidence] == ["Chair 2 100.00 200.00", "Desk 1 100.00 100.00",
                                                        "DE136695976"]
    assert "supplier's country" in finding.fix


def test_a_rate_in_the_header_that_the_country_does_not_have() -> None:
    [finding] = tax_findings(header_only("300.00", "57.00", vendor_tax_id="FR40303265045"))  # 19 % in France
    assert finding.message == ("The tax 57.00 EUR is 19 % of the subtotal 300.00 EUR, which is not a tax rate of "
                               "France (FR, from the tax ID FR40303265045); its rates are 0 %, 0.9 %, 1.05 %, "
                               "1.75 %, 2.1 %, 5.5 %, 8.5 %, 10 %, 13 % and 20 %.")
    assert [item.text for item in finding.evidence] == ["57.00", "300.00", "FR40303265045"]
    assert tax_findings(header_only("300.00", "60.00", vendor_tax_id="FR40303265045")) == []
    [on_lines] = tax_findings(invoice_at("19", vendor_tax_id="FR40303265045"))
    assert on_lines.message.startswith("Lines 1, 2 charge 19 % tax")


def test_the_old_swiss_rate_from_the_uid_or_from_the_iban() -> None:
    [from_uid] = tax_findings(header_only("1000.00", "77.00", vendor_tax_id=SWISS_UID, currency="CHF"))
    assert "7.7 % of the subtotal" in from_uid.message and "Switzerland (CH, from the tax ID" in from_uid.message
    assert "2.6 %, 3.8 % and 8.1 %" in from_uid.message
    [from_iban] = tax_findings(header_only("1000.00", "77.00", vendor_tax_id=None, vendor_iban=SWISS_IBAN))
    assert f"Switzerland (CH, from the IBAN {SWISS_IBAN})" in from_iban.message
    assert from_iban.evidence[-1].text == SWISS_IBAN
    assert tax_findings(header_only("1000.00", "81.00", vendor_tax_id=SWISS_UID)) == []


def test_mixed_rates_pass_when_lines_show_them() -> None:
    mixed = [LineItem("Book", D("1"), D("100.00"), D("100.00"), D("7")),
             LineItem("Pen", D("1"), D("200.00"), D("200.00"), D("19"))]
    assert tax_findings(invoice(mixed, tax_total=D("45.00"), total=D("345.00"), amount_due=D("345.00"))) == []
    unrated = [LineItem(line.description, line.quantity, line.unit_price, line.amount) for line in mixed]
    assert tax_findings(invoice(unrated, tax_total=D("45.00"), total=D("345.00"), amount_due=D("345.00"))) == []
    # Without lines nothing shows a mix: 15 % on a German invoice is flagged (so is 19 % on a French one above).
    assert len(tax_findings(header_only("300.00", "45.00"))) == 1
    assert len(tax_findings(invoice(unrated[:1], subtotal=D("100.00"), tax_total=D("15.00"), total=D("115.00"),
                                    amount_due=D("115.00")))) == 1
    # Above the standard rate there is no mix to explain it.
    assert len(tax_findings(invoice(unrated, tax_total=D("75.00"), total=D("375.00"), amount_due=D("375.00")))) == 1


def test_rounding_zero_rating_and_special_rates_pass() -> None:
    assert tax_findings(header_only("33.33", "6.33")) == []  # 19 % of 33.33 is 6.3327
    assert tax_findings(header_only("300.00", "0.00")) == []  # zero-rated, exported or reverse charge
    assert tax_findings(invoice_at("0")) == []
    assert tax_findings(invoice_at("24", vendor_tax_id="EL094259216")) == []  # Greek VAT numbers start EL
    assert len(tax_findings(invoice_at("23", vendor_tax_id="EL094259216"))) == 1
    assert tax_findings(invoice_at("40", vendor_tax_id="27AAPFU0939F1ZV")) == []  # India's GST 2.0 demerit rate
    assert tax_findings(invoice_at("9", vendor_tax_id="27AAPFU0939F1ZV")) == []  # CGST half of 18 %
    assert tax_findings(invoice_at("25", vendor_tax_id="NO995525828MVA", currency="NOK")) == []


def test_no_country_no_finding() -> None:
    assert tax_findings(invoice_at("25", vendor_tax_id="04-2103594")) == []  # US EIN: no VAT table
    assert tax_findings(invoice_at("25", vendor_tax_id=None, vendor_iban=None)) == []
    assert tax_findings(invoice_at("25", vendor_tax_id=None, vendor_iban=generate.iban("AE", "0331234567890123456"))) \
        == []
    assert tax_findings(invoice_at("25", vendor_tax_id="XYZ", vendor_iban=None)) == []


def test_credit_notes_with_negative_amounts() -> None:
    def credit(tax: str, rate: str | None = None) -> InvoiceExtraction:
        lines = [LineItem("Chair", D("-2"), D("100.00"), D("-200.00"), D(rate) if rate else None),
                 LineItem("Desk", D("-1"), D("100.00"), D("-100.00"), D(rate) if rate else None)]
        return invoice(lines, document_type="credit_note", subtotal=D("-300.00"),
                       tax_total=D(tax), total=D("-300.00") + D(tax), amount_due=None)

    assert tax_findings(credit("-57.00")) == [] and tax_findings(credit("-57.00", "19")) == []
    [header] = tax_findings(credit("-75.00"))
    assert "The tax -75.00 EUR is 25 % of the subtotal -300.00 EUR" in header.message
    assert len(tax_findings(credit("-75.00", "-25"))) == 1


def test_the_rates_table_covers_the_countries_it_promises() -> None:
    eu = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
          "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
    assert eu | {"GB", "CH", "NO", "AU", "NZ", "IN", "SG"} == set(RATES)
    for country, rates in RATES.items():
        assert rates.valid[0] == 0 and rates.standard in rates.valid and rates.valid[-1] <= 40, country
    assert RATES["CH"].standard == D("8.1") and D("7.7") not in RATES["CH"].valid
    assert RATES["FI"].valid == (0, 10, D("13.5"), D("25.5")) and RATES["EE"].standard == 24
