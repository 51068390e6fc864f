"""``extract()``: run the extractor registered for a media type over a stored file."""

from __future__ import annotations

from pathlib import Path

from paperclerk.core.errors import ExtractionError

# The extractor modules register themselves on import.
from paperclerk.extraction import docx, email, html, images, pdf, text  # noqa: F401
from paperclerk.extraction.base import Extraction, Limits
from paperclerk.extraction.registry import EXTRACTORS


def extract(path: Path, media_type: str, *, allow_ocr: bool, limits: Limits) -> Extraction:
    """Pages of text (and attachments) from ``path``, read as ``media_type``.

    Raises ``ExtractionError`` with a stable code for unreadable files and ``NeedsOCR`` when the
    file needs OCR and ``allow_ocr`` is false.
    """
    extractor = EXTRACTORS.get(media_type)
    if extractor is None:
        raise ExtractionError(f"No extractor for media type {media_type!r}.", code="FILE_UNSUPPORTED")
    return extractor(path, allow_ocr=allow_ocr, limits=limits)
