"""The extractors that read an invoice out of its printed text, merged by confidence.

The template-free layout extractor is registered here; another extractor (an LLM one, say) registers with
:func:`register_extractor` from a module in the invoice line's ``task_modules`` (``plugin.py``) and its readings
are merged with the layout's field by field (``reading.merge``): the more confident value wins, agreement raises
confidence, and a disagreeing value stays as a candidate for the rules (e.g. conflicting totals). E-invoice XML is
not one of these: it is exact and, when a document carries it, it is read alone.
"""

from __future__ import annotations

from paperclerk.extraction.base import Extraction
from paperclerk.invoices.layout import LayoutExtractor
from paperclerk.invoices.page_markers import missing_pages
from paperclerk.invoices.reading import Extractor, InvoiceExtraction, merge

_EXTRACTORS: list[Extractor] = [LayoutExtractor()]


def register_extractor(extractor: Extractor) -> None:
    if any(existing.name == extractor.name for existing in _EXTRACTORS):
        raise ValueError(f"invoice extractor {extractor.name!r} is already registered")
    _EXTRACTORS.append(extractor)


def unregister_extractor(name: str) -> None:
    _EXTRACTORS[:] = [extractor for extractor in _EXTRACTORS if extractor.name != name]


def read_printed(extraction: Extraction) -> InvoiceExtraction:
    """The invoice in the document's printed text: every registered extractor's reading, merged, plus the pages
    its page markers say are missing."""
    result = merge([extractor.extract(extraction) for extractor in _EXTRACTORS])
    missing = missing_pages(extraction)
    if missing is not None:
        result.fields[missing.name] = missing
    return result
