"""Invoices through the real API: upload → invoice with evidence, findings against master data, corrections,
dismissals, approval and rejection, and what another organisation sees."""

from __future__ import annotations

from sqlalchemy import select

from paperclerk import samples
from paperclerk.core.db import session_scope
from paperclerk.core.events import Event
from tests.conftest import wait_until_final
from tests.helpers import api_client, assert_error
from tests.invoices import generate
from tests.invoices.ap import (
    IBAN,
    OTHER_IBAN,
    add_vendor,
    finding,
    invoice_pdf,
    open_rules,
    upload_invoices,
)
from tests.invoices.generate import credit_notes


def _events(subject_id: str) -> list[str]:
    with session_scope(readonly=True) as session:
        return list(session.scalars(select(Event.name).where(Event.subject_id == subject_id).order_by(Event.id)))


def test_an_uploaded_invoice_becomes_an_invoice_with_fields_and_evidence(any_env):
    with api_client() as client:
        (invoice,) = upload_invoices(client, ("inv-1001.pdf", invoice_pdf()))
        document = client.get(f"/api/v1/documents/{invoice['document_id']}").json()
    assert document["source"] == "invoice-upload" and document["kind"] == "invoice"
    assert invoice["status"] == "needs_review" == document["status"]  # no master data yet
    assert open_rules(invoice) == {"INV-VENDOR-UNKNOWN", "INV-PO-001"}
    assert (invoice["invoice_number"], invoice["invoice_date"], invoice["currency"], invoice["total"]) == \
        ("INV-1001", "2024-03-14", "EUR", "1512.50")
    assert invoice["page_count"] == 1 and invoice["kind"] == "invoice"
    fields = {field["name"]: field for field in invoice["fields"]}
    assert fields["total"]["value"] == "1512.50" and fields["total"]["page"] == 1
    assert len(fields["total"]["bbox"]) == 4 and fields["total"]["extractor"] == "layout"
    assert fields["vendor_iban"]["value"] == IBAN
    assert [(line["description"], line["quantity"], line["unit_price"], line["amount"]) for line in invoice["lines"]] \
        == [("Consulting hours", "10", "95", "950.00"), ("Docking station", "2", "150", "300.00")]
    assert invoice["lines"][0]["evidence"]["page"] == 1
    assert _events(invoice["id"]) == ["invoice.uploaded", "invoice.processed", "invoice.flagged"]


def test_a_known_vendor_with_matching_details_is_processed_without_review(env):
    with api_client() as client:
        vendor = add_vendor(client)
        (invoice,) = upload_invoices(client, ("inv.pdf", invoice_pdf(po=None)))
    assert invoice["status"] == "processed" and open_rules(invoice) == set()
    assert invoice["vendor_id"] == vendor["id"]


def test_a_changed_iban_is_critical_and_blocks_approval(env):
    with api_client() as client:
        add_vendor(client)
        (invoice,) = upload_invoices(client, ("inv.pdf", invoice_pdf(iban_=OTHER_IBAN, po=None)))
        changed = finding(invoice, "INV-VENDOR-BANK-CHANGED")
        assert changed["severity"] == "critical" and OTHER_IBAN in changed["message"] and IBAN in changed["message"]
        assert {"source": "vendor", "iban": IBAN}.items() <= changed["evidence"][-1].items()
        assert invoice["status"] == "needs_review"
        blocked = client.post(f"/api/v1/invoices/{invoice['id']}/approve")
        error = assert_error(blocked, 409, "INVOICE_HAS_CRITICAL_FINDINGS")
        assert error["details"]["findings"][0]["rule_id"] == "INV-VENDOR-BANK-CHANGED"


def test_duplicates_exact_and_fuzzy_are_flagged(env):
    with api_client() as client:
        add_vendor(client)
        # One after the other: the later arrival is the duplicate.
        (first,) = upload_invoices(client, ("a.pdf", invoice_pdf("INV-1001", po=None)))
        (copy,) = upload_invoices(client, ("b.pdf", invoice_pdf("inv1001", po=None, note="Copy sent again")))
        (near,) = upload_invoices(client, ("c.pdf", invoice_pdf("INV-1007", po=None, issued="20/03/2024")))
    assert "INV-DUP-001" not in open_rules(first)
    duplicate = finding(copy, "INV-DUP-001")
    assert duplicate["severity"] == "critical" and duplicate["evidence"][-1]["invoice_id"] == first["id"]
    probable = finding(near, "INV-DUP-002")
    assert probable["severity"] == "warning" and "INV-1001" in probable["message"]


def test_corrections_keep_the_original_and_revalidate_at_once(env):
    with api_client() as client:
        add_vendor(client)
        (invoice,) = upload_invoices(client, ("inv.pdf", invoice_pdf(iban_=OTHER_IBAN, po=None)))
        url = f"/api/v1/invoices/{invoice['id']}/corrections"
        assert_error(client.post(url, json={"field": "total", "value": "twelve"}), 400, "INVALID_FIELD_VALUE")
        assert_error(client.post(url, json={"field": "colour", "value": "red"}), 400, "UNKNOWN_FIELD")
        with api_client(role="viewer") as viewer:
            assert_error(viewer.post(url, json={"field": "vendor_iban", "value": IBAN}), 403, "FORBIDDEN")
        with api_client(role="reviewer") as reviewer:
            corrected = reviewer.post(url, json={"field": "vendor_iban", "value": IBAN.lower()})
    assert corrected.status_code == 200, corrected.text
    after = corrected.json()
    field = next(item for item in after["fields"] if item["name"] == "vendor_iban")
    assert (field["value"], field["original_value"], field["corrected"]) == (IBAN, OTHER_IBAN, True)
    assert after["corrections"][0]["before"] == OTHER_IBAN and after["corrections"][0]["after"] == IBAN
    assert after["corrections"][0]["by"].startswith("api key")
    resolved = next(item for item in after["findings"] if item["rule_id"] == "INV-VENDOR-BANK-CHANGED")
    assert resolved["status"] == "resolved" and after["status"] == "processed"
    assert "invoice.corrected" in _events(invoice["id"])


def test_a_correction_that_breaks_the_arithmetic_opens_a_finding(env):
    with api_client() as client:
        add_vendor(client)
        (invoice,) = upload_invoices(client, ("inv.pdf", invoice_pdf(po=None)))
        after = client.post(f"/api/v1/invoices/{invoice['id']}/corrections",
                            json={"field": "total", "value": "1600.00"}).json()
    assert after["total"] == "1600.00" and after["status"] == "needs_review"
    assert "INV-ARITH-003" in open_rules(after)


def test_dismissing_a_finding_needs_a_reviewer_and_a_reason(env):
    with api_client() as client:
        (invoice,) = upload_invoices(client, ("inv.pdf", invoice_pdf(po=None)))
        unknown = finding(invoice, "INV-VENDOR-UNKNOWN")
        url = f"/api/v1/invoices/{invoice['id']}/findings/{unknown['id']}/dismiss"
        with api_client(role="viewer") as viewer:
            assert_error(viewer.post(url, json={"reason": "known"}), 403, "FORBIDDEN")
        assert_error(client.post(url, json={"reason": ""}), 422, "VALIDATION_ERROR")
        assert_error(client.post(f"/api/v1/invoices/{invoice['id']}/findings/nope/dismiss", json={"reason": "x"}),
                     404, "FINDING_NOT_FOUND")
        with api_client(role="reviewer") as reviewer:
            dismissed = reviewer.post(url, json={"reason": "One-off supplier, checked by phone"})
        assert dismissed.status_code == 200, dismissed.text
        assert dismissed.json()["status"] == "dismissed"
        assert dismissed.json()["dismissed_reason"] == "One-off supplier, checked by phone"
        assert_error(client.post(url, json={"reason": "again"}), 409, "FINDING_NOT_OPEN")
        after = client.get(f"/api/v1/invoices/{invoice['id']}").json()
        audit = client.get("/api/v1/audit", params={"action": "invoice.finding.dismiss"}).json()
    assert after["status"] == "processed"
    assert audit["items"][0]["subject_id"] == invoice["id"]


def test_approve_and_reject_need_an_approver(env):
    with api_client() as client:
        add_vendor(client)
        first, second = upload_invoices(client, ("a.pdf", invoice_pdf("A-1", po=None)),
                                        ("b.pdf", invoice_pdf("B-2", po=None, lines=(("Chairs", 3, "80.00"),))))
        with api_client(role="reviewer") as reviewer:
            assert_error(reviewer.post(f"/api/v1/invoices/{first['id']}/approve"), 403, "FORBIDDEN")
            assert_error(reviewer.post(f"/api/v1/invoices/{first['id']}/reject", json={"reason": "no"}), 403,
                         "FORBIDDEN")
        with api_client(role="approver") as approver:
            approved = approver.post(f"/api/v1/invoices/{first['id']}/approve")
            assert approved.status_code == 200 and approved.json()["status"] == "approved"
            assert approved.json()["decided_by"].startswith("api key")
            assert_error(approver.post(f"/api/v1/invoices/{first['id']}/approve"), 409, "INVOICE_CLOSED")
            assert_error(approver.post(f"/api/v1/invoices/{second['id']}/reject", json={}), 422, "VALIDATION_ERROR")
            rejected = approver.post(f"/api/v1/invoices/{second['id']}/reject", json={"reason": "Not ordered"})
            assert rejected.json()["status"] == "rejected" and rejected.json()["rejection_reason"] == "Not ordered"
            assert_error(approver.post(f"/api/v1/invoices/{second['id']}/corrections",
                                       json={"field": "total", "value": "1"}), 409, "INVOICE_CLOSED")
        listed = client.get("/api/v1/invoices", params={"status": "approved"}).json()
    assert [item["id"] for item in listed["items"]] == [first["id"]]
    assert _events(first["id"])[-1] == "invoice.approved" and _events(second["id"])[-1] == "invoice.rejected"


def test_list_filters_and_pagination(env):
    with api_client() as client:
        add_vendor(client)
        cheap, dear = upload_invoices(
            client, ("a.pdf", invoice_pdf("A-1", po=None, lines=(("Pens", 2, "5.00"),), issued="01/02/2024")),
            ("b.pdf", invoice_pdf("B-1", po="PO-404", vendor="Northwind Trading", issued="01/03/2024")))

        def ids(**params: object) -> list[str]:
            return [item["id"] for item in client.get("/api/v1/invoices", params=params).json()["items"]]

        assert set(ids()) == {cheap["id"], dear["id"]}
        assert ids(flagged=True) == [dear["id"]] and ids(flagged=False) == [cheap["id"]]
        assert ids(amount_min="100") == [dear["id"]] and ids(amount_max="100") == [cheap["id"]]
        assert ids(date_from="2024-02-15") == [dear["id"]] and ids(date_to="2024-02-15") == [cheap["id"]]
        assert ids(vendor="traders") == [cheap["id"]]
        assert set(ids(vendor_id=cheap["vendor_id"])) == {cheap["id"], dear["id"]}  # matched by tax ID
        page = client.get("/api/v1/invoices", params={"limit": 1, "offset": 1}).json()
        assert page["total"] == 2 and len(page["items"]) == 1
    with api_client(organization="rival") as rival:
        assert rival.get("/api/v1/invoices").json()["total"] == 0
        assert_error(rival.get(f"/api/v1/invoices/{cheap['id']}"), 404, "INVOICE_NOT_FOUND")
        assert rival.get("/api/v1/invoices/vendors").json() == []


QUOTE = ["QUOTATION\nQuote No.: Q-1\nDate: 01/02/2024\nPayment on delivery, an invoice follows.\n"
         "Subtotal: EUR 100.00\nVAT 21%: EUR 21.00\nTotal: EUR 121.00\nIBAN: " + IBAN]


def test_a_quote_among_documents_is_not_an_invoice(env):
    with api_client() as client:
        response = client.post("/api/v1/documents", files=[("files", ("q.pdf", samples.text_pdf(QUOTE),
                                                                      "application/pdf"))])
        document_id = response.json()["documents"][0]["id"]
        assert wait_until_final([document_id]) == {document_id: "processed"}
        assert client.get(f"/api/v1/documents/{document_id}").json()["kind"] == "invoice"  # by its words
        assert client.get("/api/v1/invoices").json()["total"] == 0  # but not a bill to pay


def test_a_quote_sent_to_the_invoice_inbox_waits_for_a_person(env):
    with api_client() as client:
        (invoice,) = upload_invoices(client, ("q.pdf", samples.text_pdf(QUOTE)))
        assert invoice["status"] == "needs_review"
        kind = finding(invoice, "INV-KIND-001")
        assert kind["severity"] == "critical" and "not as an invoice" in kind["message"]
        assert (kind["evidence"][0]["page"], kind["evidence"][0]["start"], kind["evidence"][0]["end"]) == (1, 0, 9)
        assert client.post(f"/api/v1/invoices/{invoice['id']}/approve").status_code == 409
        # The person says it is an invoice after all: the finding resolves.
        corrected = client.post(f"/api/v1/invoices/{invoice['id']}/corrections",
                                json={"field": "document_type", "value": "invoice"}).json()
        assert "INV-KIND-001" not in open_rules(corrected)


def test_an_invoice_is_received_at_upload_and_read_in_place(env):
    """The invoice exists from the moment of upload (status received, nothing to correct or approve yet) and
    keeps its id once it has been read."""
    with api_client(embedded_workers=False) as client:
        response = client.post("/api/v1/invoices/upload",
                               files=[("files", ("r.pdf", invoice_pdf("INV-R1"), "application/pdf"))])
        document_id = response.json()["documents"][0]["id"]
        (received,) = client.get("/api/v1/invoices", params={"status": "received"}).json()["items"]
        assert received["document_id"] == document_id and received["invoice_number"] is None
        assert_error(client.post(f"/api/v1/invoices/{received['id']}/approve"), 409, "INVOICE_NOT_READY")
        assert_error(client.post(f"/api/v1/invoices/{received['id']}/corrections",
                                 json={"field": "total", "value": "1"}), 409, "INVOICE_NOT_READY")
    with api_client() as client:
        assert wait_until_final([document_id]) == {document_id: "needs_review"}
        (read,) = client.get("/api/v1/invoices").json()["items"]
    assert read["id"] == received["id"] and read["invoice_number"] == "INV-R1" and read["status"] == "needs_review"
    assert _events(read["id"]) == ["invoice.uploaded", "invoice.processed", "invoice.flagged"]


def test_the_same_file_twice_is_one_invoice(env):
    with api_client() as client:
        first, = upload_invoices(client, ("a.pdf", invoice_pdf("INV-S1")))
        again = client.post("/api/v1/invoices/upload", files=[("files", ("b.pdf", invoice_pdf("INV-S1"),
                                                                          "application/pdf"))]).json()
        assert again["documents"][0]["duplicate"] is True
        assert client.get("/api/v1/invoices").json()["total"] == 1
    assert _events(first["id"]).count("invoice.uploaded") == 1


def test_credit_notes_and_factur_x_are_read(env):
    note = next(spec for spec in credit_notes() if spec.locale.key == "de-DE")
    with api_client() as client:
        credit, facturx = upload_invoices(client, ("gutschrift.pdf", generate.pdf(note)),
                                          ("fx.pdf", generate.facturx_pdf(generate.EInvoice(number="FX-9"))))
    assert credit["kind"] == "credit_note" and credit["invoice_number"] == note.number
    fields = {field["name"]: field for field in facturx["fields"]}
    assert facturx["invoice_number"] == "FX-9" and fields["total"]["extractor"] == "cii"
    assert fields["total"]["page"] == 0  # read from the XML inside the PDF, not from the printed page
    assert [line["description"] for line in facturx["lines"]] == ["Consulting hours", "USB-C docking station"]
