"""OCR with libtesseract (through tesserocr, whose wheel carries the library) and the language models that the machine
has (``scripts/ensure-ocr.sh`` installs Debian's): words with boxes.

The engine stays loaded: one initialised API per thread and language set, so a page costs its recognition only
(inside the sandbox child, which lives across files, the models are loaded once, not once per page). Page
segmentation follows the page's layout (``prepare.Layout``): a receipt is one block of rows, so the amounts at the
right stay on their item's line; anything else is segmented automatically. Orientation is settled before
(``prepare``), so tesseract's own orientation pass, which cost about 40 % of a page, is not run.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image

from paperclerk.core.errors import ExtractionError
from paperclerk.extraction.ocr import OcrBox, OcrResult, layout_lines
from paperclerk.extraction.prepare import Layout

if TYPE_CHECKING:
    import tesserocr

#: The languages paperclerk reads, in the order tesseract tries them on a word; those installed are loaded.
LANGUAGES = ("eng", "fra", "deu", "nld", "spa")
TIME_LIMIT_SECONDS = 120
#: Where Debian (5 and 4), Homebrew-style prefixes and the image keep the models; ``TESSDATA_PREFIX`` comes first.
_TESSDATA_DIRS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                  "/usr/share/tessdata", "/usr/local/share/tessdata")
_local = threading.local()


@lru_cache(maxsize=1)
def tessdata() -> Path | None:
    """The folder with the language models (English at least), or None when tesseract cannot read here."""
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return None
    prefix = os.environ.get("TESSDATA_PREFIX")
    for folder in ([prefix] if prefix else []) + list(_TESSDATA_DIRS):
        if (Path(folder) / "eng.traineddata").is_file():
            return Path(folder)
    return None


def available() -> bool:
    return tessdata() is not None


@lru_cache(maxsize=1)
def languages() -> str:
    """``eng+fra+…``: the wanted languages that have a model in ``tessdata()``."""
    folder = tessdata()
    return "+".join(language for language in LANGUAGES
                    if folder is not None and (folder / f"{language}.traineddata").is_file()) or "eng"


def _api() -> tesserocr.PyTessBaseAPI:
    """This thread's initialised engine (the models stay in memory between pages)."""
    api = getattr(_local, "api", None)
    if api is None:
        import tesserocr

        api = _local.api = tesserocr.PyTessBaseAPI(path=f"{tessdata()}/", lang=languages(),
                                                   oem=tesserocr.OEM.LSTM_ONLY)
    return api


def read(image: Image.Image, layout: Layout = Layout.PAGE) -> OcrResult:
    """Read ``image`` (upright, see ``prepare``); raises ``ExtractionError`` (OCR_FAILED) when tesseract is
    missing or fails."""
    if not available():
        raise ExtractionError("OCR engine 'tesseract' is configured but not installed.", code="OCR_FAILED")
    import tesserocr

    api = _api()
    api.SetPageSegMode(tesserocr.PSM.SINGLE_BLOCK if layout is Layout.RECEIPT else tesserocr.PSM.AUTO)
    api.SetImage(image.convert("L"))
    try:
        if not api.Recognize(timeout=TIME_LIMIT_SECONDS * 1000):
            raise ExtractionError(f"tesseract could not read the page within {TIME_LIMIT_SECONDS} s.",
                                  code="OCR_FAILED")
        return _layout(api.GetTSVText(0))
    except RuntimeError as exc:
        raise ExtractionError(f"tesseract failed: {exc}", code="OCR_FAILED") from exc
    finally:
        api.Clear()


def _layout(tsv: str) -> OcrResult:
    """Text laid out as the page shows it: each tesseract line (words joined by a space) is one box and one
    segment, and boxes side by side make one visual line, even when tesseract put them in different blocks
    (a label on the left and its amount in a right-aligned column are one line of the invoice)."""
    words = []
    for row in tsv.splitlines():
        fields = row.split("\t")
        if len(fields) == 12 and fields[0] == "5" and fields[11].strip():
            left, top, width, height = (int(value) for value in fields[6:10])
            words.append(((int(fields[2]), int(fields[3]), int(fields[4])), fields[11].strip(), float(fields[10]),
                          (float(left), float(top), float(left + width), float(top + height))))
    boxes = []
    for _, line_words in groupby(words, key=lambda word: word[0]):
        line = list(line_words)
        bounds = [word[3] for word in line]
        boxes.append(OcrBox(" ".join(word[1] for word in line), sum(max(word[2], 0) for word in line) / 100 / len(line),
                            (min(b[0] for b in bounds), min(b[1] for b in bounds), max(b[2] for b in bounds),
                             max(b[3] for b in bounds))))
    return layout_lines(boxes)
