# ruff: noqa: RUF001
"""Run paperclerk's benchmarks and print ONE table (also written to benchmarks/results.md).

    .venv/bin/python -m benchmarks.run                  # everything (~5-8 minutes on 2 cores)
    .venv/bin/python -m benchmarks.run --quick          # smaller corpora (~2 minutes)
    .venv/bin/python -m benchmarks.run --only search    # one section (repeatable, or comma-separated)

Sections: extraction, throughput, ocr, upload, search, invoices, backup, reader (real documents, when
PAPERCLERK_READER_DATA or /work/data/reader holds them), recovery (a worker killed mid-job), legal, passages,
notifications, analysis (legal document analysis on CUAD's test split, when PAPERCLERK_CUAD_DATA holds it),
judgments (a cached draft over HTTP beside the database path), feedback (speech, quality, fraud). Each runs against
a fresh embedded setup (SQLite + local blobs in a temp dir), talks only to 127.0.0.1, and cleans up its temp dirs
and subprocesses even on error. Nothing asserts on wall time: the table reports values, the baseline or target each
is compared with, and the ratio. Baselines (the pdfium floor, the HTTP floor, in-process search) are measured in the
same run, so ratios stay meaningful on a noisy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import REPO, Row, SectionResult, cleanup, install_cleanup, run_child, temp_dir

SECTIONS = ("extraction", "throughput", "ocr", "upload", "search", "invoices", "backup", "reader", "recovery", "legal",
            "passages", "notifications", "analysis", "judgments", "feedback")
RESULTS = Path(__file__).resolve().parent / "results.md"
_TITLES = {"extraction": "1 extraction", "throughput": "2 throughput", "ocr": "3 OCR", "upload": "4 upload",
           "search": "5 search", "invoices": "6 invoices", "backup": "7 backup", "reader": "8 real documents",
           "recovery": "9 recovery", "legal": "10 legal e-billing", "passages": "11 passages",
           "notifications": "12 notifications", "analysis": "13 legal analysis", "judgments": "14 judgments",
           "feedback": "15 feedback"}


# Sections ---------------------------------------------------------------------------------------------------


def _extraction(quick: bool) -> SectionResult:
    return run_child("extraction", quick=quick, data_dir=temp_dir("extraction-run") / "data", timeout=300)


def _throughput(quick: bool) -> SectionResult:
    from benchmarks import bench_throughput

    return bench_throughput.run(quick)


def _ocr(quick: bool) -> SectionResult:
    return run_child("ocr", quick=quick, data_dir=temp_dir("ocr-run") / "data", timeout=300)


def _upload(quick: bool) -> SectionResult:
    from benchmarks import bench_upload

    return bench_upload.run(quick)


def _search(quick: bool) -> SectionResult:
    from benchmarks import bench_search

    return bench_search.run(quick)


def _invoices(quick: bool) -> SectionResult:
    return run_child("invoices", quick=quick, data_dir=temp_dir("invoices-run") / "data", timeout=900)


def _backup(quick: bool) -> SectionResult:
    return run_child("backup", quick=quick, data_dir=temp_dir("backup-run") / "data", timeout=1800)


def _reader(quick: bool) -> SectionResult:
    return run_child("reader", quick=quick, data_dir=temp_dir("reader-run") / "data", timeout=1200)


def _recovery(quick: bool) -> SectionResult:
    return run_child("recovery", quick=quick, data_dir=temp_dir("recovery-run") / "data", timeout=600)


def _legal(quick: bool) -> SectionResult:
    return run_child("legal", quick=quick, data_dir=temp_dir("legal-run") / "data", timeout=1200)


def _passages(quick: bool) -> SectionResult:
    from benchmarks import bench_passages

    return bench_passages.run(quick)


def _feedback(quick: bool) -> SectionResult:
    from benchmarks import bench_feedback

    return bench_feedback.run(quick)


def _notifications(quick: bool) -> SectionResult:
    return run_child("notifications", quick=quick, data_dir=temp_dir("notifications-run") / "data", timeout=600)


def _analysis(quick: bool) -> SectionResult:
    from benchmarks import bench_legal_analysis

    return bench_legal_analysis.run(quick)


def _judgments(quick: bool) -> SectionResult:
    return run_child("judgments", quick=quick, data_dir=temp_dir("judgments-run") / "data", timeout=600)


RUNNERS: dict[str, Callable[[bool], SectionResult]] = {
    "extraction": _extraction, "throughput": _throughput, "ocr": _ocr, "upload": _upload, "search": _search,
    "invoices": _invoices, "backup": _backup, "reader": _reader, "recovery": _recovery, "legal": _legal,
    "passages": _passages, "notifications": _notifications, "analysis": _analysis,
    "judgments": _judgments, "feedback": _feedback,
}


#: What each child process runs: module of ``benchmarks`` and its function taking ``quick`` (``setup-auth``: none).
_CHILDREN = {
    "extraction": ("bench_extraction", "run"), "ocr": ("bench_ocr", "run"), "invoices": ("bench_invoices", "run"),
    "backup": ("bench_backup", "run"), "reader": ("bench_reader", "run"), "recovery": ("bench_recovery", "run"),
    "legal": ("bench_legal", "run"), "passages": ("bench_passages", "build"),
    "notifications": ("bench_notifications", "run"), "judgments": ("bench_judgments", "run"),
    "search-build": ("bench_search", "build"),
}


def _child(name: str, quick: bool) -> SectionResult:
    import importlib

    if name == "setup-auth":
        from benchmarks.common import setup_auth

        return setup_auth()
    if name not in _CHILDREN:
        raise SystemExit(f"unknown child {name!r}")
    module, function = _CHILDREN[name]
    result: SectionResult = getattr(importlib.import_module(f"benchmarks.{module}"), function)(quick)
    return result


# Calibration ------------------------------------------------------------------------------------------------


def _calibrate() -> float:
    """Milliseconds for a fixed pure-Python workload: compare it between runs to judge machine noise."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i * i % 7
        best = min(best, (time.perf_counter() - started) * 1000)
    return best


# The table --------------------------------------------------------------------------------------------------


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _ratio(row: Row) -> str:
    if row.value is None or row.baseline in (None, 0) or row.kind == "info":
        return ""
    ratio = row.value / row.baseline  # type: ignore[operator]
    if row.kind == "floor":
        verdict = "" if row.ratio_max is None else (" ok" if ratio <= row.ratio_max else " OVER")
        return f"{ratio:.2f}×{verdict}"
    if row.kind == "max":
        return f"{ratio:.2f}× {'ok' if ratio <= 1 else 'OVER'}"
    if row.kind == "min":
        return f"{ratio:.2f}× {'ok' if ratio >= 1 else 'UNDER'}"
    return f"{ratio:.2f}×"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(rows: list[Row]) -> str:
    header = ["section", "metric", "value", "baseline / target", "ratio", "notes"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * len(header)) + "|"]
    for row in rows:
        value = f"{_number(row.value)} {row.unit}".strip() if row.value is not None else "—"
        baseline = ""
        if row.baseline is not None:
            baseline = f"{_number(row.baseline)} {row.unit} ({row.baseline_label})" if row.kind == "floor" \
                else row.baseline_label
        cells = [row.section, row.metric, value, baseline, _ratio(row), row.note]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def _failure_note(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    first = lines[0] if lines else ""
    return f"{type(exc).__name__}: {first}" + (f" … {last}" if last and last != first else "")[:300]


# Main -------------------------------------------------------------------------------------------------------


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller corpora, fewer repetitions")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help=f"run only these sections ({', '.join(SECTIONS)}); repeatable or comma-separated")
    parser.add_argument("--output", type=Path, default=RESULTS, help="Markdown file for the table")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    install_cleanup()
    if args.child:
        result = _child(args.child, args.quick)
        args.child_out.write_text(json.dumps({"rows": [row.to_dict() for row in result.rows],
                                              "extra": result.extra}, default=str))
        return 0

    selected = [name.strip() for item in args.only for name in item.split(",") if name.strip()] or list(SECTIONS)
    unknown = sorted(set(selected) - set(SECTIONS))
    if unknown:
        print(f"unknown section(s): {', '.join(unknown)}; choose from {', '.join(SECTIONS)}", file=sys.stderr)
        return 2

    started = time.perf_counter()
    load_start = os.getloadavg()[0]
    calibration_start = _calibrate()
    rows: list[Row] = []
    failures = 0
    try:
        for name in SECTIONS:
            if name not in selected:
                continue
            print(f"[bench] {name} …", file=sys.stderr, flush=True)
            section_started = time.perf_counter()
            try:
                rows.extend(RUNNERS[name](args.quick).rows)
            except Exception as exc:  # one broken section must not hide the others
                failures += 1
                traceback.print_exc()
                rows.append(Row(_TITLES[name], "section failed", None,
                                note=_failure_note(exc)))
            finally:
                cleanup()  # each section's temp dirs and processes go before the next one starts
            print(f"[bench] {name} done in {time.perf_counter() - section_started:.0f} s", file=sys.stderr,
                  flush=True)
    except KeyboardInterrupt:
        print("[bench] interrupted; reporting what was measured", file=sys.stderr)
    calibration_end = _calibrate()
    total = time.perf_counter() - started
    rows.insert(0, Row("0 machine", "CPU calibration (pure-Python loop, best of 3)", calibration_start, "ms",
                       note=f"{calibration_end:.0f} ms at the end of the run; load average {load_start:.2f} at start, "
                            f"{os.getloadavg()[0]:.2f} at end; {os.cpu_count()} CPUs"))
    rendered = table(rows)
    print(rendered)
    mode = "quick" if args.quick else "full"
    header = (f"# paperclerk benchmarks\n\nMeasured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {mode} run of "
              f"{', '.join(s for s in SECTIONS if s in selected)}, {total:.0f} s in total; Python "
              f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs.\n"
              f"Regenerate with `make bench` (`.venv/bin/python -m benchmarks.run`).\n\n")
    footer = ("\n\nRatios: `floor` rows are value ÷ a baseline measured in the same run; target rows are value ÷ "
              "target (ok / OVER / UNDER). Wall-clock numbers on a shared 2-core machine are noisy: compare the "
              "calibration row between runs before comparing absolute values.\n")
    args.output.write_text(header + rendered + footer)
    shown = args.output.relative_to(REPO) if args.output.is_relative_to(REPO) else args.output
    print(f"\n[bench] {total:.0f} s; table written to {shown}",
          file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
