"""A case's calendar: the deadlines found in the current versions of its documents, as a list for its page and as
an iCalendar file (RFC 5545: CRLF lines folded at 75 octets, escaped text, all-day events) for calendar apps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from paperclerk.core.db import utcnow
from paperclerk.legal.models import Case, DocumentFinding, DocumentVersion, FindingKind, RegistryEntry

PRODUCT_ID = "-//paperclerk//legal calendar//EN"


@dataclass(frozen=True)
class CalendarDeadline:
    finding_id: str
    due: date | None
    description: str
    party: str | None
    text: str | None
    document_id: str
    document_title: str
    page: int | None


def deadlines(session: Session, organization_id: str, case_id: str) -> list[CalendarDeadline]:
    """The case's deadlines, dated ones first by date, then those whose date is not known yet."""
    rows = session.execute(
        select(DocumentFinding, RegistryEntry.title)
        .join(DocumentVersion, and_(DocumentVersion.document_id == DocumentFinding.document_id,
                                    DocumentVersion.organization_id == organization_id))
        .join(RegistryEntry, and_(RegistryEntry.id == DocumentVersion.entry_id,
                                  RegistryEntry.current_version == DocumentVersion.version))
        .where(RegistryEntry.case_id == case_id, RegistryEntry.organization_id == organization_id,
               DocumentFinding.organization_id == organization_id, DocumentFinding.kind == FindingKind.DEADLINE)).all()
    found = [CalendarDeadline(finding.id, finding.due, finding.label, finding.role, finding.text, finding.document_id,
                              title, finding.page) for finding, title in rows]
    return sorted(found, key=lambda item: (item.due is None, item.due or date.min, item.description))


def _escape(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n")
            .replace("\n", "\\n").replace("\r", "\\n"))


def _fold(line: str) -> list[str]:
    """Cut a content line into pieces of at most 75 octets (continuations start with a space), never inside a
    UTF-8 character."""
    pieces, current, size, limit = [], "", 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            pieces.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    pieces.append(current)
    return pieces


def ics(case: Case, items: Sequence[CalendarDeadline], *, now: datetime | None = None, host: str = "paperclerk"
        ) -> bytes:
    stamp = (now or utcnow()).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODUCT_ID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{_escape(f'{case.number} {case.title}')}"]
    for item in items:
        if item.due is None:
            continue
        details = [f"Document: {item.document_title}" + (f", page {item.page}" if item.page else "")]
        if item.party:
            details.append(f"Party: {item.party}")
        if item.text:
            details.append(f"Text: {item.text}")
        lines += ["BEGIN:VEVENT", f"UID:{item.finding_id}@{host}", f"DTSTAMP:{stamp}",
                  f"DTSTART;VALUE=DATE:{item.due:%Y%m%d}", f"DTEND;VALUE=DATE:{item.due + timedelta(days=1):%Y%m%d}",
                  f"SUMMARY:{_escape(f'{case.number}: {item.description}')}",
                  f"DESCRIPTION:{_escape(chr(10).join(details))}", "TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(piece for line in lines for piece in _fold(line)) + "\r\n").encode()

