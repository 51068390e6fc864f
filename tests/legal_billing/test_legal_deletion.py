"""Deleting a LEDES upload: refused once one of its bills was approved; otherwise its bills leave the lists."""

from __future__ import annotations

from tests.conftest import wait_until_final
from tests.helpers import api_client, assert_error
from tests.legal_billing.ledes_samples import LEDES_1998B


def _upload(client) -> str:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/legal/invoices/upload",
                           files=[("files", ("january.txt", LEDES_1998B.read_bytes(), "text/plain"))])
    assert response.status_code == 202, response.text
    (document,) = response.json()["documents"]
    wait_until_final([document["id"]])
    return str(document["id"])


def test_a_ledes_file_with_an_approved_bill_cannot_be_deleted_and_one_in_review_can(env) -> None:
    with api_client() as client:
        document_id = _upload(client)
        bills = client.get("/api/v1/legal/invoices").json()["items"]
        assert bills and {bill["document_id"] for bill in bills} == {document_id}
        first = next(bill for bill in bills if bill["invoice_number"] == "INV-1001")
        assert client.post(f"/api/v1/legal/invoices/{first['id']}/approve").status_code == 200
        refused = assert_error(client.delete(f"/api/v1/documents/{document_id}", params={"reason": "junk"}), 409,
                               "LEGAL_INVOICE_DECIDED")
        assert refused["details"] == {"approved": ["INV-1001"]}
        assert len(client.get("/api/v1/legal/invoices").json()["items"]) == len(bills)

    with api_client(organization="beta") as other:  # the same file in review elsewhere may go
        document_id = _upload(other)
        bill = other.get("/api/v1/legal/invoices").json()["items"][0]
        assert other.delete(f"/api/v1/documents/{document_id}", params={"reason": "wrong firm"}).status_code == 200
        assert other.get("/api/v1/legal/invoices").json()["items"] == []
        assert_error(other.get(f"/api/v1/legal/invoices/{bill['id']}"), 404, "NOT_FOUND")
