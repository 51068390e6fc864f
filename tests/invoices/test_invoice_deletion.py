"""Deleting an invoice's document: refused once the invoice was approved or exported (deleting would not un-pay it);
a junk upload's invoice leaves the invoice lists and checks, so the same file sent again is a new invoice and not a
duplicate of the deleted one."""

from __future__ import annotations

from tests.helpers import api_client, assert_error
from tests.invoices.ap import add_vendor, invoice_pdf, open_rules, upload_invoices


def test_an_approved_or_exported_invoice_cannot_be_deleted(env):
    with api_client() as client:
        add_vendor(client)
        approved, exported = upload_invoices(client, ("a.pdf", invoice_pdf("DEL-1", po=None)),
                                             ("b.pdf", invoice_pdf("DEL-2", po=None, lines=(("Chairs", 3, "80.00"),))))
        assert client.post(f"/api/v1/invoices/{exported['id']}/approve").status_code == 200
        export = client.post("/api/v1/invoices/exports", json={"format": "csv"})  # every approved one
        assert export.status_code == 200, export.text
        assert client.post(f"/api/v1/invoices/{approved['id']}/approve").status_code == 200
        assert client.get(f"/api/v1/invoices/{exported['id']}").json()["status"] == "exported"
        for invoice, status in ((approved, "approved"), (exported, "exported")):
            refused = assert_error(client.delete(f"/api/v1/documents/{invoice['document_id']}",
                                                 params={"reason": "junk"}), 409, "INVOICE_DECIDED")
            assert refused["details"] == {"status": status}
            assert client.get(f"/api/v1/documents/{invoice['document_id']}").status_code == 200
            assert client.get(f"/api/v1/invoices/{invoice['id']}").status_code == 200


def test_a_deleted_junk_invoice_leaves_the_lists_and_its_file_again_is_no_duplicate(env):
    with api_client() as client:
        add_vendor(client)
        (junk,) = upload_invoices(client, ("junk.pdf", invoice_pdf("DEL-9", po=None)))
        deleted = client.delete(f"/api/v1/documents/{junk['document_id']}", params={"reason": "sent twice by mail"})
        assert deleted.status_code == 200, deleted.text
        assert client.get("/api/v1/invoices").json()["total"] == 0
        assert_error(client.get(f"/api/v1/invoices/{junk['id']}"), 404, "INVOICE_NOT_FOUND")

        (again,) = upload_invoices(client, ("junk.pdf", invoice_pdf("DEL-9", po=None)))
        assert again["id"] != junk["id"] and again["document_id"] != junk["document_id"]
        assert "INV-DUP-001" not in open_rules(again) and "INV-DUP-002" not in open_rules(again)
        assert [item["id"] for item in client.get("/api/v1/invoices").json()["items"]] == [again["id"]]
