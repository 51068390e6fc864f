"""API shapes of invoices and their master data: what clients send and get back."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StrictBool

from paperclerk.core.money import plain, quantity
from paperclerk.documents.schemas import RejectedFile, UploadedDocument
from paperclerk.invoices.models import (
    GoodsReceipt,
    Invoice,
    InvoiceField,
    InvoiceFinding,
    InvoiceLine,
    PurchaseOrder,
)
from paperclerk.invoices.policy import TOLERANCES, RuleState
from paperclerk.invoices.service import line_values

#: Amounts in JSON as decimal strings with two decimals (more only when they have them).
Money = Annotated[Decimal, PlainSerializer(plain, return_type=str, when_used="json")]
#: Quantities and rates without trailing zeros.
Number = Annotated[Decimal, PlainSerializer(quantity, return_type=str, when_used="json")]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class InvoiceSummary(_Out):
    id: str
    document_id: str
    status: str
    kind: str
    vendor_id: str | None
    vendor_name: str | None
    invoice_number: str | None
    invoice_date: date | None
    due_date: date | None
    currency: str | None
    total: Money | None
    open_findings: int = 0
    created_at: datetime
    exported_at: datetime | None


class InvoiceList(BaseModel):
    items: list[InvoiceSummary]
    total: int
    limit: int
    offset: int


class FieldOut(BaseModel):
    name: str
    value: str | None
    original_value: str | None
    corrected: bool
    confidence: float | None
    extractor: str | None
    #: Where it was read: page (1-based; 0 for XML embedded in a PDF), character span, box on the page.
    page: int | None
    start: int | None
    end: int | None
    bbox: list[float] | None

    @classmethod
    def of(cls, field: InvoiceField) -> FieldOut:
        return cls(name=field.name, value=field.value, original_value=field.original_value,
                   corrected=field.value != field.original_value, confidence=field.confidence,
                   extractor=field.extractor, page=field.page, start=field.start, end=field.end, bbox=field.bbox)


class LineOut(_Out):
    position: int
    description: str
    quantity: Number | None
    unit_price: Number | None
    amount: Money | None
    tax_rate: Number | None
    evidence: dict[str, Any] | None
    #: The line as it was read (None: a person added it), and whether a person has changed it since.
    original: dict[str, str | None] | None
    corrected: bool

    @classmethod
    def of(cls, line: InvoiceLine) -> LineOut:
        return cls.model_validate({**{name: getattr(line, name) for name in ("position", "description", "quantity",
                                                                           "unit_price", "amount", "tax_rate",
                                                                           "evidence", "original")},
                                   "corrected": line.original is not None and line.original != line_values(line)})


class LineIn(BaseModel):
    """A line a person adds, or (every value optional) the values of a line a person corrects."""

    description: str = Field(min_length=1, max_length=2000)
    quantity: Decimal | None = Field(default=None, max_digits=18, decimal_places=4)
    unit_price: Decimal | None = Field(default=None, max_digits=20, decimal_places=6)
    amount: Decimal | None = Field(default=None, max_digits=18, decimal_places=4)
    tax_rate: Decimal | None = Field(default=None, ge=0, le=100, max_digits=7, decimal_places=3)


class LinePatch(BaseModel):
    description: str | None = Field(default=None, min_length=1, max_length=2000)
    quantity: Decimal | None = Field(default=None, max_digits=18, decimal_places=4)
    unit_price: Decimal | None = Field(default=None, max_digits=20, decimal_places=6)
    amount: Decimal | None = Field(default=None, max_digits=18, decimal_places=4)
    tax_rate: Decimal | None = Field(default=None, ge=0, le=100, max_digits=7, decimal_places=3)


class FindingOut(_Out):
    id: str
    rule_id: str
    severity: str
    message: str
    evidence: list[dict[str, Any]]
    fix: str
    status: str
    dismissed_by: str | None
    dismissed_at: datetime | None
    dismissed_reason: str | None
    resolved_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, finding: InvoiceFinding) -> FindingOut:
        return cls.model_validate(finding)


class CorrectionOut(_Out):
    #: A header field's name, or ``line`` (``line`` then gives its position; before / after are the line as JSON).
    field: str
    line: int | None
    before: str | None
    after: str | None
    by: str
    at: datetime


class InvoiceDetail(InvoiceSummary):
    page_count: int | None
    vendor_tax_id: str | None
    vendor_iban: str | None
    purchase_order: str | None
    subtotal: Money | None
    tax_total: Money | None
    amount_due: Money | None
    decided_by: str | None
    decided_at: datetime | None
    rejection_reason: str | None
    fields: list[FieldOut]
    lines: list[LineOut]
    findings: list[FindingOut]
    corrections: list[CorrectionOut]

    @classmethod
    def of(cls, invoice: Invoice, *, page_count: int | None) -> InvoiceDetail:
        data = {column: getattr(invoice, column) for column in cls.model_fields
                if column not in ("fields", "lines", "findings", "corrections", "page_count", "open_findings")}
        return cls(**data, page_count=page_count,
                   open_findings=sum(1 for item in invoice.findings if item.status == "open"),
                   fields=[FieldOut.of(field) for field in invoice.fields],
                   lines=[LineOut.of(line) for line in invoice.lines],
                   findings=[FindingOut.of(finding) for finding in invoice.findings],
                   corrections=[CorrectionOut.model_validate(item) for item in invoice.corrections])


class CorrectionIn(BaseModel):
    field: str = Field(max_length=40, description="A header field, e.g. total, invoice_date, vendor_iban")
    value: str | None = Field(max_length=2000, description="The right value as text (ISO dates, plain decimals); "
                                                           "null clears the field")


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class InvoiceUpload(UploadedDocument):
    #: The invoice the file became (or, for the same bytes again, the invoice already received).
    invoice_id: str


class InvoiceUploadResult(BaseModel):
    documents: list[InvoiceUpload]
    rejected: list[RejectedFile]


class ApproveIn(BaseModel):
    reason: str | None = Field(default=None, min_length=1, max_length=2000,
                               description="Why the invoice is approved although error findings are open (required "
                                           "then; recorded in the audit trail)")


class ExportIn(BaseModel):
    format: Literal["csv", "json", "ubl"]
    columns: list[str] | None = Field(default=None, max_length=60, description="CSV columns, in order")
    include_exported: bool = False


# Master data -------------------------------------------------------------------------------------------


class VendorIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    tax_id: str | None = Field(default=None, max_length=40)
    iban: str | None = Field(default=None, max_length=42)
    bic: str | None = Field(default=None, max_length=14)
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")
    active: bool = True


class VendorPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    tax_id: str | None = Field(default=None, max_length=40)
    iban: str | None = Field(default=None, max_length=42)
    bic: str | None = Field(default=None, max_length=14)
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")
    active: bool | None = None


class VendorOut(_Out):
    id: str
    name: str
    tax_id: str | None
    iban: str | None
    bic: str | None
    country: str | None
    active: bool
    created_at: datetime
    updated_at: datetime


class OrderLineIn(BaseModel):
    line_number: int = Field(ge=1)
    description: str = Field(min_length=1, max_length=500)
    quantity: Decimal = Field(gt=0, max_digits=18, decimal_places=4)
    unit_price: Decimal = Field(ge=0, max_digits=20, decimal_places=6)


class PurchaseOrderIn(BaseModel):
    number: str = Field(min_length=1, max_length=60)
    vendor_id: str = Field(max_length=36)
    currency: str = Field(pattern=r"^[A-Za-z]{3}$")
    order_date: date | None = None
    lines: list[OrderLineIn] = Field(min_length=1, max_length=1000)


class PurchaseOrderPatch(BaseModel):
    vendor_id: str | None = Field(default=None, max_length=36)
    currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")
    order_date: date | None = None
    lines: list[OrderLineIn] | None = Field(default=None, min_length=1, max_length=1000)


class OrderLineOut(_Out):
    line_number: int
    description: str
    quantity: Number
    unit_price: Number


class PurchaseOrderOut(_Out):
    id: str
    number: str
    vendor_id: str
    currency: str
    order_date: date | None
    lines: list[OrderLineOut]
    created_at: datetime

    @classmethod
    def of(cls, order: PurchaseOrder) -> PurchaseOrderOut:
        return cls.model_validate(order)


class ReceiptLineIn(BaseModel):
    line_number: int = Field(ge=1, description="The purchase-order line received against")
    quantity: Decimal = Field(gt=0, max_digits=18, decimal_places=4)


class GoodsReceiptIn(BaseModel):
    number: str = Field(min_length=1, max_length=60)
    purchase_order_id: str = Field(max_length=36)
    received_on: date
    lines: list[ReceiptLineIn] = Field(min_length=1, max_length=1000)


class GoodsReceiptPatch(BaseModel):
    received_on: date | None = None
    lines: list[ReceiptLineIn] | None = Field(default=None, min_length=1, max_length=1000)


class ReceiptLineOut(_Out):
    line_number: int
    quantity: Number


class GoodsReceiptOut(_Out):
    id: str
    number: str
    purchase_order_id: str
    received_on: date
    lines: list[ReceiptLineOut]
    created_at: datetime

    @classmethod
    def of(cls, receipt: GoodsReceipt) -> GoodsReceiptOut:
        return cls.model_validate(receipt)


class ImportProblem(BaseModel):
    row: int
    reason: str


class ImportResult(BaseModel):
    created: int
    updated: int
    rejected: list[ImportProblem]
    revalidated_invoices: int



# Validation policy -------------------------------------------------------------------------------------


class RuleOut(BaseModel):
    id: str
    title: str
    description: str
    scope: Literal["document", "master_data"]
    default_severity: str
    enabled: bool
    #: The organisation's severity; None while the rule keeps its default.
    severity: str | None
    effective_severity: str

    @classmethod
    def of(cls, state: RuleState) -> RuleOut:
        rule = state.rule
        return cls(id=rule.id, title=rule.title, description=rule.description,
                   scope=rule.scope,
                   default_severity=rule.default_severity, enabled=state.enabled, severity=state.severity,
                   effective_severity=state.effective_severity)


class RulePatch(BaseModel):
    enabled: bool | None = None
    severity: Literal["info", "warning", "error", "critical"] | None = Field(
        default=None, description="null puts the rule back to its default severity")


class RulesIn(BaseModel):
    rules: dict[Annotated[str, Field(max_length=40)], RulePatch] = Field(
        max_length=100, description="Rule id -> what to change")


class ToleranceOut(BaseModel):
    name: str
    description: str
    kind: Literal["decimal", "days", "fields", "switch"]
    default: Any
    value: Any
    changed: bool


class TolerancesIn(BaseModel):
    values: dict[Annotated[str, Field(max_length=40)],
                 StrictBool | Decimal | list[Annotated[str, Field(max_length=40)]] | None] = \
        Field(max_length=40, description="Tolerance name -> value (a quantity, a list of field names, or true/false "
                                         "for a switch); null puts it back to its default")


class PolicyOut(BaseModel):
    rules: list[RuleOut]
    tolerances: list[ToleranceOut]

    @classmethod
    def of(cls, states: list[RuleState], values: dict[str, Any]) -> PolicyOut:
        return cls(rules=[RuleOut.of(state) for state in states], tolerances=tolerances_out(values))


def tolerances_out(values: dict[str, Any]) -> list[ToleranceOut]:
    return [ToleranceOut(name=item.name, description=item.description, kind=item.kind,
                         default=item.default, value=values.get(item.name, item.default), changed=item.name in values)
            for item in TOLERANCES.values()]
