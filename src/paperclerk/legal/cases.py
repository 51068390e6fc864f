"""Cases (matters): created and changed one by one (API, pages) or imported from CSV, where every bad row is listed
with its number and reason and the good rows are kept. Every change is audited; the caller owns the transaction."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from paperclerk.core.audit import Actor, record_audit
from paperclerk.core.errors import Conflict, InvalidRequest, NotFound
from paperclerk.legal.models import Case, CaseParty, CaseStatus

#: Largest CSV accepted (a legal department's whole docket is a few thousand rows).
MAX_CSV_BYTES = 5 * 1024 * 1024
MAX_PARTIES = 50
#: ``Acme Corp (plaintiff)``: a party and its role in a CSV cell.
_PARTY = re.compile(r"^(?P<name>[^()]+?)\s*(?:\((?P<role>[^()]+)\))?$")
FIELDS = ("number", "title", "court", "jurisdiction", "status", "opened_on", "closed_on", "responsible",
          "description")


@dataclass(frozen=True)
class PartyValue:
    name: str
    role: str | None = None


@dataclass
class CaseValues:
    """What a person or a CSV row says about a case (``None``: leave as it is, on an update)."""

    number: str
    title: str | None = None
    court: str | None = None
    jurisdiction: str | None = None
    status: CaseStatus | None = None
    opened_on: date | None = None
    closed_on: date | None = None
    responsible: list[str] | None = None
    description: str | None = None
    parties: list[PartyValue] | None = None


@dataclass
class ImportOutcome:
    created: int = 0
    updated: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)


class RowError(ValueError):
    pass


def list_cases(session: Session, organization_id: str, *, status: str | None = None, text: str | None = None,
               limit: int = 50, offset: int = 0) -> tuple[Sequence[Case], int]:
    conditions = [Case.organization_id == organization_id]
    if status:
        conditions.append(Case.status == status)
    if text:
        pattern = f"%{text.lower()}%"
        conditions.append(or_(func.lower(Case.number).like(pattern), func.lower(Case.title).like(pattern)))
    total = session.scalar(select(func.count(Case.id)).where(*conditions)) or 0
    items = session.scalars(select(Case).where(*conditions).options(selectinload(Case.parties))
                            .order_by(Case.number).limit(limit).offset(offset)).all()
    return items, total


def get_case(session: Session, organization_id: str, case_id: str) -> Case:
    """One of the organisation's cases; another organisation's is 'not found'."""
    case = session.scalar(select(Case).where(Case.id == case_id, Case.organization_id == organization_id)
                          .options(selectinload(Case.parties)))
    if case is None:
        raise NotFound("There is no such case.", code="CASE_NOT_FOUND")
    return case


def case_by_number(session: Session, organization_id: str, number: str) -> Case | None:
    return session.scalar(select(Case).where(Case.organization_id == organization_id, Case.number == number))


def state(case: Case) -> dict[str, Any]:
    """The case as the audit trail records it."""
    return {"number": case.number, "title": case.title, "court": case.court, "jurisdiction": case.jurisdiction,
            "status": case.status, "opened_on": case.opened_on.isoformat() if case.opened_on else None,
            "closed_on": case.closed_on.isoformat() if case.closed_on else None,
            "responsible": list(case.responsible or []), "description": case.description,
            "parties": [{"name": party.name, "role": party.role} for party in case.parties]}


def create_case(session: Session, organization_id: str, values: CaseValues, *, actor: Actor,
                ip: str | None = None) -> Case:
    if not values.title:
        raise InvalidRequest("A case needs a title.", code="CASE_TITLE_REQUIRED")
    if case_by_number(session, organization_id, values.number) is not None:
        raise Conflict(f"A case numbered {values.number!r} already exists.", code="CASE_NUMBER_TAKEN",
                       details={"number": values.number})
    case = Case(organization_id=organization_id, number=values.number, title=values.title, responsible=[],
                parties=[])
    _apply(case, values)
    session.add(case)
    session.flush()
    record_audit(session, actor, "legal_case.create", ("legal_case", case.id), after=state(case), ip=ip,
                 organization_id=organization_id)
    return case


def update_case(session: Session, organization_id: str, case_id: str, values: CaseValues, *, actor: Actor,
                ip: str | None = None) -> Case:
    case = get_case(session, organization_id, case_id)
    if values.number != case.number and case_by_number(session, organization_id, values.number) is not None:
        raise Conflict(f"A case numbered {values.number!r} already exists.", code="CASE_NUMBER_TAKEN",
                       details={"number": values.number})
    before = state(case)
    case.number = values.number
    _apply(case, values)
    session.flush()
    record_audit(session, actor, "legal_case.update", ("legal_case", case.id), before=before, after=state(case),
                 ip=ip, organization_id=organization_id)
    return case


def _apply(case: Case, values: CaseValues) -> None:
    for name in ("title", "court", "jurisdiction", "status", "opened_on", "closed_on", "description"):
        value = getattr(values, name)
        if value is not None:
            setattr(case, name, value if name == "title" else (value or None))  # "" clears a field
    if values.responsible is not None:
        case.responsible = list(values.responsible)
    if values.parties is not None:
        case.parties.clear()
        case.parties.extend(CaseParty(organization_id=case.organization_id, position=index, name=party.name,
                                      role=party.role) for index, party in enumerate(values.parties))
    if case.opened_on and case.closed_on and case.closed_on < case.opened_on:
        raise InvalidRequest("A case cannot close before it opens.", code="CASE_DATES_INVALID",
                             details={"opened_on": case.opened_on.isoformat(),
                                      "closed_on": case.closed_on.isoformat()})


# -- CSV --------------------------------------------------------------------------------------------------------

def csv_text(stream: IO[bytes]) -> str:
    data = stream.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        raise InvalidRequest(f"The CSV file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB.", code="CSV_TOO_LARGE")
    if b"\x00" in data:
        raise InvalidRequest("This is not a CSV file (it holds binary data).", code="CSV_INVALID")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _text(row: dict[str, str | None], name: str, *, limit: int) -> str | None:
    value = (row.get(name) or "").strip()
    if len(value) > limit:
        raise RowError(f"{name} is longer than {limit} characters")
    return value or None


def _date(row: dict[str, str | None], name: str) -> date | None:
    value = _text(row, name, limit=40)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RowError(f"{name} {value!r} is not a date (YYYY-MM-DD)") from None


def parse_parties(text: str | None) -> list[PartyValue]:
    """``"Acme Corp (plaintiff); Beta LLC (defendant)"`` → parties with their roles."""
    parties = []
    for item in (text or "").split(";"):
        item = item.strip()
        if not item:
            continue
        match = _PARTY.match(item)
        if match is None or len(match["name"]) > 200 or len(match["role"] or "") > 60:
            raise RowError(f"party {item[:80]!r} is not 'Name (role)'")
        parties.append(PartyValue(match["name"].strip(), (match["role"] or "").strip().lower() or None))
    if len(parties) > MAX_PARTIES:
        raise RowError(f"more than {MAX_PARTIES} parties")
    return parties


def _status(value: str | None) -> CaseStatus | None:
    if value is None:
        return None
    try:
        return CaseStatus(value.lower().replace(" ", "_"))
    except ValueError:
        raise RowError(f"status {value!r} is not one of {', '.join(CaseStatus)}") from None


def row_values(row: dict[str, str | None]) -> CaseValues:
    if None in row:  # DictReader files cells beyond the header under None
        raise RowError("the row has more cells than the header")
    number = _text(row, "number", limit=60)
    if number is None:
        raise RowError("number is required")
    responsible = _text(row, "responsible", limit=1000)
    return CaseValues(
        number=number, title=_text(row, "title", limit=255), court=_text(row, "court", limit=200),
        jurisdiction=_text(row, "jurisdiction", limit=100), status=_status(_text(row, "status", limit=20)),
        opened_on=_date(row, "opened_on"), closed_on=_date(row, "closed_on"),
        responsible=[name.strip() for name in responsible.split(";") if name.strip()] if responsible else None,
        description=_text(row, "description", limit=5000),
        parties=parse_parties(_text(row, "parties", limit=5000)) if row.get("parties") else None)


def import_csv(session: Session, organization_id: str, text: str, *, actor: Actor,
               ip: str | None = None) -> ImportOutcome:
    """Create or update cases by number; a row that cannot be read is listed (row 2 is the first after the header)
    and the others are saved, each in a savepoint."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [name.strip().lower() for name in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise InvalidRequest(f"The CSV header cannot be read: {exc}.", code="CSV_INVALID") from None
    missing = [name for name in ("number", "title") if name not in header]
    if missing:
        raise InvalidRequest(f"The CSV header lacks {', '.join(missing)}.", code="CSV_MISSING_COLUMNS",
                             details={"missing": missing, "columns": [*FIELDS, "parties"]})
    reader.fieldnames = header
    outcome = ImportOutcome()
    number = 1
    try:
        for number, row in enumerate(reader, 2):
            try:
                values = row_values(row)
                with session.begin_nested():
                    existing = case_by_number(session, organization_id, values.number)
                    if existing is None:
                        create_case(session, organization_id, values, actor=actor, ip=ip)
                        outcome.created += 1
                    else:
                        update_case(session, organization_id, existing.id, values, actor=actor, ip=ip)
                        outcome.updated += 1
            except (RowError, InvalidRequest, Conflict) as exc:
                outcome.problems.append({"row": number, "message": getattr(exc, "message", None) or str(exc)})
    except csv.Error as exc:
        outcome.problems.append({"row": number + 1, "message": f"unreadable CSV: {exc}"})
    return outcome
