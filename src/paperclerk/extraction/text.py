"""Plain text: decoded (UTF-8, UTF-16 with BOM, else cp1252/latin-1), one page per form feed."""

from __future__ import annotations

import codecs
from pathlib import Path

from paperclerk.core.errors import ExtractionError
from paperclerk.extraction.base import TEXT, ExtractedPage, Extraction, Limits
from paperclerk.extraction.registry import register


@register(TEXT)
def extract_text(path: Path, *, allow_ocr: bool, limits: Limits) -> Extraction:
    text, encoding = decode_text(path.read_bytes())
    pages = text.replace("\r\n", "\n").replace("\r", "\n").split("\f")
    if len(pages) > 1 and not pages[-1].strip():
        pages.pop()  # printers end the last page with a form feed too
    if len(pages) > limits.max_pages:
        raise ExtractionError(f"The text has {len(pages)} pages; the limit is {limits.max_pages}.",
                              code="FILE_TOO_COMPLEX", details={"pages": len(pages)})
    return Extraction(media_type=TEXT, metadata={"encoding": encoding},
                      pages=[ExtractedPage(number, page, "text") for number, page in enumerate(pages, 1)])


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding used): a BOM decides, else UTF-8 if valid, else cp1252, else latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1"), "latin-1"
