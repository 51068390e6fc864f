"""What people do to a law-firm invoice: accept, reduce or reject each line with a reason, approve or reject the
invoice, change the guidelines. Every change is audited and the invoice's approved total follows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from paperclerk.core import events
from paperclerk.core.audit import Actor, record_audit
from paperclerk.core.db import utcnow
from paperclerk.core.errors import Conflict, InvalidRequest, NotFound
from paperclerk.legal_billing import service
from paperclerk.legal_billing.guidelines import Guidelines
from paperclerk.legal_billing.models import LegalInvoice, LegalInvoiceStatus, LineDecision
from paperclerk.legal_billing.rules import cents


def _open(invoice: LegalInvoice) -> None:
    if invoice.status not in service.OPEN_STATUSES:
        raise Conflict(f"The invoice is {invoice.status}; only invoices in review can change.",
                       code="LEGAL_INVOICE_CLOSED", details={"status": invoice.status})


def decide_line(session: Session, organization_id: str, invoice_id: str, number: int, *, decision: str,
                reason: str | None, amount: Decimal | None = None, actor: Actor, ip: str | None = None
                ) -> LegalInvoice:
    """Accept a line as billed, reduce it to ``amount`` (by default: billed plus the proposed adjustment) or reject
    it; a reduction or rejection needs a reason."""
    invoice = service.get_invoice(session, organization_id, invoice_id)
    _open(invoice)
    line = next((item for item in invoice.lines if item.number == number), None)
    if line is None:
        raise NotFound(f"Invoice {invoice.invoice_number} has no line {number}.", details={"line": number})
    try:
        choice = LineDecision(decision)
    except ValueError:
        raise InvalidRequest(f"{decision!r} is not a decision; use accept, reduce or reject.",
                             code="INVALID_DECISION") from None
    reason = (reason or "").strip() or None
    if choice != LineDecision.ACCEPT and reason is None:
        raise InvalidRequest("Say why the line is reduced or rejected.", code="REASON_REQUIRED")
    if choice == LineDecision.ACCEPT:
        approved = line.total
    elif choice == LineDecision.REJECT:
        approved = Decimal(0)
    else:
        approved = amount if amount is not None else line.total + line.proposed_adjustment
        if approved < 0 or approved > line.total:
            raise InvalidRequest(f"A reduced line is paid between 0 and its total {line.total:.2f}.",
                                 code="INVALID_AMOUNT", details={"amount": str(approved), "total": str(line.total)})
    before = _line_state(line)
    line.decision, line.approved_amount, line.decision_reason = choice.value, cents(approved), reason
    line.decided_by, line.decided_at = actor.label, utcnow()
    service.refresh_approved_total(invoice)
    record_audit(session, actor, "legal_invoice.line_decision", ("legal_invoice", invoice.id), before=before,
                 after=_line_state(line), ip=ip, organization_id=organization_id)
    session.flush()
    return invoice


def _line_state(line: Any) -> dict[str, Any]:
    return {"line": line.number, "decision": line.decision, "reason": line.decision_reason,
            "approved_amount": None if line.approved_amount is None else format(cents(line.approved_amount), "f")}


def approve(session: Session, organization_id: str, invoice_id: str, *, actor: Actor, ip: str | None = None
            ) -> LegalInvoice:
    """Approve for payment at the approved total (lines nobody decided are paid as the rules propose)."""
    return _decide(session, organization_id, invoice_id, LegalInvoiceStatus.APPROVED, None, actor, ip)


def reject(session: Session, organization_id: str, invoice_id: str, *, reason: str, actor: Actor,
           ip: str | None = None) -> LegalInvoice:
    if not reason.strip():
        raise InvalidRequest("Say why the invoice is rejected.", code="REASON_REQUIRED")
    return _decide(session, organization_id, invoice_id, LegalInvoiceStatus.REJECTED, reason.strip(), actor, ip)


def _decide(session: Session, organization_id: str, invoice_id: str, status: LegalInvoiceStatus,
            reason: str | None, actor: Actor, ip: str | None) -> LegalInvoice:
    invoice = service.get_invoice(session, organization_id, invoice_id)
    _open(invoice)
    before = {"status": invoice.status, "approved_total": format(cents(invoice.approved_total), "f")}
    service.refresh_approved_total(invoice)
    invoice.status, invoice.decision_reason = status, reason
    invoice.decided_by, invoice.decided_at = actor.label, utcnow()
    after = {"status": invoice.status, "approved_total": format(cents(invoice.approved_total), "f"),
             "reason": reason}
    record_audit(session, actor, f"legal_invoice.{status.value}", ("legal_invoice", invoice.id), before=before,
                 after=after, ip=ip, organization_id=organization_id)
    events.record(session, f"legal.invoice.{status.value}", organization_id=organization_id,
                  subject_type="legal_invoice", subject_id=invoice.id,
                  payload={**service.event_subject(invoice), "approved_total": after["approved_total"]})
    session.flush()
    return invoice


def set_guidelines(session: Session, organization_id: str, guidelines: Guidelines, *, actor: Actor,
                   ip: str | None = None) -> int:
    """Replace the organisation's guidelines (audited) and re-review the open invoices; returns how many."""
    before, after = service.store_guidelines(session, organization_id, guidelines)
    record_audit(session, actor, "legal_guidelines.update", ("legal_guidelines", organization_id), before=before,
                 after=after, ip=ip, organization_id=organization_id)
    return service.rereview_open(session, organization_id)
