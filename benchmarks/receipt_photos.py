"""Receipt photos with their printed words labelled (WildReceipt's annotation lines: one JSON object per photo with
``file_name`` and ``annotations`` of ``text``, ``label`` and ``box``), kept outside the repository: the folder named
by ``PAPERCLERK_OCR_PHOTOS`` holds the annotation file (``test.txt``) and the photos under the paths it names.

The photos are split by a hash of their file name: ``dev`` was looked at while the image preparation was written,
``test`` only ever measured.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

#: WildReceipt's label numbers for the fields a receipt reader needs (store name, date, total).
FIELD_LABELS = {1: "store name", 7: "date", 23: "total"}
_IGNORED = 0


@dataclass(frozen=True)
class Photo:
    path: Path
    words: list[tuple[str, int]]  # (printed text without spaces, label)


@dataclass(frozen=True)
class Recall:
    words: float
    fields: float


def folder() -> Path | None:
    value = os.environ.get("PAPERCLERK_OCR_PHOTOS")
    return Path(value) if value and (Path(value) / "test.txt").is_file() else None


def photos(split: str, limit: int | None = None) -> list[Photo]:
    """The photos of ``split`` (``dev`` or ``test``) that are present, in a fixed order."""
    root = folder()
    if root is None:
        return []
    chosen = []
    for line in (root / "test.txt").read_text().splitlines():
        item = json.loads(line)
        path = root / item["file_name"]
        in_dev = hashlib.sha1(item["file_name"].encode()).hexdigest()[0] in "01234567"
        if path.is_file() and in_dev == (split == "dev"):
            words = [(_squeezed(a["text"]), int(a["label"])) for a in item["annotations"]
                     if a["label"] != _IGNORED and _squeezed(a["text"])]
            chosen.append(Photo(path, words))
    return chosen[:limit]


def recall(photo: Photo, text: str) -> Recall:
    """The share of labelled words, and of the store name / date / total, found in the OCR text (spaces and case
    ignored: the labels carry no spaces)."""
    read = _squeezed(text)
    found = [word in read for word, _ in photo.words]
    fields = [hit for hit, (_, label) in zip(found, photo.words, strict=True) if label in FIELD_LABELS]
    return Recall(sum(found) / max(1, len(found)), sum(fields) / len(fields) if fields else float("nan"))


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()
