"""Master data the rules check law-firm invoices against: law firms (by tax id), matters (budget, dates, the
in-house lawyer responsible) and timekeepers (classification, bar admission, approved rates with effective dates).
Added one by one (API, pages) or imported from CSV, where every bad row is listed with its number and reason and
the good rows are kept. Every change is audited; open invoices are re-reviewed by the caller."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from paperclerk.core.audit import Actor, record_audit
from paperclerk.core.errors import Conflict, InvalidRequest, NotFound
from paperclerk.legal_billing.models import LawFirm, Matter, Timekeeper, TimekeeperRate

#: Largest CSV accepted (master data of a large legal department is a few thousand rows).
MAX_CSV_BYTES = 10 * 1024 * 1024
_CLASSIFICATION = re.compile(r"^[A-Z]{2,10}$")


@dataclass
class ImportOutcome:
    created: int = 0
    updated: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)


def csv_text(stream: IO[bytes]) -> str:
    data = stream.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        raise InvalidRequest(f"The CSV file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB.", code="CSV_TOO_LARGE")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


class RowError(ValueError):
    pass


def _text(row: dict[str, str | None], name: str, *, required: bool = False, limit: int = 200) -> str | None:
    value = (row.get(name) or "").strip()
    if not value:
        if required:
            raise RowError(f"{name} is required")
        return None
    if len(value) > limit:
        raise RowError(f"{name} is longer than {limit} characters")
    return value


def _decimal(row: dict[str, str | None], name: str) -> Decimal | None:
    value = _text(row, name)
    if value is None:
        return None
    try:
        amount = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise RowError(f"{name} {value!r} is not a number") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e14"):
        raise RowError(f"{name} {value!r} must be a positive amount")
    return amount


def _date(row: dict[str, str | None], name: str) -> date | None:
    value = _text(row, name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RowError(f"{name} {value!r} is not a date (YYYY-MM-DD)") from None


def _bool(row: dict[str, str | None], name: str, default: bool) -> bool:
    value = (_text(row, name) or "").lower()
    if not value:
        return default
    if value in ("true", "yes", "1", "y"):
        return True
    if value in ("false", "no", "0", "n"):
        return False
    raise RowError(f"{name} {value!r} is not yes or no")


def _classification(value: str | None) -> str | None:
    if value is None:
        return None
    if not _CLASSIFICATION.match(value.upper()):
        raise RowError(f"classification {value!r} is not a LEDES classification such as PARTNR, ASSOC or PARLGL")
    return value.upper()


# --- one at a time ---------------------------------------------------------------------------------------------

def list_firms(session: Session, organization_id: str) -> Sequence[LawFirm]:
    return session.scalars(select(LawFirm).where(LawFirm.organization_id == organization_id)
                           .order_by(LawFirm.name)).all()


def firm_by_tax_id(session: Session, organization_id: str, tax_id: str) -> LawFirm | None:
    return session.scalar(select(LawFirm).where(LawFirm.organization_id == organization_id, LawFirm.tax_id == tax_id))


def create_firm(session: Session, organization_id: str, values: dict[str, Any], *, actor: Actor,
                ip: str | None = None) -> LawFirm:
    if firm_by_tax_id(session, organization_id, values["tax_id"]) is not None:
        raise Conflict(f"A law firm with tax id {values['tax_id']} exists.", code="LAW_FIRM_EXISTS")
    firm = LawFirm(organization_id=organization_id, name=values["name"], tax_id=values["tax_id"])
    session.add(firm)
    session.flush()
    record_audit(session, actor, "legal_law_firm.create", ("legal_law_firm", firm.id), after=values, ip=ip,
                 organization_id=organization_id)
    return firm


def list_matters(session: Session, organization_id: str) -> Sequence[Matter]:
    return session.scalars(select(Matter).where(Matter.organization_id == organization_id)
                           .order_by(Matter.client_matter_id)).all()


def get_matter(session: Session, organization_id: str, matter_id: str) -> Matter:
    matter = session.scalar(select(Matter).where(Matter.organization_id == organization_id, Matter.id == matter_id))
    if matter is None:
        raise NotFound("No such matter.", details={"matter_id": matter_id})
    return matter


def save_matter(session: Session, organization_id: str, values: dict[str, Any], *, actor: Actor,
                ip: str | None = None) -> tuple[Matter, bool]:
    """Create the matter or update the one with the same client matter id; (matter, created)."""
    firm_id = None
    if values.get("law_firm_tax_id"):
        firm = firm_by_tax_id(session, organization_id, values["law_firm_tax_id"])
        if firm is None:
            raise InvalidRequest(f"No law firm has tax id {values['law_firm_tax_id']}.", code="UNKNOWN_LAW_FIRM")
        firm_id = firm.id
    if values.get("open_date") and values.get("close_date") and values["close_date"] < values["open_date"]:
        raise InvalidRequest("A matter closes after it opens.", code="INVALID_DATES")
    matter = session.scalar(select(Matter).where(Matter.organization_id == organization_id,
                                                 Matter.client_matter_id == values["client_matter_id"]))
    created = matter is None
    before = None if matter is None else _matter_state(matter)
    if matter is None:
        matter = Matter(organization_id=organization_id, client_matter_id=values["client_matter_id"])
        session.add(matter)
    for name in ("firm_matter_id", "name", "budget", "open_date", "close_date", "responsible_lawyer"):
        setattr(matter, name, values.get(name))
    matter.law_firm_id = firm_id
    session.flush()
    action = "legal_matter.create" if created else "legal_matter.update"
    record_audit(session, actor, action, ("legal_matter", matter.id), before=before, after=_matter_state(matter),
                 ip=ip, organization_id=organization_id)
    return matter, created


def _matter_state(matter: Matter) -> dict[str, Any]:
    return {"client_matter_id": matter.client_matter_id, "firm_matter_id": matter.firm_matter_id, "name": matter.name,
            "budget": None if matter.budget is None else str(matter.budget),
            "open_date": matter.open_date.isoformat() if matter.open_date else None,
            "close_date": matter.close_date.isoformat() if matter.close_date else None,
            "responsible_lawyer": matter.responsible_lawyer}


def list_timekeepers(session: Session, organization_id: str) -> Sequence[Timekeeper]:
    return session.scalars(select(Timekeeper).options(selectinload(Timekeeper.rates))
                           .where(Timekeeper.organization_id == organization_id)
                           .order_by(Timekeeper.name)).all()


def save_timekeeper(session: Session, organization_id: str, values: dict[str, Any], *, actor: Actor,
                    ip: str | None = None) -> tuple[Timekeeper, bool]:
    """Create or update a firm's timekeeper (by the firm's timekeeper id); a rate given is added as an approved
    rate in force from ``rate_from`` to ``rate_to`` (for ``client_matter_id`` when given)."""
    firm = firm_by_tax_id(session, organization_id, values["law_firm_tax_id"])
    if firm is None:
        raise InvalidRequest(f"No law firm has tax id {values['law_firm_tax_id']}.", code="UNKNOWN_LAW_FIRM")
    keeper = session.scalar(select(Timekeeper).options(selectinload(Timekeeper.rates))
                            .where(Timekeeper.organization_id == organization_id, Timekeeper.law_firm_id == firm.id,
                                   Timekeeper.timekeeper_id == values["timekeeper_id"]))
    created = keeper is None
    before = None if keeper is None else _keeper_state(keeper)
    if keeper is None:
        keeper = Timekeeper(organization_id=organization_id, law_firm_id=firm.id,
                            timekeeper_id=values["timekeeper_id"], name=values["name"])
        session.add(keeper)
    keeper.name = values["name"]
    keeper.classification = values.get("classification")
    keeper.bar_number = values.get("bar_number")
    keeper.bar_jurisdiction = values.get("bar_jurisdiction")
    keeper.approved = values.get("approved", True)
    if values.get("rate") is not None:
        matter_id = None
        if values.get("client_matter_id"):
            matter = session.scalar(select(Matter).where(Matter.organization_id == organization_id,
                                                         Matter.client_matter_id == values["client_matter_id"]))
            if matter is None:
                raise InvalidRequest(f"No matter {values['client_matter_id']}.", code="UNKNOWN_MATTER")
            matter_id = matter.id
        keeper.rates.append(TimekeeperRate(organization_id=organization_id, matter_id=matter_id, rate=values["rate"],
                                           effective_from=values.get("rate_from"),
                                           effective_to=values.get("rate_to")))
    session.flush()
    record_audit(session, actor, "legal_timekeeper.create" if created else "legal_timekeeper.update",
                 ("legal_timekeeper", keeper.id), before=before, after=_keeper_state(keeper), ip=ip,
                 organization_id=organization_id)
    return keeper, created


def _keeper_state(keeper: Timekeeper) -> dict[str, Any]:
    return {"timekeeper_id": keeper.timekeeper_id, "name": keeper.name, "classification": keeper.classification,
            "bar_number": keeper.bar_number, "bar_jurisdiction": keeper.bar_jurisdiction, "approved": keeper.approved,
            "rates": [{"rate": str(rate.rate), "from": str(rate.effective_from or ""),
                       "to": str(rate.effective_to or "")} for rate in keeper.rates]}


# --- CSV imports -----------------------------------------------------------------------------------------------

def _firm_row(row: dict[str, str | None]) -> dict[str, Any]:
    return {"name": _text(row, "name", required=True), "tax_id": _text(row, "tax_id", required=True, limit=60)}


def _matter_row(row: dict[str, str | None]) -> dict[str, Any]:
    return {"client_matter_id": _text(row, "client_matter_id", required=True, limit=60),
            "firm_matter_id": _text(row, "firm_matter_id", limit=60),
            "law_firm_tax_id": _text(row, "law_firm_tax_id", limit=60), "name": _text(row, "name", limit=255),
            "budget": _decimal(row, "budget"), "open_date": _date(row, "open_date"),
            "close_date": _date(row, "close_date"), "responsible_lawyer": _text(row, "responsible_lawyer")}


def _timekeeper_row(row: dict[str, str | None]) -> dict[str, Any]:
    return {"law_firm_tax_id": _text(row, "law_firm_tax_id", required=True, limit=60),
            "timekeeper_id": _text(row, "timekeeper_id", required=True, limit=60),
            "name": _text(row, "name", required=True), "classification": _classification(_text(row, "classification")),
            "bar_number": _text(row, "bar_number", limit=40),
            "bar_jurisdiction": _text(row, "bar_jurisdiction", limit=60),
            "approved": _bool(row, "approved", True), "rate": _decimal(row, "rate"),
            "rate_from": _date(row, "rate_from"), "rate_to": _date(row, "rate_to"),
            "client_matter_id": _text(row, "client_matter_id", limit=60)}


KINDS: dict[str, tuple[tuple[str, ...], Callable[[dict[str, str | None]], dict[str, Any]]]] = {
    "firms": (("name", "tax_id"), _firm_row),
    "matters": (("client_matter_id",), _matter_row),
    "timekeepers": (("law_firm_tax_id", "timekeeper_id", "name"), _timekeeper_row),
}


def import_csv(session: Session, organization_id: str, kind: str, text: str, *, actor: Actor,
               ip: str | None = None) -> ImportOutcome:
    """Import law firms, matters or timekeepers; a row that cannot be read is listed (row 2 is the first after the
    header) and the others are saved, each in a savepoint."""
    if kind not in KINDS:
        raise InvalidRequest(f"Import firms, matters or timekeepers, not {kind!r}.", code="UNKNOWN_IMPORT")
    required, read_row = KINDS[kind]
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [name.strip() for name in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise InvalidRequest(f"The CSV header cannot be read: {exc}.", code="CSV_INVALID") from None
    missing = [name for name in required if name not in header]
    if missing:
        raise InvalidRequest(f"The CSV header lacks {', '.join(missing)}.", code="CSV_MISSING_COLUMNS",
                             details={"missing": missing})
    reader.fieldnames = header
    outcome = ImportOutcome()
    number = 1
    try:
        for number, row in enumerate(reader, 2):
            try:
                values = read_row(row)
                with session.begin_nested():
                    created = _save(session, organization_id, kind, values, actor, ip)
            except (RowError, InvalidRequest, Conflict) as exc:
                outcome.problems.append({"row": number, "message": str(exc)})
                continue
            if created:
                outcome.created += 1
            else:
                outcome.updated += 1
    except csv.Error as exc:
        outcome.problems.append({"row": number + 1, "message": f"unreadable CSV: {exc}"})
    return outcome


def _save(session: Session, organization_id: str, kind: str, values: dict[str, Any], actor: Actor,
          ip: str | None) -> bool:
    if kind == "firms":
        existing = firm_by_tax_id(session, organization_id, values["tax_id"])
        if existing is not None:
            before = {"name": existing.name, "tax_id": existing.tax_id}
            existing.name = values["name"]
            record_audit(session, actor, "legal_law_firm.update", ("legal_law_firm", existing.id), before=before,
                         after=values, ip=ip, organization_id=organization_id)
            return False
        create_firm(session, organization_id, values, actor=actor, ip=ip)
        return True
    if kind == "matters":
        return save_matter(session, organization_id, values, actor=actor, ip=ip)[1]
    return save_timekeeper(session, organization_id, values, actor=actor, ip=ip)[1]
