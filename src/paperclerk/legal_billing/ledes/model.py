"""What a LEDES file holds once read, whatever its format: invoices with their lines, money as Decimal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from paperclerk.core.errors import FileRejected

#: Line types (LEDES 1998B's EXP/FEE/INV_ADJ_TYPE): fee, expense, invoice-level fee and expense adjustments.
FEE, EXPENSE, FEE_ADJUSTMENT, EXPENSE_ADJUSTMENT = "F", "E", "IF", "IE"
LINE_TYPES = (FEE, EXPENSE, FEE_ADJUSTMENT, EXPENSE_ADJUSTMENT)
#: How many errors one refusal lists (a file broken on every line says so in its first errors).
MAX_ERRORS = 200


@dataclass(frozen=True)
class LedesError:
    """One place where a file breaks its format: the line in the file (1-based), the field (None when the
    error is about the record or the file as a whole) and what is wrong, in words."""

    line: int
    field: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message}


class LedesMalformed(FileRejected):
    """A file that claims to be LEDES but breaks the format; ``details.errors`` lists every error found. Refused at
    the door by the legal upload (nothing stored), and the reason a document fails in the pipeline."""

    code = "LEDES_MALFORMED"
    http_status = 422

    def __init__(self, format_name: str | None, errors: list[LedesError]) -> None:
        first = errors[0]
        where = f"line {first.line}" + (f", field {first.field}" if first.field else "")
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"Malformed {format_name or 'LEDES'} file: {where}: {first.message}{more}",
                         details={"format": format_name, "errors": [error.to_dict() for error in errors]})
        self.errors = errors


@dataclass
class LedesLine:
    """One line item. ``number`` is the line's number in its invoice (LINE_ITEM_NUMBER, or its position when the
    format has none); ``source_line`` where it starts in the file."""

    number: int
    source_line: int
    type: str
    date: date | None
    units: Decimal | None
    unit_cost: Decimal | None
    adjustment: Decimal
    total: Decimal
    description: str = ""
    task_code: str | None = None
    activity_code: str | None = None
    expense_code: str | None = None
    timekeeper_id: str | None = None
    timekeeper_name: str | None = None
    timekeeper_classification: str | None = None
    law_firm_matter_id: str | None = None
    client_matter_id: str | None = None
    tax_rate: Decimal | None = None
    tax_total: Decimal = Decimal(0)

    @property
    def is_fee(self) -> bool:
        return self.type == FEE

    @property
    def is_expense(self) -> bool:
        return self.type == EXPENSE

    @property
    def expected_total(self) -> Decimal | None:
        """units x unit cost + adjustment (+ tax, in formats whose line total includes it); None when a factor
        is missing (invoice-level adjustments carry only their amount)."""
        if self.units is None or self.unit_cost is None:
            return None
        return self.units * self.unit_cost + self.adjustment + self.tax_total

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.number, "type": self.type, "date": self.date.isoformat() if self.date else None,
            "timekeeper_id": self.timekeeper_id, "timekeeper_name": self.timekeeper_name,
            "timekeeper_classification": self.timekeeper_classification, "task_code": self.task_code,
            "activity_code": self.activity_code, "expense_code": self.expense_code,
            "units": _money(self.units), "unit_cost": _money(self.unit_cost), "adjustment": _money(self.adjustment),
            "tax_total": _money(self.tax_total), "total": _money(self.total), "description": self.description,
            "law_firm_matter_id": self.law_firm_matter_id, "client_matter_id": self.client_matter_id,
            "source_line": self.source_line,
        }


@dataclass
class LedesInvoice:
    """One invoice: its header and its lines, in file order."""

    format: str
    invoice_number: str
    invoice_date: date
    total: Decimal
    source_line: int
    client_id: str | None = None
    law_firm_id: str | None = None
    law_firm_name: str | None = None
    law_firm_matter_id: str | None = None
    client_matter_id: str | None = None
    matter_name: str | None = None
    billing_start_date: date | None = None
    billing_end_date: date | None = None
    description: str = ""
    currency: str | None = None
    tax_total: Decimal | None = None
    lines: list[LedesLine] = field(default_factory=list)

    @property
    def lines_total(self) -> Decimal:
        """The sum of every line's total, invoice-level adjustments included."""
        return sum((line.total for line in self.lines), Decimal(0))

    def line(self, number: int) -> LedesLine:
        return next(line for line in self.lines if line.number == number)

    def header(self) -> dict[str, Any]:
        return {
            "format": self.format, "invoice_number": self.invoice_number,
            "invoice_date": self.invoice_date.isoformat(), "client_id": self.client_id,
            "law_firm_id": self.law_firm_id, "law_firm_name": self.law_firm_name,
            "law_firm_matter_id": self.law_firm_matter_id, "client_matter_id": self.client_matter_id,
            "matter_name": self.matter_name,
            "billing_start_date": self.billing_start_date.isoformat() if self.billing_start_date else None,
            "billing_end_date": self.billing_end_date.isoformat() if self.billing_end_date else None,
            "description": self.description, "currency": self.currency, "total": _money(self.total),
            "tax_total": _money(self.tax_total), "lines_total": _money(self.lines_total),
        }


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")
