"""Reviewing LEDES invoices against guidelines: findings, proposed adjustments and totals, one invoice at a time
in a batch (each invoice sees the ones before it, for duplicates and daily hours), with the stable JSON shape of
``paperclerk legal review --json``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from paperclerk.legal_billing.guidelines import Guidelines
from paperclerk.legal_billing.ledes import LedesInvoice
from paperclerk.legal_billing.rules import Finding, PastEntry, ReviewContext, cents, run_rules


@dataclass
class Totals:
    billed: Decimal
    adjustments: Decimal

    @property
    def approved(self) -> Decimal:
        return self.billed + self.adjustments

    def to_dict(self) -> dict[str, str]:
        return {"billed": format(self.billed, "f"), "adjustments": format(self.adjustments, "f"),
                "approved": format(self.approved, "f")}


@dataclass
class Review:
    invoice: LedesInvoice
    findings: list[Finding]
    totals: Totals = field(init=False)

    def __post_init__(self) -> None:
        self.totals = totals(self.invoice, self.findings)

    def to_dict(self, file: str | None = None) -> dict[str, Any]:
        return {"file": file, "invoice": self.invoice.header(),
                "lines": [line.to_dict() for line in self.invoice.lines],
                "findings": [finding.to_dict() for finding in self.findings], "totals": self.totals.to_dict()}


def line_reductions(invoice: LedesInvoice, findings: list[Finding]) -> dict[int, Decimal]:
    """Each line's proposed reduction from all findings together, never more than the line (line 0: the
    invoice as a whole)."""
    proposed: dict[int, Decimal] = defaultdict(Decimal)
    for finding in findings:
        for number, amount in finding.reductions.items():
            proposed[number] += amount
    for line in invoice.lines:
        if line.number in proposed and line.total > 0:
            proposed[line.number] = max(proposed[line.number], -line.total)
    return dict(proposed)


def totals(invoice: LedesInvoice, findings: list[Finding]) -> Totals:
    """What was billed (the invoice total), the adjustments proposed and so what is approved."""
    adjustments = sum(line_reductions(invoice, findings).values(), Decimal(0))
    return Totals(invoice.total, cents(adjustments))


class Reviewer:
    """Reviews invoices one after the other against one set of guidelines; each invoice's lines join the history
    the next one is checked against, and its spend the matter's."""

    def __init__(self, guidelines: Guidelines, context: ReviewContext | None = None) -> None:
        self.guidelines = guidelines
        self.context = context or ReviewContext()

    def review(self, invoice: LedesInvoice) -> Review:
        result = Review(invoice, run_rules(invoice, self.guidelines, self.context))
        self.remember(invoice)
        return result

    def remember(self, invoice: LedesInvoice) -> None:
        key = f"{invoice.invoice_number}"
        for line in invoice.lines:
            self.context.remember(PastEntry(key, line.number, line.type, line.timekeeper_id, line.date,
                                                  line.units, line.total, line.description, line.expense_code))
            matter = line.client_matter_id or line.law_firm_matter_id
            if matter and (line.is_fee or line.is_expense):
                self.context.spent[matter] = self.context.spent.get(matter, Decimal(0)) + line.total
