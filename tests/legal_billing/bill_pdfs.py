"""Law-firm bills as PDFs with a real text layer, laid out the ways firms print them (columns placed on the page,
long descriptions wrapped): the time entries a test expects, and the PDF."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from fpdf import FPDF


@dataclass(frozen=True)
class Entry:
    day: date
    timekeeper: str
    description: str
    hours: Decimal
    rate: Decimal
    task: str | None = None
    activity: str | None = None

    @property
    def amount(self) -> Decimal:
        return (self.hours * self.rate).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Expense:
    day: date
    description: str
    amount: Decimal


@dataclass
class Bill:
    firm: str
    number: str
    issued: date
    matter: str
    entries: list[Entry]
    expenses: list[Expense] = field(default_factory=list)
    #: "plain" (date, timekeeper, description, hours, rate, amount), "initials_after" (date, description, initials,
    #: hours, amount) or "utbms" (date, task, activity, timekeeper, description, hours, rate, amount).
    style: str = "plain"

    @property
    def fees(self) -> Decimal:
        return sum((entry.amount for entry in self.entries), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.fees + sum((expense.amount for expense in self.expenses), Decimal(0))


ENTRIES = [
    Entry(date(2024, 2, 1), "JDS", "Review defendant's motion to compel and outline opposition arguments",
          Decimal("1.50"), Decimal("450.00"), "L250", "A104"),
    Entry(date(2024, 2, 2), "MKL", "Draft opposition to motion to compel; research waiver of privilege objections "
          "in the Ninth Circuit", Decimal("3.20"), Decimal("325.00"), "L250", "A103"),
    Entry(date(2024, 2, 5), "JDS", "Attention to file", Decimal("0.40"), Decimal("450.00"), "L120", "A104"),
    Entry(date(2024, 2, 6), "PRG", "Schedule deposition of plaintiff and arrange court reporter",
          Decimal("0.30"), Decimal("150.00"), "L330", "A111"),
]
EXPENSES = [Expense(date(2024, 2, 7), "Photocopies, 250 pages", Decimal("25.00")),
            Expense(date(2024, 2, 9), "Court filing fee", Decimal("405.00"))]


def sample_bill(style: str = "plain") -> Bill:
    return Bill("Smith & Jones LLP", "2024-117", date(2024, 3, 5), "4410-002", list(ENTRIES), list(EXPENSES),
                style=style)


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def bill_pdf(bill: Bill) -> bytes:
    pdf = FPDF(format="Letter")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, bill.firm, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for text in ("1200 Market Street, Suite 400", "San Francisco, CA 94102", "Tax ID 94-1234567"):
        pdf.cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, "INVOICE", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for text in (f"Invoice No.: {bill.number}", f"Invoice Date: {bill.issued:%B} {bill.issued.day}, {bill.issued.year}",
                 "Client: Acme Insurance Company", "Re: Acme v. Widget Corp.", f"Matter No.: {bill.matter}",
                 "For professional services rendered through February 29, 2024"):
        pdf.cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    _fees(pdf, bill)
    if bill.expenses:
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(0, 6, "Expenses", new_x="LMARGIN", new_y="NEXT")
        _row(pdf, [("Date", 25, "L"), ("Description", 135, "L"), ("Amount", 30, "R")], bold=True)
        for expense in bill.expenses:
            _row(pdf, [(f"{expense.day:%m/%d/%Y}", 25, "L"), (expense.description, 135, "L"),
                       (_money(expense.amount), 30, "R")])
        _row(pdf, [("Total Expenses", 160, "L"), (_money(bill.total - bill.fees), 30, "R")], bold=True)
    pdf.ln(4)
    _row(pdf, [("Total This Invoice", 160, "L"), (_money(bill.total), 30, "R")], bold=True)
    return bytes(pdf.output())


def _fees(pdf: FPDF, bill: Bill) -> None:
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(0, 6, "Professional Services", new_x="LMARGIN", new_y="NEXT")
    if bill.style == "initials_after":
        _row(pdf, [("Date", 22, "L"), ("Description", 108, "L"), ("Atty", 15, "L"), ("Hours", 15, "R"),
                   ("Amount", 30, "R")], bold=True)
        for entry in bill.entries:
            _row(pdf, [(f"{entry.day:%m/%d/%y}", 22, "L"), (entry.description, 108, "L"), (entry.timekeeper, 15, "L"),
                       (f"{entry.hours:.2f}", 15, "R"), (_money(entry.amount), 30, "R")])
    elif bill.style == "utbms":
        _row(pdf, [("Date", 20, "L"), ("Task", 12, "L"), ("Activity", 14, "L"), ("Timekeeper", 20, "L"),
                   ("Description", 72, "L"), ("Hours", 14, "R"), ("Rate", 16, "R"), ("Amount", 22, "R")], bold=True)
        for entry in bill.entries:
            _row(pdf, [(f"{entry.day:%m/%d/%Y}", 20, "L"), (entry.task or "", 12, "L"), (entry.activity or "", 14, "L"),
                       (entry.timekeeper, 20, "L"), (entry.description, 72, "L"), (f"{entry.hours:.2f}", 14, "R"),
                       (_money(entry.rate), 16, "R"), (_money(entry.amount), 22, "R")])
    else:
        _row(pdf, [("Date", 22, "L"), ("Timekeeper", 22, "L"), ("Description", 88, "L"), ("Hours", 16, "R"),
                   ("Rate", 18, "R"), ("Amount", 24, "R")], bold=True)
        for entry in bill.entries:
            _row(pdf, [(f"{entry.day:%m/%d/%Y}", 22, "L"), (entry.timekeeper, 22, "L"), (entry.description, 88, "L"),
                       (f"{entry.hours:.2f}", 16, "R"), (_money(entry.rate), 18, "R"), (_money(entry.amount), 24, "R")])
    _row(pdf, [("Total Fees", 166, "L"), (_money(bill.fees), 24, "R")], bold=True)


def _row(pdf: FPDF, cells: list[tuple[str, float, str]], *, bold: bool = False) -> None:
    """One table row; a cell's text too long for its width wraps onto further lines below it."""
    pdf.set_font("Helvetica", "B" if bold else "", 8)
    top, x = pdf.get_y(), pdf.l_margin
    bottom = top
    for text, width, align in cells:
        pdf.set_xy(x, top)
        pdf.multi_cell(width, 4.5, text, align=align, new_x="RIGHT", new_y="TOP")
        bottom = max(bottom, top + 4.5 * len(pdf.multi_cell(width, 4.5, text, dry_run=True, output="LINES")))
        x += width
    pdf.set_xy(pdf.l_margin, bottom)
