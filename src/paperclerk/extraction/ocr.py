"""OCR of one image: tesseract (``ocr_tesseract``, on the image as ``prepare`` makes it) when the machine has its
language models, else a single, lazily created, lock-guarded RapidOCR engine (offline ONNX models inside the pip
wheel, so ``make run`` needs no root).

Tesseract is preferred because it measured faster and more accurate here (``benchmarks/bench_ocr.py``).

RapidOCR's recogniser rarely emits the space between words ("InvoiceNumber"), so spaces are put back
from the image: RapidOCR places every character (``return_word_box``), and where the ink between two
neighbouring characters leaves a blank gap wider than a share of the line's height, a space goes in.
"""

from __future__ import annotations

import statistics
import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from paperclerk.core.errors import ExtractionError
from paperclerk.extraction.base import TextSegment
from paperclerk.extraction.prepare import Prepared, flattened, prepare

if TYPE_CHECKING:
    from rapidocr_onnxruntime import RapidOCR

_lock = threading.Lock()
_engine: RapidOCR | None = None

#: A blank run between two characters wider than this share of the line box's height is a word space
#: (tuned on ``ocr_quality.rendered_pages``: spaces measured 0.22 to 0.38, gaps inside words up to 0.30).
_WORD_GAP = 0.24
#: Added to the share for each narrow glyph of the pair: a '1', '.' or ',' stands alone in a wide
#: advance, so its side bearings look like a gap ("11", "1.", "1,").
_NARROW_GAP = 0.06
_NARROW = frozenset("1.,:;'")
#: ... and wider than this many times the line's median gap between characters: most gaps are inside
#: words, so a font with loose letter spacing (small DejaVu Sans) raises the bar for its own lines.
_LETTER_GAPS = 1.5
#: Between a '1' and another digit a space needs a wider gap still: a split number is a wrong amount or
#: reference (a low-resolution bitmap '11' measured 0.36 of the height; spaces between numbers on the
#: rendered set and columns between numbers on invoices measured more).
_DIGIT_ONE_GAP = 0.45
#: A line crop whose dark and light ends (2nd/98th percentile) differ by less than this has no ink to read.
_MIN_CONTRAST = 32


@dataclass
class OcrResult:
    """Recognised text (one line per visual line) with pixel-bbox segments and mean confidence."""

    text: str
    segments: list[TextSegment] = field(default_factory=list)
    confidence: float | None = None


@dataclass
class OcrBox:
    text: str
    score: float
    bbox: tuple[float, float, float, float]


def _get_engine() -> RapidOCR:
    global _engine
    if _engine is None:
        from rapidocr_onnxruntime import RapidOCR

        _engine = RapidOCR()
    return _engine


#: ``Settings.ocr_engine`` values: ``auto`` is tesseract when it is installed, else RapidOCR.
ENGINES = ("auto", "rapidocr", "tesseract")


def engine_for(setting: str) -> str:
    """The engine that ``setting`` (one of ``ENGINES``) reads with on this machine."""
    from paperclerk.extraction import ocr_tesseract

    if setting not in ENGINES:
        raise ValueError(f"unknown OCR engine {setting!r}; one of {', '.join(ENGINES)}")
    if setting == "auto":
        return "tesseract" if ocr_tesseract.available() else "rapidocr"
    return setting


#: A tesseract reading less sure than this may be of a page upside down: it is read half a turn round as well.
_UNSURE = 0.6


def ocr_image(image: Image.Image, engine: str = "auto") -> OcrResult:
    """Read the text in ``image``, with boxes on ``image`` itself; raises ``ExtractionError`` (OCR_FAILED) when the
    engine fails.

    Tesseract reads the image as ``prepare`` makes it (upright, on the paper, evened out, its layout told);
    RapidOCR's detector finds turned and skewed lines by itself and reads the image as it is.
    """
    if engine_for(engine) != "tesseract":
        return _read_with_rapidocr(image)
    prepared = prepare(image)
    result = _tesseract(prepared)
    if result.confidence is not None and result.confidence < _UNSURE:
        turned = prepared.turned()
        second = _tesseract(turned)
        if (second.confidence or 0) > result.confidence:
            prepared, result = turned, second
    result.segments = [replace(segment, bbox=prepared.original_box(segment.bbox)) for segment in result.segments]
    return result


def _tesseract(prepared: Prepared) -> OcrResult:
    from paperclerk.extraction import ocr_tesseract

    return ocr_tesseract.read(prepared.image, prepared.layout)


def _read_with_rapidocr(image: Image.Image) -> OcrResult:
    image = flattened(image)
    bgr = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
    with _lock:
        try:
            engine = _get_engine()
            raw = engine(bgr, return_word_box=True)[0] or []
            turned = _turned(engine, bgr, raw)
        except Exception as exc:
            raise ExtractionError(f"OCR failed: {exc}", code="OCR_FAILED") from exc
    grey = np.asarray(image.convert("L"))
    return layout_lines([_to_box(item, with_word_gaps(item, grey, turned=flag))
                    for item, flag in zip(raw, turned, strict=True)])


def _turned(engine: RapidOCR, bgr: np.ndarray, raw: list[list[Any]]) -> list[bool]:
    """Which lines RapidOCR's direction classifier turned 180° before reading them.

    RapidOCR places the characters of such a line in the turned crop and maps them back as if it had not
    been turned, so their boxes come back mirrored; asking the same classifier again tells which ones.
    """
    if not raw:
        return []
    crops = engine.get_crop_img_list(bgr, [np.asarray(item[0], dtype=np.float32) for item in raw])
    _, labels, _ = engine.text_cls(crops)
    return [label == "180" and score > engine.text_cls.cls_thresh for label, score in labels]


def _to_box(item: list[Any], text: str) -> OcrBox:
    points, score = item[0], item[2]
    xs = [float(point[0]) for point in points]
    ys = [float(point[1]) for point in points]
    return OcrBox(text, float(score), (min(xs), min(ys), max(xs), max(ys)))


def with_word_gaps(item: list[Any], grey: np.ndarray, *, turned: bool = False) -> str:
    """The text of one RapidOCR line (``[quad, text, score, character boxes, ...]``) with its word spaces back.

    ``turned``: the line was read upside down, so its character boxes are mirrored about the line's centre.
    """
    quad, text, char_boxes = np.asarray(item[0], dtype=np.float64), str(item[1]), item[3]
    if len(char_boxes) != len(text) or len(text) < 2:
        return text  # no per-character boxes to measure (vertical or unusual text): as recognised
    left, top = np.maximum(np.floor(quad.min(axis=0)).astype(int), 0)
    right, bottom = np.ceil(quad.max(axis=0)).astype(int) + 1
    crop = grey[top:bottom, left:right]
    dark, light = np.percentile(crop, (2, 98)) if crop.size else (0, 0)
    if light - dark < _MIN_CONTRAST:
        return text
    ink = crop < (dark + light) / 2
    boxes = [np.asarray(box, dtype=np.float64) for box in char_boxes]
    if turned:
        boxes = [2 * quad.mean(axis=0) - box for box in boxes]
    boxes = [box - (left, top) for box in boxes]
    gaps = {index: _blank_run(ink, boxes[index - 1], boxes[index]) for index in range(1, len(text))
            if not text[index - 1].isspace() and not text[index].isspace()}
    letter_gap = float(np.median(list(gaps.values()))) if gaps else 0.0
    height = (np.linalg.norm(quad[3] - quad[0]) + np.linalg.norm(quad[2] - quad[1])) / 2
    parts = [text[0]]
    for index in range(1, len(text)):
        gap = gaps.get(index, 0)
        narrow = (text[index - 1] in _NARROW) + (text[index] in _NARROW)
        share = _WORD_GAP + _NARROW_GAP * narrow
        pair = text[index - 1:index + 1]
        if pair.isdigit() and "1" in pair:
            share = max(share, _DIGIT_ONE_GAP)
        if gap > share * height and gap > _LETTER_GAPS * letter_gap:
            parts.append(" ")
        parts.append(text[index])
    return "".join(parts)


def _blank_run(ink: np.ndarray, first: np.ndarray, second: np.ndarray) -> int:
    """The widest run of ink-free pixel columns between the centres of two character boxes (full box height)."""
    top = max(int(min(first[:, 1].min(), second[:, 1].min())), 0)
    bottom = int(max(first[:, 1].max(), second[:, 1].max())) + 1
    centres = sorted((first[:, 0].mean(), second[:, 0].mean()))  # right to left on a turned line
    start, end = max(int(np.ceil(centres[0])), 0), int(np.floor(centres[1])) + 1
    blank = ~ink[top:bottom, start:end].any(axis=0)
    if not blank.any():
        return 0
    edges = np.flatnonzero(np.diff(np.concatenate(([0], blank.astype(np.int8), [0]))))
    return int((edges[1::2] - edges[::2]).max())


def layout_lines(boxes: list[OcrBox]) -> OcrResult:
    """Group boxes into lines (top to bottom, left to right) and build text with segment offsets."""
    boxes = [box for box in boxes if box.text.strip()]
    if not boxes:
        return OcrResult(text="")
    tolerance = statistics.median(box.bbox[3] - box.bbox[1] for box in boxes) / 2
    lines: list[list[OcrBox]] = []
    for box in sorted(boxes, key=lambda b: (b.bbox[1] + b.bbox[3]) / 2):
        centre = (box.bbox[1] + box.bbox[3]) / 2
        if lines and abs(centre - _centre(lines[-1])) <= tolerance:
            lines[-1].append(box)
        else:
            lines.append([box])
    parts: list[str] = []
    segments: list[TextSegment] = []
    offset = 0
    for line in lines:
        if parts:
            parts.append("\n")
            offset += 1
        for index, box in enumerate(sorted(line, key=lambda b: b.bbox[0])):
            if index:
                parts.append(" ")
                offset += 1
            parts.append(box.text)
            segments.append(TextSegment(offset, offset + len(box.text), box.bbox))
            offset += len(box.text)
    return OcrResult("".join(parts), segments, statistics.fmean(box.score for box in boxes))


def _centre(line: list[OcrBox]) -> float:
    return statistics.fmean((box.bbox[1] + box.bbox[3]) / 2 for box in line)
