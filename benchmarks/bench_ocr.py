"""OCR: model load time, first-page (cold) and warm ms/page for scanned PDFs and scan images, and peak RSS;
word recall, precision and character error rate on the rendered page set (``extraction.ocr_quality``), each
against RapidOCR's text as recognised (no word gaps put back) measured on the same pages in the same run.

Runs in its own child process so that the model load is cold and the RSS figures are this process's alone.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from benchmarks.common import Row, SectionResult, TextMaker, median, self_rss_kb, temp_dir

if TYPE_CHECKING:
    from tests.extraction.ocr_quality import Score

SECTION = "3 OCR"
_WORD = re.compile(r"[A-Za-z]{3,}")


def _scan_text(maker: TextMaker, index: int) -> str:
    lines = [f"Reference SCAN-{index:04d}  Invoice date 14/03/2024"]
    for _ in range(14):
        lines.append(" ".join(maker.words(maker.rng.randint(7, 11))))
    return "\n".join(lines)


def _recall(expected: str, got: str) -> tuple[float, float]:
    """(word recall, recall of the same words with all spaces removed from the OCR text)."""
    words = [w.lower() for w in _WORD.findall(expected)]
    found_words = {w.lower() for w in _WORD.findall(got)}
    glued = re.sub(r"\s+", "", got).lower()
    if not words:
        return 1.0, 1.0
    return (sum(w in found_words for w in words) / len(words), sum(w in glued for w in words) / len(words))


def _as_recognised(image: Image.Image) -> str:
    """The baseline: RapidOCR's lines as its recogniser spelt them, without per-character boxes."""
    from paperclerk.extraction import ocr

    bgr = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
    raw, _ = ocr._get_engine()(bgr)
    return ocr.layout_lines([ocr._to_box(item, str(item[1])) for item in raw or []]).text


def _rendered_set(quick: bool) -> tuple[list[Row], dict[str, object]]:
    """Word recall, precision, CER and ms/page per engine on the rendered pages (engines interleaved page by page),
    each against RapidOCR as recognised on the same pages."""
    from tests.extraction.ocr_quality import rendered_pages, score

    from paperclerk.extraction import ocr_tesseract
    from paperclerk.extraction.ocr import ocr_image

    baseline = "RapidOCR as recognised"
    readings: dict[str, Callable[[Image.Image], str]] = {
        baseline: _as_recognised, "RapidOCR + word gaps": lambda image: ocr_image(image, "rapidocr").text}
    if ocr_tesseract.available():
        readings["tesseract"] = lambda image: ocr_image(image, "tesseract").text
    scores: dict[str, list[Score]] = {name: [] for name in readings}
    timings: dict[str, list[float]] = {name: [] for name in readings}
    pages = rendered_pages(quick=quick)
    for page in pages:
        for name, read in readings.items():
            started = time.perf_counter()
            text = read(page.image)
            timings[name].append((time.perf_counter() - started) * 1000)
            scores[name].append(score(page.text, text))
    held = [index for index, page in enumerate(pages) if page.held_out]

    def mean(name: str, metric: str, only: list[int] | None = None) -> float:
        values = scores[name] if only is None else [scores[name][i] for i in only]
        return statistics.fmean(getattr(value, metric) for value in values) * 100

    rows = []
    for name in list(readings)[1:]:
        label = f"{name} (vs {baseline})"
        rows += [
            Row(SECTION, f"rendered set: word recall, {label}", mean(name, "recall"), "%",
                baseline=mean(baseline, "recall"), baseline_label=baseline, kind="floor",
                note=f"{len(pages)} pages; {mean(name, 'recall', held):.0f}% on the {len(held)} not used to tune "
                     "the word gaps"),
            Row(SECTION, f"rendered set: word precision, {label}", mean(name, "precision"), "%",
                baseline=mean(baseline, "precision"), baseline_label=baseline, kind="floor"),
            Row(SECTION, f"rendered set: character error rate, {label}", mean(name, "cer"), "%",
                baseline=mean(baseline, "cer"), baseline_label=baseline, kind="floor", note="lower is better"),
            Row(SECTION, f"rendered set: ms/page, {label}", median(timings[name]), "ms/page",
                baseline=median(timings[baseline]), baseline_label=baseline, kind="floor",
                note="median over the pages; same process, engines interleaved page by page"),
        ]
    per_page = {page.name: {name: [scores[name][i].recall, scores[name][i].cer] for name in readings}
                for i, page in enumerate(pages)}
    return rows, {"rendered_set": per_page, "rendered_set_ms": timings}


def run(quick: bool) -> SectionResult:
    from paperclerk import samples
    from paperclerk.extraction import ocr
    from paperclerk.extraction.base import PDF, PNG, Limits
    from paperclerk.extraction.extract import extract

    per_kind = 1 if quick else 3
    work = temp_dir("ocr")
    maker = TextMaker(31)
    items = []
    for index in range(per_kind + 1):  # +1: the first document of each kind is the cold call
        text = _scan_text(maker, index)
        pdf_path = work / f"scan-{index}.pdf"
        pdf_path.write_bytes(samples.scanned_pdf([text]))
        png_path = work / f"scan-{index}.png"
        png_path.write_bytes(samples.scan_image(text))
        items.append((text, pdf_path, png_path))

    rss_before, _ = self_rss_kb()
    started = time.perf_counter()
    ocr._get_engine()
    load_ms = (time.perf_counter() - started) * 1000
    rss_loaded, _ = self_rss_kb()

    limits = Limits()
    engine = ocr.engine_for(limits.ocr_engine)
    timings: dict[str, list[float]] = {PDF: [], PNG: []}
    cold: dict[str, float] = {}
    recalls: list[tuple[float, float]] = []
    for index, (text, pdf_path, png_path) in enumerate(items):
        for media_type, path in ((PDF, pdf_path), (PNG, png_path)):
            started = time.perf_counter()
            extraction = extract(path, media_type, allow_ocr=True, limits=limits)
            elapsed = (time.perf_counter() - started) * 1000 / len(extraction.pages)
            if index == 0:
                cold[media_type] = elapsed
            else:
                timings[media_type].append(elapsed)
            recalls.append(_recall(text, extraction.text))
    _, hwm = self_rss_kb()

    word_recall = median([r[0] for r in recalls])
    glued_recall = median([r[1] for r in recalls])
    rows = [
        Row(SECTION, "OCR model load (RapidOCR, ONNX)", load_ms, "ms",
            note=f"RSS {rss_before / 1024:.0f} → {rss_loaded / 1024:.0f} MB"),
        Row(SECTION, f"scanned PDF page, warm (render 200 dpi + OCR, {engine})", median(timings[PDF]), "ms/page",
            note=f"median of {len(timings[PDF])}; first (cold) page {cold[PDF]:.0f} ms"),
        Row(SECTION, f"scan image (PNG 900 px wide), warm, {engine}", median(timings[PNG]), "ms/page",
            note=f"median of {len(timings[PNG])}; first (cold) image {cold[PNG]:.0f} ms"),
        Row(SECTION, "peak RSS with OCR model loaded", hwm / 1024, "MB",
            note="VmHWM of a process that only loads the model and OCRs these pages"),
        Row(SECTION, f"OCR word recall (quality, not speed), {engine}", word_recall * 100, "%",
            note=f"{glued_recall * 100:.0f}% if spaces are ignored: lost spaces glue words together"),
    ]
    rendered_rows, rendered_extra = _rendered_set(quick)
    return SectionResult(rows + rendered_rows, {"load_ms": load_ms, "timings": timings, "cold": cold,
                                                "recalls": recalls, **rendered_extra})
