"""Tables of the AP-invoice line: invoices (fields with evidence, lines, findings, corrections) and the
master data they are checked against (vendors, purchase orders, goods receipts), all per organisation.

Field evidence is one ``invoice_fields`` row per field rather than JSON on the invoice: a correction
replaces one row's ``value`` while keeping ``original_value`` and its place on the page, and the typed
copies on ``invoices`` (Numeric amounts, Date dates) serve filters, sorting and exports.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from paperclerk.core.db import Base, UTCDateTime, new_id, utcnow

Amount = Numeric(18, 4)
Quantity = Numeric(18, 4)
Price = Numeric(20, 6)


class InvoiceStatus(StrEnum):
    RECEIVED = "received"
    PROCESSED = "processed"
    NEEDS_REVIEW = "needs_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPORTED = "exported"


#: Statuses in which the extracted data may still change (corrections, dismissals); a ``received`` invoice
#: has not been read yet.
OPEN_STATUSES = frozenset({InvoiceStatus.PROCESSED, InvoiceStatus.NEEDS_REVIEW})
#: The duplicate rules (an invoice flagged by one is the copy of the invoice its evidence names).
DUPLICATE_RULES = frozenset({"INV-DUP-001", "INV-DUP-002"})
#: While one of these is open the invoice can be neither approved nor exported: it would be a second payment. A
#: probable duplicate (same total and date, INV-DUP-002) only sends the invoice to review.
SECOND_PAYMENT_RULES = frozenset({"INV-DUP-001"})


class FindingStatus(StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"
    RESOLVED = "resolved"


def _org() -> Mapped[str]:
    return mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)


class Vendor(Base):
    __tablename__ = "vendors"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    name: Mapped[str] = mapped_column(String(200))
    tax_id: Mapped[str | None] = mapped_column(String(40), index=True)
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    country: Mapped[str | None] = mapped_column(String(2))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PurchaseOrder(Base):
    __tablename__ = "purchase_orders"
    __table_args__ = (UniqueConstraint("organization_id", "number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    number: Mapped[str] = mapped_column(String(60))
    vendor_id: Mapped[str] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    order_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        order_by="PurchaseOrderLine.line_number", cascade="all, delete-orphan", passive_deletes=True)


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (UniqueConstraint("purchase_order_id", "line_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    purchase_order_id: Mapped[str] = mapped_column(ForeignKey("purchase_orders.id", ondelete="CASCADE"))
    line_number: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_price: Mapped[Decimal] = mapped_column(Price)


class GoodsReceipt(Base):
    __tablename__ = "goods_receipts"
    __table_args__ = (UniqueConstraint("organization_id", "number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    number: Mapped[str] = mapped_column(String(60))
    purchase_order_id: Mapped[str] = mapped_column(ForeignKey("purchase_orders.id", ondelete="RESTRICT"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    lines: Mapped[list[GoodsReceiptLine]] = relationship(
        order_by="GoodsReceiptLine.line_number", cascade="all, delete-orphan", passive_deletes=True)


class GoodsReceiptLine(Base):
    """Quantity received against one purchase-order line (``line_number`` is the PO's line number)."""

    __tablename__ = "goods_receipt_lines"
    __table_args__ = (UniqueConstraint("goods_receipt_id", "line_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    goods_receipt_id: Mapped[str] = mapped_column(ForeignKey("goods_receipts.id", ondelete="CASCADE"))
    line_number: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[Decimal] = mapped_column(Quantity)


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        Index("ix_invoices_organization_id_status", "organization_id", "status"),
        Index("ix_invoices_organization_id_vendor_id_number_key", "organization_id", "vendor_id", "number_key"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=InvoiceStatus.PROCESSED)
    kind: Mapped[str] = mapped_column(String(20), default="invoice")  # invoice | credit_note | receipt
    vendor_id: Mapped[str | None] = mapped_column(ForeignKey("vendors.id", ondelete="SET NULL"), index=True)
    vendor_name: Mapped[str | None] = mapped_column(String(200))
    vendor_address: Mapped[str | None] = mapped_column(Text)
    vendor_tax_id: Mapped[str | None] = mapped_column(String(40))
    vendor_iban: Mapped[str | None] = mapped_column(String(34))
    vendor_bic: Mapped[str | None] = mapped_column(String(11))
    customer_name: Mapped[str | None] = mapped_column(String(200))
    invoice_number: Mapped[str | None] = mapped_column(String(100))
    #: The invoice number without spaces, punctuation or case (duplicate detection).
    number_key: Mapped[str | None] = mapped_column(String(100))
    invoice_date: Mapped[date | None] = mapped_column(Date, index=True)
    due_date: Mapped[date | None] = mapped_column(Date)
    purchase_order: Mapped[str | None] = mapped_column(String(60))
    payment_terms: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[str | None] = mapped_column(String(3))
    subtotal: Mapped[Decimal | None] = mapped_column(Amount)
    tax_total: Mapped[Decimal | None] = mapped_column(Amount)
    total: Mapped[Decimal | None] = mapped_column(Amount)
    amount_due: Mapped[Decimal | None] = mapped_column(Amount)
    allowance_total: Mapped[Decimal | None] = mapped_column(Amount)
    charge_total: Mapped[Decimal | None] = mapped_column(Amount)
    prepaid_amount: Mapped[Decimal | None] = mapped_column(Amount)
    #: Other values extractors saw for a field (conflicting totals): ``{name: [{value, confidence, …}]}``.
    candidates: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    decided_by: Mapped[str | None] = mapped_column(String(254))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    fields: Mapped[list[InvoiceField]] = relationship(
        order_by="InvoiceField.id", cascade="all, delete-orphan", passive_deletes=True)
    lines: Mapped[list[InvoiceLine]] = relationship(
        order_by="InvoiceLine.position", cascade="all, delete-orphan", passive_deletes=True)
    findings: Mapped[list[InvoiceFinding]] = relationship(
        order_by="InvoiceFinding.id", cascade="all, delete-orphan", passive_deletes=True)
    corrections: Mapped[list[Correction]] = relationship(
        order_by="Correction.id", cascade="all, delete-orphan", passive_deletes=True)


class InvoiceField(Base):
    """One header field: its current value (as text), the value read, and where it was read."""

    __tablename__ = "invoice_fields"
    __table_args__ = (UniqueConstraint("invoice_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    value: Mapped[str | None] = mapped_column(Text)
    original_value: Mapped[str | None] = mapped_column(Text)
    page: Mapped[int | None] = mapped_column(Integer)
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    bbox: Mapped[list[float] | None] = mapped_column(JSON)
    confidence: Mapped[float | None] = mapped_column(Float)
    extractor: Mapped[str | None] = mapped_column(String(40))


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"
    __table_args__ = (UniqueConstraint("invoice_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal | None] = mapped_column(Quantity)
    unit_price: Mapped[Decimal | None] = mapped_column(Price)
    amount: Mapped[Decimal | None] = mapped_column(Amount)
    tax_rate: Mapped[Decimal | None] = mapped_column(Numeric(7, 3))
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The line as it was read (decimal strings), kept when a person corrects it; None for a line a person added.
    original: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class InvoiceFinding(Base):
    __tablename__ = "invoice_findings"
    __table_args__ = (Index("ix_invoice_findings_invoice_id_status", "invoice_id", "status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    rule_id: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    fix: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=FindingStatus.OPEN)
    dismissed_by: Mapped[str | None] = mapped_column(String(254))
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dismissed_reason: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Correction(Base):
    """A person's change to a header field (``field`` names it) or to a line (``field`` is ``line``, ``line``
    its position then; ``before`` / ``after`` the line as JSON, ``after`` empty when the line was removed)."""

    __tablename__ = "invoice_corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    line: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InvoiceRuleSetting(Base):
    """An organisation's choice for one validation rule: on or off, and its severity (None: the default)."""

    __tablename__ = "invoice_rule_settings"
    __table_args__ = (UniqueConstraint("organization_id", "rule_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organization_id: Mapped[str] = _org()
    rule_id: Mapped[str] = mapped_column(String(40))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    severity: Mapped[str | None] = mapped_column(String(10))
    updated_by: Mapped[str] = mapped_column(String(254))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class InvoiceTolerance(Base):
    """An organisation's value for one tolerance of ``RuleConfig`` (stored as JSON text; typed by the config)."""

    __tablename__ = "invoice_tolerances"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organization_id: Mapped[str] = _org()
    name: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(254))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class InvoiceExport(Base):
    """One export as it was handed over: the file itself (to download again), who made it and which invoices it
    holds."""

    __tablename__ = "invoice_exports"
    __table_args__ = (Index("ix_invoice_exports_org_created", "organization_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _org()
    filename: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(10))
    media_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    invoice_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
