"""An invoice as read from a document: what extractors return (fields with evidence, line items, findings),
and how several extractors' readings are combined. The stored tables are ``models.py``.

Values are typed: amounts ``Decimal``, dates ``date``, rates ``Decimal`` percentages (``21`` for 21 %),
currencies ISO 4217 codes, everything else ``str``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from paperclerk.extraction.base import Extraction

Box = tuple[float, float, float, float]

#: Header fields every extractor may fill (``document_type`` is ``invoice`` or ``credit_note``; ``not_invoice`` when
#: a document sent in as an invoice reads as a quote, order, delivery note or statement).
FIELDS = (
    "document_type", "vendor_name", "vendor_address", "vendor_tax_id", "vendor_iban", "vendor_bic",
    "customer_name", "invoice_number", "invoice_date", "due_date", "purchase_order", "payment_terms",
    "currency", "subtotal", "tax_total", "total", "amount_due",
    # Document-level allowances, charges and prepayments (EN 16931 BT-107, BT-108, BT-113) when printed.
    "allowance_total", "charge_total", "prepaid_amount",
    # Page numbers the invoice's "Page 1 of 3" markers name but the document lacks.
    "missing_pages",
)
AMOUNT_FIELDS = ("subtotal", "tax_total", "total", "amount_due", "allowance_total", "charge_total", "prepaid_amount")
DATE_FIELDS = ("invoice_date", "due_date")
INVOICE = "invoice"
CREDIT_NOTE = "credit_note"
#: A till receipt: read like an invoice, checked without asking for an invoice number or a due date.
RECEIPT = "receipt"
NOT_INVOICE = "not_invoice"


@dataclass(frozen=True)
class Evidence:
    """Where a value was read: ``page`` (1-based; 0 for an XML file embedded in a PDF), the character
    span ``start``..``end`` in that page's text (for XML: the lines of the element in the XML text),
    the box of the text segment covering the span when the page has positions, and the text itself."""

    page: int
    start: int
    end: int
    bbox: Box | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"page": self.page, "start": self.start, "end": self.end,
                "bbox": [round(v, 2) for v in self.bbox] if self.bbox else None, "text": self.text}


@dataclass(frozen=True)
class FieldValue:
    name: str
    value: Any
    confidence: float
    extractor: str
    evidence: Evidence | None = None


@dataclass(frozen=True)
class LineItem:
    description: str
    quantity: Decimal | None
    unit_price: Decimal | None
    amount: Decimal | None
    tax_rate: Decimal | None = None
    evidence: Evidence | None = None


@dataclass
class InvoiceExtraction:
    """Header ``fields`` by name, ``lines``, and other values seen for a field (``candidates``:
    e.g. two different totals printed on one invoice), kept so that rules can flag conflicts."""

    fields: dict[str, FieldValue] = field(default_factory=dict)
    lines: list[LineItem] = field(default_factory=list)
    candidates: dict[str, list[FieldValue]] = field(default_factory=dict)

    def value(self, name: str) -> Any:
        found = self.fields.get(name)
        return None if found is None else found.value

    @property
    def is_credit_note(self) -> bool:
        return bool(self.value("document_type") == CREDIT_NOTE)


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: str  # info | warning | error | critical
    message: str
    evidence: list[Evidence]
    fix: str

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "severity": self.severity, "message": self.message,
                "evidence": [item.to_dict() for item in self.evidence], "fix": self.fix}


@runtime_checkable
class Extractor(Protocol):
    """Anything that reads an invoice out of an extracted document (layout rules, e-invoice XML, an LLM)."""

    name: str

    def extract(self, extraction: Extraction) -> InvoiceExtraction: ...


#: Confidence added when two extractors independently read the same value (capped at 1.0).
AGREEMENT_BONUS = 0.1


def merge(results: list[InvoiceExtraction]) -> InvoiceExtraction:
    """One extraction from several: per field the most confident value (earlier results win ties),
    more confident when other extractors agree; a disagreeing value is kept as a candidate. Lines come
    from the result that is most confident about its total (then the one with most lines)."""
    merged = InvoiceExtraction()
    names = [name for result in results for name in result.fields]
    for name in dict.fromkeys(names):
        values = [result.fields[name] for result in results if name in result.fields]
        best = max(values, key=lambda item: item.confidence)
        agreeing = [item for item in values if item is not best and item.value == best.value]
        if agreeing:
            confidence = min(1.0, round(best.confidence + AGREEMENT_BONUS * len(agreeing), 3))
            best = FieldValue(best.name, best.value, confidence, best.extractor, best.evidence)
        merged.fields[name] = best
        others = [item for item in values if item.value != best.value]
        if others:
            merged.candidates.setdefault(name, []).extend(others)
    for result in results:
        for name, seen in result.candidates.items():
            merged.candidates.setdefault(name, []).extend(seen)
    with_lines = [result for result in results if result.lines]
    if with_lines:
        def rank(result: InvoiceExtraction) -> tuple[float, int]:
            total = result.fields.get("total")
            return (total.confidence if total else 0.0, len(result.lines))
        merged.lines = list(max(with_lines, key=rank).lines)
    return merged


def json_value(value: Any) -> Any:
    """A field value as JSON: dates ISO strings, Decimals decimal strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
