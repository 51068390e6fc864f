"""Duplicates are found by the vendor's identity (the vendor on file, tax ID, IBAN or name) and the invoice number,
whatever order the master data arrived in, and by identical bytes; a possible duplicate can be neither approved nor
exported until a person says why it is not one."""

from __future__ import annotations

from sqlalchemy import select

from paperclerk.core.db import session_scope
from paperclerk.invoices.models import FindingStatus, Invoice, InvoiceFinding, InvoiceStatus
from tests.helpers import api_client, assert_error
from tests.invoices.ap import add_vendor, finding, invoice_pdf, open_rules, upload_invoices


def _approve(client, invoice: dict, reason: str | None = None):
    return client.post(f"/api/v1/invoices/{invoice['id']}/approve", json={"reason": reason} if reason else None)


def test_copy_of_a_paid_invoice_read_before_its_vendor_existed_is_blocked(env):
    with api_client() as client:
        (first,) = upload_invoices(client, ("inv.pdf", invoice_pdf(po=None)))
        assert first["vendor_id"] is None and "INV-VENDOR-UNKNOWN" in open_rules(first)
        assert _approve(client, first).status_code == 200, open_rules(first)
        exported = client.post("/api/v1/invoices/exports", json={"format": "csv"})
        assert exported.status_code == 200 and exported.headers["X-Invoice-Count"] == "1"
        add_vendor(client)  # the vendor arrives after the first invoice was paid
        (copy,) = upload_invoices(client, ("again.pdf", invoice_pdf(po=None, note="Copy sent by post")))
        assert copy["vendor_id"] is not None
        duplicate = finding(copy, "INV-DUP-001")
        assert duplicate["evidence"][-1]["invoice_id"] == first["id"]
        error = assert_error(_approve(client, copy, "looks fine"), 409, "INVOICE_POSSIBLE_DUPLICATE")
        assert [item["rule_id"] for item in error["details"]["findings"]] == ["INV-DUP-001"]
        # A person who checked with the vendor records why it is not a duplicate; then it can be approved.
        dismissed = client.post(f"/api/v1/invoices/{copy['id']}/findings/{duplicate['id']}/dismiss",
                                json={"reason": "Vendor confirmed a second delivery under the same number"})
        assert dismissed.status_code == 200, dismissed.text
        assert _approve(client, copy).status_code == 200


def test_the_same_vendor_is_recognised_by_tax_id_iban_or_name_in_any_spelling(env):
    with api_client() as client:
        (first,) = upload_invoices(client, ("a.pdf", invoice_pdf("INV-2001", po=None)))
        (by_tax_id,) = upload_invoices(client, ("b.pdf", invoice_pdf("INV 2001", vendor="NORTHWIND BV", po=None)))
        (other_number,) = upload_invoices(client, ("c.pdf", invoice_pdf("INV-2002", po=None, lines=(
            ("Consulting hours", 1, "95.00"),))))
    assert "INV-DUP-001" in open_rules(by_tax_id)
    assert finding(by_tax_id, "INV-DUP-001")["evidence"][-1]["invoice_id"] == first["id"]
    assert not open_rules(other_number) & {"INV-DUP-001", "INV-DUP-002"}
    assert not open_rules(first) & {"INV-DUP-001", "INV-DUP-002"}


def test_master_data_arriving_later_does_not_flag_the_original_instead_of_the_copy(env):
    with api_client() as client:
        (first,) = upload_invoices(client, ("a.pdf", invoice_pdf(po=None)))
        (copy,) = upload_invoices(client, ("b.pdf", invoice_pdf(po=None, note="Reminder")))
        add_vendor(client)  # every open invoice is checked again, newest first
        first, copy = (client.get(f"/api/v1/invoices/{item['id']}").json() for item in (first, copy))
    assert "INV-DUP-001" in open_rules(copy)
    assert "INV-DUP-001" not in open_rules(first)


def test_the_same_bytes_on_the_invoice_upload_are_the_invoice_already_received(env):
    data = invoice_pdf(po=None)
    with api_client() as client:
        (first,) = upload_invoices(client, ("inv.pdf", data))
        again = client.post("/api/v1/invoices/upload", files=[("files", ("renamed.pdf", data, "application/pdf"))])
        assert again.status_code == 202, again.text
        (item,) = again.json()["documents"]
        assert item["duplicate"] is True and item["invoice_id"] == first["id"]
        assert client.get("/api/v1/invoices").json()["total"] == 1


def test_an_approved_invoice_with_an_open_duplicate_finding_is_not_exported(env):
    with api_client() as client:
        (invoice,) = upload_invoices(client, ("inv.pdf", invoice_pdf(po=None)))
        assert _approve(client, invoice).status_code == 200
        with session_scope() as session:  # approved before duplicates were blocked: the finding is still open
            session.add(InvoiceFinding(invoice_id=invoice["id"], rule_id="INV-DUP-001", severity="critical",
                                       message="Already received", evidence=[], fix="Reject this copy.",
                                       status=FindingStatus.OPEN))
        assert_error(client.post("/api/v1/invoices/exports", json={"format": "csv"}), 409, "NOTHING_TO_EXPORT")
        with session_scope(readonly=True) as session:
            assert session.scalars(select(Invoice.status).where(Invoice.id == invoice["id"])).one() == \
                InvoiceStatus.APPROVED


def test_approving_over_open_errors_takes_a_reason_that_the_audit_keeps(env):
    with api_client() as client:
        add_vendor(client, tax_id="NL999999999B01")  # the invoice shows another tax ID: an error finding
        (invoice,) = upload_invoices(client, ("inv.pdf", invoice_pdf(po=None)))
        assert finding(invoice, "INV-VENDOR-TAXID")["severity"] == "error"
        error = assert_error(_approve(client, invoice), 409, "APPROVAL_REASON_REQUIRED")
        assert "INV-VENDOR-TAXID" in {item["rule_id"] for item in error["details"]["findings"]}
        assert client.get(f"/api/v1/invoices/{invoice['id']}").json()["status"] == "needs_review"
        approved = _approve(client, invoice, "Tax ID changed after the merger; finance confirmed")
        assert approved.status_code == 200 and approved.json()["status"] == "approved"
        entry = client.get("/api/v1/audit", params={"action": "invoice.approve"}).json()["items"][0]
    assert entry["after"]["reason"] == "Tax ID changed after the merger; finance confirmed"
    assert "INV-VENDOR-TAXID" in entry["after"]["open_findings"]


def test_an_organisation_can_let_open_errors_block_approval(env):
    with api_client() as client:
        changed = client.patch("/api/v1/invoices/tolerances", json={"values": {"errors_block_approval": True}})
        assert changed.status_code == 200, changed.text
        add_vendor(client, tax_id="NL999999999B01")
        (invoice,) = upload_invoices(client, ("inv.pdf", invoice_pdf(po=None)))
        assert_error(_approve(client, invoice, "please"), 409, "INVOICE_HAS_BLOCKING_FINDINGS")
        assert_error(client.patch("/api/v1/invoices/tolerances", json={"values": {"errors_block_approval": 3}}),
                     400, "INVALID_TOLERANCE")
