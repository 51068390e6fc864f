"""The adjusted invoice, as the law firm and the payables system read it: LEDES 1998B with each line's adjustment
field carrying the reduction (so units x rate + adjustment = the approved line total, and the invoice total is the
approved total), and CSV."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from paperclerk.core.spreadsheets import formula_safe
from paperclerk.legal_billing.ledes.pipe import FIELDS_1998B
from paperclerk.legal_billing.models import LegalInvoice, LegalInvoiceLine
from paperclerk.legal_billing.rules import cents

CSV_COLUMNS = ("invoice_number", "line", "type", "date", "timekeeper_id", "timekeeper_name", "classification",
               "task_code", "activity_code", "expense_code", "units", "unit_cost", "billed", "proposed_adjustment",
               "decision", "approved", "reason", "description")


def approved_amount(line: LegalInvoiceLine) -> Decimal:
    """A person's decision, else the line as the rules propose it."""
    if line.decision is not None and line.approved_amount is not None:
        return cents(line.approved_amount)
    return cents(line.total + line.proposed_adjustment)


def _clean(value: object) -> str:
    """A value inside a LEDES field: no field separator, no record end, one line."""
    text = "" if value is None else str(value)
    return " ".join(text.replace("|", "/").replace("[]", "[ ]").split())


def _amount(value: Decimal | None) -> str:
    return "" if value is None else format(cents(value), "f")


def _units(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


#: Stands in for a value LEDES requires that a bill read from print did not state (a timekeeper's id).
NOT_STATED = "NOT-STATED"


def _unit_cost(line: LegalInvoiceLine) -> Decimal | None:
    """The line's rate; for a printed bill that states none, its total over its units."""
    if line.unit_cost is not None or line.units in (None, Decimal(0)):
        return line.unit_cost
    assert line.units is not None
    return (line.total / line.units).quantize(Decimal("0.0001"))


def ledes_1998b(invoice: LegalInvoice) -> str:
    """The adjusted invoice as LEDES 1998B. A bill read from print may lack fields LEDES requires: the client's id
    (the client matter, else the firm's matter stands in), the firm's tax id (its name), a line's date (the end of
    the billing period, else the invoice date), a rate (total over units) and a timekeeper's id (its name, else
    ``NOT-STATED``), so that the export always reads back."""
    total = sum((approved_amount(line) for line in invoice.lines), Decimal(0))
    records = ["LEDES1998B", "|".join(FIELDS_1998B)]
    header = invoice.header or {}
    client = header.get("client_id") or invoice.client_matter_id or invoice.firm_matter_id or NOT_STATED
    fallback_day = invoice.billing_end_date or invoice.invoice_date
    for line in invoice.lines:
        approved = approved_amount(line)
        adjustment = cents(line.adjustment + approved - line.total)
        values = {
            "INVOICE_DATE": invoice.invoice_date.strftime("%Y%m%d"), "INVOICE_NUMBER": invoice.invoice_number,
            "CLIENT_ID": client, "LAW_FIRM_MATTER_ID": line.law_firm_matter_id,
            "INVOICE_TOTAL": _amount(total),
            "BILLING_START_DATE": invoice.billing_start_date.strftime("%Y%m%d") if invoice.billing_start_date else "",
            "BILLING_END_DATE": invoice.billing_end_date.strftime("%Y%m%d") if invoice.billing_end_date else "",
            "INVOICE_DESCRIPTION": header.get("description"), "LINE_ITEM_NUMBER": line.number,
            "EXP/FEE/INV_ADJ_TYPE": line.type if line.type in ("F", "E", "IF", "IE") else "F",
            "LINE_ITEM_NUMBER_OF_UNITS": _units(line.units), "LINE_ITEM_ADJUSTMENT_AMOUNT": _amount(adjustment),
            "LINE_ITEM_TOTAL": _amount(approved), "LINE_ITEM_DATE": (line.date or fallback_day).strftime("%Y%m%d"),
            "LINE_ITEM_TASK_CODE": line.task_code, "LINE_ITEM_EXPENSE_CODE": line.expense_code,
            "LINE_ITEM_ACTIVITY_CODE": line.activity_code,
            "TIMEKEEPER_ID": line.timekeeper_id or line.timekeeper_name or (NOT_STATED if line.type == "F" else ""),
            "LINE_ITEM_DESCRIPTION": line.description,
            "LAW_FIRM_ID": invoice.law_firm_tax_id or invoice.law_firm_name or NOT_STATED,
            "LINE_ITEM_UNIT_COST": _units(_unit_cost(line)), "TIMEKEEPER_NAME": line.timekeeper_name,
            "TIMEKEEPER_CLASSIFICATION": line.timekeeper_classification, "CLIENT_MATTER_ID": line.client_matter_id,
        }
        records.append("|".join(_clean(values[name]) for name in FIELDS_1998B))
    return "".join(record + "[]\r\n" for record in records)


def csv_lines(invoices: list[LegalInvoice]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for invoice in invoices:
        for line in invoice.lines:
            writer.writerow([invoice.invoice_number, line.number, line.type, line.date or "", line.timekeeper_id or "",
                             line.timekeeper_name or "", line.timekeeper_classification or "", line.task_code or "",
                             line.activity_code or "", line.expense_code or "", _units(line.units),
                             _units(line.unit_cost), _amount(line.total), _amount(line.proposed_adjustment),
                             line.decision or "", _amount(approved_amount(line)), line.decision_reason or "",
                             formula_safe(line.description)])
    return buffer.getvalue()
