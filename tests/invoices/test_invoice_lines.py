"""Correcting line items: change, add and remove lines; the line as read is kept, every change is a
correction with who and when, and validation re-runs at once."""

from __future__ import annotations

import json

from sqlalchemy import select

from paperclerk.core.audit import AuditEntry
from paperclerk.core.db import session_scope
from tests.helpers import api_client, assert_error
from tests.invoices.ap import add_vendor, invoice_pdf, open_rules, upload_invoices

MISREAD = (("Consulting hours", 10, "95.00"), ("Docking station", 2, "150.00"))


def _lines(invoice: dict) -> list[tuple]:
    return [(line["position"], line["description"], line["quantity"], line["unit_price"], line["amount"])
            for line in invoice["lines"]]


def test_a_corrected_line_keeps_what_was_read_and_rechecks(env):
    with api_client(role="reviewer") as client:
        (invoice,) = upload_invoices(client, ("inv.pdf", invoice_pdf(po=None, lines=MISREAD)))
        url = f"/api/v1/invoices/{invoice['id']}/lines"
        wrong = client.patch(f"{url}/2", json={"quantity": "3"})
        assert wrong.status_code == 200, wrong.text
        after = wrong.json()
        assert "INV-ARITH-001" in open_rules(after)  # 3 x 150.00 is not 300.00
        line = after["lines"][1]
        assert (line["quantity"], line["amount"]) == ("3", "300.00")
        assert line["original"] == {"description": "Docking station", "quantity": "2", "unit_price": "150",
                                    "amount": "300.00", "tax_rate": None}
        (correction,) = after["corrections"]
        assert (correction["field"], correction["line"]) == ("line", 2) and "reviewer" in correction["by"]
        assert (json.loads(correction["before"])["quantity"], json.loads(correction["after"])["quantity"]) == ("2", "3")
        right = client.patch(f"{url}/2", json={"quantity": "2"}).json()
        assert "INV-ARITH-001" not in open_rules(right) and len(right["corrections"]) == 2


def test_a_missing_line_is_added_and_a_misread_one_removed(env):
    with api_client(role="reviewer") as client:
        # The extraction saw one line too few: the lines do not add up to the subtotal.
        (invoice,) = upload_invoices(client, ("inv.pdf", invoice_pdf(po=None, lines=MISREAD)))
        url = f"/api/v1/invoices/{invoice['id']}/lines"
        removed = client.delete(f"{url}/1").json()
        assert _lines(removed) == [(1, "Docking station", "2", "150", "300.00")]
        assert "INV-ARITH-002" in open_rules(removed)
        added = client.post(url, json={"description": "Consulting hours", "quantity": "10", "unit_price": "95",
                                       "amount": "950"})
        assert added.status_code == 200, added.text
        assert _lines(added.json()) == [(1, "Docking station", "2", "150", "300.00"),
                                        (2, "Consulting hours", "10", "95", "950.00")]
        assert added.json()["lines"][1]["original"] is None  # a person's line
        assert "INV-ARITH-002" not in open_rules(added.json())
        assert [(item["line"], item["after"] is None) for item in added.json()["corrections"]] == \
            [(1, True), (2, False)]
    with session_scope(readonly=True) as session:
        actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("invoice.line.%"))
                                       .order_by(AuditEntry.created_at)))
    assert actions == ["invoice.line.remove", "invoice.line.add"]


def test_bad_line_corrections_are_refused(env):
    with api_client() as client:
        add_vendor(client)
        (invoice,) = upload_invoices(client, ("inv.pdf", invoice_pdf(po=None)))
        url = f"/api/v1/invoices/{invoice['id']}/lines"
        assert_error(client.patch(f"{url}/9", json={"quantity": "1"}), 404, "LINE_NOT_FOUND")
        assert_error(client.patch(f"{url}/1", json={"quantity": "NaN"}), 422, "VALIDATION_ERROR")
        assert_error(client.patch(f"{url}/1", json={"description": ""}), 422, "VALIDATION_ERROR")
        assert_error(client.post(url, json={"quantity": "1"}), 422, "VALIDATION_ERROR")
        assert_error(client.patch(f"{url}/1", json={"tax_rate": "150"}), 422, "VALIDATION_ERROR")
        assert_error(client.patch("/api/v1/invoices/nope/lines/1", json={"quantity": "1"}), 404, "INVOICE_NOT_FOUND")
        assert client.post(f"/api/v1/invoices/{invoice['id']}/approve").status_code == 200
        assert_error(client.delete(f"{url}/1"), 409, "INVOICE_CLOSED")
        assert len(client.get(f"/api/v1/invoices/{invoice['id']}").json()["lines"]) == 2
    with api_client(organization="rival") as rival:
        assert_error(rival.delete(f"{url}/1"), 404, "INVOICE_NOT_FOUND")
