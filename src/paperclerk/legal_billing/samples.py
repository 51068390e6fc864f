"""Generated LEDES 1998B invoices with known guideline violations, and the guidelines they break: the labelled
set the rule tests and the benchmark score precision and recall on (generated here, never real bills), and
sample data for a demo.

:func:`labelled_invoice` writes one invoice whose clean lines break no rule of :data:`GUIDELINES` and injects the
violations asked for; it returns the file's text and the expected ``(category, line)`` pairs (line 0: the invoice
as a whole).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from paperclerk.legal_billing.ledes.pipe import FIELDS_1998B

#: The guidelines the generated invoices are reviewed against.
GUIDELINES = {
    "billing_increment_hours": 0.1,
    "max_hours_per_day": 10,
    "rates": {"PARTNR": 650, "ASSOC": 420, "PARLGL": 190},
    "timekeepers": {"TK-101": {"rate": 600}, "TK-999": {"approved": False}},
    "non_billable_expense_codes": ["E111"],
    "vague_phrases": ["attention to", "review file", "work on matter", "review documents"],
    "matters": {"CM-BUDGET": {"budget": 0}},
    "submission_deadline_days": 60,
}
TIMEKEEPERS = (("TK-101", "Marlowe, Ada", "PARTNR", Decimal(600)), ("TK-102", "Quint, Felix", "PARTNR", Decimal(650)),
               ("TK-204", "Okafor, Ben", "ASSOC", Decimal(420)), ("TK-205", "Lindqvist, Mia", "ASSOC", Decimal(400)),
               ("TK-310", "Reyes, Carla", "PARLGL", Decimal(190)))
UNAPPROVED = ("TK-999", "Vance, Oliver", "ASSOC", Decimal(400))
CLEAN_FEES = (
    ("L240", "A103", "Draft motion for summary judgment on the statute of limitations defense"),
    ("L330", "A101", "Prepare outline for deposition of plaintiff's treating physician"),
    ("L120", "A104", "Analyze deposition testimony of plant supervisor for summary judgment brief"),
    ("L120", "A102", "Research Delaware case law on successor liability for opposition brief"),
    ("L250", "A103", "Revise proposed protective order per comments from opposing counsel"),
    ("L160", "A106", "Telephone conference with client regarding settlement authority for mediation"),
    ("L420", "A104", "Review expert report of Dr. Chen on causation of the turbine failure"),
    ("L310", "A103", "Draft responses to second set of requests for admission"),
    ("L160", "A109", "Attend mediation session with client representative and mediator"),
    ("L330", "A107", "Correspond with opposing counsel regarding deposition dates for corporate witnesses"),
    ("L320", "A104", "Analyze engineering change orders produced by defendant for privilege issues"),
    ("L210", "A103", "Draft amended complaint adding breach of warranty count"),
    ("L350", "A103", "Draft letter to opposing counsel on deficiencies in interrogatory answers"),
    ("L440", "A101", "Prepare direct examination of the maintenance contractor witness"),
)
CLEAN_EXPENSES = (
    ("E112", "Court filing fee for motion to compel, Superior Court", Decimal(1), Decimal("60.00")),
    ("E115", "Deposition transcript of plant supervisor", Decimal(1), Decimal("412.50")),
    ("E107", "Courier delivery of exhibits to chambers", Decimal(1), Decimal("38.00")),
    ("E101", "Photocopies of production set", Decimal(300), Decimal("0.10")),
)
#: Descriptions of each kind of violation (several wordings, so the rules are not scored on one phrase).
BLOCK_BILLED = (
    "Review deposition transcript of plant manager; draft summary memo to client; telephone conference with "
    "co-counsel regarding trial exhibits",
    "Draft motion to compel. Review opposing counsel's meet and confer letter. Call client regarding document "
    "collection",
    "Research spoliation sanctions case law; revise brief in support of motion for sanctions",
)
VAGUE = ("Attention to file", "Work on matter", "Review documents", "Review file", "Attention to matter issues")
ADMINISTRATIVE = ("Schedule deposition of opposing expert witness", "Organize and index exhibit binders for hearing",
                  "File notice of appearance with the court", "Calendar discovery deadlines from scheduling order",
                  "Photocopy trial exhibits for opposing counsel")
NON_BILLABLE = (("E111", "Working dinner with client team", Decimal(1), Decimal("186.40")),
                ("E124", "Office supplies for war room", Decimal(1), Decimal("54.10")),
                ("E110", "First-class airfare to Chicago for deposition", Decimal(1), Decimal("1240.00")),
                ("E124", "Secretarial overtime for brief production", Decimal(1), Decimal("95.00")))
CATEGORIES = ("arithmetic", "invalid_code", "block_billing", "vague_description", "billing_increment",
              "excessive_daily_hours", "rate_above_approved", "unapproved_timekeeper", "non_billable_expense",
              "expense_cap", "outside_billing_period", "duplicate_entry", "administrative_task", "budget_exceeded",
              "late_submission")


@dataclass
class Row:
    type: str
    units: Decimal
    cost: Decimal
    day: date
    description: str
    task: str = ""
    activity: str = ""
    expense: str = ""
    timekeeper: tuple[str, str, str, Decimal] | None = None
    total: Decimal | None = None
    matter: str = ""

    @property
    def amount(self) -> Decimal:
        return self.total if self.total is not None else (self.units * self.cost).quantize(Decimal("0.01"))


@dataclass
class Invoice:
    number: str
    start: date
    end: date
    invoice_date: date
    matter: str
    rows: list[Row] = field(default_factory=list)
    stated_total: Decimal | None = None
    expected: set[tuple[str, int]] = field(default_factory=set)
    #: Days of the period no line uses yet (each injected entry gets its own, so they add no hours to others).
    free_days: list[date] = field(default_factory=list)

    def text(self) -> str:
        total = self.stated_total if self.stated_total is not None else sum(row.amount for row in self.rows)
        records = ["LEDES1998B", "|".join(FIELDS_1998B)]
        for number, row in enumerate(self.rows, 1):
            keeper = row.timekeeper or ("", "", "", Decimal(0))
            records.append("|".join([
                self.invoice_date.strftime("%Y%m%d"), self.number, "CL-77", "M-" + self.matter, f"{total:.2f}",
                self.start.strftime("%Y%m%d"), self.end.strftime("%Y%m%d"), "Legal services", str(number), row.type,
                f"{row.units}", "0", f"{row.amount:.2f}", row.day.strftime("%Y%m%d"), row.task, row.expense,
                row.activity, keeper[0], row.description, "94-1234567", f"{row.cost}", keeper[1], keeper[2],
                row.matter or self.matter]))
        return "".join(record + "[]\r\n" for record in records)


def _month(index: int) -> tuple[date, date]:
    year, month = divmod(index, 12)
    start = date(2000 + year, month + 1, 1)
    end = (date(start.year + (month == 11), (month + 1) % 12 + 1, 1)) - timedelta(days=1)
    return start, end


def clean_invoice(rng: random.Random, index: int) -> Invoice:
    """An invoice that breaks no rule of :data:`GUIDELINES`: one entry per timekeeper and day, hours in tenths,
    approved rates, specific single-task descriptions, billable expenses within their caps."""
    start, end = _month(index)
    invoice = Invoice(f"G-{index:05d}", start, end, end + timedelta(days=rng.randint(3, 30)), f"CM-{index:05d}")
    days = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
    rng.shuffle(days)
    for count, (task, activity, description) in enumerate(rng.sample(CLEAN_FEES, rng.randint(4, 8))):
        keeper = TIMEKEEPERS[count % len(TIMEKEEPERS)]
        hours = Decimal(rng.randint(3, 40)) / 10
        invoice.rows.append(Row("F", hours, keeper[3], days.pop(), description, task, activity, timekeeper=keeper))
    expense_day = days.pop()
    for code, description, units, cost in rng.sample(CLEAN_EXPENSES, rng.randint(1, 3)):
        invoice.rows.append(Row("E", units, cost, expense_day, description, task="L120", expense=code,
                                timekeeper=TIMEKEEPERS[2]))
    invoice.free_days = days
    return invoice


def _fee_rows(invoice: Invoice) -> list[int]:
    return [index for index, row in enumerate(invoice.rows) if row.type == "F"]


Keeper = tuple[str, str, str, Decimal]
#: Violations that are new lines: (rng, a lawyer, a day no other line uses, the invoice) -> the lines.
NEW_LINES: dict[str, Callable[[random.Random, Keeper, date, Invoice], list[Row]]] = {
    "block_billing": lambda rng, keeper, day, invoice: [
        Row("F", Decimal("3.5"), keeper[3], day, rng.choice(BLOCK_BILLED), "L120", "A104", timekeeper=keeper)],
    "vague_description": lambda rng, keeper, day, invoice: [
        Row("F", Decimal("1.2"), keeper[3], day, rng.choice(VAGUE), "L120", "A104", timekeeper=keeper)],
    "billing_increment": lambda rng, keeper, day, invoice: [
        Row("F", Decimal(rng.choice(("1.25", "0.33", "2.75", "0.05"))), keeper[3], day, CLEAN_FEES[0][2], "L240",
            "A103", timekeeper=keeper)],
    "excessive_daily_hours": lambda rng, keeper, day, invoice: [
        Row("F", Decimal("6.5"), keeper[3], day, CLEAN_FEES[2][2], "L120", "A104", timekeeper=keeper),
        Row("F", Decimal("5.0"), keeper[3], day, CLEAN_FEES[7][2], "L310", "A103", timekeeper=keeper)],
    "rate_above_approved": lambda rng, keeper, day, invoice: [
        Row("F", Decimal("2.0"), Decimal(rng.choice((455, 480, 520))), day, CLEAN_FEES[11][2], "L210", "A103",
            timekeeper=TIMEKEEPERS[2])],
    "unapproved_timekeeper": lambda rng, keeper, day, invoice: [
        Row("F", Decimal("1.5"), UNAPPROVED[3], day, CLEAN_FEES[3][2], "L120", "A102", timekeeper=UNAPPROVED)],
    "non_billable_expense": lambda rng, keeper, day, invoice: [_expense(rng.choice(NON_BILLABLE), day)],
    "expense_cap": lambda rng, keeper, day, invoice: [
        Row("E", Decimal(rng.choice((120, 450))), Decimal(rng.choice(("0.25", "0.20"))), day,
            "Photocopies of trial exhibits", "L440", expense="E101", timekeeper=TIMEKEEPERS[2])],
    "outside_billing_period": lambda rng, keeper, day, invoice: [
        Row("F", Decimal("1.1"), keeper[3], invoice.start - timedelta(days=rng.randint(3, 40)) if rng.random() < 0.5
            else invoice.end + timedelta(days=2), CLEAN_FEES[12][2], "L350", "A103", timekeeper=keeper)],
    "administrative_task": lambda rng, keeper, day, invoice: [
        Row("F", Decimal("0.8"), keeper[3], day, rng.choice(ADMINISTRATIVE), "L140", "A110", timekeeper=keeper)],
}


def _expense(item: tuple[str, str, Decimal, Decimal], day: date) -> Row:
    code, description, units, cost = item
    return Row("E", units, cost, day, description, "L120", expense=code, timekeeper=TIMEKEEPERS[2])


def _duplicate_entry(invoice: Invoice, rng: random.Random) -> list[int]:
    """A copy of a clean fee (its description at most a dot or a space longer), as a new last line."""
    original = invoice.rows[rng.choice(_fee_rows(invoice))]
    invoice.rows.append(replace(original, description=original.description + rng.choice(("", ".", " ")), total=None))
    return [len(invoice.rows)]


def _arithmetic(invoice: Invoice, rng: random.Random) -> list[int]:
    """Half the time a stated invoice total 100.00 too high (line 0: the invoice), else one fee's total wrong."""
    if rng.random() >= 0.5:
        invoice.stated_total = sum(row.amount for row in invoice.rows) + Decimal("100.00")
        return [0]
    target = rng.choice(_fee_rows(invoice))
    row = invoice.rows[target]
    row.total = row.amount + Decimal(rng.choice(("50.00", "120.00", "7.50")))
    return [target + 1]


def _invalid_code(invoice: Invoice, rng: random.Random) -> list[int]:
    """One fee with an unknown task code, an expense code on a fee, or its task and activity codes swapped."""
    target = rng.choice(_fee_rows(invoice))
    row = invoice.rows[target]
    choice = rng.randrange(3)
    if choice == 0:
        row.task = "L999"
    elif choice == 1:
        row.expense = "E101"
    else:
        row.task, row.activity = row.activity, row.task
    return [target + 1]


def _budget_exceeded(invoice: Invoice, rng: random.Random) -> list[int]:
    """The invoice moves to the matter whose budget its last line passes (see :func:`guidelines_for`)."""
    invoice.matter = "CM-BUDGET"
    return [len(invoice.rows)]


def _late_submission(invoice: Invoice, rng: random.Random) -> list[int]:
    """Dated long after the period's end (the guidelines allow 60 days); the invoice as a whole."""
    invoice.invoice_date = invoice.end + timedelta(days=rng.randint(75, 200))
    return [0]


#: Violations that change what the invoice has: (invoice, rng) -> the line numbers concerned (0: the invoice).
CHANGES: dict[str, Callable[[Invoice, random.Random], list[int]]] = {
    "duplicate_entry": _duplicate_entry, "arithmetic": _arithmetic, "invalid_code": _invalid_code,
    "budget_exceeded": _budget_exceeded, "late_submission": _late_submission,
}


def _append(invoice: Invoice, rows: list[Row]) -> list[int]:
    invoice.rows.extend(rows)
    return list(range(len(invoice.rows) - len(rows) + 1, len(invoice.rows) + 1))


def inject(invoice: Invoice, category: str, rng: random.Random) -> None:
    """Add one violation of ``category`` (new lines, or a change to the invoice) and its expected
    ``(category, line)`` pairs."""
    keeper = TIMEKEEPERS[rng.randrange(4)]  # a lawyer
    free_day = invoice.free_days.pop()
    if category in NEW_LINES:
        lines = _append(invoice, NEW_LINES[category](rng, keeper, free_day, invoice))
    elif category in CHANGES:
        lines = CHANGES[category](invoice, rng)
    else:
        raise ValueError(f"unknown category {category!r}")
    invoice.expected.update((category, line) for line in lines)


def budget_for(invoice: Invoice) -> Decimal:
    """A budget the invoice passes only with its last line (what ``budget_exceeded`` expects)."""
    amounts = [row.amount for row in invoice.rows if row.type in ("F", "E")]
    return sum(amounts[:-1], Decimal(0)) + amounts[-1] / 2


def labelled_invoice(rng: random.Random, index: int, categories: list[str]) -> Invoice:
    invoice = clean_invoice(rng, index)
    # A duplicate copies a clean line (before other violations change lines); the budget is passed by the last line.
    order = {"duplicate_entry": 0, "budget_exceeded": 2}
    for category in sorted(categories, key=lambda name: order.get(name, 1)):
        inject(invoice, category, rng)
    return invoice


def labelled_set(count: int, seed: int = 7, violation_rate: float = 0.6) -> list[Invoice]:
    """``count`` invoices, each with each category's violation at random (budget overruns get their budget in
    :func:`guidelines_for`)."""
    rng = random.Random(seed)
    invoices = []
    for index in range(count):
        chosen = [category for category in CATEGORIES if rng.random() < violation_rate / 4]
        invoices.append(labelled_invoice(rng, index, chosen))
    return invoices


def guidelines_for(invoices: list[Invoice]) -> dict[str, object]:
    """:data:`GUIDELINES` with each budget-overrun invoice's matter budget (one matter per such invoice)."""
    matters: dict[str, dict[str, object]] = {}
    for invoice in invoices:
        if invoice.matter == "CM-BUDGET":
            invoice.matter = f"CM-BUDGET-{invoice.number}"
            matters[invoice.matter] = {"budget": str(budget_for(invoice))}
    return {**GUIDELINES, "matters": matters}
