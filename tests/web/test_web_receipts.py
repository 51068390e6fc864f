"""A till receipt in the invoice line's pages: its review page and the invoice list show it without breaking."""

from __future__ import annotations

from tests.conftest import wait_until_final
from tests.invoices import receipts
from tests.invoices.ap import invoice_id_for
from tests.web.conftest import Browser


def test_a_receipts_review_page_shows_it(browse: Browser) -> None:
    receipt = receipts.uk_till(1)
    api = browse("api")
    upload = [("files", ("till.txt", receipts.text(receipt), "text/plain"))]
    response = api.post("/api/v1/invoices/upload", files=upload)
    assert response.status_code == 202, response.text
    document_id = response.json()["documents"][0]["id"]
    wait_until_final([document_id])
    invoice_id = invoice_id_for(document_id)
    admin = browse("admin")
    review = admin.get(f"/invoices/{invoice_id}")
    assert review.status_code == 200
    assert receipt.expected["company"] in review.text
    listing = admin.get("/invoices")
    assert listing.status_code == 200 and receipt.expected["company"] in listing.text
