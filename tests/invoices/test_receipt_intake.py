"""A till receipt sent to the invoice inbox is read and kept as kind ``receipt``: its merchant, date and payable
total are there, and it is not flagged for lacking an invoice number or a due date."""

from __future__ import annotations

from tests.helpers import api_client
from tests.invoices import receipts
from tests.invoices.ap import open_rules, upload_invoices


def test_a_receipt_uploaded_to_the_invoice_inbox(env):
    receipt = receipts.my_gst(2)
    with api_client() as client:
        (invoice,) = upload_invoices(client, ("receipt.txt", receipts.text(receipt)))
    assert invoice["kind"] == "receipt"
    assert (invoice["vendor_name"], invoice["invoice_date"], invoice["total"]) == \
        (receipt.expected["company"], receipt.expected["date"].isoformat(), str(receipt.expected["total"]))
    assert "INV-REQ-001" not in open_rules(invoice)
