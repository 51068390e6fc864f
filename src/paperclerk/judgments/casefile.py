"""A case file as the engines read it: the documents of a case (a file or a folder of files), each as page texts,
with a clear error for every file that could not be read (the others are still used)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from paperclerk.config import Settings, get_settings
from paperclerk.core.errors import FileTooLarge, PaperclerkError
from paperclerk.extraction import sandbox
from paperclerk.extraction.base import Limits
from paperclerk.extraction.sniff import detect_media_type

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)", re.M)


@dataclass(frozen=True)
class Sentence:
    """A sentence of the file and where it is: ``document`` (its name), 1-based ``page``, character span."""

    document: str
    page: int
    start: int
    end: int
    text: str

    def source(self) -> dict[str, object]:
        return {"document": self.document, "page": self.page, "start": self.start, "end": self.end,
                "text": self.text}


@dataclass(frozen=True)
class CaseDocument:
    name: str
    pages: tuple[str, ...]


@dataclass
class CaseFile:
    documents: list[CaseDocument] = field(default_factory=list)
    #: One entry per file that could not be read: ``{"file", "code", "message"}``.
    errors: list[dict[str, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(page for document in self.documents for page in document.pages)

    def sentences(self) -> list[Sentence]:
        found: list[Sentence] = []
        for document in self.documents:
            for number, page in enumerate(document.pages, start=1):
                for match in _SENTENCE.finditer(page):
                    text = match.group(0)
                    stripped = text.strip()
                    if len(stripped) < 12:
                        continue
                    start = match.start() + (len(text) - len(text.lstrip()))
                    found.append(Sentence(document.name, number, start, start + len(stripped), stripped))
        return found


def read_document(path: Path, *, settings: Settings) -> CaseDocument:
    """One file's pages (read in the sandbox); raises ``PaperclerkError`` (``FILE_TOO_LARGE``, ``FILE_EMPTY``,
    ``FILE_UNSUPPORTED``, ``EXTRACTION_FAILED``…) when it cannot be read."""
    size = path.stat().st_size
    limit = settings.judgment_max_file_mb * 1024 * 1024
    if size > limit:
        raise FileTooLarge(f"{path.name} is {size} bytes; a case file's document may be at most "
                           f"{settings.judgment_max_file_mb} MB.", details={"bytes": size, "limit": limit})
    media_type = detect_media_type(path)
    extraction = sandbox.extract(path, media_type, allow_ocr=True, limits=Limits.from_settings(settings),
                                 settings=settings)
    return CaseDocument(path.name, tuple(page.text for page in extraction.pages))


def read_case(path: Path, *, settings: Settings | None = None) -> CaseFile:
    """A file, or every file of a folder (sorted by name, hidden files skipped), as one case file."""
    settings = settings or get_settings()
    files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")) if path.is_dir() \
        else [path]
    case = CaseFile()
    for file in files:
        try:
            case.documents.append(read_document(file, settings=settings))
        except PaperclerkError as error:
            case.errors.append({"file": file.name, "code": error.code, "message": error.message})
    return case
