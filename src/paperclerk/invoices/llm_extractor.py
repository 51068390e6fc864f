"""The optional LLM extractor: the configured language model reads the invoice's header fields, and a value is
kept only where it is printed in the document, with its span (and box) there as evidence.

Active when a chat model is configured (``PAPERCLERK_LLM_URL`` + ``_MODEL``) and
``PAPERCLERK_INVOICE_LLM_EXTRACTOR`` is on. Its values are less sure than the layout reader's labelled readings, so
the layout wins where both read a field; the model fills what the layout missed and, agreeing, raises confidence.
A model that is down, over budget or answers nonsense never fails the document: the reading is empty and the log
says why. The tokens are recorded against the document's organisation (``ai_usage``, purpose
``invoices.extract``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from paperclerk.ai import service as ai
from paperclerk.ai.providers import Message
from paperclerk.config import get_settings
from paperclerk.core.db import session_scope
from paperclerk.core.errors import PaperclerkError
from paperclerk.extraction.base import ExtractedPage, Extraction
from paperclerk.invoices.dates import find_dates
from paperclerk.invoices.extractors import register_extractor
from paperclerk.invoices.numbers import SYMBOLS, find_amounts
from paperclerk.invoices.reading import AMOUNT_FIELDS, DATE_FIELDS, Box, Evidence, FieldValue, InvoiceExtraction

log = logging.getLogger(__name__)

NAME = "llm"
PURPOSE = "invoices.extract"
#: Below the layout reader's labelled readings (0.75 and up) and above its guesses (an unlabelled date, 0.5).
CONFIDENCE = 0.65
#: The text sent to the model: the document's head and its tail (where totals are printed) when it is longer.
HEAD_CHARS = 9000
TAIL_CHARS = 3000

HEADER_FIELDS = ("vendor_name", "vendor_tax_id", "invoice_number", "invoice_date", "due_date", "currency",
                 "subtotal", "tax_total", "total")
_DESCRIPTIONS = {
    "vendor_name": "the supplier who issued the invoice, as printed",
    "vendor_tax_id": "the supplier's VAT or tax number, as printed",
    "invoice_number": "the invoice number, as printed",
    "invoice_date": "the invoice's issue date, YYYY-MM-DD",
    "due_date": "the payment due date, YYYY-MM-DD",
    "currency": "ISO 4217 code of the amounts",
    "subtotal": "the total before tax, digits with a dot for decimals",
    "tax_total": "the total tax, digits with a dot for decimals",
    "total": "the total to pay including tax, digits with a dot for decimals",
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": list(HEADER_FIELDS),
    "properties": {name: {"type": ["string", "null"], "description": _DESCRIPTIONS[name]} for name in HEADER_FIELDS},
}
_INSTRUCTIONS = ("You read invoices. Answer with the invoice's header fields as JSON matching the schema. Copy "
                 "values exactly as printed in the document; use null for a field the document does not print. "
                 "Never guess.")


def active() -> bool:
    return get_settings().invoice_llm_extractor and ai.llm_configured()


def prompt_text(extraction: Extraction) -> str:
    text = extraction.text
    if len(text) <= HEAD_CHARS + TAIL_CHARS:
        return text
    return f"{text[:HEAD_CHARS]}\n[…]\n{text[-TAIL_CHARS:]}"


class LLMExtractor:
    name = NAME

    def extract_for(self, extraction: Extraction, organization_id: str) -> InvoiceExtraction:
        if not active() or not extraction.text.strip():
            return InvoiceExtraction()
        messages: list[Message] = [{"role": "system", "content": _INSTRUCTIONS},
                                   {"role": "user", "content": prompt_text(extraction)}]
        with session_scope() as session:  # the tokens are spent whatever becomes of the document
            try:
                proposed = ai.structured(session, organization_id, messages, SCHEMA, purpose=PURPOSE)
            except PaperclerkError as exc:
                log.warning("invoice read without the language model", extra={"code": exc.code,
                                                                              "organization": organization_id})
                return InvoiceExtraction()
        return found_in_text(extraction, proposed)


def found_in_text(extraction: Extraction, proposed: dict[str, Any]) -> InvoiceExtraction:
    """The proposed values that the document prints, each with where; the others are dropped."""
    result = InvoiceExtraction()
    for name in HEADER_FIELDS:
        raw = proposed.get(name)
        if not isinstance(raw, str) or not raw.strip():
            continue
        located = _locate(extraction, name, raw.strip())
        if located is None:
            log.info("language model value not in the document dropped", extra={"field": name})
            continue
        value, evidence = located
        result.fields[name] = FieldValue(name, value, CONFIDENCE, NAME, evidence)
    return result


def _locate(extraction: Extraction, name: str, raw: str) -> tuple[Any, Evidence] | None:
    if name in AMOUNT_FIELDS:
        amount = _decimal(raw)
        if amount is None:
            return None
        return _first(extraction, amount, lambda page: (_digits(page.text, m.start, m.end) for hint in (None, ",", ".")
                                                        for m in find_amounts(page.text, hint=hint)
                                                        if abs(m.value) == abs(amount)))
    if name in DATE_FIELDS:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            return None
        return _first(extraction, day, lambda page: ((m.start, m.end) for order in ("DMY", "MDY")
                                                     for m in find_dates(page.text, order=order) if m.value == day))
    if name == "currency":
        code = raw.upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            return None
        signs = [code] + [symbol for symbol, iso in SYMBOLS.items() if iso == code]
        pattern = re.compile("|".join(rf"(?<![A-Za-z]){re.escape(sign)}(?![A-Za-z])"
                                      for sign in sorted(signs, key=len, reverse=True)))
        return _first(extraction, code, lambda page: ((m.start(), m.end()) for m in pattern.finditer(page.text)))
    words = raw.split()
    pattern = re.compile(r"(?<!\w)" + r"\s+".join(re.escape(word) for word in words) + r"(?!\w)", re.IGNORECASE)
    return _first(extraction, None, lambda page: ((m.start(), m.end()) for m in pattern.finditer(page.text)))


Spans = Callable[[ExtractedPage], Iterable[tuple[int, int]]]


def _first(extraction: Extraction, value: Any, spans: Spans) -> tuple[Any, Evidence] | None:
    """``value`` with the first place the document prints it (``None`` for a text value: the printed text)."""
    for page in extraction.pages:
        for start, end in spans(page):
            printed = page.text[start:end]
            return (" ".join(printed.split()) if value is None else value,
                    Evidence(page.number, start, end, _box(page, start, end), printed))
    return None


def _digits(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of an amount's figures, without the currency around them."""
    while start < end and not text[start].isdigit():
        start += 1
    while end > start and not text[end - 1].isdigit():
        end -= 1
    return start, end


def _box(page: ExtractedPage, start: int, end: int) -> Box | None:
    covering = [segment.bbox for segment in page.segments if segment.start < end and segment.end > start]
    if not covering:
        return None
    return (min(box[0] for box in covering), min(box[1] for box in covering),
            max(box[2] for box in covering), max(box[3] for box in covering))


def _decimal(raw: str) -> Decimal | None:
    try:
        amount = Decimal(raw.replace(",", "").replace(" ", ""))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


register_extractor(LLMExtractor())
