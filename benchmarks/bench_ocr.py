"""OCR: model load time, first-page (cold) and warm ms/page for scanned PDFs and scan images, and peak RSS.

Runs in its own child process so that the model load is cold and the RSS figures are this process's alone.
"""

from __future__ import annotations

import re
import time

from benchmarks.common import Row, SectionResult, TextMaker, median, self_rss_kb, temp_dir

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
        Row(SECTION, "scanned PDF page, warm (render 200 dpi + OCR)", median(timings[PDF]), "ms/page",
            note=f"median of {len(timings[PDF])}; first (cold) page {cold[PDF]:.0f} ms"),
        Row(SECTION, "scan image (PNG 900 px wide), warm", median(timings[PNG]), "ms/page",
            note=f"median of {len(timings[PNG])}; first (cold) image {cold[PNG]:.0f} ms"),
        Row(SECTION, "peak RSS with OCR model loaded", hwm / 1024, "MB",
            note="VmHWM of a process that only loads the model and OCRs these pages"),
        Row(SECTION, "OCR word recall (quality, not speed)", word_recall * 100, "%",
            note=f"{glued_recall * 100:.0f}% if spaces are ignored: lost spaces glue words together"),
    ]
    return SectionResult(rows, {"load_ms": load_ms, "timings": timings, "cold": cold, "recalls": recalls})
