"""The legal e-billing line's rows of the page access matrix: bills, one bill's review and its decisions, the
guidelines, the master data and the dashboard."""

from __future__ import annotations

from typing import Any

from tests.legal_billing.ledes_samples import legal_invoice
from tests.page_matrix import PageCall, PageWorld


def prepare(world: PageWorld) -> None:
    world.extra["legal_invoice"] = legal_invoice(world.acme)


def _fresh(world: PageWorld, action: str, form: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    return f"/legal/invoices/{legal_invoice(world.acme)}/{action}", {"data": form or {}}


PAGE_CALLS = [
    PageCall("GET", "/legal/invoices", lambda w: ("/legal/invoices", {})),
    PageCall("GET", "/legal/invoices/{invoice_id}", lambda w: (f"/legal/invoices/{w.extra['legal_invoice']}", {})),
    PageCall("POST", "/legal/invoices/{invoice_id}/lines/{number}/decision",
             lambda w: _fresh(w, "lines/1/decision", {"decision": "accept"}), allowed=303),
    PageCall("POST", "/legal/invoices/{invoice_id}/approve", lambda w: _fresh(w, "approve"), allowed=303),
    PageCall("POST", "/legal/invoices/{invoice_id}/reject", lambda w: _fresh(w, "reject", {"reason": "matrix"}),
             allowed=303),
    PageCall("GET", "/legal/guidelines", lambda w: ("/legal/guidelines", {})),
    PageCall("POST", "/legal/guidelines",
             lambda w: ("/legal/guidelines", {"files": {"file": ("g.yaml", b"max_hours_per_day: 9\n", "text/yaml")}})),
    PageCall("GET", "/legal/master-data", lambda w: ("/legal/master-data", {})),
    PageCall("POST", "/legal/master-data", lambda w: ("/legal/master-data", {
        "data": {"kind": "firms"}, "files": {"file": ("firms.csv", b"name,tax_id\nMatrix LLP,T-1\n", "text/csv")}})),
    PageCall("GET", "/legal/dashboard", lambda w: ("/legal/dashboard", {})),
]
