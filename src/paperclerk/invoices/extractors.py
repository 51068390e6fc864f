"""The extractors that read an invoice out of its printed text, merged by confidence.

The template-free layout extractor is registered here; another extractor (an LLM one, say) registers with
:func:`register_extractor` from a module in the invoice line's ``task_modules`` (``plugin.py``) and its readings
are merged with the layout's field by field (``reading.merge``): the more confident value wins, agreement raises
confidence, and a disagreeing value stays as a candidate for the rules (e.g. conflicting totals). E-invoice XML is
not one of these: it is exact and, when a document carries it, it is read alone.

An extractor that spends an organisation's resources (the LLM extractor: a language model's tokens) is an
:class:`OrganizationExtractor`: it reads only documents read for an organisation (the pipeline's), not files read
on their own (``paperclerk extract``).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from paperclerk.extraction.base import Extraction
from paperclerk.invoices.layout import LayoutExtractor
from paperclerk.invoices.page_markers import missing_pages
from paperclerk.invoices.reading import Extractor, InvoiceExtraction, merge


@runtime_checkable
class OrganizationExtractor(Protocol):
    """An extractor that reads on an organisation's account (its budget, its token accounting)."""

    name: str

    def extract_for(self, extraction: Extraction, organization_id: str) -> InvoiceExtraction: ...


_EXTRACTORS: list[Extractor | OrganizationExtractor] = [LayoutExtractor()]


def register_extractor(extractor: Extractor | OrganizationExtractor) -> None:
    if any(existing.name == extractor.name for existing in _EXTRACTORS):
        raise ValueError(f"invoice extractor {extractor.name!r} is already registered")
    _EXTRACTORS.append(extractor)


def unregister_extractor(name: str) -> None:
    _EXTRACTORS[:] = [extractor for extractor in _EXTRACTORS if extractor.name != name]


def read_printed(extraction: Extraction, *, organization_id: str | None = None) -> InvoiceExtraction:
    """The invoice in the document's printed text: every registered extractor's reading, merged, plus the pages
    its page markers say are missing. Organisation extractors read only when ``organization_id`` is given."""
    readings = []
    for extractor in _EXTRACTORS:
        if isinstance(extractor, OrganizationExtractor):
            if organization_id is not None:
                readings.append(extractor.extract_for(extraction, organization_id))
        else:
            readings.append(extractor.extract(extraction))
    result = merge(readings)
    missing = missing_pages(extraction)
    if missing is not None:
        result.fields[missing.name] = missing
    return result
