"""POS transactions from a CSV export, for businesses whose POS system has no API we speak.

Columns (a header row; names in any order and case; ``,``, ``;`` or tab between them; UTF-8, a BOM is fine):

============== ======== ==========================================================================================
column         required meaning
============== ======== ==========================================================================================
external_id    yes      the sale's id in the POS system, unique within the file
amount         yes      the total paid, ``123.50`` (or ``123,50``); more than zero
occurred_at    yes      ISO 8601 (``2026-12-03 14:05`` or ``2026-12-03T14:05:00+01:00``); a time without an offset is
                        in the import's time zone (``Europe/Stockholm``, say)
store_ref      no       the store; empty means the import's store
currency       no       ISO 4217; empty means the import's currency
card           no       what the export shows of the card (masked number, last four digits); kept only as a
                        fingerprint
receipt_number no       the number on the receipt when it is not ``external_id``
============== ======== ==========================================================================================

A bad row is reported with its line number and reason and the other rows are kept; a file that is not such a CSV
is ``POS_CSV_INVALID`` and nothing is kept.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from paperclerk.core.errors import InvalidRequest, PaperclerkError
from paperclerk.feedback.minor_units import currency_code, parse_amount, to_minor
from paperclerk.feedback.pos.transaction import PosTransaction, check_window, fingerprint, in_window

REQUIRED = ("external_id", "amount", "occurred_at")
OPTIONAL = ("store_ref", "currency", "card", "receipt_number")
#: Rows per file at most; a larger export is split by period.
MAX_ROWS = 200_000


class CsvInvalid(InvalidRequest):
    code = "POS_CSV_INVALID"


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass(frozen=True)
class CsvImport:
    transactions: tuple[PosTransaction, ...]
    errors: tuple[RowError, ...]


def read_csv(content: str | bytes, *, store_ref: str = "", currency: str = "SEK",
             timezone: str = "UTC") -> CsvImport:
    """Every good row as a transaction and every bad one as an error."""
    zone = _zone(timezone)
    default_currency = currency_code(currency)
    text = _text(content)
    if "\x00" in text:
        raise CsvInvalid("The CSV holds NUL characters: it is not a text export.")
    reader = csv.DictReader(io.StringIO(text), dialect=_dialect(text))
    columns = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise CsvInvalid(f"The CSV has no column {', '.join(missing)} (it needs {', '.join(REQUIRED)}).",
                         details={"missing": missing, "columns": list(columns)})
    kept: list[PosTransaction] = []
    errors: list[RowError] = []
    ids: set[str] = set()
    try:
        for raw in reader:
            if reader.line_num > MAX_ROWS + 1:
                raise CsvInvalid(f"The CSV has more than {MAX_ROWS} rows; split it by period.")
            row = {name: (raw.get(original) or "").strip() for name, original in columns.items()}
            if not any(row.values()):
                continue
            try:
                transaction = _row(row, store_ref, default_currency, zone)
                if transaction.external_id in ids:
                    raise ValueError(f"external_id {transaction.external_id} appears twice")
            except (ValueError, PaperclerkError) as exc:
                errors.append(RowError(reader.line_num, getattr(exc, "message", None) or str(exc)))
                continue
            ids.add(transaction.external_id)
            kept.append(transaction)
    except csv.Error as exc:
        raise CsvInvalid(f"The CSV cannot be read at line {reader.line_num}: {exc}.") from None
    return CsvImport(tuple(kept), tuple(errors))


class CsvSource:
    """A CSV export read once; ``result.errors`` says which rows were left out and why."""

    name = "csv"

    def __init__(self, content: str | bytes, *, store_ref: str = "", currency: str = "SEK",
                 timezone: str = "UTC") -> None:
        self.result = read_csv(content, store_ref=store_ref, currency=currency, timezone=timezone)

    def transactions(self, since: datetime, until: datetime) -> Iterator[PosTransaction]:
        since, until = check_window(since, until)
        return (item for item in self.result.transactions if in_window(item, since, until))


def _row(row: dict[str, str], store_ref: str, currency: str, zone: ZoneInfo) -> PosTransaction:
    external_id = row["external_id"]
    if not external_id:
        raise ValueError("external_id is empty")
    store = row.get("store_ref") or store_ref
    if not store:
        raise ValueError("store_ref is empty and the import names no store")
    code = currency_code(row["currency"]) if row.get("currency") else currency
    amount = parse_amount(row["amount"])
    if amount <= 0:
        raise ValueError(f"amount {row['amount']} is not more than zero")
    to_minor(amount, code)  # refuses 12.345 SEK
    return PosTransaction(source="csv", external_id=external_id, store_ref=store, amount=amount, currency=code,
                          occurred_at=_moment(row["occurred_at"], zone),
                          card_fingerprint=fingerprint("csv", row.get("card")),
                          receipt_number=row.get("receipt_number") or None)


def _moment(text: str, zone: ZoneInfo) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"occurred_at {text!r} is not an ISO 8601 time (2026-12-03 14:05)") from None
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    local = moment.replace(tzinfo=zone)
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != moment:
        raise ValueError(f"occurred_at {text} does not exist in {zone.key} (the clocks were put forward)")
    return local.astimezone(UTC)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidRequest(f"{name!r} is not a time zone (Europe/Stockholm, say).",
                             code="POS_TIMEZONE_INVALID") from None


def _text(content: str | bytes) -> str:
    if isinstance(content, str):
        return content.removeprefix("\ufeff")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvInvalid("The CSV is not UTF-8 text.") from None


def _dialect(text: str) -> type[csv.Dialect]:
    header = text.split("\n", 1)[0]
    if not header.strip():
        raise CsvInvalid("The CSV is empty.")
    delimiter = max(",;\t", key=header.count)

    class Export(csv.excel):
        pass

    Export.delimiter = delimiter
    return Export
