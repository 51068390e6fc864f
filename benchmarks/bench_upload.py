"""Upload latency: sequential multipart POSTs of small distinct PDFs to a running ``paperclerk serve``."""

from __future__ import annotations

import time

import httpx

from benchmarks.common import (
    Row,
    SectionResult,
    auth_headers,
    make_pdf_corpus,
    percentile,
    run_child,
    start_server,
    temp_dir,
)

SECTION = "4 upload"


def _measure(work, name: str, files: list[tuple[str, bytes]], warmup: int, **env: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    auth = run_child("setup-auth", quick=True, data_dir=work / f"data-{name}", timeout=120)
    proc, base = start_server(work / f"data-{name}", work / f"serve-{name}.log", **env)
    try:
        with httpx.Client(base_url=base, timeout=60, headers=auth_headers(auth.extra.get("api_key"))) as client:
            floor = []
            for index in range(110):
                started = time.perf_counter()
                client.get("/health/live").raise_for_status()
                if index >= 10:
                    floor.append((time.perf_counter() - started) * 1000)
            latencies: list[float] = []
            errors = 0
            crashed = ""
            codes: dict[int, int] = {}
            for index, (filename, data) in enumerate(files):
                started = time.perf_counter()
                try:
                    response = client.post("/api/v1/documents",
                                           files={"files": (filename, data, "application/pdf")})
                except httpx.TransportError as exc:
                    time.sleep(0.5)
                    state = proc.describe_exit() if proc.poll() is not None else f"{type(exc).__name__}: {exc}"
                    crashed = f"server {state} after {index} uploads"
                    break
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 202:
                    errors += 1
                    codes[response.status_code] = codes.get(response.status_code, 0) + 1
                if index >= warmup:
                    latencies.append(elapsed)
        return {"latencies": latencies or [float("nan")], "floor": floor, "errors": errors, "codes": codes,
                "crashed": crashed, "rss_mb": proc.vm_hwm_kb() / 1024}
    finally:
        proc.stop()


def run(quick: bool) -> SectionResult:
    count = 100 if quick else 300
    warmup = 10
    work = temp_dir("upload")
    corpus = make_pdf_corpus(work / "files", count + warmup, seed=41, min_pages=1, max_pages=1,
                             chars=(300, 900), prefix="up")
    files = [(path.name, path.read_bytes()) for path, _ in corpus]
    size_kb = sum(len(d) for _, d in files) / len(files) / 1024
    served = _measure(work, "default", files, warmup)
    # The same uploads with no worker threads: intake alone, without processing competing for the GIL and
    # SQLite's write lock (tells the two causes of tail latency apart).
    alone = _measure(work, "no-workers", files, warmup, PAPERCLERK_WORKERS="0", PAPERCLERK_OCR_WORKERS="0")
    latencies, floor_p50 = served["latencies"], percentile(served["floor"], 50)
    quiet = alone["latencies"]
    note = (f"{len(latencies)} sequential POSTs of distinct 1-page PDFs (~{size_kb:.1f} KB), keep-alive; "
            f"{served['errors']} non-202 {served['codes'] or ''}"
            + (f"; {served['crashed']}" if served["crashed"] else ""))
    rows = [
        Row(SECTION, "HTTP floor: GET /health/live p50", floor_p50, "ms", note="same server, same client"),
        Row(SECTION, "upload p50", percentile(latencies, 50), "ms", floor_p50, "HTTP floor", "floor", note=note),
        Row(SECTION, "upload p95", percentile(latencies, 95), "ms", 50.0, "target < 50", "max",
            note=f"p99 {percentile(latencies, 99):.1f} ms, max {max(latencies):.1f} ms; the server's worker threads "
                 "process the uploads meanwhile (default config)"),
        Row(SECTION, "upload p95, worker threads off (intake alone)", percentile(quiet, 95), "ms", 50.0,
            "target < 50", "max",
            note=f"p50 {percentile(quiet, 50):.1f} ms, p99 {percentile(quiet, 99):.1f} ms; PAPERCLERK_WORKERS=0, "
                 f"PAPERCLERK_OCR_WORKERS=0; {alone['errors']} non-202"
                 + (f"; {alone['crashed']}" if alone["crashed"] else "")),
        Row(SECTION, "peak RSS of the server during uploads", served["rss_mb"], "MB", 500.0, "target < 500", "max",
            note="VmHWM of paperclerk serve"),
    ]
    return SectionResult(rows, {"latencies_ms": latencies, "no_workers_ms": quiet, "floor_ms": served["floor"]})
