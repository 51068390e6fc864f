"""What every extractor returns: pages of text, each with positioned segments, plus attachments."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from paperclerk.config import Settings

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = "text/html"
TEXT = "text/plain"
EMAIL = "message/rfc822"

IMAGE_TYPES = frozenset({PNG, JPEG, TIFF})
SUPPORTED_TYPES = frozenset({PDF, PNG, JPEG, TIFF, DOCX, HTML, TEXT, EMAIL})


@dataclass(frozen=True)
class Limits:
    """Bounds on untrusted content (crossing one fails the document with FILE_TOO_COMPLEX), and how scans are read."""

    max_pages: int = 2000
    max_image_pixels: int = 100_000_000
    max_archive_ratio: int = 200
    max_unpacked_bytes: int = 500 * 1024 * 1024
    ocr_dpi: int = 200
    ocr_engine: str = "auto"  # extraction.ocr.ENGINES
    #: Where to write "pages done, pages in all" as pages are read (the pipeline shows it); empty: nowhere.
    progress_file: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(max_pages=settings.max_pages, max_image_pixels=settings.max_image_pixels,
                   max_archive_ratio=settings.max_archive_ratio,
                   max_unpacked_bytes=settings.max_unpacked_mb * 1024 * 1024, ocr_dpi=settings.ocr_dpi,
                   ocr_engine=settings.ocr_engine)


@dataclass(frozen=True)
class TextSegment:
    """A run of text (a line, usually) and where it sits on its page.

    ``start``/``end`` are character offsets into ``ExtractedPage.text``; ``bbox`` is
    ``(x0, y0, x1, y1)`` with the origin at the top-left, in the page's own unit
    (PDF points for PDFs, pixels for images).
    """

    start: int
    end: int
    bbox: tuple[float, float, float, float]


@dataclass
class ExtractedPage:
    number: int  # 1-based
    text: str
    method: str  # text_layer | ocr | docx | html | text | email
    width: float | None = None
    height: float | None = None
    segments: list[TextSegment] = field(default_factory=list)
    ocr_confidence: float | None = None


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes


@dataclass
class Extraction:
    media_type: str
    pages: list[ExtractedPage]
    attachments: list[Attachment] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n\n".join(page.text for page in self.pages)


class NeedsOCR(Exception):
    """Raised when OCR is not allowed in this run and the file needs it (the job moves to the OCR queue)."""


def report_pages(limits: Limits, done: int, total: int) -> None:
    """Say how far reading has got (for a slow, page-by-page read such as OCR); replaced atomically."""
    if not limits.progress_file:
        return
    partial = f"{limits.progress_file}.part"
    with open(partial, "w") as out:
        out.write(f"{done} {total}")
    os.replace(partial, limits.progress_file)
