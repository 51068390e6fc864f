"""Master data from CSV files: vendors, purchase-order lines, goods-receipt lines. A bad row is reported with its
row number and why; the good rows are kept; the invoices in review are re-checked once when anything changed."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from paperclerk.auth.principal import Principal
from paperclerk.core.errors import InvalidRequest, PaperclerkError
from paperclerk.invoices import validation
from paperclerk.invoices.identifiers import compact
from paperclerk.invoices.masterdata.service import (
    create_goods_receipt,
    create_purchase_order,
    create_vendor,
    snapshot,
    update_goods_receipt,
    update_purchase_order,
    update_vendor,
    vendor_named,
)
from paperclerk.invoices.models import (
    GoodsReceipt,
    PurchaseOrder,
    Vendor,
)

MAX_IMPORT_ROWS = 50_000
MAX_CSV_BYTES = 10 * 1024 * 1024


def csv_text(stream: IO[bytes]) -> str:
    """An uploaded CSV file as text: at most :data:`MAX_CSV_BYTES`, UTF-8 (a byte-order mark is dropped)."""
    data = stream.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        raise InvalidRequest(f"The CSV file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB.", code="CSV_TOO_LARGE")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidRequest("The CSV file is not UTF-8 text.", code="CSV_ENCODING") from None

_TRUE = {"1", "true", "yes", "y", "active"}
_FALSE = {"0", "false", "no", "n", "inactive"}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    #: (row number in the file, the header being row 1; why it was refused)
    rejected: list[tuple[int, str]] = field(default_factory=list)
    #: invoices in review re-checked after the import (none when nothing changed)
    revalidated: int = 0


def _rows(text: str, required: tuple[str, ...]) -> csv.DictReader[str]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        columns = [name.strip().lower() for name in reader.fieldnames or []]
    except csv.Error as exc:  # e.g. a header longer than the csv module's field limit
        raise InvalidRequest(f"The first row of the CSV file cannot be read ({exc}); it must name the columns.",
                             code="CSV_COLUMNS_MISSING", details={"missing": list(required), "found": []}) from None
    missing = [name for name in required if name not in columns]
    if missing:
        raise InvalidRequest(f"The CSV file lacks the column(s) {', '.join(missing)} (first row must name the "
                             f"columns).", code="CSV_COLUMNS_MISSING", details={"missing": missing,
                                                                               "found": columns})
    reader.fieldnames = columns
    return reader


def _cell(row: dict[str, Any], name: str) -> str:
    value = row.get(name)
    return value.strip() if isinstance(value, str) else ""


def _row_error(exc: Exception) -> str:
    if isinstance(exc, PaperclerkError):
        return exc.message
    return str(exc)


def _import_rows(session: Session, organization_id: str, text: str, columns: tuple[str, ...],
                 store: Callable[[dict[str, Any]], bool]) -> ImportReport:
    """Each CSV row given to ``store`` (True: it created something, False: it updated) in a savepoint of its
    own: a row that fails is rolled back and reported with its row number and why; the others are kept. The
    invoices in review are re-checked once at the end when anything changed."""
    report, rows, number = ImportReport(), _rows(text, columns), 1
    try:
        for number, row in enumerate(rows, start=2):
            if number - 1 > MAX_IMPORT_ROWS:
                report.rejected.append((number, f"more than {MAX_IMPORT_ROWS} rows; the rest was not read"))
                break
            try:
                with session.begin_nested():
                    created = store(row)
            except (PaperclerkError, ValueError, ArithmeticError) as exc:
                report.rejected.append((number, _row_error(exc)))
                continue
            if created:
                report.created += 1
            else:
                report.updated += 1
    except csv.Error as exc:  # e.g. a field longer than the csv module's limit
        report.rejected.append((number + 1, f"the CSV cannot be read from this row on ({exc})"))
    if report.created or report.updated:
        report.revalidated = validation.revalidate_open(session, organization_id)
    return report


def import_vendors(session: Session, organization_id: str, text: str, *, actor: Principal,
                   ip: str | None = None) -> ImportReport:
    """Vendors from CSV (``name`` required; ``tax_id``, ``iban``, ``bic``, ``country``, ``active`` optional):
    a vendor with the same name is updated. A bad row is reported with its row number; the others are kept."""
    def store(row: dict[str, Any]) -> bool:
        values = _vendor_values(row)
        existing = vendor_named(session, organization_id, values["name"])
        if existing is None:
            create_vendor(session, organization_id, values, actor=actor, ip=ip, revalidate=False)
            return True
        update_vendor(session, existing.id, organization_id, values, actor=actor, ip=ip, revalidate=False)
        return False

    return _import_rows(session, organization_id, text, ("name",), store)


def _vendor_values(row: dict[str, Any]) -> dict[str, Any]:
    name = _cell(row, "name")
    if not name:
        raise ValueError("the name is empty")
    if len(name) > 200:
        raise ValueError("the name is longer than 200 characters")
    values: dict[str, Any] = {"name": name}
    for column, limit in (("tax_id", 40), ("iban", 42), ("bic", 14)):
        cell = _cell(row, column)
        if len(cell) > limit:
            raise ValueError(f"{column} is longer than {limit} characters")
        if column in row:
            values[column] = cell or None
    country = _cell(row, "country")
    if country and not re.fullmatch(r"[A-Za-z]{2}", country):
        raise ValueError(f"country {country!r} is not a two-letter ISO code")
    if "country" in row:
        values["country"] = country or None
    active = _cell(row, "active").lower()
    if active:
        if active not in _TRUE | _FALSE:
            raise ValueError(f"active {active!r} is neither yes nor no")
        values["active"] = active in _TRUE
    return values


_PO_COLUMNS = ("po_number", "vendor", "currency", "line_number", "description", "quantity", "unit_price")


def import_purchase_orders(session: Session, organization_id: str, text: str, *, actor: Principal,
                           ip: str | None = None) -> ImportReport:
    """Purchase-order lines from CSV, one line a row (``po_number``, ``vendor`` (name or tax ID), ``currency``,
    ``order_date`` optional, ``line_number``, ``description``, ``quantity``, ``unit_price``). An order is created
    on its first row; a line with an existing number is updated. Bad rows are reported, good rows kept."""
    return _import_rows(session, organization_id, text, _PO_COLUMNS,
                        lambda row: _import_order_row(session, organization_id, row, actor=actor, ip=ip))


def _decimal(row: dict[str, Any], name: str, *, positive: bool) -> Decimal:
    cell = _cell(row, name)
    if not re.fullmatch(r"-?\d{1,14}(?:\.\d{1,6})?", cell):
        raise ValueError(f"{name} {cell!r} is not a plain decimal number (e.g. 12.50)")
    value = Decimal(cell)
    if positive and value <= 0:
        raise ValueError(f"{name} must be more than 0")
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


def _line_number(row: dict[str, Any]) -> int:
    cell = _cell(row, "line_number")
    if not re.fullmatch(r"\d{1,6}", cell) or int(cell) < 1:
        raise ValueError(f"line_number {cell!r} is not a whole number from 1")
    return int(cell)


def _iso_date(row: dict[str, Any], name: str) -> date | None:
    cell = _cell(row, name)
    if not cell:
        return None
    try:
        return date.fromisoformat(cell)
    except ValueError:
        raise ValueError(f"{name} {cell!r} is not an ISO date (2024-03-14)") from None


def _import_order_row(session: Session, organization_id: str, row: dict[str, Any], *, actor: Principal,
                      ip: str | None) -> bool:
    """Store one CSV row; True when it created a new order."""
    po_number, vendor_ref, currency = _cell(row, "po_number"), _cell(row, "vendor"), _cell(row, "currency").upper()
    if not po_number or len(po_number) > 60:
        raise ValueError("po_number is empty or longer than 60 characters")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ValueError(f"currency {currency!r} is not a three-letter ISO 4217 code")
    vendor = session.scalars(select(Vendor).where(Vendor.organization_id == organization_id, or_(
        func.lower(Vendor.name) == vendor_ref.lower(), Vendor.tax_id == (compact(vendor_ref) or None)))).first()
    if vendor is None:
        raise ValueError(f"no vendor {vendor_ref!r} (import the vendors first)")
    description = _cell(row, "description")
    if not description or len(description) > 500:
        raise ValueError("description is empty or longer than 500 characters")
    line = {"line_number": _line_number(row), "description": description,
            "quantity": _decimal(row, "quantity", positive=True), "unit_price": _decimal(row, "unit_price",
                                                                                        positive=False)}
    order_date = _iso_date(row, "order_date")
    order = session.scalars(select(PurchaseOrder).options(selectinload(PurchaseOrder.lines)).where(
        PurchaseOrder.organization_id == organization_id, PurchaseOrder.number == po_number)).first()
    if order is None:
        create_purchase_order(session, organization_id, {"number": po_number, "vendor_id": vendor.id,
                                                         "currency": currency, "order_date": order_date,
                                                         "lines": [line]}, actor=actor, ip=ip, revalidate=False)
        return True
    if order.vendor_id != vendor.id or order.currency != currency:
        raise ValueError(f"purchase order {po_number} already exists with another vendor or currency")
    lines = [snapshot(item, "line_number", "description", "quantity", "unit_price") for item in order.lines
             if item.line_number != line["line_number"]]
    update_purchase_order(session, order.id, organization_id,
                          {"lines": sorted([*lines, line], key=lambda item: item["line_number"])}, actor=actor, ip=ip,
                          revalidate=False)
    return False


_RECEIPT_COLUMNS = ("receipt_number", "po_number", "received_on", "line_number", "quantity")


def import_goods_receipts(session: Session, organization_id: str, text: str, *, actor: Principal,
                          ip: str | None = None) -> ImportReport:
    """Goods received from CSV, one received purchase-order line a row (``receipt_number``, ``po_number``,
    ``received_on`` (ISO date), ``line_number`` (the PO's), ``quantity``). A receipt is created on its first row;
    later rows add lines or replace the line with their number, and their date becomes the receipt's. A row naming
    an unknown order or an order line that does not exist, a bad date or a quantity not above 0 is reported; the
    other rows are kept."""
    return _import_rows(session, organization_id, text, _RECEIPT_COLUMNS,
                        lambda row: _import_receipt_row(session, organization_id, row, actor=actor, ip=ip))


def _import_receipt_row(session: Session, organization_id: str, row: dict[str, Any], *, actor: Principal,
                        ip: str | None) -> bool:
    """Store one CSV row; True when it created a new goods receipt."""
    number, po_number = _cell(row, "receipt_number"), _cell(row, "po_number")
    if not number or len(number) > 60:
        raise ValueError("receipt_number is empty or longer than 60 characters")
    received_on = _iso_date(row, "received_on")
    if received_on is None:
        raise ValueError("received_on is empty")
    line = {"line_number": _line_number(row), "quantity": _decimal(row, "quantity", positive=True)}
    order = session.scalars(select(PurchaseOrder).where(PurchaseOrder.organization_id == organization_id,
                                                        PurchaseOrder.number == po_number)).first()
    if order is None:
        raise ValueError(f"no purchase order {po_number!r} (import the purchase orders first)")
    receipt = session.scalars(select(GoodsReceipt).options(selectinload(GoodsReceipt.lines)).where(
        GoodsReceipt.organization_id == organization_id, GoodsReceipt.number == number)).first()
    if receipt is None:
        create_goods_receipt(session, organization_id, {"number": number, "purchase_order_id": order.id,
                                                        "received_on": received_on, "lines": [line]},
                             actor=actor, ip=ip, revalidate=False)
        return True
    if receipt.purchase_order_id != order.id:
        raise ValueError(f"goods receipt {number} already exists for another purchase order")
    lines = [{"line_number": item.line_number, "quantity": item.quantity} for item in receipt.lines
             if item.line_number != line["line_number"]]
    update_goods_receipt(session, receipt.id, organization_id,
                         {"received_on": received_on,
                          "lines": sorted([*lines, line], key=lambda item: item["line_number"])}, actor=actor, ip=ip,
                         revalidate=False)
    return False
