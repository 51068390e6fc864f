"""OCR: model load time, first-page (cold) and warm ms/page for scanned PDFs and scan images, and peak RSS;
word recall, precision and character error rate on the rendered page set (``extraction.ocr_quality``), each
against RapidOCR's text as recognised (no word gaps put back) measured on the same pages in the same run;
tesseract on A4 invoice pages (clean and noisy) against the way paperclerk called it before (the ``tesseract``
program per page, with its orientation pass); and receipt photos (``receipt_photos``, when
``PAPERCLERK_OCR_PHOTOS`` names them): the share of their labelled words and fields read, against the same.

Runs in its own child process so that the model load is cold and the RSS figures are this process's alone.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import statistics
import subprocess
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


def _a4_text(maker: TextMaker, index: int) -> str:
    """An A4 invoice page's worth of lines (about 40, one page of ``samples.text_pdf``)."""
    from tests.extraction.ocr_quality import INVOICE_LINES

    lines = list(INVOICE_LINES[index % 6:] + INVOICE_LINES[:index % 6])
    lines += [" ".join(maker.words(maker.rng.randint(6, 10))) for _ in range(20)]
    return "\n".join(lines)


def _tesseract_before(image: Image.Image) -> str:
    """How paperclerk read with tesseract before: the ``tesseract`` program per page, all five languages, page
    segmentation 1 (automatic with its orientation pass), no preparation of the image."""
    from paperclerk.extraction import ocr_tesseract

    png = io.BytesIO()
    image.convert("L").save(png, "PNG")
    command = ["tesseract", "stdin", "stdout", "-l", ocr_tesseract.languages(), "--psm", "1", "tsv"]
    done = subprocess.run(command, input=png.getvalue(), capture_output=True, check=True,
                          env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    return ocr_tesseract._layout(done.stdout.decode("utf-8", "replace")).text


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the ``tesseract`` program)."""
    times = os.times()
    return time.process_time() + times.children_user + times.children_system


def _tesseract_rows(quick: bool) -> tuple[list[Row], dict[str, object]]:
    """ms/page and word recall on generated A4 pages (text PDF rendered at 200 dpi; noisy: the same turned 0.8°,
    blurred and speckled), and on receipt photos: tesseract now against tesseract before, interleaved page by page."""
    from tests.extraction.ocr_quality import degraded, score

    from paperclerk import samples
    from paperclerk.extraction import ocr_tesseract
    from paperclerk.extraction.base import Limits
    from paperclerk.extraction.ocr import ocr_image
    from paperclerk.extraction.pdf import render_page

    if not ocr_tesseract.available() or shutil.which("tesseract") is None:
        return [], {}
    now, before = "tesseract kept loaded, prepared", "tesseract program per page, psm 1"
    readers: dict[str, Callable[[Image.Image], str]] = {now: lambda image: ocr_image(image, "tesseract").text,
                                                         before: _tesseract_before}
    ocr_image(Image.new("L", (200, 60), 255), "tesseract")  # load the models once, as a worker has them
    work, maker = temp_dir("ocr-a4"), TextMaker(47)
    measured: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for index in range(2 if quick else 6):
        text = _a4_text(maker, index)
        path = work / f"a4-{index}.pdf"
        path.write_bytes(samples.text_pdf([text]))
        clean = render_page(path, 1, dpi=200, limits=Limits()).convert("L")
        for condition, image in (("clean", clean), ("noisy", degraded(clean, seed=index))):
            for name, read in readers.items():
                started, cpu = time.perf_counter(), _cpu_seconds()
                got = read(image)
                elapsed = (time.perf_counter() - started) * 1000
                cpu_ms = (_cpu_seconds() - cpu) * 1000
                measured.setdefault((condition, name), []).append((elapsed, score(text, got).recall, cpu_ms))
    rows = []
    for condition in ("clean", "noisy"):
        mine, theirs = measured[(condition, now)], measured[(condition, before)]
        rows += [
            Row(SECTION, f"A4 invoice page at 200 dpi, {condition}: ms/page, {now}", median([m[0] for m in mine]),
                "ms/page", baseline=median([m[0] for m in theirs]), baseline_label=before, kind="floor",
                note=f"median of {len(mine)} pages; goal ≤ 700 ms on a clean page"),
            Row(SECTION, f"A4 invoice page at 200 dpi, {condition}: CPU ms/page, {now}", median([m[2] for m in mine]),
                "ms/page", baseline=median([m[2] for m in theirs]), baseline_label=before, kind="floor",
                note="CPU time of this process and its children: what a page costs on an idle core"),
            Row(SECTION, f"A4 invoice page at 200 dpi, {condition}: word recall, {now}",
                statistics.fmean(m[1] for m in mine) * 100, "%",
                baseline=statistics.fmean(m[1] for m in theirs) * 100, baseline_label=before, kind="floor"),
        ]
    photo_rows, photo_extra = _photo_rows(quick, readers, now, before)
    return rows + photo_rows, {"a4": {f"{c} / {n}": v for (c, n), v in measured.items()}, **photo_extra}


def _photo_rows(quick: bool, readers: dict[str, Callable[[Image.Image], str]], now: str,
                before: str) -> tuple[list[Row], dict[str, object]]:
    from PIL import ImageOps

    from benchmarks.receipt_photos import photos, recall

    rows: list[Row] = []
    extra: dict[str, object] = {}
    for split in ("dev", "test"):
        chosen = photos(split, 12 if quick else None)
        if not chosen:
            continue
        words: dict[str, list[float]] = {name: [] for name in readers}
        fields: dict[str, list[float]] = {name: [] for name in readers}
        timings: dict[str, list[float]] = {name: [] for name in readers}
        for photo in chosen:
            with Image.open(photo.path) as opened:
                image = ImageOps.exif_transpose(opened)
                image.load()
            for name, read in readers.items():
                started = time.perf_counter()
                found = recall(photo, read(image))
                timings[name].append((time.perf_counter() - started) * 1000)
                words[name].append(found.words)
                if found.fields == found.fields:  # not NaN: the photo has a labelled store name, date or total
                    fields[name].append(found.fields)
        label = f"receipt photos (WildReceipt, {split} split, {len(chosen)})"
        rows += [
            Row(SECTION, f"{label}: labelled words read, {now}", statistics.fmean(words[now]) * 100, "%",
                baseline=statistics.fmean(words[before]) * 100, baseline_label=before, kind="floor",
                note="spaces and case ignored" + ("; dev was looked at while tuning, test only measured"
                                                   if split == "test" else "")),
            Row(SECTION, f"{label}: store name, date and total read, {now}", statistics.fmean(fields[now]) * 100, "%",
                baseline=statistics.fmean(fields[before]) * 100, baseline_label=before, kind="floor"),
            Row(SECTION, f"{label}: ms/photo, {now}", median(timings[now]), "ms/photo",
                baseline=median(timings[before]), baseline_label=before, kind="floor"),
        ]
        extra[f"photos_{split}"] = {"words": words, "fields": fields, "ms": timings}
    return rows, extra


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
    tesseract_rows, tesseract_extra = _tesseract_rows(quick)
    return SectionResult(rows + rendered_rows + tesseract_rows,
                         {"load_ms": load_ms, "timings": timings, "cold": cold, "recalls": recalls,
                          **rendered_extra, **tesseract_extra})
