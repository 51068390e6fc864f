"""Legal e-billing: LEDES invoices reviewed per minute (in-process, and through ``paperclerk legal review --json``
including its start-up) against the 1,000 a minute target; the spend dashboard's p95 over 100,000 stored line
items against 2 s; precision and recall per rule category on GENERATED invoices with known violations — the
wordings the rules were written with ("seen") and wordings written apart and never tuned on ("unseen"); and the text
checks on REAL time-entry wordings from fee decisions (``legal_wordings``: dev and test splits, when the data is there).

Runs in a child process whose PAPERCLERK_DATA_DIR is a fresh directory (set by the parent).
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from benchmarks import legal_wordings
from benchmarks.common import REPO, Row, SectionResult, percentile, temp_dir

SECTION = "9 legal e-billing"
TARGET_PER_MINUTE = 1000.0
TARGET_P95_MS = 2000.0
TARGET_SCORE = 0.95

#: Wordings of the violations written apart from the rules (never used to develop or tune them).
UNSEEN = {
    "BLOCK_BILLED": (
        "Conference with client about discovery plan, prepare interrogatories and draft cover letter to counsel",
        "Analyze summary judgment motion / research standard of review / outline response",
        "Teleconference with expert re opinions; review her draft report; revise expert disclosure",
    ),
    "VAGUE": ("Attention to matter", "Work on file", "Review documents.", "Various correspondence",
              "Miscellaneous review"),
    "ADMINISTRATIVE": ("Scheduling conference call with client and co-counsel", "Bates label production volume 3",
                       "E-file motion papers with the clerk", "Update case calendar with new deadlines",
                       "Organizing pleadings binders"),
    "NON_BILLABLE": (("E111", "Dinner for trial team", Decimal(1), Decimal("210.00")),
                     ("E124", "Overtime for staff, weekend", Decimal(1), Decimal("160.00")),
                     ("E110", "First class upgrade, flight to Denver", Decimal(1), Decimal("890.00")),
                     ("E124", "Office supplies and toner", Decimal(1), Decimal("41.20"))),
}


def _score(unseen: bool, count: int) -> dict[str, tuple[int, int, int]]:
    from paperclerk.legal_billing import samples
    from paperclerk.legal_billing.guidelines import guidelines_from
    from paperclerk.legal_billing.ledes import read_ledes
    from paperclerk.legal_billing.review import Reviewer

    saved = {name: getattr(samples, name) for name in UNSEEN}
    try:
        if unseen:
            for name, value in UNSEEN.items():
                setattr(samples, name, value)
        invoices = samples.labelled_set(count, seed=11 if unseen else 7)
    finally:
        for name, value in saved.items():
            setattr(samples, name, value)
    reviewer = Reviewer(guidelines_from(samples.guidelines_for(invoices)))
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for invoice in invoices:
        (parsed,) = read_ledes(invoice.text())
        found = {(finding.category, line) for finding in reviewer.review(parsed).findings
                 for line in (finding.lines or [0])}
        for category, line in found | invoice.expected:
            if (category, line) in found and (category, line) in invoice.expected:
                tp[category] += 1
            elif (category, line) in found:
                fp[category] += 1
            else:
                fn[category] += 1
    return {category: (tp[category], fp[category], fn[category]) for category in samples.CATEGORIES}


def _throughput(count: int) -> tuple[float, float, int]:
    """(invoices a minute in-process, invoices a minute through the CLI, lines reviewed)."""
    from paperclerk.legal_billing import samples
    from paperclerk.legal_billing.guidelines import guidelines_from
    from paperclerk.legal_billing.ledes import read_ledes
    from paperclerk.legal_billing.review import Reviewer

    invoices = samples.labelled_set(count, seed=3)
    guidelines = samples.guidelines_for(invoices)
    texts = [invoice.text() for invoice in invoices]
    started = time.perf_counter()
    reviewer = Reviewer(guidelines_from(guidelines))
    lines = 0
    for text in texts:
        for invoice in read_ledes(text):
            lines += len(reviewer.review(invoice).invoice.lines)
    in_process = count / (time.perf_counter() - started) * 60
    folder = temp_dir("legal-files")
    paths = []
    for index, text in enumerate(texts):
        path = folder / f"invoice-{index:05d}.txt"
        path.write_text(text)
        paths.append(str(path))
    import json

    (folder / "guidelines.json").write_text(json.dumps(guidelines))
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "paperclerk.cli", "legal", "review", "--json", "--guidelines",
                           str(folder / "guidelines.json"), *paths], cwd=REPO, capture_output=True, text=True,
                          timeout=600, check=False)
    elapsed = time.perf_counter() - started
    reviewed = sum(1 for line in done.stdout.splitlines() if line.startswith('{"file"'))
    if reviewed != count:
        raise RuntimeError(f"the CLI reviewed {reviewed} of {count} invoices: {done.stderr[-2000:]}")
    return in_process, count / elapsed * 60, lines


def _store_lines(total_lines: int) -> int:
    """Fill the database with ``total_lines`` line items (10 per invoice, findings on some), the way the pipeline
    stores them; returns the organisation's id."""
    from sqlalchemy import insert

    from paperclerk.auth import service as accounts
    from paperclerk.auth.principal import system_actor
    from paperclerk.core.db import new_id, session_scope, utcnow
    from paperclerk.core.schema import upgrade
    from paperclerk.legal_billing.models import LegalFinding, LegalInvoice, LegalInvoiceLine

    upgrade()
    with session_scope() as session:
        organization = accounts.create_organization(session, "Bench", slug="bench", actor=system_actor("bench"))
        organization_id = organization.id
    rng = random.Random(5)
    firms = [f"Firm {index} LLP" for index in range(25)]
    keepers = [(f"TK-{index}", f"Keeper {index}", rng.choice(("PARTNR", "ASSOC", "PARLGL"))) for index in range(300)]
    tasks = ["L110", "L120", "L210", "L240", "L310", "L320", "L330", "L430", "L450", "P300", "B110", "C300"]
    invoices, lines, findings = [], [], []
    now = utcnow()
    for index in range(total_lines // 10):
        invoice_id = new_id()
        day = date(2023, 1, 1) + timedelta(days=rng.randrange(700))
        amounts = [Decimal(rng.randrange(50, 4000)) for _ in range(10)]
        total = sum(amounts, Decimal(0))
        invoices.append({"id": invoice_id, "organization_id": organization_id, "format": "LEDES1998B",
                         "invoice_number": f"B-{index}", "invoice_date": day, "law_firm_name": rng.choice(firms),
                         "law_firm_tax_id": "94-0000000", "client_matter_id": f"CM-{rng.randrange(400)}",
                         "total": total, "proposed_adjustments": Decimal(-50), "approved_total": total - 50,
                         "status": rng.choice(("received", "needs_review", "approved", "approved")),
                         "header": {}, "received_at": now - timedelta(days=rng.randrange(60))})
        for number, amount in enumerate(amounts, 1):
            keeper = rng.choice(keepers)
            lines.append({"id": new_id(), "organization_id": organization_id, "invoice_id": invoice_id,
                          "number": number, "type": "F", "date": day, "timekeeper_id": keeper[0],
                          "timekeeper_name": keeper[1], "timekeeper_classification": keeper[2],
                          "task_code": rng.choice(tasks), "activity_code": "A103", "units": Decimal(1),
                          "unit_cost": amount, "adjustment": Decimal(0), "tax_total": Decimal(0), "total": amount,
                          "description": "Draft brief", "proposed_adjustment": Decimal(0)})
        if index % 3 == 0:
            findings.append({"id": new_id(), "organization_id": organization_id, "invoice_id": invoice_id,
                             "position": 0, "rule_id": rng.choice(("LB-RATE-001", "LB-BLOCK-001", "LB-VAGUE-001")),
                             "category": "rate_above_approved", "severity": "warning", "lines": [1],
                             "message": "bench", "adjustment": Decimal(-50), "reason": "bench"})
    with session_scope() as session:
        for table, rows in ((LegalInvoice, invoices), (LegalInvoiceLine, lines), (LegalFinding, findings)):
            for start in range(0, len(rows), 5000):
                session.execute(insert(table), rows[start:start + 5000])
    return organization_id  # type: ignore[no-any-return]


def _dashboard_ms(organization_id: str, rounds: int) -> list[float]:
    from paperclerk.core.db import session_scope
    from paperclerk.legal_billing import dashboard

    timings = []
    filters = [dashboard.DashboardFilter(), dashboard.DashboardFilter(firm="Firm 3 LLP"),
               dashboard.DashboardFilter(start=date(2024, 1, 1), end=date(2024, 6, 30)),
               dashboard.DashboardFilter(matter="CM-17")]
    for round_number in range(rounds):
        started = time.perf_counter()
        with session_scope(readonly=True) as session:
            board = dashboard.build(session, organization_id, filters[round_number % len(filters)])
            for chart in (board.by_firm, board.by_matter, board.by_timekeeper, board.by_phase, board.by_month):
                dashboard.bars(chart)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def run(quick: bool) -> SectionResult:
    rows: list[Row] = []
    extra: dict[str, Any] = {}
    count = 300 if quick else 1500
    in_process, through_cli, lines = _throughput(count)
    rows.append(Row(SECTION, f"LEDES invoices reviewed / minute, in-process ({count} invoices, {lines} lines)",
                    in_process, "/min", TARGET_PER_MINUTE, "target", "min"))
    rows.append(Row(SECTION, f"LEDES invoices reviewed / minute, `paperclerk legal review --json` incl. start-up "
                             f"({count} files)", through_cli, "/min", TARGET_PER_MINUTE, "target", "min"))
    total_lines = 20_000 if quick else 100_000
    organization_id = _store_lines(total_lines)
    timings = _dashboard_ms(organization_id, 20 if quick else 40)
    rows.append(Row(SECTION, f"dashboard p95 over {total_lines:,} line items (all charts, 4 filter sets)",
                    percentile(timings, 95), "ms", TARGET_P95_MS, "target", "max"))
    extra["dashboard_ms"] = timings
    for split, unseen in (("seen", False), ("unseen", True)):
        scores = _score(unseen, 200 if quick else 600)
        extra[f"scores_{split}"] = scores
        for category, (tp, fp, fn) in scores.items():
            precision = tp / (tp + fp) if tp + fp else 1.0
            recall = tp / (tp + fn) if tp + fn else 1.0
            rows.append(Row(SECTION, f"{split} generated set: {category} precision / recall "
                                     f"(tp {tp}, fp {fp}, fn {fn})", round(min(precision, recall), 3), "",
                            TARGET_SCORE, "target", "min", note=f"P {precision:.3f} R {recall:.3f}"))
    for split in ("dev", "test"):
        for check, (tp, fp, fn) in legal_wordings.score(split).items():
            if tp + fp + fn == 0:
                continue
            precision = tp / (tp + fp) if tp + fp else 1.0
            recall = tp / (tp + fn) if tp + fn else 1.0
            rows.append(Row(SECTION, f"real wordings ({split}): {check} precision / recall (tp {tp}, fp {fp}, fn {fn})",
                            round(min(precision, recall), 3), "", TARGET_SCORE, "target", "min",
                            note=f"P {precision:.3f} R {recall:.3f}"))
    return SectionResult(rows, extra)


if __name__ == "__main__":
    import os

    os.environ.setdefault("PAPERCLERK_DATA_DIR", str(temp_dir("legal-data") / "data"))
    for row in run("--quick" in sys.argv).rows:
        print(f"{row.metric}: {row.value} {row.unit} {row.note}")
