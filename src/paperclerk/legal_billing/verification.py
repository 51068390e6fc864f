"""Attorney verification: timekeepers billed as attorneys checked against bar admission records.

A :class:`Provider` answers one lookup: the offline :class:`RegisterProvider` reads the bar rolls imported into
the organisation's register (CSV: name, bar_number, jurisdiction, status, admission_date); the
:class:`HttpProvider` asks an external legal database (``PAPERCLERK_LEGAL_VERIFICATION_URL`` and ``_KEY``). A
provider that cannot answer raises ``LEGAL_001``; the outcome ``unavailable`` is then recorded and the review goes
on with the finding ``verification_unavailable``. Answers are cached with their source and date
(``legal_verifications``) and reused for ``PAPERCLERK_LEGAL_VERIFICATION_MAX_AGE_DAYS``.

:func:`verify_invoice` calls the provider outside any transaction (lookups may take seconds), then stores the
outcomes, re-reviews the invoice and records ``legal.verification_complete``.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from paperclerk.config import Settings, get_settings
from paperclerk.core import events
from paperclerk.core.audit import Actor, record_audit
from paperclerk.core.db import session_scope, utcnow
from paperclerk.core.errors import InvalidRequest, PaperclerkError
from paperclerk.legal_billing import service
from paperclerk.legal_billing.masterdata import ImportOutcome, RowError
from paperclerk.legal_billing.models import AttorneyVerification, BarAdmission, LawFirm, Timekeeper
from paperclerk.legal_billing.rules import NON_LAWYER_CLASSES

VERIFIED, NOT_FOUND, INACTIVE, UNAVAILABLE = "verified", "not_found", "inactive", "unavailable"
ACTIVE_STATUSES = frozenset({"active", "active - in good standing", "in good standing", "good standing", "admitted",
                             "eligible"})


class VerificationUnavailable(PaperclerkError):
    code = "LEGAL_001"
    http_status = 503
    retryable = True


@dataclass(frozen=True)
class Lookup:
    """Who to look up: the timekeeper's name and, when the master data knows them, bar number and jurisdiction."""

    timekeeper_id: str
    name: str
    bar_number: str | None = None
    jurisdiction: str | None = None


@dataclass(frozen=True)
class Admission:
    name: str
    bar_number: str | None
    jurisdiction: str | None
    status: str
    admission_date: date | None

    @property
    def active(self) -> bool:
        return self.status.strip().lower() in ACTIVE_STATUSES


class Provider(Protocol):
    #: Where answers come from, as the cache records it.
    source: str

    def lookup(self, who: Lookup) -> Admission | None:
        """The admission found, None when there is none; raises ``VerificationUnavailable`` when it cannot say."""


class RegisterProvider:
    """The organisation's offline register (imported bar rolls)."""

    source = "offline register"

    def __init__(self, session: Session, organization_id: str) -> None:
        self.session, self.organization_id = session, organization_id

    def lookup(self, who: Lookup) -> Admission | None:
        query = select(BarAdmission).where(BarAdmission.organization_id == self.organization_id)
        if who.bar_number:
            query = query.where(BarAdmission.bar_number == who.bar_number)
            if who.jurisdiction:
                query = query.where(BarAdmission.jurisdiction == who.jurisdiction)
        else:
            query = query.where(BarAdmission.name == _canonical_name(who.name))
        row = self.session.scalars(query.limit(1)).first()
        if row is None:
            return None
        return Admission(row.name, row.bar_number, row.jurisdiction, row.status, row.admission_date)


class HttpProvider:
    """An external legal database answering ``GET url?bar_number=&jurisdiction=&name=`` with JSON
    ``{"found": bool, "name", "bar_number", "jurisdiction", "status", "admission_date"}``."""

    def __init__(self, url: str, key: str, timeout: float) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise InvalidRequest(f"{url!r} is not an http(s) URL.", code="INVALID_SETTING")
        self.url, self.key, self.timeout = url, key, timeout
        self.source = f"{parsed.scheme}://{parsed.netloc}"

    def lookup(self, who: Lookup) -> Admission | None:
        query = urllib.parse.urlencode({key: value for key, value in (
            ("bar_number", who.bar_number), ("jurisdiction", who.jurisdiction), ("name", who.name)) if value})
        request = urllib.request.Request(f"{self.url}?{query}", headers={
            "Accept": "application/json", **({"Authorization": f"Bearer {self.key}"} if self.key else {})})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = json.loads(response.read(1024 * 1024))
        except (urllib.error.URLError, OSError, TimeoutError, ValueError) as exc:
            raise VerificationUnavailable(f"The attorney verification service did not answer: {exc}.",
                                          details={"source": self.source}) from None
        if not isinstance(body, dict):
            raise VerificationUnavailable("The attorney verification service answered nonsense.",
                                          details={"source": self.source})
        if not body.get("found"):
            return None
        try:
            admitted = date.fromisoformat(body["admission_date"]) if body.get("admission_date") else None
        except (TypeError, ValueError):
            admitted = None
        return Admission(str(body.get("name") or who.name), body.get("bar_number"), body.get("jurisdiction"),
                         str(body.get("status") or ""), admitted)


def configured_provider(session: Session, organization_id: str, settings: Settings | None = None) -> Provider:
    settings = settings or get_settings()
    if settings.legal_verification_url:
        return HttpProvider(settings.legal_verification_url, settings.legal_verification_key.get_secret_value(),
                            settings.legal_verification_timeout)
    return RegisterProvider(session, organization_id)


def _canonical_name(name: str) -> str:
    """"Last, First" and "First Last" alike, as the register stores names."""
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first.strip()} {last.strip()}"
    return " ".join(name.split()).lower()


def outcome_of(admission: Admission | None) -> str:
    if admission is None:
        return NOT_FOUND
    return VERIFIED if admission.active else INACTIVE


# --- verifying an invoice's attorneys --------------------------------------------------------------------------

def attorneys(session: Session, organization_id: str, invoice_id: str) -> tuple[str, list[Lookup]]:
    """The firm's tax id and who on the invoice bills as an attorney, with what the master data knows of them."""
    invoice = service.get_invoice(session, organization_id, invoice_id)
    known: dict[str, Timekeeper] = {}
    if invoice.law_firm_tax_id:
        firm = session.scalar(select(LawFirm).where(LawFirm.organization_id == organization_id,
                                                    LawFirm.tax_id == invoice.law_firm_tax_id))
        if firm is not None:
            known = {keeper.timekeeper_id: keeper for keeper in session.scalars(
                select(Timekeeper).where(Timekeeper.organization_id == organization_id,
                                         Timekeeper.law_firm_id == firm.id))}
    lookups: dict[str, Lookup] = {}
    for line in invoice.lines:
        if line.type != "F" or not line.timekeeper_id or line.timekeeper_id in lookups:
            continue
        keeper = known.get(line.timekeeper_id)
        classification = line.timekeeper_classification or (keeper.classification if keeper else None)
        if (classification or "") in NON_LAWYER_CLASSES:
            continue
        lookups[line.timekeeper_id] = Lookup(line.timekeeper_id, keeper.name if keeper else line.timekeeper_name or "",
                                             keeper.bar_number if keeper else None,
                                             keeper.bar_jurisdiction if keeper else None)
    return invoice.law_firm_tax_id or "", list(lookups.values())


def verify_invoice(organization_id: str, invoice_id: str, *, actor: Actor | None = None,
                   provider: Provider | None = None, settings: Settings | None = None) -> dict[str, str]:
    """Verify the invoice's attorneys (cached answers younger than the maximum age are reused), store the outcomes,
    re-review the invoice and record ``legal.verification_complete``; returns the outcome per timekeeper."""
    settings = settings or get_settings()
    fresh_after = utcnow() - timedelta(days=settings.legal_verification_max_age_days)
    with session_scope() as session:
        firm, lookups = attorneys(session, organization_id, invoice_id)
        cached = {row.timekeeper_id: row for row in session.scalars(
            select(AttorneyVerification).where(AttorneyVerification.organization_id == organization_id,
                                               AttorneyVerification.law_firm_tax_id == firm))}
        session.expunge_all()
    outcomes: dict[str, tuple[str, str, dict[str, Any]]] = {}
    pending = [who for who in lookups if who.timekeeper_id not in cached or cached[who.timekeeper_id].outcome ==
               UNAVAILABLE or cached[who.timekeeper_id].checked_at < fresh_after]
    if pending:
        with session_scope() as session:
            chosen = provider or configured_provider(session, organization_id, settings)
            for who in pending:
                try:
                    admission = chosen.lookup(who)
                except VerificationUnavailable as exc:
                    outcomes[who.timekeeper_id] = (UNAVAILABLE, chosen.source, {"error": exc.code})
                    continue
                details = {} if admission is None else {
                    "name": admission.name, "bar_number": admission.bar_number, "jurisdiction": admission.jurisdiction,
                    "status": admission.status,
                    "admission_date": admission.admission_date.isoformat() if admission.admission_date else None}
                outcomes[who.timekeeper_id] = (outcome_of(admission), chosen.source, details)
    with session_scope() as session:
        for timekeeper_id, (outcome, source, details) in outcomes.items():
            row = session.scalar(select(AttorneyVerification).where(
                AttorneyVerification.organization_id == organization_id,
                AttorneyVerification.law_firm_tax_id == firm, AttorneyVerification.timekeeper_id == timekeeper_id))
            if row is None:
                row = AttorneyVerification(organization_id=organization_id, law_firm_tax_id=firm,
                                           timekeeper_id=timekeeper_id)
                session.add(row)
            row.outcome, row.source, row.details, row.checked_at = outcome, source, details, utcnow()
        invoice = service.get_invoice(session, organization_id, invoice_id)
        if invoice.status in service.OPEN_STATUSES:
            service.rereview(session, invoice)
        result = {who.timekeeper_id: outcomes[who.timekeeper_id][0] if who.timekeeper_id in outcomes
                  else cached[who.timekeeper_id].outcome for who in lookups}
        if actor is not None:
            record_audit(session, actor, "legal_invoice.verify", ("legal_invoice", invoice_id), after=result,
                         organization_id=organization_id)
        events.record(session, "legal.verification_complete", organization_id=organization_id,
                      subject_type="legal_invoice", subject_id=invoice_id,
                      payload={**service.event_subject(invoice), "outcomes": result})
    return result


# --- the offline register --------------------------------------------------------------------------------------

def import_bar_roll(session: Session, organization_id: str, text: str, *, actor: Actor,
                    ip: str | None = None) -> ImportOutcome:
    """Import a bar's public roll (CSV: name, bar_number, jurisdiction, status, admission_date) into the offline
    register; a row already there (same jurisdiction and bar number) is updated."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in ("name", "bar_number", "jurisdiction", "status") if name not in header]
    if missing:
        raise InvalidRequest(f"The CSV header lacks {', '.join(missing)}.", code="CSV_MISSING_COLUMNS",
                             details={"missing": missing})
    reader.fieldnames = header
    outcome = ImportOutcome()
    for number, row in enumerate(reader, 2):
        try:
            values = _roll_row(row)
        except RowError as exc:
            outcome.problems.append({"row": number, "message": str(exc)})
            continue
        existing = session.scalar(select(BarAdmission).where(
            BarAdmission.organization_id == organization_id, BarAdmission.jurisdiction == values["jurisdiction"],
            BarAdmission.bar_number == values["bar_number"]))
        if existing is None:
            session.add(BarAdmission(organization_id=organization_id, **values))
            outcome.created += 1
        else:
            for name, value in values.items():
                setattr(existing, name, value)
            outcome.updated += 1
        session.flush()
    record_audit(session, actor, "legal_bar_roll.import", ("legal_bar_roll", organization_id), ip=ip,
                 after={"created": outcome.created, "updated": outcome.updated,
                        "rejected": len(outcome.problems)}, organization_id=organization_id)
    return outcome


def _roll_row(row: dict[str, str | None]) -> dict[str, Any]:
    values = {name: (row.get(name) or "").strip() for name in ("name", "bar_number", "jurisdiction", "status")}
    for name, value in values.items():
        if not value:
            raise RowError(f"{name} is required")
        if len(value) > (200 if name == "name" else 40):
            raise RowError(f"{name} is too long")
    admitted = (row.get("admission_date") or "").strip()
    try:
        admission_date = date.fromisoformat(admitted) if admitted else None
    except ValueError:
        raise RowError(f"admission_date {admitted!r} is not a date (YYYY-MM-DD)") from None
    return {**values, "name": _canonical_name(values["name"]), "admission_date": admission_date}
