"""OCR with the ``tesseract`` binary, when the machine has it (``scripts/ensure-ocr.sh``): words with boxes.

Called as a subprocess with TSV output (one row per word: block, paragraph, line, box, confidence, text), in
the languages paperclerk reads (English, French, German, Dutch, Spanish) that are installed.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from functools import lru_cache
from itertools import groupby

from PIL import Image

from paperclerk.core.errors import ExtractionError
from paperclerk.extraction.ocr import OcrBox, OcrResult, layout_lines

LANGUAGES = ("eng", "fra", "deu", "nld", "spa")
TIME_LIMIT_SECONDS = 120


def binary() -> str | None:
    return shutil.which("tesseract")


@lru_cache(maxsize=1)
def languages(executable: str) -> str:
    """``eng+fra+…``: the wanted languages that ``executable`` has models for (English when it lists none)."""
    listed = subprocess.run([executable, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    installed = set(listed.stdout.split())
    return "+".join(language for language in LANGUAGES if language in installed) or "eng"


def read(image: Image.Image) -> OcrResult:
    """Read ``image`` with tesseract; raises ``ExtractionError`` (OCR_FAILED) when it is missing or fails."""
    executable = binary()
    if executable is None:
        raise ExtractionError("OCR engine 'tesseract' is configured but not installed.", code="OCR_FAILED")
    png = io.BytesIO()
    image.convert("L").save(png, "PNG")
    # One thread: the OCR workers are the unit of parallelism, and OpenMP threads only contend with them.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    # Page segmentation 1: automatic, with orientation detection (a page scanned upside down reads right).
    try:
        done = subprocess.run([executable, "stdin", "stdout", "-l", languages(executable), "--psm", "1", "tsv"],
                              input=png.getvalue(), capture_output=True, timeout=TIME_LIMIT_SECONDS, env=env,
                              check=False)
    except subprocess.TimeoutExpired as exc:
        raise ExtractionError(f"tesseract took longer than {TIME_LIMIT_SECONDS} s.", code="OCR_FAILED") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()[-500:]
        raise ExtractionError(f"tesseract failed: {message}", code="OCR_FAILED")
    return _layout(done.stdout.decode("utf-8", "replace"))


def _layout(tsv: str) -> OcrResult:
    """Text laid out as the page shows it: each tesseract line (words joined by a space) is one box and one
    segment, and boxes side by side make one visual line, even when tesseract put them in different blocks
    (a label on the left and its amount in a right-aligned column are one line of the invoice)."""
    words = []
    for row in tsv.splitlines()[1:]:
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
