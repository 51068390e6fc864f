"""Law-firm bills printed as PDF (or scanned): the header (firm, invoice number and date, matter, billing period,
total) and the time entries and expenses, read into the same ``LedesInvoice`` a LEDES file gives, so that the same
rules review them.

The header comes from the invoice line's layout reader (``invoices.layout``); the time entries and expenses are
tables read by its table parser (``invoices.layout.table``) with the schemas below: a time entry is a date, maybe a
timekeeper and UTBMS codes, a description, hours, maybe a rate and an amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from paperclerk.config import get_settings
from paperclerk.extraction import sandbox
from paperclerk.extraction.base import ExtractedPage, Extraction, Limits
from paperclerk.extraction.sniff import detect_media_type
from paperclerk.invoices.dates import Order, find_dates, infer_order, parse_date
from paperclerk.invoices.layout import extract_layout
from paperclerk.invoices.layout.geometry import SAME_ROW_OVERLAP, Line, page_lines
from paperclerk.invoices.layout.table import TableRow, TableSchema, header_columns, read_rows
from paperclerk.invoices.numbers import decimal_separator_hint
from paperclerk.legal_billing.ledes import read_ledes, sniff_ledes
from paperclerk.legal_billing.ledes.model import EXPENSE, FEE, LedesInvoice, LedesLine
from paperclerk.legal_billing.ledes.read import MAX_LEDES_BYTES

#: The format name a bill read from print carries (``LedesInvoice.format``).
PRINTED = "PDF"
_DATE_CELL = (r"\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{2,4}|\d{1,2}-[A-Za-z]{3}-\d{2,4}|"
              r"[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]{2,8}\.? \d{4}")
#: A timekeeper in a row: initials ("JDS", "J.D.S."), an initial and a surname ("J. Smith"), a first name and a
#: surname ("Jane Smith", "Smith, J.").
_TIMEKEEPER_CELL = (r"[A-Z]{2,4}|(?:[A-Z]\.){2,4}|[A-Z]\.\s?[A-Z][a-z]+(?:-[A-Z][a-z]+)?|[A-Z][a-z]+ [A-Z][a-z]+|"
                    r"[A-Z][a-z]+, [A-Z]\.?")
_COLUMNS = {
    "date": r"date|work\s*date|service\s*date|entry\s*date",
    "timekeeper": r"timekeeper|tkpr|attorney|atty|lawyer|staff|initials|professional|biller|name",
    "task_code": r"task(?:\s*code)?|utbms(?:\s*code)?|phase",
    "activity_code": r"activity(?:\s*code)?|act(?:ivity)?\.",
    "description": r"description(?:\s*of\s*services)?|services?(?:\s*rendered)?|narrative|work\s*performed|details?|"
                   r"task\s*description",
    "hours": r"hours|hrs\.?|time|qty|quantity|units",
    "rate": r"(?:hourly\s*)?rate|price",
    "amount": r"amount|fees?|total|value|charges?",
}
_WORDS = {"date": _DATE_CELL, "timekeeper": _TIMEKEEPER_CELL, "task_code": r"[LPBCEA]\d{3}",
          "activity_code": r"A\d{3}"}
TIME_ENTRIES = TableSchema(
    columns=_COLUMNS, text_column="description", required=frozenset({"date", "description", "hours"}),
    optional=frozenset({"timekeeper", "task_code", "activity_code", "rate", "amount"}),
    product=("hours", "rate", "amount"), words=_WORDS)
EXPENSES = TableSchema(
    columns={"date": _COLUMNS["date"], "code": r"code|expense\s*code", "description": _COLUMNS["description"] +
             r"|expenses?|disbursements?|costs?", "quantity": r"qty|quantity|units|pages", "unit_price":
             r"unit\s*(?:price|cost)|rate|price", "amount": r"amount|total|charges?"},
    text_column="description", required=frozenset({"description", "amount"}), min_columns=2,
    optional=frozenset({"date", "code", "quantity", "unit_price"}), product=("quantity", "unit_price", "amount"),
    words={"date": _DATE_CELL, "code": r"E\d{3}"})
_ENDS_TABLE = re.compile(r"^\s*(?:sub-?total|total|balance|amount\s+due|fees?\s+total|grand\s+total|"
                         r"timekeeper\s+summary|summary|expenses|disbursements|costs)\b", re.IGNORECASE)
_LABELLED = re.compile(r"^\s*[A-Za-z][A-Za-z .#/]{1,30}:\s")
_MATTER = re.compile(r"(?:client\s+)?matter(?:\s*(?:no\.?|number|#|id))?\s*[:#]\s*(?P<value>[^\n]{1,80})",
                     re.IGNORECASE)
_PERIOD = re.compile(r"(?:billing\s+period|period|services?\s+(?:rendered\s+)?)(?:\s*:)?\s*(?:from\s+)?"
                     r"(?P<rest>[^\n]{0,80})", re.IGNORECASE)
_MATTER_ID = re.compile(r"[A-Z0-9][A-Z0-9./-]{2,}")


@dataclass
class _Section:
    """Where the reader stands: fee or expense lines next, and the order dates are written in."""

    order: Order
    hint: str | None


def read_bill_file(path: Path) -> list[LedesInvoice]:
    """The invoices in a file without a server (``paperclerk legal review``): LEDES when its content is LEDES, else
    a printed bill read in the sandbox like any upload. Raises ``LedesMalformed`` for broken LEDES, ``ExtractionError``
    / ``FileRejected`` for a file that cannot be read, ``ValueError`` for one that holds no time entries."""
    with path.open("rb") as handle:
        head = handle.read(MAX_LEDES_BYTES + 1)
    if sniff_ledes(head) is not None:
        return read_ledes(head)
    settings = get_settings()
    extraction = sandbox.extract(path, detect_media_type(path), allow_ocr=True, limits=Limits.from_settings(settings),
                                 settings=settings)
    bill = read_printed_bill(extraction)
    if bill is None:
        raise ValueError("neither a LEDES file nor a bill with a table of time entries (date, description, hours)")
    return [bill]


def read_printed_bill(extraction: Extraction) -> LedesInvoice | None:
    """The bill printed in ``extraction``, or None when it holds no time-entry table (then it is no law-firm
    bill this reader knows)."""
    text = extraction.text
    section = _Section(infer_order(text, default="MDY"), decimal_separator_hint(text))
    lines: list[LedesLine] = []
    offset = 0
    for page in extraction.pages:
        rows = visual_rows(page)
        lines += _table_lines(rows, offset, section, len(lines))
        offset += len(rows) + 1
    if not any(line.is_fee for line in lines):
        return None
    header = extract_layout(extraction)
    invoice_date = header.value("invoice_date") or max((line.date for line in lines if line.date), default=None)
    if invoice_date is None:
        return None
    start, end = _period(text, section.order)
    matter = _matter(text)
    lines_total = sum((line.total for line in lines), Decimal(0))
    total = header.value("total") or header.value("amount_due") or lines_total
    for line in lines:
        line.law_firm_matter_id = matter
    return LedesInvoice(
        format=PRINTED, invoice_number=str(header.value("invoice_number") or f"{invoice_date:%Y%m%d}"),
        invoice_date=invoice_date, total=total, source_line=1, law_firm_id=header.value("vendor_tax_id"),
        law_firm_name=header.value("vendor_name"),
        law_firm_matter_id=matter, billing_start_date=start, billing_end_date=end,
        currency=header.value("currency"), lines=lines)


def visual_rows(page: ExtractedPage) -> list[str]:
    """The page's text as it stands on the page, one string per row, left to right: a PDF writes a wrapped
    description's lines before the hours and amount printed beside its first line, so text lines that stand on one
    row are joined again (a page without positions keeps its lines)."""
    rows: list[list[Line]] = []
    for line in page_lines(page):
        if not line.text:
            rows.append([])
            continue
        row = next((row for row in reversed(rows[-8:]) if row and _same_row(row[0], line)), None)
        if row is None:
            rows.append([line])
        else:
            row.append(line)
    return [" ".join(line.text for line in sorted(row, key=lambda item: item.bbox[0] if item.bbox else 0))
            for row in rows]


def _same_row(first: Line, other: Line) -> bool:
    if first.bbox is None or other.bbox is None:
        return False
    overlap = min(first.bbox[3], other.bbox[3]) - max(first.bbox[1], other.bbox[1])
    height = min(first.bbox[3] - first.bbox[1], other.bbox[3] - other.bbox[1])
    return height > 0 and overlap >= SAME_ROW_OVERLAP * height


def _table_lines(texts: list[str], offset: int, section: _Section, numbered: int) -> list[LedesLine]:
    """The fee and expense lines of one page's tables."""
    found: list[LedesLine] = []
    for index, text in enumerate(texts):
        for schema, kind in ((TIME_ENTRIES, FEE), (EXPENSES, EXPENSE)):
            columns = header_columns(text, schema)
            if columns is None:
                continue
            rows = read_rows(texts, index, columns, schema, section.hint,
                             ends_table=lambda below: bool(_ENDS_TABLE.match(texts[below])),
                             is_labelled=lambda below: bool(_LABELLED.match(texts[below])))
            for row in rows:
                found.append(_line(row, kind, numbered + len(found) + 1, offset + row.lines[0] + 1, section))
            break
    return found


def _line(row: TableRow, kind: str, number: int, source_line: int, section: _Section) -> LedesLine:
    values, words = row.values, row.words
    units = values.get("hours") if kind == FEE else values.get("quantity")
    cost = values.get("rate") if kind == FEE else values.get("unit_price")
    total = values.get("amount")
    if total is None:
        total = units * cost if units is not None and cost is not None else Decimal(0)
    if kind == EXPENSE and units is None:
        units, cost = Decimal(1), total
    keeper = words.get("timekeeper")
    return LedesLine(
        number=number, source_line=source_line, type=kind,
        date=parse_date(words["date"], order=section.order) if "date" in words else None,
        units=units, unit_cost=cost, adjustment=Decimal(0), total=total, description=row.text,
        task_code=words.get("task_code"), activity_code=words.get("activity_code"),
        expense_code=words.get("code"), timekeeper_id=keeper, timekeeper_name=keeper)


def _matter(text: str) -> str | None:
    """The matter number a bill names ("Matter No.: 4410-002", "Matter: Acme v. Widget (No. 4410)")."""
    match = _MATTER.search(text)
    if match is None:
        return None
    value = match.group("value").strip()
    numbered = [token for token in _MATTER_ID.findall(value) if any(char.isdigit() for char in token)]
    return (numbered[0] if numbered else value)[:60]


def _period(text: str, order: Order) -> tuple[date | None, date | None]:
    """The billing period: "Billing period: 02/01/2024 - 02/29/2024", "services rendered through 2/29/2024"."""
    for match in _PERIOD.finditer(text):
        dates = [found.value for found in find_dates(match.group("rest"), order=order)]
        if len(dates) >= 2:
            return dates[0], dates[1]
        if len(dates) == 1 and re.search(r"\b(?:through|thru|to|until|ending)\b", match.group("rest"), re.I):
            return None, dates[0]
    return None, None
