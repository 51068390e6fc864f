"""Tables of the legal e-billing line, all per organisation: the guidelines, the master data (law firms, matters,
timekeepers and their approved rates), reviewed law-firm invoices with their lines and findings, and the bar
admission records attorneys are verified against (an offline register and the verification cache)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from paperclerk.core.db import Base, UTCDateTime, new_id, utcnow

Amount = Numeric(18, 4)


class LegalInvoiceStatus(StrEnum):
    RECEIVED = "received"
    NEEDS_REVIEW = "needs_review"
    APPROVED = "approved"
    REJECTED = "rejected"


class LineDecision(StrEnum):
    ACCEPT = "accept"
    REDUCE = "reduce"
    REJECT = "reject"


def _org() -> Mapped[str]:
    return mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)


class BillingGuidelines(Base):
    """An organisation's guidelines as stored (the validated JSON form of the YAML/JSON file)."""

    __tablename__ = "legal_guidelines"

    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"),
                                                 primary_key=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class LawFirm(Base):
    __tablename__ = "legal_law_firms"
    __table_args__ = (UniqueConstraint("organization_id", "tax_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    name: Mapped[str] = mapped_column(String(200))
    #: The firm's tax id: LEDES's LAW_FIRM_ID, how invoices find their firm.
    tax_id: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Matter(Base):
    __tablename__ = "legal_matters"
    __table_args__ = (UniqueConstraint("organization_id", "client_matter_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    client_matter_id: Mapped[str] = mapped_column(String(60))
    firm_matter_id: Mapped[str | None] = mapped_column(String(60), index=True)
    law_firm_id: Mapped[str | None] = mapped_column(ForeignKey("legal_law_firms.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    budget: Mapped[Decimal | None] = mapped_column(Amount)
    open_date: Mapped[date | None] = mapped_column(Date)
    close_date: Mapped[date | None] = mapped_column(Date)
    responsible_lawyer: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Timekeeper(Base):
    __tablename__ = "legal_timekeepers"
    __table_args__ = (UniqueConstraint("organization_id", "law_firm_id", "timekeeper_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    law_firm_id: Mapped[str] = mapped_column(ForeignKey("legal_law_firms.id", ondelete="RESTRICT"), index=True)
    #: The firm's id for the timekeeper (LEDES TIMEKEEPER_ID).
    timekeeper_id: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    classification: Mapped[str | None] = mapped_column(String(20))
    bar_number: Mapped[str | None] = mapped_column(String(40))
    bar_jurisdiction: Mapped[str | None] = mapped_column(String(60))
    approved: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rates: Mapped[list[TimekeeperRate]] = relationship(cascade="all, delete-orphan",
                                                       order_by="TimekeeperRate.effective_from")


class TimekeeperRate(Base):
    """An approved hourly rate in force from one date to another, for one matter or (no matter) the firm."""

    __tablename__ = "legal_timekeeper_rates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    timekeeper_id: Mapped[str] = mapped_column(ForeignKey("legal_timekeepers.id", ondelete="CASCADE"), index=True)
    matter_id: Mapped[str | None] = mapped_column(ForeignKey("legal_matters.id", ondelete="RESTRICT"))
    rate: Mapped[Decimal] = mapped_column(Amount)
    effective_from: Mapped[date | None] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)


class LegalInvoice(Base):
    __tablename__ = "legal_invoices"
    __table_args__ = (Index("ix_legal_invoices_org_status", "organization_id", "status"),
                      Index("ix_legal_invoices_org_date", "organization_id", "invoice_date"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id", ondelete="RESTRICT"), index=True)
    format: Mapped[str] = mapped_column(String(20))
    invoice_number: Mapped[str] = mapped_column(String(60), index=True)
    invoice_date: Mapped[date] = mapped_column(Date)
    law_firm_tax_id: Mapped[str | None] = mapped_column(String(60))
    law_firm_name: Mapped[str | None] = mapped_column(String(200))
    law_firm_id: Mapped[str | None] = mapped_column(ForeignKey("legal_law_firms.id", ondelete="RESTRICT"), index=True)
    client_matter_id: Mapped[str | None] = mapped_column(String(60), index=True)
    firm_matter_id: Mapped[str | None] = mapped_column(String(60))
    matter_id: Mapped[str | None] = mapped_column(ForeignKey("legal_matters.id", ondelete="RESTRICT"), index=True)
    billing_start_date: Mapped[date | None] = mapped_column(Date)
    billing_end_date: Mapped[date | None] = mapped_column(Date)
    currency: Mapped[str | None] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(Amount)
    #: The adjustments the rules propose, and what the reviewers' decisions approve.
    proposed_adjustments: Mapped[Decimal] = mapped_column(Amount, default=Decimal(0))
    approved_total: Mapped[Decimal] = mapped_column(Amount)
    status: Mapped[str] = mapped_column(String(20), default=LegalInvoiceStatus.RECEIVED)
    header: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(254))
    decision_reason: Mapped[str | None] = mapped_column(Text)

    lines: Mapped[list[LegalInvoiceLine]] = relationship(cascade="all, delete-orphan",
                                                         order_by="LegalInvoiceLine.number")
    findings: Mapped[list[LegalFinding]] = relationship(cascade="all, delete-orphan", order_by="LegalFinding.position")


class LegalInvoiceLine(Base):
    __tablename__ = "legal_invoice_lines"
    __table_args__ = (UniqueConstraint("invoice_id", "number"),
                      Index("ix_legal_lines_org_keeper_date", "organization_id", "timekeeper_id", "date"),
                      # The spend dashboard sums lines by timekeeper and task code from this index alone.
                      Index("ix_legal_lines_spend", "invoice_id", "type", "timekeeper_name", "task_code", "total"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    invoice_id: Mapped[str] = mapped_column(ForeignKey("legal_invoices.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(2))
    date: Mapped[date | None] = mapped_column(Date)
    timekeeper_id: Mapped[str | None] = mapped_column(String(60))
    timekeeper_name: Mapped[str | None] = mapped_column(String(200))
    timekeeper_classification: Mapped[str | None] = mapped_column(String(20))
    task_code: Mapped[str | None] = mapped_column(String(10))
    activity_code: Mapped[str | None] = mapped_column(String(10))
    expense_code: Mapped[str | None] = mapped_column(String(10))
    units: Mapped[Decimal | None] = mapped_column(Amount)
    unit_cost: Mapped[Decimal | None] = mapped_column(Amount)
    adjustment: Mapped[Decimal] = mapped_column(Amount, default=Decimal(0))
    tax_total: Mapped[Decimal] = mapped_column(Amount, default=Decimal(0))
    total: Mapped[Decimal] = mapped_column(Amount)
    description: Mapped[str] = mapped_column(Text, default="")
    law_firm_matter_id: Mapped[str | None] = mapped_column(String(60))
    client_matter_id: Mapped[str | None] = mapped_column(String(60))
    #: What the rules propose (a reduction, <= 0) and what a reviewer decided.
    proposed_adjustment: Mapped[Decimal] = mapped_column(Amount, default=Decimal(0))
    decision: Mapped[str | None] = mapped_column(String(10))
    approved_amount: Mapped[Decimal | None] = mapped_column(Amount)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(254))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LegalFinding(Base):
    __tablename__ = "legal_findings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    invoice_id: Mapped[str] = mapped_column(ForeignKey("legal_invoices.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    rule_id: Mapped[str] = mapped_column(String(20), index=True)
    category: Mapped[str] = mapped_column(String(40), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    lines: Mapped[list[int]] = mapped_column(JSON, default=list)
    message: Mapped[str] = mapped_column(Text)
    adjustment: Mapped[Decimal] = mapped_column(Amount, default=Decimal(0))
    reason: Mapped[str] = mapped_column(Text, default="")


class BarAdmission(Base):
    """A row of a bar's public roll, imported into the offline register."""

    __tablename__ = "legal_bar_admissions"
    __table_args__ = (UniqueConstraint("organization_id", "jurisdiction", "bar_number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    name: Mapped[str] = mapped_column(String(200))
    bar_number: Mapped[str] = mapped_column(String(40))
    jurisdiction: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(40))
    admission_date: Mapped[date | None] = mapped_column(Date)


class AttorneyVerification(Base):
    """The last answer a verification provider gave for a timekeeper, with where and when it came from."""

    __tablename__ = "legal_verifications"
    __table_args__ = (UniqueConstraint("organization_id", "law_firm_tax_id", "timekeeper_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    law_firm_tax_id: Mapped[str] = mapped_column(String(60))
    timekeeper_id: Mapped[str] = mapped_column(String(60))
    outcome: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
