"""Validation: every rule (the engine's and the master-data checks) run on an invoice with its organisation's
policy, its findings brought up to date, and its review status following them. The master-data and policy services
call :func:`revalidate_open` themselves after a change, in the same transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from paperclerk.core.db import utcnow
from paperclerk.invoices import policy, service
from paperclerk.invoices.masterdata import checks
from paperclerk.invoices.models import OPEN_STATUSES, FindingStatus, Invoice, InvoiceFinding, InvoiceStatus
from paperclerk.invoices.rules import RuleConfig, validate


def revalidate(session: Session, invoice: Invoice, *, config: RuleConfig | None = None) -> list[InvoiceFinding]:
    """Run every rule on the invoice as it now stands, with its organisation's policy (or ``config``), and bring
    its findings up to date.

    A finding still raised stays (open or dismissed: a dismissal is not undone by re-running; an open one takes
    the rule's current severity);
    an open finding no longer raised becomes ``resolved``; new ones open. An invoice still in review gets
    ``needs_review`` while an open finding of severity warning or above remains, else ``processed``.
    """
    session.flush()
    config = (config or policy.rule_config(session, invoice.organization_id)).for_kind(invoice.kind)
    raised: list[checks.Check] = [
        checks.Check(found.rule_id, found.severity, found.message, [item.to_dict() for item in found.evidence],
                         found.fix) for found in validate(service.extraction_of(invoice), config)]
    raised += checks.check(session, invoice, config)
    existing = {(finding.rule_id, finding.message): finding for finding in invoice.findings
                if finding.status != FindingStatus.RESOLVED}
    now = utcnow()
    for item in raised:
        if (item.rule_id, item.message) in existing:
            kept = existing[(item.rule_id, item.message)]
            if kept.status == FindingStatus.OPEN:
                kept.severity = item.severity  # the organisation may have changed the rule's severity
            continue
        finding = InvoiceFinding(rule_id=item.rule_id, severity=item.severity, message=item.message,
                                 evidence=item.evidence, fix=item.fix, status=FindingStatus.OPEN)
        invoice.findings.append(finding)
        existing[(item.rule_id, item.message)] = finding
    still = {(item.rule_id, item.message) for item in raised}
    for key, finding in existing.items():
        if key not in still and finding.status == FindingStatus.OPEN:
            finding.status = FindingStatus.RESOLVED
            finding.resolved_at = now
    update_status(invoice)
    service.follow_document(session, invoice)
    session.flush()
    return [finding for finding in invoice.findings if finding.status == FindingStatus.OPEN]


def update_status(invoice: Invoice) -> None:
    if invoice.status in OPEN_STATUSES:
        invoice.status = InvoiceStatus.NEEDS_REVIEW if needs_review(invoice) else InvoiceStatus.PROCESSED


def needs_review(invoice: Invoice) -> bool:
    return any(finding.status == FindingStatus.OPEN and finding.severity in service.REVIEW_SEVERITIES
               for finding in invoice.findings)


def revalidate_open(session: Session, organization_id: str) -> int:
    """Re-run validation on every invoice still in review (after master data or the policy changed); returns
    how many. Newest first: of two copies of one invoice, the later one is the duplicate."""
    invoices = session.scalars(select(Invoice).options(*service.WITH_DETAILS).where(
        Invoice.organization_id == organization_id, Invoice.status.in_(list(OPEN_STATUSES)), service.in_use())
        .order_by(Invoice.created_at.desc(), Invoice.id.desc())).all()
    config = policy.rule_config(session, organization_id)
    for invoice in invoices:
        revalidate(session, invoice, config=config)
    return len(invoices)
