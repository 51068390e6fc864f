"""The template-free layout extractor: invoices read from page text and line positions, with no per-layout template.

Its parts: ``labels`` (multilingual labels and where they count), ``geometry`` (lines, boxes, what is below
what), ``table`` (typed columns from a header and its rows, reusable for any table), ``header`` (the reader of the
header fields) and ``confidence`` (the one confidence scale).
"""

from __future__ import annotations

from paperclerk.extraction.base import Extraction
from paperclerk.invoices.layout.header import NAME, HeaderReader
from paperclerk.invoices.reading import InvoiceExtraction

__all__ = ["NAME", "LayoutExtractor", "extract_layout"]


class LayoutExtractor:
    """The template-free extractor (``name == "layout"``)."""

    name = NAME

    def extract(self, extraction: Extraction) -> InvoiceExtraction:
        return HeaderReader(extraction).read()


def extract_layout(extraction: Extraction) -> InvoiceExtraction:
    """Convenience: ``LayoutExtractor().extract(extraction)``."""
    return LayoutExtractor().extract(extraction)
