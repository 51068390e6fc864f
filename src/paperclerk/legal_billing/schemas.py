"""API shapes of the legal e-billing line: what clients send and get back."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from paperclerk.legal_billing.rules import cents


def _money(value: Decimal) -> str:
    return format(cents(value), "f")


def _number(value: Decimal) -> str:
    normalized = value.normalize()
    return format(normalized.quantize(Decimal(1)) if normalized == normalized.to_integral() else normalized, "f")


Money = Annotated[Decimal, PlainSerializer(_money, return_type=str, when_used="json")]
Number = Annotated[Decimal, PlainSerializer(_number, return_type=str, when_used="json")]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class LegalInvoiceSummary(_Out):
    id: str
    document_id: str | None
    status: str
    format: str
    invoice_number: str
    invoice_date: date
    law_firm_tax_id: str | None
    law_firm_name: str | None
    client_matter_id: str | None
    currency: str | None
    total: Money
    proposed_adjustments: Money
    approved_total: Money
    received_at: datetime


class LegalInvoiceList(BaseModel):
    items: list[LegalInvoiceSummary]
    total: int
    limit: int
    offset: int


class LegalLineOut(_Out):
    number: int
    type: str
    date: date | None
    timekeeper_id: str | None
    timekeeper_name: str | None
    timekeeper_classification: str | None
    task_code: str | None
    activity_code: str | None
    expense_code: str | None
    units: Number | None
    unit_cost: Number | None
    adjustment: Money
    total: Money
    description: str
    proposed_adjustment: Money
    decision: str | None
    approved_amount: Money | None
    decision_reason: str | None


class LegalFindingOut(_Out):
    rule_id: str
    category: str
    severity: str
    lines: list[int]
    message: str
    adjustment: Money
    reason: str


class LegalInvoiceDetail(LegalInvoiceSummary):
    billing_start_date: date | None
    billing_end_date: date | None
    firm_matter_id: str | None
    decided_by: str | None
    decision_reason: str | None
    lines: list[LegalLineOut]
    findings: list[LegalFindingOut]


class LineDecisionIn(BaseModel):
    decision: Literal["accept", "reduce", "reject"]
    reason: str | None = Field(default=None, max_length=2000)
    amount: Decimal | None = Field(default=None, ge=0, le=Decimal("1e14"), decimal_places=4)


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class GuidelinesOut(BaseModel):
    guidelines: dict[str, Any]
    unknown_keys: list[str]
    rereviewed: int | None = None


class LawFirmIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    tax_id: str = Field(min_length=1, max_length=60)


class LawFirmOut(_Out):
    id: str
    name: str
    tax_id: str


class MatterIn(BaseModel):
    client_matter_id: str = Field(min_length=1, max_length=60)
    firm_matter_id: str | None = Field(default=None, max_length=60)
    law_firm_tax_id: str | None = Field(default=None, max_length=60)
    name: str | None = Field(default=None, max_length=255)
    budget: Decimal | None = Field(default=None, ge=0, le=Decimal("1e14"), decimal_places=4)
    open_date: date | None = None
    close_date: date | None = None
    responsible_lawyer: str | None = Field(default=None, max_length=200)


class MatterOut(_Out):
    id: str
    client_matter_id: str
    firm_matter_id: str | None
    law_firm_id: str | None
    name: str | None
    budget: Money | None
    open_date: date | None
    close_date: date | None
    responsible_lawyer: str | None


class TimekeeperIn(BaseModel):
    law_firm_tax_id: str = Field(min_length=1, max_length=60)
    timekeeper_id: str = Field(min_length=1, max_length=60)
    name: str = Field(min_length=1, max_length=200)
    classification: str | None = Field(default=None, pattern="^[A-Za-z]{2,10}$")
    bar_number: str | None = Field(default=None, max_length=40)
    bar_jurisdiction: str | None = Field(default=None, max_length=60)
    approved: bool = True
    rate: Decimal | None = Field(default=None, ge=0, le=Decimal("1e8"), decimal_places=4)
    rate_from: date | None = None
    rate_to: date | None = None
    client_matter_id: str | None = Field(default=None, max_length=60)


class RateOut(_Out):
    rate: Money
    effective_from: date | None
    effective_to: date | None
    matter_id: str | None


class TimekeeperOut(_Out):
    id: str
    law_firm_id: str
    timekeeper_id: str
    name: str
    classification: str | None
    bar_number: str | None
    bar_jurisdiction: str | None
    approved: bool
    rates: list[RateOut]


class ImportResult(BaseModel):
    created: int
    updated: int
    problems: list[dict[str, Any]]
