"""PDF pages through pdfium: the text layer with one positioned segment per cell of a line (text that a wide
gap separates from the rest of its line), or OCR for scanned pages."""

from __future__ import annotations

import ctypes
import math
import os
import threading
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL.Image import Image

from paperclerk.core.errors import ExtractionError
from paperclerk.extraction.base import PDF, ExtractedPage, Extraction, Limits, NeedsOCR, TextSegment, report_pages
from paperclerk.extraction.ocr import ocr_image
from paperclerk.extraction.registry import register

Box = tuple[float, float, float, float]
#: A page with fewer non-blank characters than this in its text layer, and an image, is a scan.
_MIN_TEXT_CHARS = 10
#: A horizontal gap wider than this many line heights ends a cell (a column of a table, the value at the right
#: of its label, a second address block); pdfium writes any gap as a single space.
_CELL_GAP = 1.0
_METADATA_KEYS = {"Title": "title", "Author": "author", "Subject": "subject", "Creator": "creator",
                  "Producer": "producer", "CreationDate": "created", "ModDate": "modified"}
#: pdfium is not thread-safe, not even on different documents (concurrent calls crash the process):
#: every call into it, anywhere in paperclerk, holds this lock. OCR runs outside it.
PDFIUM_LOCK = threading.RLock()


@register(PDF)
def extract_pdf(path: Path, *, allow_ocr: bool, limits: Limits) -> Extraction:
    with PDFIUM_LOCK:
        document = _open(path)
    try:
        with PDFIUM_LOCK:
            count = len(document)
            metadata = {_METADATA_KEYS[key]: value for key, value in document.get_metadata_dict().items()
                        if key in _METADATA_KEYS and value}
        if count > limits.max_pages:
            raise ExtractionError(f"The PDF has {count} pages; the limit is {limits.max_pages}.",
                                  code="FILE_TOO_COMPLEX", details={"pages": count})
        pages = []
        for index in range(count):
            pages.append(_read_page(document, index, allow_ocr=allow_ocr, limits=limits))
            report_pages(limits, index + 1, count)
    except pdfium.PdfiumError as exc:
        raise ExtractionError(f"The PDF is damaged: {exc}", code="FILE_CORRUPT") from exc
    finally:
        with PDFIUM_LOCK:
            document.close()
    return Extraction(media_type=PDF, pages=pages, metadata=metadata)


def _open(path: Path) -> pdfium.PdfDocument:
    """Open with the raw API so that 'no pages' and 'unreadable' can be told apart (and nothing leaks)."""
    raw = pdfium_c.FPDF_LoadDocument(os.fsencode(path), None)
    if not raw:
        error = pdfium_c.FPDF_GetLastError()
        if error in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise ExtractionError("The PDF is encrypted (password protected).", code="FILE_ENCRYPTED")
        raise ExtractionError("The PDF is damaged or not a PDF.", code="FILE_CORRUPT",
                              details={"pdfium_error": error})
    document = pdfium.PdfDocument(raw)
    if pdfium_c.FPDF_GetPageCount(raw) < 1:
        document.close()
        raise ExtractionError("The PDF has no pages.", code="FILE_EMPTY")
    return document


def _read_page(document: pdfium.PdfDocument, index: int, *, allow_ocr: bool, limits: Limits) -> ExtractedPage:
    with PDFIUM_LOCK:
        page = document[index]
        try:
            width, height = page.get_size()
            textpage = page.get_textpage()
            try:
                raw_text = textpage.get_text_range()
                # A layer of unmapped glyphs (fonts without a ToUnicode map) reads as control characters: OCR it.
                garbled = _garbled(raw_text)
                if (_has_text(raw_text) and not garbled) or not (garbled or _has_images(page)):
                    text, segments = _text_layer(textpage, raw_text, height)
                    return ExtractedPage(index + 1, text, "text_layer", width, height, segments)
            finally:
                textpage.close()
            if not allow_ocr:
                raise NeedsOCR(f"Page {index + 1} is a scan without a text layer.")
            image, scale = _render(page, width, height, limits)
        finally:
            page.close()
    return _ocr_page(image, scale, index, width, height, limits.ocr_engine)


def _has_text(raw_text: str) -> bool:
    return len(raw_text) > 20 * _MIN_TEXT_CHARS or len("".join(raw_text.split())) >= _MIN_TEXT_CHARS


def _garbled(raw_text: str) -> bool:
    """Mostly control characters: glyph codes that no Unicode map names."""
    visible = [char for char in raw_text if not char.isspace()]
    return len(visible) >= _MIN_TEXT_CHARS // 2 and sum(char.isprintable() for char in visible) < len(visible) / 2


def _has_images(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3))


def _text_layer(textpage: pdfium.PdfTextPage, raw_text: str, height: float) -> tuple[str, list[TextSegment]]:
    """Page text with '\\n' line ends, and one segment per cell of each non-blank line.

    pdfium separates lines with '\\r\\n' and a character index is a position in ``raw_text``, so each
    cell's character range gives its rectangles directly; only the characters around spaces are measured.
    """
    lines = raw_text.split("\r\n")
    segments: list[TextSegment] = []
    raw_offset = offset = 0
    for line in lines:
        length = len(line)
        stripped = line.strip()
        if stripped:
            lead = length - len(line.lstrip())
            count = len(stripped)
            bbox, runs = _union(textpage, raw_offset + lead, count, height)
            if bbox is not None:
                # pdfium's rectangles already break at gaps: a line drawn in one run is one cell.
                cells = _cells(textpage, stripped, raw_offset + lead, bbox) if runs > 1 and " " in stripped \
                    else [(0, count, bbox)]
                segments += [TextSegment(offset + lead + start, offset + lead + end, box) for start, end, box in cells]
        raw_offset += length + 2
        offset += length + 1
    return "\n".join(lines), segments


def _cells(textpage: pdfium.PdfTextPage, text: str, first: int, bbox: Box) -> list[tuple[int, int, Box]]:
    """(start, end, box) in ``text`` of its cells: runs of text split at spaces wider than ``_CELL_GAP`` line
    heights. Only the characters around spaces are measured; a cell spans the line's height."""
    cells: list[tuple[int, int, Box]] = []
    start, cell_left, line_height = 0, bbox[0], bbox[3] - bbox[1]
    raw = textpage.raw
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    box = (ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom), ctypes.byref(top))
    index = text.find(" ")
    while index > 0:
        after = index
        while after < len(text) and text[after] == " ":
            after += 1
        pdfium_c.FPDFText_GetCharBox(raw, first + index - 1, *box)
        gap_start = right.value
        pdfium_c.FPDFText_GetCharBox(raw, first + after, *box)
        if left.value - gap_start > _CELL_GAP * line_height:
            cells.append((start, index, (cell_left, bbox[1], gap_start, bbox[3])))
            start, cell_left = after, left.value
        index = text.find(" ", after)
    cells.append((start, len(text), (cell_left, bbox[1], bbox[2], bbox[3])))
    return cells


def _union(textpage: pdfium.PdfTextPage, start: int, count: int, height: float) -> tuple[Box | None, int]:
    """Bounding box of characters ``start``..``start+count`` with a top-left origin, in points, and how many
    rectangles pdfium drew them in."""
    rects = [textpage.get_rect(i) for i in range(textpage.count_rects(start, count))]
    if not rects:
        return None, 0
    left = min(rect[0] for rect in rects)
    bottom = min(rect[1] for rect in rects)
    right = max(rect[2] for rect in rects)
    top = max(rect[3] for rect in rects)
    return (left, height - top, right, height - bottom), len(rects)


def _render(page: pdfium.PdfPage, width: float, height: float, limits: Limits, *,
            dpi: int | None = None, grayscale: bool = True) -> tuple[Image, float]:
    scale = (dpi or limits.ocr_dpi) / 72
    if width * height * scale * scale > limits.max_image_pixels:
        scale = math.sqrt(limits.max_image_pixels / (width * height))
    bitmap = page.render(scale=scale, grayscale=grayscale)
    try:
        return bitmap.to_pil().copy(), scale  # a copy: the bitmap's buffer is freed on close
    finally:
        bitmap.close()


def render_page(path: Path, number: int, *, dpi: int, limits: Limits) -> Image:
    """Page ``number`` (1-based) as a colour image, for people to look at (bounded by ``max_image_pixels``)."""
    with PDFIUM_LOCK:
        document = _open(path)
        try:
            page = document[number - 1]
            try:
                width, height = page.get_size()
                return _render(page, width, height, limits, dpi=dpi, grayscale=False)[0]
            finally:
                page.close()
        finally:
            document.close()


def _ocr_page(image: Image, scale: float, index: int, width: float, height: float, engine: str) -> ExtractedPage:
    result = ocr_image(image, engine)
    segments = [TextSegment(s.start, s.end, _scaled(s.bbox, 1 / scale)) for s in result.segments]
    return ExtractedPage(index + 1, result.text, "ocr", width, height, segments, result.confidence)


def _scaled(bbox: Box, factor: float) -> Box:
    return (bbox[0] * factor, bbox[1] * factor, bbox[2] * factor, bbox[3] * factor)
