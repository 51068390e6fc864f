"""OCR of one image with a single, lazily created, lock-guarded RapidOCR engine (offline ONNX models)."""

from __future__ import annotations

import statistics
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from paperclerk.core.errors import ExtractionError
from paperclerk.extraction.base import TextSegment

if TYPE_CHECKING:
    from rapidocr_onnxruntime import RapidOCR

_lock = threading.Lock()
_engine: RapidOCR | None = None


@dataclass
class OcrResult:
    """Recognised text (one line per visual line) with pixel-bbox segments and mean confidence."""

    text: str
    segments: list[TextSegment] = field(default_factory=list)
    confidence: float | None = None


@dataclass
class _Box:
    text: str
    score: float
    bbox: tuple[float, float, float, float]


def _get_engine() -> RapidOCR:
    global _engine
    if _engine is None:
        from rapidocr_onnxruntime import RapidOCR

        _engine = RapidOCR()
    return _engine


def ocr_image(image: Image.Image) -> OcrResult:
    """Read the text in ``image``; raises ``ExtractionError`` (OCR_FAILED) when the engine fails."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        background = Image.new("RGB", image.size, "white")
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        image = background
    bgr = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
    with _lock:
        try:
            raw, _ = _get_engine()(bgr)
        except Exception as exc:
            raise ExtractionError(f"OCR failed: {exc}", code="OCR_FAILED") from exc
    return _layout([_to_box(item) for item in raw or []])


def _to_box(item: list[Any]) -> _Box:
    points, text, score = item[0], item[1], item[2]
    xs = [float(point[0]) for point in points]
    ys = [float(point[1]) for point in points]
    return _Box(str(text), float(score), (min(xs), min(ys), max(xs), max(ys)))


def _layout(boxes: list[_Box]) -> OcrResult:
    """Group boxes into lines (top to bottom, left to right) and build text with segment offsets."""
    boxes = [box for box in boxes if box.text.strip()]
    if not boxes:
        return OcrResult(text="")
    tolerance = statistics.median(box.bbox[3] - box.bbox[1] for box in boxes) / 2
    lines: list[list[_Box]] = []
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


def _centre(line: list[_Box]) -> float:
    return statistics.fmean((box.bbox[1] + box.bbox[3]) / 2 for box in line)
