"""The billing-guideline rules: each a named check with an id, a category, a severity and a docstring a reviewer
reads, turning an invoice, the guidelines and what is already known (earlier invoices, master data) into findings
with the lines concerned and a proposed adjustment.

A rule yields :class:`Hit` s (lines, message, proposed reductions per line, reason); :func:`run_rules` stamps them
with the rule's identity and the severity the guidelines give it. Reductions are negative amounts; line 0 is the
invoice as a whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from paperclerk.legal_billing import text_checks, utbms
from paperclerk.legal_billing.guidelines import Guidelines
from paperclerk.legal_billing.ledes import EXPENSE_ADJUSTMENT, FEE_ADJUSTMENT, LedesInvoice, LedesLine

CATEGORIES = (
    "arithmetic", "invalid_code", "block_billing", "vague_description", "billing_increment", "excessive_daily_hours",
    "rate_above_approved", "unapproved_timekeeper", "non_billable_expense", "expense_cap", "outside_billing_period",
    "duplicate_entry", "administrative_task", "budget_exceeded", "late_submission", "verification_unavailable",
    "attorney_not_verified",
)
INVOICE_LEVEL = 0
CENT = Decimal("0.01")
#: Timekeeper classifications that are not lawyers (clerical work they bill is not a lawyer's clerical work).
NON_LAWYER_CLASSES = frozenset({"PARLGL", "PARA", "PRLGL", "LGLAST", "LEGAST", "LA", "SECRET", "CLERK", "OTHER",
                                "TRAINEE", "LIBRN", "LITSUP"})


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Hit:
    lines: list[int]
    message: str
    reductions: dict[int, Decimal]
    reason: str


@dataclass
class Finding:
    rule_id: str
    category: str
    severity: str
    lines: list[int]
    message: str
    reductions: dict[int, Decimal]
    reason: str

    @property
    def adjustment(self) -> Decimal:
        return cents(sum(self.reductions.values(), Decimal(0)))

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "category": self.category, "severity": self.severity, "lines": self.lines,
                "message": self.message,
                "adjustment": {"amount": format(self.adjustment, "f"), "reason": self.reason}}


@dataclass(frozen=True)
class PastEntry:
    """A line billed on another invoice (earlier in the batch, or stored): what duplicates and daily hours
    are measured against."""

    invoice: str
    line: int
    type: str
    timekeeper_id: str | None
    date: date | None
    units: Decimal | None
    total: Decimal
    description: str
    expense_code: str | None = None


@dataclass(frozen=True)
class ApprovedRate:
    rate: Decimal
    start: date | None = None
    end: date | None = None
    matter: str | None = None  # a client or law-firm matter id; None: every matter

    def applies(self, day: date | None, matters: set[str]) -> bool:
        in_force = day is None or ((self.start is None or self.start <= day) and (self.end is None or day <= self.end))
        return in_force and (self.matter is None or self.matter in matters)


@dataclass(frozen=True)
class TimekeeperRecord:
    """A timekeeper from the organisation's master data."""

    timekeeper_id: str
    name: str | None = None
    classification: str | None = None
    approved: bool = True
    rates: tuple[ApprovedRate, ...] = ()

    def rate_on(self, day: date | None, matters: set[str]) -> Decimal | None:
        """The approved rate in force on ``day``: a matter's own rate before the firm-wide one."""
        found = [rate for rate in self.rates if rate.applies(day, matters)]
        found.sort(key=lambda rate: rate.matter is None)
        return found[0].rate if found else None


@dataclass(frozen=True)
class MatterRecord:
    budget: Decimal | None = None
    open_date: date | None = None
    close_date: date | None = None


@dataclass
class ReviewContext:
    """What the rules know besides the invoice and the guidelines. ``history`` is indexed (by timekeeper and day,
    by what makes two entries the same work): add to it with :meth:`remember`."""

    history: list[PastEntry] = field(default_factory=list)
    #: The firm's timekeepers from master data; None when the organisation keeps none for the firm.
    timekeepers: dict[str, TimekeeperRecord] | None = None
    matters: dict[str, MatterRecord] = field(default_factory=dict)
    #: Spend already approved or billed per matter id, before this invoice.
    spent: dict[str, Decimal] = field(default_factory=dict)
    received_on: date | None = None
    #: Attorney verification outcomes by timekeeper id: "verified", "not_found", "inactive", "unavailable".
    verification: dict[str, str] = field(default_factory=dict)
    _by_day: dict[tuple[str | None, date | None], list[PastEntry]] = field(default_factory=dict, repr=False)
    _by_key: dict[tuple[Any, ...], list[PastEntry]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        entries, self.history = self.history, []
        for entry in entries:
            self.remember(entry)

    def remember(self, entry: PastEntry) -> None:
        self.history.append(entry)
        if entry.type == "F":
            self._by_day.setdefault((entry.timekeeper_id, entry.date), []).append(entry)
        key = _duplicate_key(entry)
        if key is not None:
            self._by_key.setdefault(key, []).append(entry)

    def fees_on(self, timekeeper_id: str, day: date) -> list[PastEntry]:
        """Earlier fee entries of a timekeeper on a day."""
        return self._by_day.get((timekeeper_id, day), [])

    def same_work(self, key: tuple[Any, ...]) -> list[PastEntry]:
        """Earlier entries with the same duplicate key (timekeeper, date, hours; or an expense's date, code, amount)."""
        return self._by_key.get(key, [])


Check = Callable[[LedesInvoice, Guidelines, ReviewContext], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    rule_id: str
    category: str
    severity: str
    title: str
    check: Check

    @property
    def description(self) -> str:
        return (self.check.__doc__ or "").strip()


RULES: list[Rule] = []


def rule(rule_id: str, category: str, severity: str, title: str) -> Callable[[Check], Check]:
    if category not in CATEGORIES:
        raise ValueError(f"rule {rule_id}: unknown category {category!r}")

    def register(check: Check) -> Check:
        RULES.append(Rule(rule_id, category, severity, title, check))
        return check

    return register


def run_rules(invoice: LedesInvoice, guidelines: Guidelines, context: ReviewContext) -> list[Finding]:
    findings: list[Finding] = []
    for spec in RULES:
        if not guidelines.rule_enabled(spec.rule_id, spec.category):
            continue
        severity = guidelines.severity(spec.rule_id, spec.category, spec.severity)
        for hit in spec.check(invoice, guidelines, context):
            findings.append(Finding(spec.rule_id, spec.category, severity, hit.lines, hit.message,
                                    {line: cents(amount) for line, amount in hit.reductions.items()}, hit.reason))
    return findings


def _fees(invoice: LedesInvoice) -> Iterator[LedesLine]:
    return (line for line in invoice.lines if line.is_fee)


def _expenses(invoice: LedesInvoice) -> Iterator[LedesLine]:
    return (line for line in invoice.lines if line.is_expense)


def _who(line: LedesLine) -> str:
    return line.timekeeper_name or line.timekeeper_id or "an unnamed timekeeper"


def _money(amount: Decimal) -> str:
    return format(cents(amount), ",f")


def _matters(line: LedesLine) -> set[str]:
    return {matter for matter in (line.client_matter_id, line.law_firm_matter_id) if matter}


# --- arithmetic -------------------------------------------------------------------------------------------------

@rule("LB-ARITH-001", "arithmetic", "error", "Line total = units x rate + adjustment")
def line_arithmetic(invoice: LedesInvoice, guidelines: Guidelines, context: ReviewContext) -> Iterator[Hit]:
    """A line's total must be its units times its rate plus its adjustment (plus its tax where the format includes
    it). A line billed above that is reduced to it."""
    for line in invoice.lines:
        expected = line.expected_total
        if expected is None and line.type in (FEE_ADJUSTMENT, EXPENSE_ADJUSTMENT) and line.adjustment:
            expected = line.adjustment
        if expected is None or abs(expected - line.total) < CENT / 2:
            continue
        factors = f"{line.units} x {line.unit_cost} + {line.adjustment}" if line.units is not None else "adjustment"
        yield Hit([line.number], f"Line {line.number}: {factors} = {_money(expected)}, but the line total is "
                                 f"{_money(line.total)}.",
                  {line.number: min(Decimal(0), expected - line.total)}, "line total corrected to its arithmetic")


@rule("LB-ARITH-002", "arithmetic", "error", "Invoice total = sum of lines")
def invoice_arithmetic(invoice: LedesInvoice, guidelines: Guidelines, context: ReviewContext) -> Iterator[Hit]:
    """The invoice total must equal the sum of its lines, adjustments included. An invoice total above the lines is
    reduced to them."""
    if abs(invoice.lines_total - invoice.total) >= CENT / 2:
        yield Hit([], f"The invoice total is {_money(invoice.total)} but its lines add up to "
                      f"{_money(invoice.lines_total)}.",
                  {INVOICE_LEVEL: min(Decimal(0), invoice.lines_total - invoice.total)},
                  "invoice total corrected to the sum of its lines")


# --- codes and descriptions -----------------------------------------------------------------------------------

@rule("LB-CODE-001", "invalid_code", "warning", "UTBMS codes known and in their place")
def invalid_codes(invoice: LedesInvoice, guidelines: Guidelines, context: ReviewContext) -> Iterator[Hit]:
    """Task, activity and expense codes must be UTBMS codes of the right set in the right field (no expense code
    on a fee, no activity code as a task), from the code sets the guidelines allow, and present when the
    guidelines require codes."""
    for line in invoice.lines:
        if not (line.is_fee or line.is_expense):
            continue
        problems = utbms.check_line(is_fee=line.is_fee, is_expense=line.is_expense, task_code=line.task_code,
                                    activity_code=line.activity_code, expense_code=line.expense_code,
                                    task_sets=guidelines.task_code_sets, require_codes=guidelines.require_utbms_codes)
        if problems:
            yield Hit([line.number], f"Line {line.number}: " + "; ".join(problem.message for problem in problems) + ".",
                      {}, "the firm must correct the UTBMS codes")


@rule("LB-BLOCK-001", "block_billing", "warning", "One task per time entry")
def block_billing(invoice: LedesInvoice, guidelines: Guidelines, context: ReviewContext) -> Iterator[Hit]:
    """A time entry must describe one task on one day: several tasks under one time ("review file; draft memo;
    call client"), or the work of a period ("emails and calls between 2/20 and 6/28"), hide how long each took.
    The block-billing reduction of the guidelines applies."""
    share = guidelines.reductions.block_billing
    for line in _fees(invoice):
        found = text_checks.tasks(line.description)
        days = text_checks.period(line.description)
        if len(found) >= 2:
            what = f"{len(found)} tasks under one time entry ({line.units} h): " + "; ".join(found)
        elif days is not None:
            what = f"the work of {days[0].isoformat()} to {days[1].isoformat()} under one time entry ({line.units} h)"
        else:
            continue
        yield Hit([line.number], f"Line {line.number} bills {what}.", {line.number: -line.total * share},
                  f"block billing: {share * 100:.0f}% reduction")


@rule("LB-VAGUE-001", "vague_description", "warning", "Descriptions say what was done")
def vague_description(invoice: LedesInvoice, guidelines: Guidelines, context: ReviewContext) -> Iterator[Hit]:
    """A time entry must say what was done and why; "attention to file", "review documents" or "work on matter"
    with nothing more is vague (the built-in phrases and the guidelines' ``vague_phrases``; with
    ``builtin_vague_phrases: false`` the guidelines' alone)."""
    share = guidelines.reductions.vague_description
    for line in _fees(invoice):
        phrase = text_checks.vague_phrase(line.description, guidelines.all_vague_phrases())
        if phrase is not None:
            yield Hit([line.number], f"Line {line.number} is vague: {line.description!r} ({phrase}).",
                      {line.number: -line.total * share}, "vague description")


@rule("LB-ADMIN-001", "administrative_task", "warning", "No clerical work billed by lawyers")
def administrative_task(invoice: LedesInvoice, guidelines: Guidelines, context: ReviewContext) -> Iterator[Hit]:
    """Clerical work (scheduling, filing, copying, organising files, indexing, mailing …) billed by a lawyer is
    overhead, not legal work."""
    share = guidelines.reductions.administrative_task
    for line in _fees(invoice):
        if (line.timekeeper_classification or "") in NON_LAWYER_CLASSES:
            continue
        if text_checks.administrative(line.description, guidelines.administrative_phrases):
            yield Hit([line.number], f"Line {line.number}: {_who(line)} billed clerical work: "
                                     f"{line.description!r}.",
                      {line.number: -line.total * share}, "administrative task billed by a lawyer")


# --- time and rates --------------------------------------------------------------------------------------------

@rule("LB-INCR-001", "billing_increment", "warning", "Hours in the agreed increment")
def billing_increment(invoice: LedesInvoice, guidelines: Guidelines, context: ReviewContext) -> Iterator[Hit]:
    """Hours must be billed in the agreed increment (``billing_increment_hours``, e.g. 0.1); hours in between are
    rounded down to the increment."""
    step = guidelines.billing_increment_hours
    for line in _fees(invoice):
        if line.units is None or line.unit_cost is None or line.units % step == 0:
            continue
        allowed = (line.units / step).to_integral_value(rounding=ROUND_DOWN) * step
        yield Hit([line.number], f"Line {line.number}: {line.units} h is not a multiple of {step} h.",
                  {line.number: (allowed - line.units) * line.unit_cost},
                  f"hours rounded down to {allowed} ({step} h increments)")


@rule("LB-HOURS-001", "excessive_daily_hours", "warning", "Daily hours under the cap")
def excessive_daily_hours(invoice: LedesInvoice, guidelines: Guidelines, context: ReviewContext) -> Iterator[Hit]:
    """One timekeeper may bill at most ``max_hours_per_day`` on a day, counted across all invoices (earlier ones
    first); the hours over the cap are reduced."""
    cap = guidelines.max_hours_per_day
    days: dict[tuple[str, date], list[LedesLine]] = defaultdict(list)
    for line in _fees(invoice):
        if line.timekeeper_id and line.date and line.units is not None:
            days[(line.timekeeper_id, line.date)].append(line)
    for (timekeeper, day), lines in days.items():
        earlier = [entry for entry in context.fees_on(timekeeper, day) if entry.units is not None]
        before = sum((entry.units or Decimal(0) for entry in earlier), Decimal(0))
        total = before + sum((line.units or Decimal(0) for line in lines), Decimal(0))
        if total <= cap:
            continue
        reductions: dict[int, Decimal] = {}
        running = before
        for line in lines:
            units = line.units or Decimal(0)
            over = max(Decimal(0), min(units, running + units - cap))
            running += units
            if over and line.unit_cost is not None:
                reductions[line.number] = -over * line.unit_cost
        elsewhere = sorted({entry.invoice for entry in earlier})
        where = f" (with invoice {', '.join(elsewhere)})" if elsewhere else ""
        yield Hit([line.number for line in lines], f"{_who(lines[0])} billed {total} h on {day.isoformat()}{where}; "
                                                   f"the cap is {cap} h a day.",
                  reductions, f"{total - cap} h over the daily cap")


def _approved(line: LedesLine, guidelines: Guidelines, context: ReviewContext) -> bool:
    """Whether a fee's timekeeper may bill: the guidelines' word first, then the firm's list in the master data
    (when one is kept, a timekeeper missing from it is not approved), then ``approved_timekeepers_only``."""
    own = guidelines.timekeepers.get(line.timekeeper_id or "")
    if own is not None and not own.approved:
        return False
    roster = context.timekeepers
    if roster is not None and line.timekeeper_id in roster:
        return roster[line.timekeeper_id].approved
    return not (own is None and (roster is not None or guidelines.approved_timekeepers_only))


@rule("LB-TK-001", "unapproved_timekeeper", "error", "Only approved timekeepers bill")
def unapproved_timekeeper(invoice: LedesInvoice, guidelines: Guidelines, context: ReviewContext) -> Iterator[Hit]:
    """Fees of a timekeeper the guidelines or the master data do not approve for the firm (``approved: false``, or
    not on the firm's approved list when one is kept) are not payable."""
    by_timekeeper: dict[str, list[LedesLine]] = defaultdict(list)
    for line in _fees(invoice):
        if not _approved(line, guidelines, context):
            by_timekeeper[line.timekeeper_id or ""].append(line)
    for lines in by_timekeeper.values():
        yield Hit([line.number for line in lines],
                  f"{_who(lines[0])} ({lines[0].timekeeper_id}) is not an approved timekeeper; lines "
                  f"{', '.join(str(line.number) for line in lines)}.",
                  {line.number: -line.total for line in lines}, "timekeeper not approved")


def approved_rate(line: LedesLine, guidelines: Guidelines, context: ReviewContext) -> Decimal | None:
    """The rate approved for a fee line's timekeeper on its date: master data first, then the guidelines."""
    record = (context.timekeepers or {}).get(line.timekeeper_id or "")
    if record is not None:
        rate = record.rate_on(line.date, _matters(line))
        if rate is not None:
            return rate
    classification = line.timekeeper_classification or (record.classification if record else None)
    return guidelines.approved_rate(line.timekeeper_id, classification, line.date)


@rule("LB-RATE-001", "rate_above_approved", "error", "Rates at or under the approved rate")
def rate_above_approved(invoice: LedesInvoice, guidelines: Guidelines, context: ReviewContext) -> Iterator[Hit]:
    """A fee's rate may not exceed the rate approved for its timekeeper on the line's date (their own rate, else
    their classification's); the difference is reduced."""
    for line in _fees(invoice):
        if line.unit_cost is None or line.units is None or not _approved(line, guidelines, context):
            continue
        approved = approved_rate(line, guidelines, context)
        if approved is not None and line.unit_cost > approved:
            yield Hit([line.number], f"Line {line.number}: {_who(line)} billed {_money(line.unit_cost)}/h; the "
                                     f"approved rate on {line.date} is {_money(approved)}/h.",
                      {line.number: (approved - line.unit_cost) * line.units},
                      f"rate reduced to the approved {_money(approved)}/h")


# --- expenses --------------------------------------------------------------------------------------------------

def _non_billable(line: LedesLine, guidelines: Guidelines) -> str | None:
    if line.expense_code and line.expense_code in guidelines.non_billable_expense_codes:
        described = utbms.describe(line.expense_code) or line.expense_code
        return f"expense code {described}"
    text = text_checks.normalize(line.description)
    for word in guidelines.non_billable_expense_words:
        phrase = text_checks.normalize(word)
        if phrase and f" {phrase} " in f" {text} ":
            return f"'{word}'"
    return None


@rule("LB-EXP-001", "non_billable_expense", "error", "No non-billable expenses")
def non_billable_expense(invoice: LedesInvoice, guidelines: Guidelines, context: ReviewContext) -> Iterator[Hit]:
    """Expenses the guidelines exclude, by code (``non_billable_expense_codes``) or by what they are
    (``non_billable_expense_words``: meals, first-class travel, overtime, office supplies …), are not payable."""
    for line in _expenses(invoice):
        why = _non_billable(line, guidelines)
        if why is not None:
            yield Hit([line.number], f"Line {line.number} is a non-billable expense ({why}): {line.description!r}.",
                      {line.number: -line.total}, "non-billable expense")


@rule("LB-EXPCAP-001", "expense_cap", "warning", "Expenses within their caps")
def expense_cap(invoice: LedesInvoice, guidelines: Guidelines, context: ReviewContext) -> Iterator[Hit]:
    """Capped expenses (``expense_caps``: copies per page, mileage per mile, a ceiling per line) are reduced to the
    cap."""
    for line in _expenses(invoice):
        if _non_billable(line, guidelines) is not None:
            continue
        text = f" {text_checks.normalize(line.description)} "
        for name, cap in guidelines.expense_caps.items():
            code = (cap.code or name).upper()
            if line.expense_code != code:
                continue
            if cap.words and not any(f" {text_checks.normalize(word)} " in text for word in cap.words):
                continue
            reductions: list[tuple[Decimal, str]] = []
            if cap.per_unit is not None and line.unit_cost is not None and line.units is not None \
                    and line.unit_cost > cap.per_unit:
                reductions.append(((cap.per_unit - line.unit_cost) * line.units,
                                   f"{_money(line.unit_cost)} a unit, capped at {cap.per_unit}"))
            if cap.per_line is not None and line.total > cap.per_line:
                reductions.append((cap.per_line - line.total, f"{_money(line.total)}, capped at {cap.per_line}"))
            if reductions:
                amount, why = min(reductions, key=lambda item: item[0])
                yield Hit([line.number], f"Line {line.number} ({utbms.describe(code) or code}) is over its cap: "
                                         f"{why}.", {line.number: amount}, f"expense cap ({name})")
                break


# --- dates, duplicates, budget ---------------------------------------------------------------------------------

@rule("LB-PERIOD-001", "outside_billing_period", "warning", "Lines inside the billing period and matter dates")
def outside_billing_period(invoice: LedesInvoice, guidelines: Guidelines, context: ReviewContext) -> Iterator[Hit]:
    """Every fee and expense must be dated inside the invoice's billing period and inside its matter's open and
    close dates (master data, else the guidelines' ``matters``)."""
    share = guidelines.reductions.outside_billing_period
    start, end = invoice.billing_start_date, invoice.billing_end_date
    for line in invoice.lines:
        if not (line.is_fee or line.is_expense) or line.date is None:
            continue
        why = None
        if (start and line.date < start) or (end and line.date > end):
            why = (f"outside the billing period {start.isoformat() if start else '…'} - "
                   f"{end.isoformat() if end else '…'}")
        else:
            matter = _matter(line, guidelines, context)
            if matter is not None and ((matter.open_date and line.date < matter.open_date)
                                       or (matter.close_date and line.date > matter.close_date)):
                why = (f"outside the matter's dates {matter.open_date or '…'} - {matter.close_date or '…'}")
        if why:
            yield Hit([line.number], f"Line {line.number} is dated {line.date.isoformat()}, {why}.",
                      {line.number: -line.total * share}, "billed outside the billing period or matter dates")


def _matter(line: LedesLine, guidelines: Guidelines, context: ReviewContext) -> MatterRecord | None:
    for key in (line.client_matter_id, line.law_firm_matter_id):
        if key and key in context.matters:
            return context.matters[key]
    for key in (line.client_matter_id, line.law_firm_matter_id):
        if key and key in guidelines.matters:
            found = guidelines.matters[key]
            return MatterRecord(found.budget, found.open_date, found.close_date)
    return None


def _duplicate_key(line: LedesLine | PastEntry) -> tuple[Any, ...] | None:
    if line.type == "F" and line.timekeeper_id and line.date and line.units is not None:
        return ("F", line.timekeeper_id, line.date, line.units)
    if line.type == "E" and line.date:
        return ("E", line.date, line.expense_code, line.total)
    return None


@rule("LB-DUP-001", "duplicate_entry", "error", "No entry billed twice")
def duplicate_entry(invoice: LedesInvoice, guidelines: Guidelines, context: ReviewContext) -> Iterator[Hit]:
    """The same work billed twice — same timekeeper, date and hours (an expense: same date, code and amount) with a
    near-identical description (``duplicate_similarity``) — within this invoice or on an earlier one. The later
    copy is not payable."""
    threshold = guidelines.duplicate_similarity
    within: dict[tuple[Any, ...], list[tuple[str, int, str]]] = defaultdict(list)
    for line in invoice.lines:
        key = _duplicate_key(line)
        if key is None:
            continue
        earlier = [(entry.invoice, entry.line, entry.description) for entry in context.same_work(key)]
        for other_invoice, other_line, description in [*earlier, *within[key]]:
            if text_checks.similarity(line.description, description) >= threshold:
                where = f"line {other_line}" + (f" of invoice {other_invoice}" if other_invoice else "")
                yield Hit([line.number],
                          f"Line {line.number} repeats {where} ({_who(line) if line.is_fee else 'expense'}, "
                          f"{line.date}, {line.units if line.is_fee else _money(line.total)}).",
                          {line.number: -line.total}, "duplicate entry")
                break
        else:
            within[key].append(("", line.number, line.description))


@rule("LB-BUDGET-001", "budget_exceeded", "warning", "Matter spend within budget")
def budget_exceeded(invoice: LedesInvoice, guidelines: Guidelines, context: ReviewContext) -> Iterator[Hit]:
    """A matter's spend (earlier invoices plus this one) may not pass its budget; the lines past the budget are
    flagged and the overrun proposed for reduction."""
    by_matter: dict[str, list[LedesLine]] = defaultdict(list)
    budgets: dict[str, Decimal] = {}
    for line in invoice.lines:
        if not (line.is_fee or line.is_expense):
            continue
        matter = _matter(line, guidelines, context)
        key = line.client_matter_id or line.law_firm_matter_id
        if matter is not None and matter.budget is not None and key:
            by_matter[key].append(line)
            budgets[key] = matter.budget
    for key, lines in by_matter.items():
        budget = budgets[key]
        spent = context.spent.get(key, Decimal(0))
        reductions: dict[int, Decimal] = {}
        for line in lines:
            over = max(Decimal(0), min(line.total, spent + line.total - budget))
            spent += line.total
            if over > 0:
                reductions[line.number] = -over
        if reductions:
            yield Hit(sorted(reductions), f"Matter {key}: spend reaches {_money(spent)} against a budget of "
                                          f"{_money(budget)}.", reductions, "over the matter budget")


@rule("LB-LATE-001", "late_submission", "warning", "Invoices submitted on time")
def late_submission(invoice: LedesInvoice, guidelines: Guidelines, context: ReviewContext) -> Iterator[Hit]:
    """An invoice must be dated (or received) within ``submission_deadline_days`` of its billing period's end."""
    end = invoice.billing_end_date or max((line.date for line in invoice.lines if line.date), default=None)
    submitted = context.received_on or invoice.invoice_date
    if end is None:
        return
    late = (submitted - end).days - guidelines.submission_deadline_days
    if late > 0:
        share = guidelines.reductions.late_submission
        yield Hit([], f"Submitted {submitted.isoformat()}, {late} days after the deadline of "
                      f"{guidelines.submission_deadline_days} days from the period's end ({end.isoformat()}).",
                  {INVOICE_LEVEL: -invoice.lines_total * share} if share else {},
                  "late submission" + (f": {share * 100:.0f}% reduction" if share else ""))


# --- attorney verification -------------------------------------------------------------------------------------

@rule("LB-VERIFY-001", "verification_unavailable", "info", "Attorney verification reachable")
def verification_unavailable(invoice: LedesInvoice, guidelines: Guidelines, context: ReviewContext
                             ) -> Iterator[Hit]:
    """The bar-admission records could not be consulted for these attorneys; the review went on without them."""
    lines = [line for line in _fees(invoice) if context.verification.get(line.timekeeper_id or "") == "unavailable"]
    if lines:
        names = sorted({_who(line) for line in lines})
        yield Hit([line.number for line in lines], f"Attorney verification was unavailable for {', '.join(names)}.",
                  {}, "verify the admission by hand")


@rule("LB-VERIFY-002", "attorney_not_verified", "error", "Attorneys admitted to the bar")
def attorney_not_verified(invoice: LedesInvoice, guidelines: Guidelines, context: ReviewContext) -> Iterator[Hit]:
    """A timekeeper billed as an attorney must appear, active, in the bar-admission records."""
    by_timekeeper: dict[str, list[LedesLine]] = defaultdict(list)
    for line in _fees(invoice):
        outcome = context.verification.get(line.timekeeper_id or "")
        if outcome in ("not_found", "inactive"):
            by_timekeeper[f"{_who(line)}: {outcome.replace('_', ' ')}"].append(line)
    for what, lines in by_timekeeper.items():
        yield Hit([line.number for line in lines], f"Attorney not verified ({what}).",
                  {line.number: -line.total for line in lines}, "attorney not admitted or not active")
