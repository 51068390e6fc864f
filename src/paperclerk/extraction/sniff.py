"""Media type from a file's content (never its name), reading only its first few kilobytes."""

from __future__ import annotations

import codecs
import re
import zipfile
from pathlib import Path

from paperclerk.core.errors import FileEmpty, FileUnsupported
from paperclerk.extraction.base import DOCX, EMAIL, HTML, JPEG, PDF, PNG, TEXT, TIFF

_HEAD_BYTES = 8192

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
)
#: Recognised but unsupported formats, named in the error so a person knows what they uploaded.
_UNSUPPORTED_MAGIC = (
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x7fELF", "an ELF executable"),
    (b"MZ", "a Windows executable"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Microsoft Office file"),
    (b"%!PS", "a PostScript file"),
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_HTML_START = re.compile(r"(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)[\s>]",
                         re.IGNORECASE | re.DOTALL)
_HEADER_LINE = re.compile(r"([!-9;-~]+):")
_MAIL_HEADERS = frozenset({"from", "to", "subject", "date", "message-id", "mime-version", "received"})


def detect_media_type(path: Path) -> str:
    """The media type of ``path`` (one of ``base.SUPPORTED_TYPES``).

    Raises ``FileEmpty`` for a zero-byte file and ``FileUnsupported`` (saying what was found)
    for anything else we cannot read.
    """
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if not head:
        raise FileEmpty("The file is empty.")
    if b"%PDF-" in head[:1024]:
        return PDF
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    if head.startswith(_ZIP_MAGIC):
        return _sniff_zip(path)
    for magic, what in _UNSUPPORTED_MAGIC:
        if head.startswith(magic):
            raise FileUnsupported(f"Unsupported file type: {what}.", details={"detected": what})
    text = _as_text(head)
    if text is None:
        raise FileUnsupported("Unsupported file type: binary data of an unknown format.",
                              details={"detected": "binary data"})
    stripped = text.lstrip("\ufeff \t\r\n")
    if _HTML_START.match(stripped):
        return HTML
    if _looks_like_mail(stripped):
        return EMAIL
    return TEXT


def _sniff_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileUnsupported("Unsupported file type: a damaged ZIP archive.",
                              details={"detected": "damaged zip archive"}) from exc
    if "word/document.xml" in names:
        return DOCX
    raise FileUnsupported("Unsupported file type: a ZIP archive that is not a Word document.",
                          details={"detected": "zip archive"})


def _as_text(head: bytes) -> str | None:
    """The head decoded as text, or None when it looks binary."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif b"\x00" in head:
        return None
    else:
        encoding = "utf-8"
    try:
        # Incremental decoding tolerates a multi-byte character cut at the end of the head.
        text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeDecodeError:
        text = head.decode("latin-1")
    controls = sum(1 for char in text if char < " " and char not in "\t\n\r\f\v\x1b")
    if "\x00" in text or controls > len(text) * 0.02:
        return None
    return text


def _looks_like_mail(text: str) -> bool:
    """True when the text opens with an RFC 5322 header block naming two or more common headers."""
    lines = text.split("\n")
    if "" not in (line.rstrip("\r") for line in lines):
        lines = lines[:-1]  # the head may end mid-line
    seen: set[str] = set()
    for index, raw in enumerate(lines):
        line = raw.rstrip("\r")
        if not line:
            break
        if line[0] in " \t" and index > 0:
            continue
        match = _HEADER_LINE.match(line)
        if match is None:
            return False
        seen.add(match.group(1).lower())
    return len(seen & _MAIL_HEADERS) >= 2
