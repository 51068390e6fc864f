"""LEDES 1998B and LEDES 1998BI (V2): a format line, a header naming the fields, then one record per line item,
fields separated by ``|`` and each record (header included) ended by ``[]``.

Records are matched to the header by field name. Every record repeats its invoice's header fields; the lines of
one invoice number form one invoice. Errors carry the line in the file where the record starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from paperclerk.legal_billing.ledes.model import (
    EXPENSE,
    FEE,
    LINE_TYPES,
    MAX_ERRORS,
    LedesError,
    LedesInvoice,
    LedesLine,
    LedesMalformed,
)
from paperclerk.legal_billing.ledes.values import FieldReader

LEDES_1998B = "LEDES1998B"
LEDES_1998BI = "LEDES98BI"
TERMINATOR = "[]"
TYPE_FIELD = "EXP/FEE/INV_ADJ_TYPE"

#: The 24 fields of a LEDES 1998B record, in the order the format defines.
FIELDS_1998B = (
    "INVOICE_DATE", "INVOICE_NUMBER", "CLIENT_ID", "LAW_FIRM_MATTER_ID", "INVOICE_TOTAL", "BILLING_START_DATE",
    "BILLING_END_DATE", "INVOICE_DESCRIPTION", "LINE_ITEM_NUMBER", TYPE_FIELD, "LINE_ITEM_NUMBER_OF_UNITS",
    "LINE_ITEM_ADJUSTMENT_AMOUNT", "LINE_ITEM_TOTAL", "LINE_ITEM_DATE", "LINE_ITEM_TASK_CODE",
    "LINE_ITEM_EXPENSE_CODE", "LINE_ITEM_ACTIVITY_CODE", "TIMEKEEPER_ID", "LINE_ITEM_DESCRIPTION", "LAW_FIRM_ID",
    "LINE_ITEM_UNIT_COST", "TIMEKEEPER_NAME", "TIMEKEEPER_CLASSIFICATION", "CLIENT_MATTER_ID",
)
#: LEDES 1998BI adds tax, currency, names and addresses; the timekeeper's name may come split in two.
FIELDS_1998BI_EXTRA = (
    "PO_NUMBER", "CLIENT_TAX_ID", "MATTER_NAME", "INVOICE_TAX_TOTAL", "INVOICE_NET_TOTAL", "INVOICE_CURRENCY",
    "TIMEKEEPER_LAST_NAME", "TIMEKEEPER_FIRST_NAME", "ACCOUNT_TYPE", "LAW_FIRM_NAME", "LAW_FIRM_ADDRESS_1",
    "LAW_FIRM_ADDRESS_2", "LAW_FIRM_CITY", "LAW_FIRM_STATEORREGION", "LAW_FIRM_POSTCODE", "LAW_FIRM_COUNTRY",
    "CLIENT_NAME", "CLIENT_ADDRESS_1", "CLIENT_ADDRESS_2", "CLIENT_CITY", "CLIENT_STATEORREGION", "CLIENT_POSTCODE",
    "CLIENT_COUNTRY", "LINE_ITEM_TAX_RATE", "LINE_ITEM_TAX_TOTAL", "LINE_ITEM_TAX_TYPE", "INVOICE_REPORTED_TAX_TOTAL",
    "INVOICE_TAX_CURRENCY",
)
#: The fields a 1998BI header must name (its other fields are optional columns).
REQUIRED_1998BI = tuple(name for name in FIELDS_1998B if name != "TIMEKEEPER_NAME")
#: Header fields every record of one invoice must repeat unchanged.
INVOICE_CONSTANTS = ("INVOICE_DATE", "INVOICE_TOTAL")

_FORMAT_LINE = re.compile(r"^\s*(LEDES1998B|LEDES98BI(?:\s+V\d+)?)\s*(\[\])?\s*$", re.IGNORECASE)


def sniff_pipe(text: str) -> str | None:
    """``LEDES1998B`` or ``LEDES98BI`` when the first non-blank line is that format's line."""
    first = text.lstrip("\ufeff \t\r\n").split("\n", 1)[0]
    match = _FORMAT_LINE.match(first)
    if match is None:
        return None
    return LEDES_1998B if match.group(1).upper() == LEDES_1998B else LEDES_1998BI


@dataclass(frozen=True)
class _Record:
    line: int
    values: list[str]


def read_pipe(text: str, format_name: str) -> list[LedesInvoice]:
    errors: list[LedesError] = []
    records = _records(text, errors)
    if not records:
        raise LedesMalformed(format_name, errors or [LedesError(1, None, "the file has no format line")])
    _check_format_line(records[0], format_name, errors)
    if len(records) < 2:
        errors.append(LedesError(records[0].line, None, "the header line naming the fields is missing"))
        raise LedesMalformed(format_name, errors)
    names = _header(records[1], format_name, errors)
    invoices: dict[str, LedesInvoice] = {}
    constants: dict[str, dict[str, str]] = {}
    if len(records) < 3:
        errors.append(LedesError(records[1].line, None, "the file has no line items"))
    for record in records[2:]:
        if len(errors) >= MAX_ERRORS:
            break
        if len(record.values) != len(names):
            errors.append(LedesError(record.line, None, f"the record has {len(record.values)} fields; the header "
                                                        f"names {len(names)}"))
            continue
        values = dict(zip(names, record.values, strict=True))
        _read_record(record.line, values, format_name, invoices, constants, errors)
    if errors:
        raise LedesMalformed(format_name, errors[:MAX_ERRORS])
    return list(invoices.values())


def _records(text: str, errors: list[LedesError]) -> list[_Record]:
    """Records with the line each starts on. A record ends with ``[]``; a description may run over several
    lines. A line without ``[]`` that already holds a whole record is an error of its own."""
    records: list[_Record] = []
    pending: list[str] = []
    start = 0
    expected_fields: int | None = None
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip(" \t\x1a")
        if not pending and not line.strip():
            continue
        if not pending:
            start = number
        pending.append(line)
        joined = "\n".join(pending)
        if joined.endswith(TERMINATOR):
            records.append(_Record(start, _split(joined[: -len(TERMINATOR)])))
            pending = []
        elif len(records) < 2 or (expected_fields is not None and joined.count("|") + 1 >= expected_fields):
            # The format and header lines are one line each; a data line holding every field is complete.
            errors.append(LedesError(start, None, "the record does not end with '[]'"))
            records.append(_Record(start, _split(joined)))
            pending = []
        if len(records) == 2 and expected_fields is None:
            expected_fields = len(records[1].values)
    if pending:
        errors.append(LedesError(start, None, "the record does not end with '[]'"))
        records.append(_Record(start, _split("\n".join(pending))))
    return records


def _split(record: str) -> list[str]:
    return [value.strip() for value in record.split("|")]


def _check_format_line(record: _Record, format_name: str, errors: list[LedesError]) -> None:
    if len(record.values) != 1 or sniff_pipe(record.values[0]) != format_name:
        errors.append(LedesError(record.line, None, f"the first line must be the format line {format_name}[]"))


def _header(record: _Record, format_name: str, errors: list[LedesError]) -> list[str]:
    names = [value.upper() for value in record.values]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            errors.append(LedesError(record.line, name, "the header names this field twice"))
        seen.add(name)
    if format_name == LEDES_1998B:
        required: tuple[str, ...] = FIELDS_1998B
        for name in names:
            if name not in FIELDS_1998B:
                errors.append(LedesError(record.line, name, "is not a LEDES 1998B field"))
    else:
        required = REQUIRED_1998BI
    for name in required:
        if name not in seen:
            errors.append(LedesError(record.line, name, "the header does not name this required field"))
    return names


def _read_record(line: int, values: dict[str, str], format_name: str, invoices: dict[str, LedesInvoice],
                 constants: dict[str, dict[str, str]], errors: list[LedesError]) -> None:
    read = FieldReader(line, errors)
    number = read.text("INVOICE_NUMBER", values.get("INVOICE_NUMBER"), required=True)
    invoice_date = read.date("INVOICE_DATE", values.get("INVOICE_DATE"), required=True)
    invoice_total = read.number("INVOICE_TOTAL", values.get("INVOICE_TOTAL"), required=True)
    read.text("CLIENT_ID", values.get("CLIENT_ID"), required=True)
    read.text("LAW_FIRM_ID", values.get("LAW_FIRM_ID"), required=True)
    start = read.date("BILLING_START_DATE", values.get("BILLING_START_DATE"))
    end = read.date("BILLING_END_DATE", values.get("BILLING_END_DATE"))
    if start and end and start > end:
        read.error("BILLING_END_DATE", "the billing period ends before it starts")
    tax_total = read.number("INVOICE_TAX_TOTAL", values.get("INVOICE_TAX_TOTAL"))
    line_type = (values.get(TYPE_FIELD) or "").strip().upper()
    if line_type not in LINE_TYPES:
        read.error(TYPE_FIELD, f"{values.get(TYPE_FIELD)!r} is not one of {', '.join(LINE_TYPES)}")
    item = _read_line(read, values, line_type, format_name)
    if number is None or invoice_date is None or invoice_total is None or item is None:
        return
    invoice = invoices.get(number)
    if invoice is None:
        invoice = invoices[number] = _invoice(format_name, number, invoice_date, invoice_total, line, values,
                                              (start, end), tax_total)
        constants[number] = {name: values.get(name, "").strip() for name in INVOICE_CONSTANTS}
    else:
        for name, first in constants[number].items():
            if values.get(name, "").strip() != first:
                read.error(name, f"differs from this invoice's first line ({first!r})")
    if any(existing.number == item.number for existing in invoice.lines):
        read.error("LINE_ITEM_NUMBER", f"line item {item.number} appears twice in invoice {number}")
        return
    invoice.lines.append(item)


def _read_line(read: FieldReader, values: dict[str, str], line_type: str, format_name: str) -> LedesLine | None:
    is_charge = line_type in (FEE, EXPENSE)
    item_number = read.integer("LINE_ITEM_NUMBER", values.get("LINE_ITEM_NUMBER"), required=True)
    units = read.number("LINE_ITEM_NUMBER_OF_UNITS", values.get("LINE_ITEM_NUMBER_OF_UNITS"), required=is_charge)
    unit_cost = read.number("LINE_ITEM_UNIT_COST", values.get("LINE_ITEM_UNIT_COST"), required=is_charge)
    adjustment = read.number("LINE_ITEM_ADJUSTMENT_AMOUNT", values.get("LINE_ITEM_ADJUSTMENT_AMOUNT"))
    total = read.number("LINE_ITEM_TOTAL", values.get("LINE_ITEM_TOTAL"), required=True)
    item_date = read.date("LINE_ITEM_DATE", values.get("LINE_ITEM_DATE"), required=is_charge)
    timekeeper = read.text("TIMEKEEPER_ID", values.get("TIMEKEEPER_ID"), required=line_type == FEE)
    tax_rate = read.number("LINE_ITEM_TAX_RATE", values.get("LINE_ITEM_TAX_RATE"))
    tax_total = read.number("LINE_ITEM_TAX_TOTAL", values.get("LINE_ITEM_TAX_TOTAL"))
    if item_number is None or total is None or line_type not in LINE_TYPES:
        return None
    if is_charge and (units is None or unit_cost is None or item_date is None):
        return None
    name = (values.get("TIMEKEEPER_NAME") or "").strip() or _joined_name(values)
    return LedesLine(
        number=item_number, source_line=read.line, type=line_type, date=item_date, units=units, unit_cost=unit_cost,
        adjustment=adjustment or Decimal(0), total=total,
        description=(values.get("LINE_ITEM_DESCRIPTION") or "").strip(),
        task_code=_code(values.get("LINE_ITEM_TASK_CODE")), activity_code=_code(values.get("LINE_ITEM_ACTIVITY_CODE")),
        expense_code=_code(values.get("LINE_ITEM_EXPENSE_CODE")), timekeeper_id=timekeeper,
        timekeeper_name=name or None,
        timekeeper_classification=_code(values.get("TIMEKEEPER_CLASSIFICATION")),
        law_firm_matter_id=(values.get("LAW_FIRM_MATTER_ID") or "").strip() or None,
        client_matter_id=(values.get("CLIENT_MATTER_ID") or "").strip() or None,
        tax_rate=tax_rate, tax_total=(tax_total or Decimal(0)) if format_name == LEDES_1998BI else Decimal(0))


def _invoice(format_name: str, number: str, invoice_date: date, total: Decimal, line: int, values: dict[str, str],
             period: tuple[date | None, date | None], tax_total: Decimal | None) -> LedesInvoice:
    def text(name: str) -> str | None:
        return (values.get(name) or "").strip() or None

    return LedesInvoice(
        format=format_name, invoice_number=number, invoice_date=invoice_date, total=total, source_line=line,
        client_id=text("CLIENT_ID"), law_firm_id=text("LAW_FIRM_ID"), law_firm_name=text("LAW_FIRM_NAME"),
        law_firm_matter_id=text("LAW_FIRM_MATTER_ID"), client_matter_id=text("CLIENT_MATTER_ID"),
        matter_name=text("MATTER_NAME"), billing_start_date=period[0], billing_end_date=period[1],
        description=text("INVOICE_DESCRIPTION") or "", currency=(text("INVOICE_CURRENCY") or "").upper() or None,
        tax_total=tax_total)


def _joined_name(values: dict[str, str]) -> str:
    last = (values.get("TIMEKEEPER_LAST_NAME") or "").strip()
    first = (values.get("TIMEKEEPER_FIRST_NAME") or "").strip()
    return ", ".join(part for part in (last, first) if part)


def _code(value: str | None) -> str | None:
    return (value or "").strip().upper() or None
