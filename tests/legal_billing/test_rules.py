"""Every rule category on generated invoices with known violations, the guidelines file shape, and totals."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from paperclerk.legal_billing import samples
from paperclerk.legal_billing.guidelines import GuidelinesInvalid, guidelines_from, parse_guidelines
from paperclerk.legal_billing.ledes import read_ledes
from paperclerk.legal_billing.review import Reviewer
from paperclerk.legal_billing.rules import CATEGORIES, RULES


def _review(invoices: list[samples.Invoice]) -> list[set[tuple[str, int]]]:
    reviewer = Reviewer(guidelines_from(samples.guidelines_for(invoices)))
    found = []
    for invoice in invoices:
        (parsed,) = read_ledes(invoice.text())
        result = reviewer.review(parsed)
        found.append({(finding.category, line) for finding in result.findings for line in (finding.lines or [0])})
    return found


def test_clean_invoices_have_no_findings() -> None:
    rng = random.Random(1)
    invoices = [samples.clean_invoice(rng, index) for index in range(30)]
    assert _review(invoices) == [set()] * 30


@pytest.mark.parametrize("category", samples.CATEGORIES)
def test_each_category_finds_exactly_its_violation(category) -> None:
    rng = random.Random(category)
    invoices = [samples.labelled_invoice(rng, index, [category]) for index in range(6)]
    for invoice, found in zip(invoices, _review(invoices), strict=True):
        assert found == invoice.expected, invoice.text()


def test_rules_are_named_and_explained() -> None:
    assert {rule.category for rule in RULES} == set(CATEGORIES)
    assert len({rule.rule_id for rule in RULES}) == len(RULES)
    assert all(rule.description and rule.severity in ("info", "warning", "error", "critical") for rule in RULES)


def _one(text: str, guidelines: str = "") -> dict:
    (invoice,) = read_ledes(text)
    return Reviewer(parse_guidelines(guidelines)).review(invoice).to_dict("x")


def test_adjustments_and_totals() -> None:
    invoice = samples.clean_invoice(random.Random(3), 0)
    samples.inject(invoice, "rate_above_approved", random.Random(4))
    samples.inject(invoice, "unapproved_timekeeper", random.Random(4))
    report = _one(invoice.text(), "rates: {ASSOC: 420}\ntimekeepers: {TK-999: {approved: false}}")
    rate = next(finding for finding in report["findings"] if finding["category"] == "rate_above_approved")
    line = report["lines"][rate["lines"][0] - 1]
    assert Decimal(rate["adjustment"]["amount"]) == (Decimal(420) - Decimal(line["unit_cost"])) * Decimal(line["units"])
    unapproved = next(finding for finding in report["findings"] if finding["category"] == "unapproved_timekeeper")
    assert Decimal(unapproved["adjustment"]["amount"]) == -Decimal(report["lines"][-1]["total"])
    totals = report["totals"]
    assert Decimal(totals["adjustments"]) == Decimal(rate["adjustment"]["amount"]) + \
        Decimal(unapproved["adjustment"]["amount"])
    assert Decimal(totals["approved"]) == Decimal(totals["billed"]) + Decimal(totals["adjustments"])


def test_reductions_never_exceed_the_line() -> None:
    invoice = samples.clean_invoice(random.Random(5), 0)
    invoice.rows.append(samples.Row("F", Decimal("1.0"), Decimal(900), invoice.free_days.pop(), "Attention to file",
                                    "L120", "A104", timekeeper=samples.UNAPPROVED))
    report = _one(invoice.text(), "rates: {ASSOC: 420}\ntimekeepers: {TK-999: {approved: false}}")
    assert {finding["category"] for finding in report["findings"]} >= {"vague_description", "unapproved_timekeeper"}
    assert Decimal(report["totals"]["adjustments"]) == Decimal("-900.00")


def test_daily_hours_count_across_invoices() -> None:
    rng = random.Random(6)
    first, second = samples.clean_invoice(rng, 0), samples.clean_invoice(rng, 0)
    second.number = "G-SECOND"
    day, keeper = first.free_days[0], samples.TIMEKEEPERS[0]
    first.rows.append(samples.Row("F", Decimal("7.0"), keeper[3], day, samples.CLEAN_FEES[0][2], "L240", "A103",
                                  timekeeper=keeper))
    second.rows.append(samples.Row("F", Decimal("4.0"), keeper[3], day, samples.CLEAN_FEES[3][2], "L120", "A102",
                                   timekeeper=keeper))
    reviewer = Reviewer(parse_guidelines("max_hours_per_day: 10"))
    reviewer.review(read_ledes(first.text())[0])
    result = reviewer.review(read_ledes(second.text())[0])
    (finding,) = [finding for finding in result.findings if finding.category == "excessive_daily_hours"]
    assert finding.lines == [len(second.rows)] and "G-00000" in finding.message
    assert finding.adjustment == -1 * keeper[3]


def test_guidelines_file_shape_from_the_issue() -> None:
    guidelines = parse_guidelines("""
billing_increment_hours: 0.1
max_hours_per_day: 10
rates: {PARTNR: 650, ASSOC: 420, PARLGL: 190}       # by classification; per-timekeeper rates override
timekeepers: {"22547": {rate: 600}, "45875": {approved: false}, 31337: {rates: [{rate: 500, from: 2025-01-01}]}}
non_billable_expense_codes: [E111]
vague_phrases: ["attention to", "review file", "work on matter"]
house_style: true
""")
    assert guidelines.approved_rate("22547", "PARTNR", None) == Decimal(600)
    assert guidelines.approved_rate("1", "partnr", None) == Decimal(650)
    assert guidelines.timekeepers["45875"].approved is False
    assert guidelines.approved_rate("31337", "ASSOC", samples.date(2025, 2, 1)) == Decimal(500)
    assert guidelines.approved_rate("31337", "ASSOC", samples.date(2024, 2, 1)) == Decimal(420)
    assert guidelines.unknown_keys == ["house_style"]
    assert parse_guidelines("").max_hours_per_day == Decimal(10)


@pytest.mark.parametrize("text, field", [
    ("max_hours_per_day: lots", "max_hours_per_day"),
    ("rates: {PARTNR: -5}", "rates.PARTNR"),
    ("timekeepers: {'1': {rate: 5, colour: red}}", "timekeepers.1.colour"),
    ("task_code_sets: [maritime]", ""),
])
def test_bad_guidelines_are_refused_naming_the_key(text, field) -> None:
    with pytest.raises(GuidelinesInvalid) as caught:
        parse_guidelines(text)
    assert caught.value.code == "GUIDELINES_INVALID"
    assert caught.value.details["errors"][0]["field"] == field


def test_unreadable_guidelines() -> None:
    with pytest.raises(GuidelinesInvalid, match="mapping"):
        parse_guidelines("- a list")
    with pytest.raises(GuidelinesInvalid, match="not valid YAML"):
        parse_guidelines("rates: {PARTNR: [")


def test_rules_switched_off_and_severity_changed() -> None:
    invoice = samples.clean_invoice(random.Random(8), 0)
    samples.inject(invoice, "vague_description", random.Random(1))
    assert not [finding for finding in _one(invoice.text(), "rules: {vague_description: {enabled: false}}")["findings"]]
    (finding,) = _one(invoice.text(), "rules: {LB-VAGUE-001: {severity: error}}")["findings"]
    assert finding["severity"] == "error"


def test_guidelines_with_broken_unicode_are_refused() -> None:
    with pytest.raises(GuidelinesInvalid, match="not valid Unicode"):
        parse_guidelines('{"": "\\ud800"}')
    with pytest.raises(GuidelinesInvalid, match="not valid Unicode"):
        guidelines_from({"vague_phrases": ["\ud800"]})
