# ruff: noqa: RUF001
"""Text-PDF extraction: the pdfium floor vs paperclerk's extractor vs the whole pipeline (stages + DB save).

Runs in a child process whose PAPERCLERK_DATA_DIR is a fresh directory (set by the parent).
"""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.common import Row, SectionResult, make_pdf_corpus, median, temp_dir

SECTION = "1 extraction"


def _floor(paths: list[Path]) -> int:
    """The least any text extractor must do: open, per page get_textpage().get_text_range(), close."""
    import pypdfium2 as pdfium

    chars = 0
    for path in paths:
        document = pdfium.PdfDocument(str(path))
        try:
            for index in range(len(document)):
                page = document[index]
                textpage = page.get_textpage()
                chars += len(textpage.get_text_range())
                textpage.close()
                page.close()
        finally:
            document.close()
    return chars


def _extractor(paths: list[Path]) -> int:
    from paperclerk.extraction.base import PDF, Limits
    from paperclerk.extraction.extract import extract

    limits = Limits()
    return sum(len(extract(path, PDF, allow_ocr=False, limits=limits).text) for path in paths)


def _timed(function, paths: list[Path]) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    function(paths)
    return time.perf_counter() - started


def run(quick: bool) -> SectionResult:
    docs, rounds = (30, 3) if quick else (100, 7)
    work = temp_dir("extraction")
    corpus = make_pdf_corpus(work / "pdfs", docs, seed=11, prefix="ext")
    warmup = make_pdf_corpus(work / "warmup", 4, seed=12, prefix="warm")
    paths = [path for path, _ in corpus]
    from benchmarks.common import pdf_page_count

    pages = sum(pdf_page_count(path) for path in paths)

    _floor([p for p, _ in warmup])
    _extractor([p for p, _ in warmup])
    floor_runs: list[float] = []
    extractor_runs: list[float] = []
    for _ in range(rounds):  # interleaved so that machine noise hits both alike
        floor_runs.append(_timed(_floor, paths))
        extractor_runs.append(_timed(_extractor, paths))
    floor_ms = median(floor_runs) * 1000 / pages
    extractor_ms = median(extractor_runs) * 1000 / pages

    pipeline = _pipeline(paths, [p for p, _ in warmup], pages)
    rows = [
        Row(SECTION, "pdfium raw text (floor)", floor_ms, "ms/page",
            note=f"{docs} PDFs, {pages} pages, median of {rounds} interleaved rounds"),
        Row(SECTION, "paperclerk extract()", extractor_ms, "ms/page", floor_ms, "floor", "floor",
            note="text + per-line boxes + metadata"),
        Row(SECTION, "pipeline per page (claim+stages+save)", pipeline["ms_per_page"], "ms/page", floor_ms,
            "floor (target ≤ 3×)", "floor", ratio_max=3.0,
            note=f"1 thread, in-process; {pipeline['stages_note']}"),
        Row(SECTION, "pipeline per document", pipeline["ms_per_doc"], "ms/doc",
            note=f"DB save+claim overhead {pipeline['overhead_ms_per_doc']:.1f} ms/doc beyond stage timings"),
        Row(SECTION, "intake (spool+sniff+store+enqueue)", pipeline["intake_ms_per_doc"], "ms/doc",
            note="service.receive in its own transaction, as the CLI does"),
    ]
    return SectionResult(rows, {"floor_runs": floor_runs, "extractor_runs": extractor_runs, **pipeline})


def _pipeline(paths: list[Path], warmup: list[Path], pages: int) -> dict[str, object]:
    from sqlalchemy import select

    from benchmarks.common import bench_organization, org_kwargs
    from paperclerk import plugins
    from paperclerk.config import get_settings
    from paperclerk.core.db import session_scope
    from paperclerk.core.schema import upgrade
    from paperclerk.core.worker import claim_and_run_next
    from paperclerk.documents import service
    from paperclerk.documents.models import Document

    settings = get_settings()
    upgrade()
    plugins.load()
    tenant = org_kwargs(bench_organization())

    def receive(files: list[Path]) -> list[str]:
        ids = []
        for file in files:
            with file.open("rb") as stream, service.spool(stream, settings=settings) as spooled, \
                    session_scope() as session:
                ids.append(service.receive(session, spooled, filename=file.name, source="cli",
                                           settings=settings, **tenant).document.id)
        return ids

    def drain() -> int:
        count = 0
        while claim_and_run_next(["default"], settings):
            count += 1
        return count

    receive(warmup)
    drain()  # loads lingua and warms every code path

    started = time.perf_counter()
    ids = receive(paths)
    intake = time.perf_counter() - started

    started = time.perf_counter()
    ran = drain()
    elapsed = time.perf_counter() - started

    with session_scope(readonly=True) as session:
        documents = list(session.scalars(select(Document).where(Document.id.in_(ids))))
    statuses = sorted({doc.status for doc in documents})
    stage_totals: dict[str, float] = {}
    for doc in documents:
        for stage, ms in (doc.timings or {}).items():
            stage_totals[stage] = stage_totals.get(stage, 0.0) + ms
    stage_sum = sum(stage_totals.values())
    stages_note = "stages ms/page: " + ", ".join(f"{stage} {ms / pages:.2f}" for stage, ms in stage_totals.items())
    return {
        "ms_per_page": elapsed * 1000 / pages,
        "ms_per_doc": elapsed * 1000 / len(paths),
        "intake_ms_per_doc": intake * 1000 / len(paths),
        "overhead_ms_per_doc": (elapsed * 1000 - stage_sum) / len(paths),
        "stage_ms_per_page": {stage: ms / pages for stage, ms in stage_totals.items()},
        "stages_note": stages_note + f"; statuses {','.join(statuses)}; jobs run {ran}",
    }
