# ruff: noqa: RUF001
"""Throughput: ``paperclerk ingest <folder>`` of 1,000 generated 1-3 page text PDFs, end to end, in a subprocess."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import datetime
from pathlib import Path

from benchmarks.common import Proc, Row, SectionResult, make_pdf_corpus, paperclerk_command, product_env, temp_dir

SECTION = "2 throughput"
TIMEOUT_SECONDS = 420


def _ingest(folder: Path, data_dir: Path, log: Path, **env: str) -> dict:  # type: ignore[type-arg]
    proc = Proc([*paperclerk_command(), "ingest", str(folder)],
                env=product_env(data_dir, PYTHONFAULTHANDLER="1", **env), log=log)
    started = time.perf_counter()
    code = proc.wait(TIMEOUT_SECONDS)
    wall = time.perf_counter() - started
    if code is None:
        proc.stop()
    outcome = "TIMED OUT" if code is None else proc.describe_exit()
    if code is not None and code > 0:
        last = [line.strip() for line in proc.tail(40).splitlines() if line.strip() and not line.startswith(" ")]
        if last:
            outcome += f" ({last[-1][:160]})"
    return {"code": code, "wall": wall, "outcome": outcome,
            "peak_mb": (proc.max_rss_kb or proc.vm_hwm_kb()) / 1024, **_facts(data_dir / "paperclerk.db")}


def run(quick: bool) -> SectionResult:
    count = 200 if quick else 1000
    work = temp_dir("throughput")
    started = time.perf_counter()
    corpus = make_pdf_corpus(work / "in", count, seed=21, prefix="tp")
    generated_s = time.perf_counter() - started
    planned_pages = sum(p for _, p in corpus)

    main = _ingest(work / "in", work / "data", work / "ingest.log")
    rows = _rows(main, count, planned_pages, "default config: 2 quick + 1 ocr worker threads")
    extra = {"generate_s": generated_s, "default": main}
    if main["code"] != 0:
        # The default run crashed or failed: measure a configuration that can finish, so the numbers exist.
        single = _ingest(work / "in", work / "data-single", work / "ingest-single.log",
                         PAPERCLERK_WORKERS="1", PAPERCLERK_OCR_WORKERS="0")
        rows += _rows(single, count, planned_pages, "re-run with 1 worker thread (PAPERCLERK_WORKERS=1, "
                                                    "PAPERCLERK_OCR_WORKERS=0)", suffix=" [1 thread]")
        extra["single"] = single
    return SectionResult(rows, extra)


def _rows(run: dict, count: int, planned_pages: int, config: str, suffix: str = "") -> list[Row]:  # type: ignore[type-arg]
    wall = run["wall"]
    processed = run["final"]
    pages = run["pages"] or planned_pages
    rows = [
        Row(SECTION, f"ingest wall time, end to end{suffix}", wall, "s",
            note=f"{count} PDFs ({planned_pages} pages); {config}; {run['outcome']}; statuses {run['statuses']}"),
        Row(SECTION, f"documents/s{suffix}", processed / wall, "docs/s", 12.0, "target ≥ 12", "min",
            note=f"{processed} of {count} documents reached a final state"
                 + ("" if run["code"] == 0 else " — run did not finish cleanly")),
        Row(SECTION, f"pages/s{suffix}", pages / wall, "pages/s", note=f"{pages} pages stored"),
        Row(SECTION, f"peak RSS of the ingest process (worker){suffix}", run["peak_mb"], "MB", 500.0,
            "target < 500", "max", note="wait4 ru_maxrss of the paperclerk process; no OCR model loaded"),
    ]
    if run.get("phases"):
        rows.append(Row(SECTION, f"time split of the ingest run{suffix}", None, note=run["phases"].format(wall=wall)))
    if run.get("stage_note"):
        rows.append(Row(SECTION, f"stage timings per document, mean{suffix}", run["stage_ms_per_doc"], "ms/doc",
                        note=run["stage_note"]))
    return rows


def _facts(db_path) -> dict:  # type: ignore[no-untyped-def]
    facts: dict = {"final": 0, "pages": 0, "statuses": "?"}
    if not db_path.exists():
        return facts
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        statuses = dict(connection.execute("SELECT status, count(*) FROM documents GROUP BY status").fetchall())
        facts["statuses"] = ",".join(f"{k}={v}" for k, v in sorted(statuses.items()))
        facts["final"] = sum(v for k, v in statuses.items() if k in ("processed", "needs_review", "failed"))
        facts["pages"] = connection.execute("SELECT coalesce(sum(page_count), 0) FROM documents").fetchone()[0]
        first_in, last_in, last_done = connection.execute(
            "SELECT min(created_at), max(created_at), max(processed_at) FROM documents").fetchone()
        if first_in and last_in and last_done:
            t0, t1, t2 = (datetime.fromisoformat(v) for v in (first_in, last_in, last_done))
            intake = (t1 - t0).total_seconds()
            processing = (t2 - t0).total_seconds()
            facts["phases"] = (f"first→last file stored {intake:.1f} s; "
                               f"first stored→last processed {processing:.1f} s; "
                               f"startup+shutdown ≈ {{wall:.1f}} s − {processing:.1f} s")
        totals: dict[str, float] = {}
        rows = connection.execute("SELECT timings FROM documents WHERE timings IS NOT NULL").fetchall()
        for (raw,) in rows:
            for stage, ms in (json.loads(raw) or {}).items():
                totals[stage] = totals.get(stage, 0.0) + ms
        if rows and totals:
            facts["stage_ms_per_doc"] = sum(totals.values()) / len(rows)
            facts["stage_note"] = "sum of stage timings, threads running concurrently: " + ", ".join(
                f"{stage} {ms / len(rows):.1f}" for stage, ms in totals.items())
    finally:
        connection.close()
    return facts
