"""Word (.docx) documents: paragraphs and table rows in document order, after a zip-bomb check."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx as python_docx
from docx.document import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from lxml import etree

from paperclerk.core.errors import ExtractionError
from paperclerk.extraction.base import DOCX, ExtractedPage, Extraction, Limits
from paperclerk.extraction.registry import register

#: Members smaller than this are never bombs, whatever their ratio (tiny XML parts compress very well).
_RATIO_MIN_BYTES = 1024 * 1024


@register(DOCX)
def extract_docx(path: Path, *, allow_ocr: bool, limits: Limits) -> Extraction:
    check_archive(path, limits)
    try:
        # python-docx parses with its own lxml parser: resolve_entities=False, no network, no DTD loading.
        document = python_docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
        raise ExtractionError(f"The Word document is damaged: {exc}", code="FILE_CORRUPT") from exc
    text = "\n".join(_blocks(document))
    properties = document.core_properties
    fields = (("title", properties.title), ("author", properties.author))
    metadata = {key: value for key, value in fields if value}
    return Extraction(media_type=DOCX, pages=[ExtractedPage(1, text, "docx")], metadata=metadata)


def check_archive(path: Path, limits: Limits) -> None:
    """Refuse a zip whose unpacked size or a member's compression ratio crosses ``limits``."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ExtractionError(f"The Word document is not a readable zip archive: {exc}",
                              code="FILE_CORRUPT") from exc
    total = sum(member.file_size for member in members)
    if total > limits.max_unpacked_bytes:
        raise ExtractionError(f"The archive unpacks to {total} bytes (limit {limits.max_unpacked_bytes}).",
                              code="FILE_TOO_COMPLEX", details={"unpacked_bytes": total})
    for member in members:
        if member.file_size >= _RATIO_MIN_BYTES \
                and member.file_size > limits.max_archive_ratio * max(member.compress_size, 1):
            raise ExtractionError(f"Archive member {member.filename!r} has a suspicious compression ratio.",
                                  code="FILE_TOO_COMPLEX", details={"member": member.filename})


def _blocks(document: Document) -> list[str]:
    """Paragraph texts and table rows (cells joined by tabs), in document order."""
    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            blocks.extend(_rows(item))
        else:
            blocks.append(item.text)
    return blocks


def _rows(table: Table) -> list[str]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:  # a merged cell appears once per grid column it spans
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append(cell.text)
        rows.append("\t".join(cells))
    return rows
