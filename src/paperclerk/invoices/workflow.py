"""What people do to an invoice: correct a field, dismiss a finding, approve, reject; and validation,
which re-runs (engine rules and master-data checks) whenever the data changes.

Every change is audited (``record_audit``) and recorded as an event, in the caller's transaction.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from paperclerk.auth.principal import Principal
from paperclerk.core import events
from paperclerk.core.audit import record_audit
from paperclerk.core.db import utcnow
from paperclerk.core.errors import Conflict, InvalidRequest, NotFound
from paperclerk.invoices import policy, service
from paperclerk.invoices.models import (
    OPEN_STATUSES,
    SECOND_PAYMENT_RULES,
    Correction,
    FindingStatus,
    Invoice,
    InvoiceField,
    InvoiceFinding,
    InvoiceLine,
    InvoiceStatus,
)
from paperclerk.invoices.validation import revalidate, update_status


def _event(session: Session, name: str, invoice: Invoice, payload: dict[str, Any] | None = None) -> None:
    events.record(session, name, organization_id=invoice.organization_id, subject_type="invoice",
                  subject_id=invoice.id, payload={**service.event_subject(invoice), **(payload or {})})


def _editable(invoice: Invoice, action: str) -> None:
    if invoice.status == InvoiceStatus.RECEIVED:
        raise Conflict(f"The invoice is still being read; it can be {action} once it has been processed.",
                       code="INVOICE_NOT_READY", details={"status": invoice.status})
    if invoice.status not in OPEN_STATUSES:
        raise Conflict(f"The invoice is {invoice.status}; it can no longer be {action}.", code="INVOICE_CLOSED",
                       details={"status": invoice.status})


def _summary(invoice: Invoice) -> dict[str, Any]:
    return {"status": invoice.status, "open_findings": sorted(
        finding.rule_id for finding in invoice.findings if finding.status == FindingStatus.OPEN)}


def correct(session: Session, invoice_id: str, *, organization_id: str, field: str, value: str | None,
            actor: Principal, ip: str | None = None) -> Invoice:
    """Set a field to a person's value, keeping what was read; validation re-runs at once."""
    invoice = service.get(session, invoice_id, organization_id=organization_id, full=True)
    _editable(invoice, "corrected")
    typed = service.parse_value(field, value, order=policy.rule_config(session, organization_id).date_order)
    text = service.as_text(typed)
    row = next((item for item in invoice.fields if item.name == field), None)
    before = row.value if row else None
    if row is None:
        row = InvoiceField(name=field, original_value=None, extractor="person")
        invoice.fields.append(row)
    row.value = text
    row.confidence = 1.0
    service.set_typed(invoice, field, typed)
    invoice.corrections.append(Correction(field=field, before=before, after=text, by=actor.label))
    status_before = _summary(invoice)
    revalidate(session, invoice)
    record_audit(session, actor, "invoice.correct", ("invoice", invoice.id), ip=ip, organization_id=organization_id,
                 before={"field": field, "value": before, **status_before},
                 after={"field": field, "value": text, **_summary(invoice)})
    _event(session, "invoice.corrected", invoice, {"field": field, "status": invoice.status})
    return invoice


def correct_line(session: Session, invoice_id: str, position: int | None, *, organization_id: str,
                 values: dict[str, Any] | None, actor: Principal, ip: str | None = None) -> Invoice:
    """Change a line's values (``position`` None: add a line; ``values`` None: remove the line, the later lines
    move up). The line as read stays in ``original`` and in the correction; validation re-runs at once."""
    invoice = service.get(session, invoice_id, organization_id=organization_id, full=True)
    _editable(invoice, "corrected")
    if position is None:
        line = InvoiceLine(position=len(invoice.lines) + 1, description="", original=None)
        before = None
    else:
        found = next((item for item in invoice.lines if item.position == position), None)
        if found is None:
            raise NotFound(f"The invoice has no line {position}.", code="LINE_NOT_FOUND",
                           details={"position": position, "lines": len(invoice.lines)})
        line = found
        before = service.line_values(line)
    if values is None:
        invoice.lines.remove(line)
        session.flush()
        for number, item in enumerate(invoice.lines, 1):
            item.position = number
        after = None
    else:
        for name, value in values.items():
            setattr(line, name, value)
        if not (line.description or "").strip():
            raise InvalidRequest("A line needs a description.", code="INVALID_LINE", details={"field": "description"})
        if position is None:
            invoice.lines.append(line)
        after = service.line_values(line)
    line_number = position or line.position
    invoice.corrections.append(Correction(field="line", line=line_number, before=_json(before), after=_json(after),
                                          by=actor.label))
    status_before = _summary(invoice)
    revalidate(session, invoice)
    action = "invoice.line." + ("add" if before is None else "remove" if after is None else "correct")
    record_audit(session, actor, action, ("invoice", invoice.id), ip=ip, organization_id=organization_id,
                 before={"line": line_number, "values": before, **status_before},
                 after={"line": line_number, "values": after, **_summary(invoice)})
    _event(session, "invoice.corrected", invoice, {"line": line_number, "status": invoice.status})
    return invoice


def _json(values: dict[str, Any] | None) -> str | None:
    return None if values is None else json.dumps(values, ensure_ascii=False)


def dismiss(session: Session, invoice_id: str, finding_id: str, *, organization_id: str, reason: str,
            actor: Principal, ip: str | None = None) -> InvoiceFinding:
    """Mark a finding as not a problem, with the reason; the invoice leaves review when nothing else is open."""
    invoice = service.get(session, invoice_id, organization_id=organization_id, full=True)
    finding = next((item for item in invoice.findings if item.id == finding_id), None)
    if finding is None:
        raise NotFound("No finding with this id on this invoice.", code="FINDING_NOT_FOUND",
                       details={"finding_id": finding_id})
    _editable(invoice, "changed")
    if finding.status != FindingStatus.OPEN:
        raise Conflict(f"The finding is already {finding.status}.", code="FINDING_NOT_OPEN",
                       details={"status": finding.status})
    finding.status = FindingStatus.DISMISSED
    finding.dismissed_by = actor.label
    finding.dismissed_at = utcnow()
    finding.dismissed_reason = reason
    update_status(invoice)
    service.follow_document(session, invoice)
    record_audit(session, actor, "invoice.finding.dismiss", ("invoice", invoice.id), ip=ip,
                 organization_id=organization_id, before={"finding_id": finding.id, "status": FindingStatus.OPEN},
                 after={"finding_id": finding.id, "rule_id": finding.rule_id, "status": finding.status,
                        "reason": reason, "invoice_status": invoice.status})
    _event(session, "invoice.finding_dismissed", invoice, {"finding_id": finding.id, "rule_id": finding.rule_id})
    return finding


def _findings(items: list[InvoiceFinding]) -> dict[str, Any]:
    return {"findings": [{"id": item.id, "rule_id": item.rule_id, "severity": item.severity,
                          "message": item.message} for item in items]}


def approval_blockers(session: Session, invoice: Invoice) -> tuple[list[InvoiceFinding], list[InvoiceFinding]]:
    """The open findings that stop approval outright (possible duplicates, critical ones, and errors when the
    organisation's policy says so), and the open errors approval may override with a reason."""
    open_findings = [finding for finding in invoice.findings if finding.status == FindingStatus.OPEN]
    blocking = [finding for finding in open_findings
                if finding.rule_id in SECOND_PAYMENT_RULES or finding.severity == "critical"]
    errors = [finding for finding in open_findings if finding.severity == "error" and finding not in blocking]
    if errors and policy.rule_config(session, invoice.organization_id).errors_block_approval:
        return blocking + errors, []
    return blocking, errors


def approve(session: Session, invoice_id: str, *, organization_id: str, actor: Principal, reason: str | None = None,
            ip: str | None = None) -> Invoice:
    """Approve for payment. Refused while a possible duplicate (a second payment) or a critical finding is open, and
    while an error finding is open when the organisation's policy says errors block; approving over open errors
    otherwise takes ``reason``, recorded in the audit trail with the findings it overrode."""
    invoice = service.get(session, invoice_id, organization_id=organization_id, full=True)
    _editable(invoice, "approved")
    blocking, errors = approval_blockers(session, invoice)
    duplicates = [finding for finding in blocking if finding.rule_id in SECOND_PAYMENT_RULES]
    if duplicates:
        raise Conflict("The invoice may already have been received (a second payment): reject this copy, or dismiss "
                       "the duplicate finding with the reason it is a different invoice, before approving.",
                       code="INVOICE_POSSIBLE_DUPLICATE", details=_findings(duplicates))
    if blocking:
        raise Conflict("The invoice has open findings that block approval; resolve or dismiss them before approving.",
                       code="INVOICE_HAS_CRITICAL_FINDINGS"
                       if all(item.severity == "critical" for item in blocking) else "INVOICE_HAS_BLOCKING_FINDINGS",
                       details=_findings(blocking))
    reason = (reason or "").strip() or None
    if errors and reason is None:
        raise Conflict("The invoice has open error findings; give the reason for approving it anyway.",
                       code="APPROVAL_REASON_REQUIRED", details=_findings(errors))
    return _decide(session, invoice, InvoiceStatus.APPROVED, actor=actor, ip=ip, reason=reason if errors else None,
                   overridden=[item.rule_id for item in errors])


def reject(session: Session, invoice_id: str, *, organization_id: str, reason: str, actor: Principal,
           ip: str | None = None) -> Invoice:
    """Refuse the invoice (it will not be paid or exported); an approved invoice can still be rejected, and so
    can one that was received but could not be read."""
    invoice = service.get(session, invoice_id, organization_id=organization_id, full=True)
    if invoice.status not in (*OPEN_STATUSES, InvoiceStatus.RECEIVED, InvoiceStatus.APPROVED):
        raise Conflict(f"The invoice is {invoice.status}; it can no longer be rejected.", code="INVOICE_CLOSED",
                       details={"status": invoice.status})
    invoice.rejection_reason = reason
    return _decide(session, invoice, InvoiceStatus.REJECTED, actor=actor, ip=ip, reason=reason)


def _decide(session: Session, invoice: Invoice, status: InvoiceStatus, *, actor: Principal, ip: str | None,
            reason: str | None = None, overridden: list[str] | None = None) -> Invoice:
    before = invoice.status
    invoice.status = status
    invoice.decided_by = actor.label
    invoice.decided_at = utcnow()
    service.follow_document(session, invoice)
    action = "approve" if status == InvoiceStatus.APPROVED else "reject"
    record_audit(session, actor, f"invoice.{action}", ("invoice", invoice.id), ip=ip,
                 organization_id=invoice.organization_id, before={"status": before},
                 after={"status": status, **({"reason": reason} if reason else {}),
                        **({"open_findings": overridden} if overridden else {})})
    _event(session, f"invoice.{status}", invoice, {"by": actor.label, **({"reason": reason} if reason else {})})
    return invoice
