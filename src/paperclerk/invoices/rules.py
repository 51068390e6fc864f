"""Validation rules for an extracted invoice: pure functions of the extraction and a ``RuleConfig``.

Every rule has a stable id, a default severity and a docstring (what ``paperclerk rules`` prints).
A rule yields problems; :func:`validate` turns them into :class:`Finding` objects with the severity
the configuration gives the rule. The arithmetic rules follow EN 16931 (BR-CO-10: the sum of line net
amounts equals the invoice's line total; BR-CO-15: total without tax + tax = total with tax) with a
configurable rounding tolerance.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from paperclerk.core.money import ISO_4217, display
from paperclerk.invoices import identifiers, tax_rates
from paperclerk.invoices.dates import Order
from paperclerk.invoices.reading import NOT_INVOICE, RECEIPT, Evidence, Finding, InvoiceExtraction

SEVERITIES = ("info", "warning", "error", "critical")
#: The required fields a till receipt can be asked for (of those the organisation requires).
RECEIPT_FIELDS = ("vendor_name", "invoice_date")
#: (message, evidence, fix)
Problem = tuple[str, list[Evidence], str]


@dataclass(frozen=True)
class RuleConfig:
    """How strict the rules are: which are off, severities overridden, and the tolerances (each field with
    ``metadata["doc"]`` is a tolerance an organisation may set; see :mod:`paperclerk.invoices.policy`).
    ``today`` makes date rules pure (the caller passes the current date; None skips the rules that need it)."""

    today: date | None = None
    severities: Mapping[str, str] = field(default_factory=dict)  # rule id -> severity override
    disabled: frozenset[str] = frozenset()
    required_fields: tuple[str, ...] = field(
        default=("vendor_name", "invoice_number", "invoice_date", "currency"),
        metadata={"doc": "Fields an invoice must show (INV-REQ-001)."})
    line_tolerance: Decimal = field(default=Decimal("0.01"), metadata={
        "doc": "Rounding allowed between a line's amount and quantity x unit price (INV-ARITH-001)."})
    total_tolerance: Decimal = field(default=Decimal("0.02"), metadata={
        "doc": "Rounding allowed when lines, subtotal, tax, total and amount due are added up."})
    future_days: int = field(default=7, metadata={"doc": "Days an invoice date may lie after today (INV-DATE-002)."})
    max_age_days: int = field(default=3 * 365, metadata={
        "doc": "Days an invoice date may lie before today (INV-DATE-003)."})
    max_tax_rate: Decimal = field(default=Decimal("30"), metadata={
        "doc": "Highest plausible tax, in percent of the subtotal (INV-ARITH-005)."})
    tax_rate_tolerance: Decimal = field(default=Decimal("0.05"), metadata={
        "doc": "Percentage points an effective tax rate may be off a country's rate by rounding (INV-TAX-001)."})
    max_total: Decimal = field(default=Decimal("10000000"), metadata={
        "doc": "Totals above this are implausible (INV-AMT-001)."})
    approval_threshold: Decimal = field(default=Decimal("10000"), metadata={
        "doc": "Invoices with a total at or above this need an approver's explicit look (INV-APPROVAL-001)."})
    duplicate_window_days: int = field(default=30, metadata={
        "doc": "Same vendor and same total within this many days is a probable duplicate (INV-DUP-002)."})
    price_tolerance_percent: Decimal = field(default=Decimal("1"), metadata={
        "doc": "Percent the invoiced unit price may differ from the purchase order's (INV-PO-005)."})
    quantity_tolerance: Decimal = field(default=Decimal("0"), metadata={
        "doc": "Quantity that may be invoiced beyond what was ordered or received (INV-PO-006, INV-PO-008)."})
    month_first_dates: bool = field(default=False, metadata={
        "doc": "Dates people type read month first (11/20/2026, as in the United States); otherwise day first "
               "(20/11/2026). ISO dates (2026-11-20) are always understood."})
    errors_block_approval: bool = field(default=False, metadata={
        "doc": "Open error findings block approval, like critical ones (otherwise approving over them takes a reason, "
               "recorded in the audit trail)."})

    @property
    def date_order(self) -> Order:
        """How the organisation's people write numeric dates."""
        return "MDY" if self.month_first_dates else "DMY"

    def for_kind(self, kind: str) -> RuleConfig:
        """The configuration for a document of ``kind``: a till receipt is not asked for what receipts do not print
        (an invoice number, a due date, often a currency sign), only for the required fields in ``RECEIPT_FIELDS``."""
        if kind != RECEIPT:
            return self
        return replace(self, required_fields=tuple(name for name in self.required_fields if name in RECEIPT_FIELDS))

    def enabled(self, rule_id: str) -> bool:
        return rule_id not in self.disabled

    def severity(self, rule_id: str, default: str) -> str:
        severity = self.severities.get(rule_id, default)
        if severity not in SEVERITIES:
            raise ValueError(f"Unknown severity {severity!r} for rule {rule_id}; use one of {', '.join(SEVERITIES)}.")
        return severity


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str
    check: Callable[[InvoiceExtraction, RuleConfig], Iterable[Problem]]

    @property
    def doc(self) -> str:
        return " ".join((self.check.__doc__ or "").replace("``", "").split())


RULES: dict[str, Rule] = {}


def rule(rule_id: str, title: str, severity: str) -> Callable[[Callable[..., Iterable[Problem]]], Callable[..., Any]]:
    def register(function: Callable[..., Iterable[Problem]]) -> Callable[..., Any]:
        if rule_id in RULES:
            raise ValueError(f"Duplicate rule id {rule_id}")
        RULES[rule_id] = Rule(rule_id, title, severity, function)
        return function
    return register


def validate(extraction: InvoiceExtraction, config: RuleConfig | None = None) -> list[Finding]:
    """Every finding of every enabled rule, most severe first (then by rule id, in rule order)."""
    config = config or RuleConfig()
    findings = []
    for item in RULES.values():
        if not config.enabled(item.id):
            continue
        severity = config.severity(item.id, item.severity)
        for message, evidence, fix in item.check(extraction, config):
            findings.append(Finding(item.id, severity, message, evidence, fix))
    order = {name: index for index, name in enumerate(reversed(SEVERITIES))}
    return sorted(findings, key=lambda finding: order[finding.severity])


def describe_rules() -> list[dict[str, str]]:
    """The rules as ``paperclerk rules`` lists them: id, title, default severity, description."""
    return [{"id": item.id, "title": item.title, "severity": item.severity, "description": item.doc}
            for item in RULES.values()]


# Helpers ------------------------------------------------------------------------------------------------


def _ev(extraction: InvoiceExtraction, *names: str) -> list[Evidence]:
    return [found.evidence for name in names if (found := extraction.fields.get(name)) and found.evidence]


def _amount(extraction: InvoiceExtraction, name: str) -> Decimal | None:
    value = extraction.value(name)
    return value if isinstance(value, Decimal) and value.is_finite() else None


def _date(extraction: InvoiceExtraction, name: str) -> date | None:
    value = extraction.value(name)
    return value if isinstance(value, date) else None


def _money(value: Decimal, extraction: InvoiceExtraction) -> str:
    currency = extraction.value("currency")
    return display(value, currency if isinstance(currency, str) else None)


_LABELS = {
    "vendor_name": "supplier name", "vendor_address": "supplier address", "vendor_tax_id": "supplier tax ID",
    "vendor_iban": "supplier IBAN", "vendor_bic": "supplier BIC", "customer_name": "customer name",
    "invoice_number": "invoice number", "invoice_date": "invoice date", "due_date": "due date",
    "purchase_order": "purchase order number", "payment_terms": "payment terms", "currency": "currency",
    "subtotal": "subtotal (without tax)", "tax_total": "tax total", "total": "total", "amount_due": "amount due",
    "allowance_total": "allowances", "charge_total": "charges", "prepaid_amount": "prepaid amount",
    "missing_pages": "missing pages",
}


# Presence ---------------------------------------------------------------------------------------------


@rule("INV-REQ-001", "Required field missing", "error")
def required_fields(extraction: InvoiceExtraction, config: RuleConfig) -> Iterator[Problem]:
    """A field the configuration requires (by default supplier name, invoice number, invoice date and
    currency) could not be found on the invoice."""
    for name in config.required_fields:
        if extraction.value(name) in (None, ""):
            label = _LABELS.get(name, name.replace("_", " "))
            yield (f"The {label} could not be found on the invoice.", [],
                   f"Enter the {label} from the document, or ask the supplier for a corrected invoice.")


@rule("INV-TOT-001", "No total", "critical")
def total_missing(extraction: InvoiceExtraction, config: RuleConfig) -> Iterator[Problem]:
    """The invoice shows no total amount (nor an amount due), so nothing can be approved for payment."""
    if _amount(extraction, "total") is None and _amount(extraction, "amount_due") is None:
        yield ("No total amount was found on the invoice.", [],
               "Enter the invoice total by hand after checking the document, or reject the invoice.")


@rule("INV-TOT-002", "Conflicting totals", "error")
def conflicting_totals(extraction: InvoiceExtraction, config: RuleConfig) -> Iterator[Problem]:
    """The invoice prints two or more different totals (or two extractors read different totals)."""
    total = _amount(extraction, "total")
    if total is None:
        return
    others = [c for c in extraction.candidates.get("total", [])
              if isinstance(c.value, Decimal) and abs(c.value - total) > config.total_tolerance]
    if others:
        values = ", ".join(_money(c.value, extraction) for c in others)
        yield (f"The invoice shows more than one total: {_money(total, extraction)} and {values}.",
               _ev(extraction, "total") + [c.evidence for c in others if c.evidence],
               "Check which total is right with the supplier before paying; ask for a corrected invoice.")


@rule("INV-KIND-001", "Not an invoice", "critical")
def not_an_invoice(extraction: InvoiceExtraction, config: RuleConfig) -> Iterator[Problem]:
    """The document was sent in as an invoice but reads as something else (a quotation, an order, a delivery
    note, a statement): not a bill to pay."""
    if extraction.value("document_type") == NOT_INVOICE:
        yield ("The document reads as a quotation, an order, a delivery note or a statement, not as an invoice "
               "(see its title).", _ev(extraction, "document_type"),
               "Reject it if it is not a bill to pay; if it is one, correct the document type to invoice.")


@rule("INV-PAGE-001", "Pages missing", "error")
def pages_missing(extraction: InvoiceExtraction, config: RuleConfig) -> Iterator[Problem]:
    """The invoice numbers its pages ("Page 1 of 3") and some of them did not arrive: totals or lines may be on
    the missing pages."""
    missing = extraction.value("missing_pages")
    if isinstance(missing, str) and missing:
        yield (f"Page(s) {missing} of the invoice are missing from the document.", _ev(extraction, "missing_pages"),
               "Ask the supplier for the complete invoice (or scan the missing pages); clear the field once the "
               "document is complete.")


# Dates ------------------------------------------------------------------------------------------------


@rule("INV-DATE-001", "Due date before invoice date", "error")
def due_before_issue(extraction: InvoiceExtraction, config: RuleConfig) -> Iterator[Problem]:
    """The due date is earlier than the invoice date."""
    issued, due = _date(extraction, "invoice_date"), _date(extraction, "due_date")
    if issued and due and due < issued:
        yield (f"The due date {due.isoformat()} is before the invoice date {issued.isoformat()}.",
               _ev(extraction, "invoice_date", "due_date"),
               "Check both dates on the document; a day and month may have been swapped.")


@rule("INV-DATE-002", "Invoice date in the future", "warning")
def date_in_future(extraction: InvoiceExtraction, config: RuleConfig) -> Iterator[Problem]:
    """The invoice date is more than ``future_days`` (default 7) days after today."""
    issued = _date(extraction, "invoice_date")
    if issued and config.today and issued > config.today + timedelta(days=config.future_days):
        yield (f"The invoice date {issued.isoformat()} is in the future.", _ev(extraction, "invoice_date"),
               "Check the date on the document (day and month may be swapped) and correct it.")


@rule("INV-DATE-003", "Invoice date very old", "warning")
def date_too_old(extraction: InvoiceExtraction, config: RuleConfig) -> Iterator[Problem]:
    """The invoice date is more than ``max_age_days`` (default three years) before today: a typo, an
    old invoice sent again, or a duplicate."""
    issued = _date(extraction, "invoice_date")
    if issued and config.today and issued < config.today - timedelta(days=config.max_age_days):
        yield (f"The invoice date {issued.isoformat()} is unusually old.", _ev(extraction, "invoice_date"),
               "Check whether this invoice was already paid and whether the date was read correctly.")


# Arithmetic -------------------------------------------------------------------------------------------


@rule("INV-ARITH-001", "Line amount is not quantity x unit price", "error")
def line_arithmetic(extraction: InvoiceExtraction, config: RuleConfig) -> Iterator[Problem]:
    """A line's amount differs from its quantity times its unit price by more than ``line_tolerance``
    (default 0.01)."""
    for number, line in enumerate(extraction.lines, 1):
        if line.quantity is None or line.unit_price is None or line.amount is None:
            continue
        expected = line.quantity * line.unit_price
        if abs(expected - line.amount) > config.line_tolerance:
            yield (f"Line {number} ({line.description}): {line.quantity} x {_money(line.unit_price, extraction)} "
                   f"is {_money(expected, extraction)}, but the line says {_money(line.amount, extraction)}.",
                   [line.evidence] if line.evidence else [],
                   "Ask the supplier to correct the line, or correct the quantity, price or amount read.")


@rule("INV-ARITH-002", "Lines do not add up to the subtotal", "error")
def lines_sum(extraction: InvoiceExtraction, config: RuleConfig) -> Iterator[Problem]:
    """The line amounts, less document-level allowances and plus charges when the invoice states them, do
    not add up to the subtotal (EN 16931 BR-CO-10 and BR-CO-13), beyond ``total_tolerance`` (default 0.02)."""
    subtotal = _amount(extraction, "subtotal")
    amounts = [line.amount for line in extraction.lines if line.amount is not None]
    if subtotal is None or not amounts:
        return
    lines_total = sum(amounts, Decimal(0))
    allowances = _amount(extraction, "allowance_total") or Decimal(0)
    charges = _amount(extraction, "charge_total") or Decimal(0)
    expected = lines_total - allowances + charges
    if abs(expected - subtotal) > config.total_tolerance:
        adjusted = ""
        if allowances or charges:
            adjusted = (f" (less allowances {_money(allowances, extraction)}, plus charges "
                        f"{_money(charges, extraction)}: {_money(expected, extraction)})")
        yield (f"The {len(amounts)} lines add up to {_money(lines_total, extraction)}{adjusted}, but the subtotal "
               f"is {_money(subtotal, extraction)} (difference {_money(subtotal - expected, extraction)}).",
               _ev(extraction, "subtotal", "allowance_total", "charge_total"),
               "Look for a missing, duplicated or misread line, or a discount or charge not listed as a line.")


@rule("INV-ARITH-003", "Subtotal plus tax is not the total", "error")
def totals_arithmetic(extraction: InvoiceExtraction, config: RuleConfig) -> Iterator[Problem]:
    """Subtotal + tax differs from the total (EN 16931 BR-CO-15) by more than ``total_tolerance``
    (default 0.02)."""
    subtotal, tax, total = (_amount(extraction, name) for name in ("subtotal", "tax_total", "total"))
    if subtotal is None or tax is None or total is None:
        return
    if abs(subtotal + tax - total) > config.total_tolerance:
        yield (f"Subtotal {_money(subtotal, extraction)} + tax {_money(tax, extraction)} = "
               f"{_money(subtotal + tax, extraction)}, but the total is {_money(total, extraction)}.",
               _ev(extraction, "subtotal", "tax_total", "total"),
               "Check the three amounts on the document; ask the supplier for a corrected invoice if they differ.")


@rule("INV-ARITH-004", "Amount due above the total", "warning")
def due_above_total(extraction: InvoiceExtraction, config: RuleConfig) -> Iterator[Problem]:
    """The amount due is larger than the invoice total (amounts due are smaller after prepayments,
    never larger)."""
    total, due = _amount(extraction, "total"), _amount(extraction, "amount_due")
    if total is not None and due is not None and abs(due) > abs(total) + config.total_tolerance:
        yield (f"The amount due {_money(due, extraction)} is more than the total {_money(total, extraction)}.",
               _ev(extraction, "amount_due", "total"),
               "Check for charges from earlier invoices included in the amount due; pay only what is owed.")


@rule("INV-ARITH-006", "Amount due is not total less prepaid", "error")
def due_after_prepayment(extraction: InvoiceExtraction, config: RuleConfig) -> Iterator[Problem]:
    """The invoice states a prepaid amount, and the amount due is not the total less it (EN 16931
    BR-CO-16), beyond ``total_tolerance`` (default 0.02)."""
    total, due = _amount(extraction, "total"), _amount(extraction, "amount_due")
    prepaid = _amount(extraction, "prepaid_amount")
    if total is None or due is None or prepaid is None:
        return
    if abs(total - prepaid - due) > config.total_tolerance:
        yield (f"Total {_money(total, extraction)} less prepaid {_money(prepaid, extraction)} is "
               f"{_money(total - prepaid, extraction)}, but the amount due is {_money(due, extraction)}.",
               _ev(extraction, "total", "prepaid_amount", "amount_due"),
               "Check the prepayment against the payments already made to this supplier.")


@rule("INV-ARITH-005", "Implausible tax amount", "warning")
def implausible_tax(extraction: InvoiceExtraction, config: RuleConfig) -> Iterator[Problem]:
    """The tax is more than ``max_tax_rate`` percent (default 30 %) of the subtotal, or has the opposite
    sign to it: usually a misread amount."""
    subtotal, tax = _amount(extraction, "subtotal"), _amount(extraction, "tax_total")
    if subtotal is None or tax is None or subtotal == 0:
        return
    rate = tax / subtotal * 100
    if rate < 0 or rate > config.max_tax_rate:
        yield (f"The tax {_money(tax, extraction)} is {rate:.1f}% of the subtotal {_money(subtotal, extraction)}, "
               "which is not a plausible tax rate.", _ev(extraction, "tax_total", "subtotal"),
               "Check the tax amount and the subtotal on the document.")


@rule("INV-AMT-001", "Implausibly large total", "warning")
def implausible_total(extraction: InvoiceExtraction, config: RuleConfig) -> Iterator[Problem]:
    """The total is above ``max_total`` (default 10,000,000): probably a misread number (a reference or
    phone number taken for an amount)."""
    total = _amount(extraction, "total")
    if total is not None and abs(total) > config.max_total:
        yield (f"The total {_money(total, extraction)} is unusually large.", _ev(extraction, "total"),
               "Check the total on the document before approving.")


@rule("INV-AMT-002", "Negative amounts on an invoice", "error")
def negative_amounts(extraction: InvoiceExtraction, config: RuleConfig) -> Iterator[Problem]:
    """An invoice (not a credit note) has a negative subtotal, total or amount due: it is either a
    credit note that should be booked as one, or misread."""
    if extraction.is_credit_note:
        return
    negative = [name for name in ("subtotal", "total", "amount_due")
                if (value := _amount(extraction, name)) is not None and value < 0]
    if negative:
        names = ", ".join(_LABELS[name] for name in negative)
        yield (f"The invoice has negative amounts ({names}) but is not marked as a credit note.",
               _ev(extraction, *negative),
               "If this is a credit note, book it as one; otherwise check the signs of the amounts.")


# Identifiers ------------------------------------------------------------------------------------------


@rule("INV-ID-001", "Invalid supplier tax ID", "error")
def tax_id_invalid(extraction: InvoiceExtraction, config: RuleConfig) -> Iterator[Problem]:
    """The supplier's tax ID (EU or UK VAT number, GSTIN, SIREN/SIRET, ABN, EIN or Spanish NIF) has the wrong
    format or a wrong check digit."""
    value = extraction.value("vendor_tax_id")
    if not isinstance(value, str) or not value:
        return
    scheme, problem = identifiers.check_tax_id(value)
    if problem is not None:
        what = {"eu_vat": "VAT number", "gb_vat": "VAT number", "gstin": "GSTIN", "siret": "SIRET", "siren": "SIREN",
                "abn": "ABN", "ein": "EIN", "es_nif": "NIF"}.get(scheme or "", "tax ID")
        yield (f"The supplier {what} {value} is not valid: {problem}.", _ev(extraction, "vendor_tax_id"),
               "Check the number against the supplier master data or an official register (e.g. VIES).")


@rule("INV-ID-002", "Invalid IBAN", "error")
def iban_invalid(extraction: InvoiceExtraction, config: RuleConfig) -> Iterator[Problem]:
    """The supplier's IBAN fails its length or ISO 13616 mod-97 checksum: a payment to it would bounce
    or go to the wrong account."""
    value = extraction.value("vendor_iban")
    if isinstance(value, str) and value and (problem := identifiers.check_iban(value)) is not None:
        yield (f"The IBAN {value} is not valid: {problem}.", _ev(extraction, "vendor_iban"),
               "Do not pay to this IBAN; confirm the bank details with the supplier by phone.")


@rule("INV-ID-003", "Invalid BIC", "warning")
def bic_invalid(extraction: InvoiceExtraction, config: RuleConfig) -> Iterator[Problem]:
    """The supplier's BIC (SWIFT code) is not 8 or 11 characters of the ISO 9362 form."""
    value = extraction.value("vendor_bic")
    if isinstance(value, str) and value and (problem := identifiers.check_bic(value)) is not None:
        yield (f"The BIC {value} is not valid: {problem}.", _ev(extraction, "vendor_bic"),
               "Confirm the bank details with the supplier.")


@rule("INV-CUR-001", "Unknown currency", "error")
def unknown_currency(extraction: InvoiceExtraction, config: RuleConfig) -> Iterator[Problem]:
    """The currency is not an active ISO 4217 code."""
    value = extraction.value("currency")
    if isinstance(value, str) and value and value.upper() not in ISO_4217:
        yield (f"The currency {value!r} is not a known ISO 4217 currency code.", _ev(extraction, "currency"),
               "Set the currency (e.g. EUR, USD, GBP) from the document.")


# Tax rates ----------------------------------------------------------------------------------------------


def _supplier_country(extraction: InvoiceExtraction) -> tuple[str, str, list[Evidence]] | None:
    """(country, where it comes from, evidence): the tax ID's country, else the IBAN's."""
    tax_id = extraction.value("vendor_tax_id")
    if isinstance(tax_id, str) and (country := identifiers.tax_id_country(tax_id)):
        return country, f"tax ID {tax_id}", _ev(extraction, "vendor_tax_id")
    iban = extraction.value("vendor_iban")
    if isinstance(iban, str) and re.match(r"[A-Za-z]{2}\d", iban):
        return iban[:2].upper(), f"IBAN {iban}", _ev(extraction, "vendor_iban")
    return None


def _percent(rate: Decimal) -> str:
    return f"{rate:.3f}".rstrip("0").rstrip(".") + " %"


@rule("INV-TAX-001", "Tax rate not used in the supplier's country", "warning")
def tax_rate_for_country(extraction: InvoiceExtraction, config: RuleConfig) -> Iterator[Problem]:
    """A tax rate on the invoice is not a VAT / GST rate in force in 2026 in the supplier's country (from the
    VAT number's prefix or another tax ID, else from the IBAN; rates in ``invoices/tax_rates.py``). Each line's
    rate is checked when the lines carry rates, else the effective rate tax / subtotal, within rounding
    (``tax_rate_tolerance``, default 0.05 percentage points). An effective rate between the country's rates
    passes as a mixed-rate invoice when two or more lines are listed; 0 % (zero rating, reverse charge) always
    passes."""
    found = _supplier_country(extraction)
    rates = tax_rates.RATES.get(found[0]) if found else None
    if found is None or rates is None:
        return
    country, source, country_evidence = found
    where = f"{rates.name} ({country}, from the {source})"
    valid = ", ".join(_percent(rate) for rate in rates.valid[:-1]) + f" and {_percent(rates.valid[-1])}"
    wrong: dict[Decimal, list[int]] = {}
    evidence: dict[Decimal, list[Evidence]] = {}
    rated = False
    for number, line in enumerate(extraction.lines, 1):
        if line.tax_rate is None or not line.tax_rate.is_finite():
            continue
        rated = True
        if (rate := abs(line.tax_rate)) not in rates.valid:
            wrong.setdefault(rate, []).append(number)
            evidence.setdefault(rate, []).extend([line.evidence] if line.evidence else [])
    for rate, numbers in wrong.items():
        lines = f"Line {numbers[0]} charges" if len(numbers) == 1 else f"Lines {', '.join(map(str, numbers))} charge"
        yield (f"{lines} {_percent(rate)} tax, which is not a tax rate of {where}; its rates are {valid}.",
               evidence[rate] + country_evidence,
               "Check the rate against the supplier's country (an old rate or another country's rate is a common "
               "mistake) and ask the supplier for a corrected invoice if it is wrong.")
    if rated:
        return
    subtotal, tax = _amount(extraction, "subtotal"), _amount(extraction, "tax_total")
    if subtotal is None or tax is None or subtotal == 0 or tax == 0:
        return
    rate = tax / subtotal * 100
    if rate < 0:
        return  # tax and subtotal of opposite signs: INV-ARITH-005
    slack = config.total_tolerance + abs(subtotal) * config.tax_rate_tolerance / 100
    if any(abs(tax - subtotal * valid_rate / 100) <= slack for valid_rate in rates.valid):
        return
    listed = [line for line in extraction.lines if line.amount is not None]
    if len(listed) >= 2 and rate < rates.valid[-1]:
        return  # between two of the country's rates: lines taxed at different rates
    yield (f"The tax {_money(tax, extraction)} is {_percent(rate)} of the subtotal {_money(subtotal, extraction)}, "
           f"which is not a tax rate of {where}; its rates are {valid}.",
           _ev(extraction, "tax_total", "subtotal") + country_evidence,
           "Check the tax amount and the rate printed on the document against the supplier's country, and ask the "
           "supplier for a corrected invoice if the rate is wrong.")
