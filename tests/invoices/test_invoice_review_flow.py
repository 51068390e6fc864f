"""The review flow's dead ends closed: a field the reader missed can be entered on the review page, dates are typed
as the organisation writes them, the inbox links to the invoice, and the document's status follows its invoice."""

from __future__ import annotations

import re

from tests.helpers import api_client, assert_error, upload_and_wait
from tests.invoices.ap import VENDOR, add_vendor, invoice_id_for, invoice_pdf, open_rules
from tests.invoices.test_invoice_pages import _post
from tests.web.conftest import Browser


def test_every_header_field_can_be_entered_on_the_review_page_present_or_not(browse: Browser) -> None:
    api = browse("api")
    (document,) = upload_and_wait(api, ("northwind.pdf", invoice_pdf(po=None)))
    invoice_id = invoice_id_for(document["id"])
    reviewer = browse("reviewer")
    page = reviewer.get(f"/invoices/{invoice_id}").text
    missing = re.search(r'<tr data-field="purchase_order"[^>]*data-missing>.*?</tr>', page, re.S)
    assert missing, page
    assert "not read" in missing.group(0) and 'name="field" value="purchase_order"' in missing.group(0)
    entered = _post(reviewer, invoice_id, "/corrections", {"field": "purchase_order", "value": "PO-9"})
    assert entered.status_code == 303, entered.text
    page = reviewer.get(entered.headers["location"]).text
    row = re.search(r'<tr data-field="purchase_order".*?</tr>', page, re.S)
    assert row and "<span data-value>PO-9</span>" in row.group(0) and "entered by a person" in row.group(0)
    assert "%" not in row.group(0)  # no reader's confidence on a value a person typed


def test_dates_are_typed_as_the_organisation_writes_them(env):
    with api_client() as client:
        (document,) = upload_and_wait(client, ("inv.pdf", invoice_pdf(po=None)))
        invoice_id = invoice_id_for(document["id"])
        day_first = client.post(f"/api/v1/invoices/{invoice_id}/corrections",
                                json={"field": "due_date", "value": "20/11/2026"})
        assert day_first.status_code == 200, day_first.text
        assert day_first.json()["due_date"] == "2026-11-20"
        ambiguous = client.post(f"/api/v1/invoices/{invoice_id}/corrections",
                                json={"field": "due_date", "value": "03/04/2026"})
        assert ambiguous.json()["due_date"] == "2026-04-03"  # day first
        error = assert_error(client.post(f"/api/v1/invoices/{invoice_id}/corrections",
                                         json={"field": "due_date", "value": "31/02/2026"}), 400,
                             "INVALID_FIELD_VALUE")
        assert "20/11/2026" in error["message"]
        client.patch("/api/v1/invoices/tolerances", json={"values": {"month_first_dates": True}})
        month_first = client.post(f"/api/v1/invoices/{invoice_id}/corrections",
                                  json={"field": "due_date", "value": "03/04/2026"})
        assert month_first.json()["due_date"] == "2026-03-04"
        iso = client.post(f"/api/v1/invoices/{invoice_id}/corrections", json={"field": "due_date",
                                                                             "value": "2026-12-01"})
        assert iso.json()["due_date"] == "2026-12-01"


def test_the_document_status_follows_its_invoice_and_uploads_answer_with_the_invoice(env):
    with api_client() as client:
        add_vendor(client, tax_id="NL999999999B01")  # an error finding: the invoice needs review
        uploaded = client.post("/api/v1/invoices/upload",
                               files=[("files", ("inv.pdf", invoice_pdf(po=None), "application/pdf"))])
        (item,) = uploaded.json()["documents"]
        assert item["invoice_id"] == invoice_id_for(item["id"])
        upload_and_wait(client, ("inv.pdf", invoice_pdf(po=None)))  # the same bytes: waits for the same document
        invoice = client.get(f"/api/v1/invoices/{item['invoice_id']}").json()
        assert invoice["vendor_name"] == VENDOR and "INV-VENDOR-TAXID" in open_rules(invoice)
        assert client.get(f"/api/v1/documents/{item['id']}").json()["status"] == "needs_review"
        rejected = client.post(f"/api/v1/invoices/{item['invoice_id']}/reject", json={"reason": "Not ours"})
        assert rejected.status_code == 200
        assert client.get(f"/api/v1/documents/{item['id']}").json()["status"] == "processed"
        listed = client.get("/api/v1/documents", params={"status": "needs_review"}).json()
        assert item["id"] not in {document["id"] for document in listed["items"]}


def test_vendor_page_counts_invoices_read_before_the_vendor_and_an_order_lists_its_invoices(browse: Browser) -> None:
    api = browse("api")
    (early,) = upload_and_wait(api, ("early.pdf", invoice_pdf("INV-7001", po="PO-7781")))
    early_id = invoice_id_for(early["id"])
    approved = api.post(f"/api/v1/invoices/{early_id}/approve", json={"reason": "Order placed by phone"})
    assert approved.status_code == 200, approved.text  # closed before the vendor existed
    vendor = add_vendor(api)
    order = api.post("/api/v1/invoices/purchase-orders", json={
        "number": "PO-7781", "vendor_id": vendor["id"], "currency": "EUR",
        "lines": [{"line_number": 1, "description": "Consulting hours", "quantity": "10", "unit_price": "95.00"}]})
    assert order.status_code == 201, order.text
    viewer = browse("viewer")
    page = viewer.get(f"/vendors/{vendor['id']}").text
    count = re.search(r'id="vendor-invoices-title">Recent invoices <span class="count">(\d+)</span>', page)
    assert count and count.group(1) == "1", page
    assert f'data-invoice-id="{early_id}"' in page
    page = viewer.get(f"/purchase-orders/{order.json()['id']}").text
    listed = re.search(r"<table class=\"table\" data-order-invoices>.*?</table>", page, re.S)
    assert listed and f'href="/invoices/{early_id}">INV-7001</a>' in listed.group(0), page


def test_the_document_page_leads_to_the_invoice_review(browse: Browser) -> None:
    api = browse("api")
    (document,) = upload_and_wait(api, ("northwind.pdf", invoice_pdf(po=None)))
    invoice_id = invoice_id_for(document["id"])
    page = browse("viewer").get(f"/documents/{document['id']}").text
    assert f'<a class="btn" href="/invoices/{invoice_id}" data-line-link>Open the invoice review</a>' in page
    other = browse("viewer").get("/").text  # the inbox itself names no line
    assert "data-line-link" not in other


def test_a_decided_invoice_is_no_longer_flagged(browse: Browser) -> None:
    api = browse("api")
    add_vendor(api, tax_id="NL999999999B01")
    (document,) = upload_and_wait(api, ("northwind.pdf", invoice_pdf(po=None)))
    invoice_id = invoice_id_for(document["id"])
    viewer = browse("viewer")
    assert invoice_id in viewer.get("/invoices?flagged=yes").text
    assert api.post(f"/api/v1/invoices/{invoice_id}/approve", json={"reason": "Merger"}).status_code == 200
    assert invoice_id not in viewer.get("/invoices?flagged=yes").text
    row = re.search(rf'<tr data-invoice-id="{invoice_id}".*?</tr>', viewer.get("/invoices").text, re.S)
    assert row and "data-flagged" not in row.group(0) and "badge-approved" in row.group(0)
