"""The table from media type to extractor function, filled by the ``@register`` decorator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from paperclerk.extraction.base import Extraction, Limits


class Extractor(Protocol):
    def __call__(self, path: Path, *, allow_ocr: bool, limits: Limits) -> Extraction: ...


EXTRACTORS: dict[str, Extractor] = {}


def register(*media_types: str) -> Callable[[Extractor], Extractor]:
    """Decorator: make the function the extractor for ``media_types``."""

    def decorate(function: Extractor) -> Extractor:
        for media_type in media_types:
            EXTRACTORS[media_type] = function
        return function

    return decorate
