"""The feedback line's rows of the page access matrix, and its public pages (the customer's, reached from a QR
code without an account; ``tests/feedback/test_customer_*`` test them, including abuse).

The matrix's organisation ``acme`` runs the platform here (``feedback_operator_organization``), so its admins see
the admin dashboard; ``rival``'s see a 404 there like on every other object of acme's."""

from __future__ import annotations

import os
from typing import Any

from paperclerk.config import get_settings
from tests.feedback.support import business, submitted_feedback
from tests.page_matrix import PageCall, PageWorld

PUBLIC = {
    ("GET", "/f/manifest.webmanifest"), ("GET", "/f/sw.js"), ("GET", "/f/me"), ("GET", "/f/me/export"),
    ("POST", "/f/me/erase"), ("POST", "/f/me/payout-account"), ("GET", "/f/s/{session_id}"),
    ("POST", "/f/s/{session_id}"), ("GET", "/f/s/{session_id}/result"), ("GET", "/f/{code}"),
    ("POST", "/f/{code}/verify"),
}


def prepare(world: PageWorld) -> None:
    os.environ["PAPERCLERK_FEEDBACK_OPERATOR_ORGANIZATION"] = "acme"
    get_settings.cache_clear()
    shop = business("acme", sales=40)
    world.extra["feedback"] = {"shop": shop, "session": submitted_feedback(shop, 0, flagged=False)}


def _held_finding(world: PageWorld) -> str:
    """A fresh finding to decide (deciding closes it)."""
    shop = world.extra["feedback"]["shop"]
    world.extra["feedback"]["next"] = world.extra["feedback"].get("next", 1) + 1
    return submitted_feedback(shop, world.extra["feedback"]["next"], flagged=True).finding_id


def _decision(world: PageWorld, prefix: str) -> tuple[str, dict[str, Any]]:
    return f"{prefix}/findings/{_held_finding(world)}/decision", {"data": {"decision": "override"}}


PAGE_CALLS = [
    PageCall("GET", "/feedback", lambda w: ("/feedback", {})),
    PageCall("GET", "/feedback/export.csv", lambda w: ("/feedback/export.csv", {})),
    PageCall("GET", "/feedback/sessions/{session_id}",
             lambda w: (f"/feedback/sessions/{w.extra['feedback']['session'].session_id}", {})),
    PageCall("POST", "/feedback/findings/{finding_id}/decision", lambda w: _decision(w, "/feedback"), allowed=303),
    PageCall("GET", "/feedback/settings", lambda w: ("/feedback/settings", {})),
    PageCall("POST", "/feedback/settings", lambda w: ("/feedback/settings", {"data": {
        "categories": "coffee, pastries", "reward_amount": "50", "currency": "SEK", "commission_percent": "10",
        "amount_tolerance": "1", "time_tolerance_minutes": "15"}}), allowed=303),
    PageCall("POST", "/feedback/stores",
             lambda w: ("/feedback/stores", {"data": {"name": f"Store {os.urandom(4).hex()}"}}), allowed=303),
    PageCall("GET", "/feedback/stores/{store_id}/qr.svg",
             lambda w: (f"/feedback/stores/{w.extra['feedback']['shop'].store_id}/qr.svg", {})),
    PageCall("POST", "/feedback/transactions", lambda w: ("/feedback/transactions", {"files": {"file": (
        "pos.csv", f"external_id,amount,occurred_at\nM-{os.urandom(4).hex()},12.50,2026-12-03 10:00\n".encode(),
        "text/csv")}})),
    PageCall("GET", "/feedback/admin", lambda w: ("/feedback/admin", {})),
    PageCall("POST", "/feedback/admin/payouts", lambda w: ("/feedback/admin/payouts", {"data": {
        "provider": "manual", "currency": "SEK", "minimum": "1"}}), allowed=303),
    PageCall("GET", "/feedback/admin/payouts/manual.csv", lambda w: ("/feedback/admin/payouts/manual.csv", {})),
    PageCall("POST", "/feedback/admin/findings/{finding_id}/decision", lambda w: _decision(w, "/feedback/admin"),
             allowed=303),
]
