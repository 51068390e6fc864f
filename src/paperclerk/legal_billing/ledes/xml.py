"""LEDES XML Ebilling 2.0 and 2.1: ``firm`` → ``client`` → ``invoice`` → ``matter`` → ``fee`` / ``expense``.

XML from outside is parsed defensively (no document type declaration, no entities, no network). Field names of
both versions are accepted (``acca_task`` / ``task_code``, ``acca_activity`` / ``task_activity``, ``acca_expense`` /
``expense_code``). A line's adjustment is what its total adds to its base amount (discounts, credits, taxes), so
``units x rate`` that does not make the base amount is a finding, not hidden.
"""

from __future__ import annotations

import re
from decimal import Decimal

from lxml import etree

from paperclerk.legal_billing.ledes.model import (
    EXPENSE,
    FEE,
    MAX_ERRORS,
    LedesError,
    LedesInvoice,
    LedesLine,
    LedesMalformed,
)
from paperclerk.legal_billing.ledes.values import FieldReader

_ROOT = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?ledesxmlebilling(\d+(?:\.\d+)?)[\s>/]", re.IGNORECASE)
_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "huge_tree": False, "load_dtd": False,
                   "dtd_validation": False, "remove_comments": True, "remove_pis": True}
_ALIASES = {
    "task_code": ("task_code", "acca_task"),
    "activity_code": ("task_activity", "activity_code", "acca_activity"),
    "expense_code": ("expense_code", "acca_expense"),
    "law_firm_id": ("lf_tax_id", "lf_vendor_id", "lf_id"),
    "invoice_total": ("inv_total_net_due", "inv_total", "inv_total_due", "inv_net_total"),
}


def sniff_xml(text: str) -> str | None:
    """``LEDES XML 2.0`` / ``LEDES XML 2.1`` when the root element is a LEDES XML Ebilling one."""
    head = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>", "", text[:4096],
                  flags=re.DOTALL | re.IGNORECASE).lstrip("\ufeff \t\r\n")
    match = _ROOT.match(head)
    return f"LEDES XML {match.group(1)}" if match else None


def read_xml(data: bytes, format_name: str) -> list[LedesInvoice]:
    doctype = re.search(rb"<!DOCTYPE", data[:65536], re.IGNORECASE)
    if doctype:
        line = data[: doctype.start()].count(b"\n") + 1
        raise LedesMalformed(format_name, [LedesError(line, None, "a document type declaration is not allowed")])
    try:
        root = etree.fromstring(data, etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        raise LedesMalformed(format_name, [LedesError(line, None, f"not well-formed XML: {exc.msg}")]) from None
    errors: list[LedesError] = []
    invoices: list[LedesInvoice] = []
    firms = _children(root, "firm")
    if not firms:
        errors.append(LedesError(root.sourceline or 1, "firm", "the file has no firm segment"))
    for firm in firms:
        law_firm_id = _first(firm, _ALIASES["law_firm_id"])
        for client in _children(firm, "client"):
            for element in _children(client, "invoice"):
                invoice = _invoice(element, format_name, errors)
                if invoice is not None:
                    invoice.law_firm_id = law_firm_id
                    invoice.law_firm_name = _text(firm, "lf_name")
                    invoice.client_id = _text(client, "cl_id")
                    invoices.append(invoice)
    if not invoices and not errors:
        errors.append(LedesError(root.sourceline or 1, "invoice", "the file has no invoice"))
    if errors:
        raise LedesMalformed(format_name, errors[:MAX_ERRORS])
    return invoices


def _invoice(element: etree._Element, format_name: str, errors: list[LedesError]) -> LedesInvoice | None:
    read = FieldReader(element.sourceline or 1, errors)
    number = read.text("inv_id", _text(element, "inv_id"), required=True)
    invoice_date = read.date("inv_date", _text(element, "inv_date"), required=True, iso=True)
    total_name = next((name for name in _ALIASES["invoice_total"] if _child(element, name) is not None), None)
    total = _read_at(errors, element, total_name, required=True) if total_name else None
    start = read.date("inv_start_date", _text(element, "inv_start_date"), iso=True)
    end = read.date("inv_end_date", _text(element, "inv_end_date"), iso=True)
    tax_total = _read_at(errors, element, "inv_tax_total")
    matters = _children(element, "matter")
    if not matters:
        read.error("matter", "the invoice has no matter segment")
    lines: list[LedesLine] = []
    for matter in matters:
        for item in matter:
            if not isinstance(item.tag, str):
                continue
            tag = etree.QName(item).localname.lower()
            if tag in ("fee", "expense"):
                line = _line(item, FEE if tag == "fee" else EXPENSE, len(lines) + 1, errors)
                if line is not None:
                    line.law_firm_matter_id = _text(matter, "lf_matter_id")
                    line.client_matter_id = _text(matter, "cl_matter_id")
                    line.timekeeper_name, line.timekeeper_classification = _timekeeper(matter, line.timekeeper_id)
                    lines.append(line)
    if total_name is None:  # no invoice-level total: the lines' sum is the invoice's
        total = sum((line.total for line in lines), Decimal(0))
    if number is None or invoice_date is None or total is None:
        return None
    first_matter = matters[0] if matters else None
    return LedesInvoice(
        format=format_name, invoice_number=number, invoice_date=invoice_date, total=total,
        source_line=element.sourceline or 1,
        law_firm_matter_id=_text(first_matter, "lf_matter_id") if first_matter is not None else None,
        client_matter_id=_text(first_matter, "cl_matter_id") if first_matter is not None else None,
        matter_name=_text(first_matter, "matter_name") if first_matter is not None else None,
        billing_start_date=start, billing_end_date=end, description=_text(element, "inv_desc") or "",
        currency=(_text(element, "inv_currency") or "").upper() or None, tax_total=tax_total, lines=lines)


def _line(element: etree._Element, line_type: str, position: int, errors: list[LedesError]) -> LedesLine | None:
    read = FieldReader(element.sourceline or 1, errors)
    charge_date = read.date("charge_date", _text(element, "charge_date"), required=True, iso=True)
    units = _read_at(errors, element, "units", required=True)
    rate = _read_at(errors, element, "rate", required=True)
    base = _read_at(errors, element, "base_amount")
    total = _read_at(errors, element, "total_amount", required=True)
    timekeeper = read.text("tk_id", _text(element, "tk_id"), required=line_type == FEE)
    if charge_date is None or units is None or rate is None or total is None:
        return None
    adjustment = total - (base if base is not None else units * rate)
    return LedesLine(
        number=position, source_line=element.sourceline or 1, type=line_type, date=charge_date, units=units,
        unit_cost=rate, adjustment=adjustment, total=total, description=_text(element, "charge_desc") or "",
        task_code=_code(_first(element, _ALIASES["task_code"])),
        activity_code=_code(_first(element, _ALIASES["activity_code"])) if line_type == FEE else None,
        expense_code=_code(_first(element, _ALIASES["expense_code"])), timekeeper_id=timekeeper)


def _timekeeper(matter: etree._Element, timekeeper_id: str | None) -> tuple[str | None, str | None]:
    """The name and classification the matter's timekeeper summary gives ``timekeeper_id``."""
    if timekeeper_id is None:
        return None, None
    for summary in _children(matter, "tksum"):
        if _text(summary, "tk_id") == timekeeper_id:
            name = ", ".join(part for part in (_text(summary, "tk_lname"), _text(summary, "tk_fname")) if part)
            return name or None, _code(_text(summary, "tk_level"))
    return None, None


def _read_at(errors: list[LedesError], parent: etree._Element, name: str, *, required: bool = False
             ) -> Decimal | None:
    """A number child read with the error on the child's own line (the parent's when it is missing)."""
    child = _child(parent, name)
    line = (child.sourceline if child is not None else parent.sourceline) or 1
    return FieldReader(line, errors).number(name, _text(parent, name), required=required)


def _children(parent: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in parent if isinstance(child.tag, str) and etree.QName(child).localname.lower() == name]


def _child(parent: etree._Element, name: str) -> etree._Element | None:
    found = _children(parent, name)
    return found[0] if found else None


def _text(parent: etree._Element | None, name: str) -> str | None:
    if parent is None:
        return None
    child = _child(parent, name)
    value = (child.text or "").strip() if child is not None else ""
    return value or None


def _first(parent: etree._Element, names: tuple[str, ...]) -> str | None:
    return next((value for name in names if (value := _text(parent, name))), None)


def _code(value: str | None) -> str | None:
    return value.upper() if value else None
