"""The stand-alone invoice and receipt report (no database): ``analyze_file`` reads a file, checks what is in
it with the default tolerances and returns stable JSON-ready data (``paperclerk invoices extract``). The pipeline's
``analyzer.py`` shares its kind decision (:func:`read_kind`, :func:`declared_invoice`) and stores the result.

Order of preference: UBL / CII XML (exact), a PDF carrying CII XML (Factur-X / ZUGFeRD, exact), else
the printed-text extractors (``extractors.read_printed``: the template-free layout extractor and any other
registered one, merged by confidence) over the document's text. A file sent in as an invoice or receipt is always
read: the kind the text reads as, and how sure that is, are reported beside the fields, never instead of them.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from paperclerk.config import get_settings
from paperclerk.core.errors import ExtractionError
from paperclerk.extraction import sandbox
from paperclerk.extraction.base import PDF, Extraction, Limits
from paperclerk.extraction.sniff import detect_media_type
from paperclerk.invoices.einvoice import (
    MAX_XML_BYTES,
    embedded_einvoice,
    looks_like_xml,
    read_einvoice,
    sniff_einvoice,
)
from paperclerk.invoices.extractors import read_printed
from paperclerk.invoices.reading import (
    CREDIT_NOTE,
    INVOICE,
    NOT_INVOICE,
    RECEIPT,
    Evidence,
    FieldValue,
    InvoiceExtraction,
    json_value,
)
from paperclerk.invoices.rules import RuleConfig, validate
from paperclerk.pipeline.classify import THRESHOLD, classify

OTHER = "other"
_INVOICE_KINDS = frozenset({"invoice", "legal_invoice"})
#: How sure a kind is when the classifier's cues alone decide it, and when a title or the fields confirm it.
CUES_ONLY_CONFIDENCE = 0.6
CONFIRMED_CONFIDENCE = 0.9
#: A document that reads as nothing known: how sure "other" is.
OTHER_CONFIDENCE = 0.5
#: A title that says quotation, order, delivery note or statement.
LOOKALIKE_CONFIDENCE = 0.85
#: Titles of documents that look like invoices (amounts, numbers, VAT) but are not to be paid.
_NOT_INVOICE_TITLE = re.compile(
    r"^\s*(?:quotation|quote|estimate|pro[\s-]?forma|purchase\s+order|order\s+confirmation|delivery\s+note|"
    r"packing\s+(?:list|slip)|statement(?:\s+of\s+account)?|remittance\s+advice|devis|bon\s+de\s+commande|"
    r"bon\s+de\s+livraison|relev[ée]\s+de\s+compte|offerte|bestelbon|inkooporder|pakbon|angebot|"
    r"bestellung|auftragsbest[äa]tigung|lieferschein|kontoauszug|presupuesto|pedido|albar[áa]n|"
    r"orden\s+de\s+compra)\b", re.IGNORECASE | re.MULTILINE)
_INVOICE_TITLE = re.compile(r"^\s*(?:(?:tax\s+)?invoice|facture|factuur|rechnung|factura|credit\s+note|avoir|"
                            r"creditnota|gutschrift|nota\s+de\s+cr[ée]dito)\b", re.IGNORECASE | re.MULTILINE)
_HEAD_BYTES = 8192

def analyze_file(path: Path | str, *, config: RuleConfig | None = None) -> dict[str, Any]:
    """The invoice or receipt in ``path``: ``{"file", "kind", "kind_confidence", "fields", "lines", "evidence",
    "findings"}``.

    The file is read as the user sent it, an invoice: ``fields`` are always there. ``kind`` says what the text reads
    as (``invoice``, ``credit_note``, ``receipt`` or ``other``: a quote, order, letter…) with ``kind_confidence``
    in 0..1; the rules run for the first three. Dates are ISO strings and amounts decimal strings. Raises
    ``ExtractionError`` / ``FileRejected`` for unreadable files, with ``XML_UNSAFE`` / ``XML_MALFORMED`` for hostile
    or broken XML.
    """
    path = Path(path)
    config = config or RuleConfig(today=date.today())
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if sniff_einvoice(head):
        size = path.stat().st_size
        if size > MAX_XML_BYTES:  # refuse before reading it all into memory
            raise ExtractionError(f"The XML file is larger than {MAX_XML_BYTES // (1024 * 1024)} MB.",
                                  code="XML_UNSAFE", details={"bytes": size})
        result = read_einvoice(path.read_bytes())
        return report(str(path), _einvoice_kind(result), result, config, kind_confidence=1.0)
    if looks_like_xml(head) and (b"<!DOCTYPE" in head or b"<!ENTITY" in head):
        raise ExtractionError("The XML declares a document type or entities and was refused as potentially "
                              "hostile (XXE or entity expansion).", code="XML_UNSAFE")
    media_type = detect_media_type(path)
    if media_type == PDF:
        embedded = embedded_einvoice(path)
        if embedded is not None:
            result = read_einvoice(embedded, page=0)
            return report(str(path), _einvoice_kind(result), result, config, kind_confidence=1.0)
    settings = get_settings()
    extraction = sandbox.extract(path, media_type, allow_ocr=True, limits=Limits.from_settings(settings),
                                 settings=settings)
    return analyze_extraction(extraction, file=str(path), config=config)


def analyze_extraction(extraction: Extraction, *, file: str = "", config: RuleConfig | None = None) -> dict[str, Any]:
    """The same report for an already extracted document (the pipeline has one): the printed-text extractors,
    kind decision, validation. It does not look inside the file: for PDFs, check :func:`embedded_einvoice`
    first (as :func:`analyze_file` does) so that Factur-X / ZUGFeRD XML wins over the printed text."""
    config = config or RuleConfig(today=date.today())
    result = read_printed(extraction)
    kind, confidence = read_kind(extraction, result)
    return report(file, kind, result, config, kind_confidence=confidence)


def read_kind(extraction: Extraction, result: InvoiceExtraction) -> tuple[str, float]:
    """What the text reads as, and how sure that is: ``invoice`` / ``credit_note`` (classifier cues, or a title
    with a number and a total), ``receipt`` (till-receipt cues, or a total and a date without an invoice number),
    else ``other`` (also quotes, orders, delivery notes and statements)."""
    head = "\n".join(extraction.text.splitlines()[:12])
    if _NOT_INVOICE_TITLE.search(head) and not _INVOICE_TITLE.search(head):
        return OTHER, LOOKALIKE_CONFIDENCE  # a quote, order, delivery note or statement: not a bill to pay
    kind, scores = classify(extraction.text)
    document_type = result.fields.get("document_type")
    titled = document_type is not None and document_type.confidence >= 0.9
    has_core = "total" in result.fields and ("invoice_number" in result.fields or "invoice_date" in result.fields)
    invoice_like = kind in _INVOICE_KINDS and ("total" in result.fields or "invoice_number" in result.fields)
    if invoice_like or (titled and has_core):
        sure = CONFIRMED_CONFIDENCE if titled or has_core else CUES_ONLY_CONFIDENCE
        return (CREDIT_NOTE if result.is_credit_note else INVOICE), sure
    receipt_cues = scores.get(RECEIPT, 0.0)
    if kind == RECEIPT or (receipt_cues >= THRESHOLD / 2 and "total" in result.fields):
        sure = CONFIRMED_CONFIDENCE if "total" in result.fields and "invoice_date" in result.fields \
            else CUES_ONLY_CONFIDENCE
        return RECEIPT, sure
    return OTHER, OTHER_CONFIDENCE


def declared_invoice(extraction: Extraction, result: InvoiceExtraction) -> str:
    """The kind of a document sent in as an invoice: what it reads as, and when that is not an invoice, still
    ``invoice``, with ``document_type`` ``not_invoice`` pointing at its title (rule INV-KIND-001), so that a
    person decides instead of the document quietly leaving the invoice inbox."""
    kind, _confidence = read_kind(extraction, result)
    if kind != OTHER:
        return kind
    page = extraction.pages[0] if extraction.pages else None
    head_end = sum(len(line) + 1 for line in page.text.split("\n")[:12]) if page else 0
    title = _NOT_INVOICE_TITLE.search(page.text, 0, head_end) if page else None
    evidence = Evidence(page.number, title.start(), title.end(), None, title.group().strip()) if page and title \
        else None
    result.fields["document_type"] = FieldValue("document_type", NOT_INVOICE, 0.8, "layout", evidence)
    return INVOICE


def _einvoice_kind(result: InvoiceExtraction) -> str:
    return CREDIT_NOTE if result.is_credit_note else INVOICE


def report(file: str, kind: str, result: InvoiceExtraction, config: RuleConfig, *,
           kind_confidence: float = 1.0) -> dict[str, Any]:
    """The stable JSON-ready shape of an analysis. The rules run for invoices, credit notes and receipts (a
    receipt is not asked for an invoice number or a due date); a document that reads as something else keeps its
    fields but gets no findings."""
    findings = validate(result, config.for_kind(kind)) if kind != OTHER else []
    evidence = {}
    for name, found in result.fields.items():
        place = found.evidence.to_dict() if found.evidence else {"page": None, "start": None, "end": None,
                                                                    "bbox": None}
        evidence[name] = {"page": place["page"], "start": place["start"], "end": place["end"], "bbox": place["bbox"],
                          "confidence": found.confidence, "extractor": found.extractor}
    return {
        "file": file,
        "kind": kind,
        "kind_confidence": round(kind_confidence, 3),
        "fields": {name: json_value(found.value) for name, found in result.fields.items()},
        "lines": [{"description": line.description, "quantity": json_value(line.quantity),
                   "unit_price": json_value(line.unit_price), "amount": json_value(line.amount),
                   "tax_rate": json_value(line.tax_rate),
                   "evidence": line.evidence.to_dict() if line.evidence else None} for line in result.lines],
        "evidence": evidence,
        "findings": [finding.to_dict() for finding in findings],
    }
