"""The document API as a client sees it: upload, dedupe, type detection, status, listing, files, retry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from paperclerk import samples
from tests.conftest import wait_until_final
from tests.helpers import api_client, assert_error, upload, upload_and_wait

INVOICE_TEXT = "INVOICE\nInvoice number INV-2041\nBill to: Acme Corp\nSubtotal 100.00\nVAT 21.00\nTotal due 121.00 EUR"


def test_upload_answers_202_at_once_with_ids_then_processes(env):
    pdf = samples.text_pdf([INVOICE_TEXT, "Payment terms: 30 days. Thank you for your business."])
    with api_client() as client:
        body = upload(client, ("invoice.pdf", pdf),
                      ("note.txt", b"The staff was friendly and I recommend the service."))
        assert [d["status"] for d in body["documents"]] == ["queued", "queued"]
        assert body["rejected"] == []
        docs = upload_and_wait(client, ("again.pdf", pdf))  # same bytes: the stored document comes back
        assert docs[0]["id"] == body["documents"][0]["id"]
        invoice = client.get(f"/api/v1/documents/{body['documents'][0]['id']}").json()
    assert invoice["status"] == "needs_review"  # an invoice without vendor or date waits for a person
    assert invoice["media_type"] == "application/pdf"
    assert invoice["kind"] == "invoice"
    assert invoice["language"] == "en"
    assert invoice["page_count"] == 2
    assert [p["number"] for p in invoice["pages"]] == [1, 2]
    assert "INV-2041" in invoice["pages"][0]["text"]
    assert invoice["pages"][0]["method"] == "text_layer"
    start, end, *box = invoice["pages"][0]["segments"][0]
    assert invoice["pages"][0]["text"][int(start):int(end)].strip()
    assert box[2] > box[0] and box[3] > box[1]
    assert set(invoice["timings"]) >= {"extract", "language", "classify", "index"}
    stages = [(h["stage"], h["outcome"]) for h in invoice["history"]]
    assert stages[0] == ("intake", "received")
    assert ("extract", "succeeded") in stages and stages[-1] == ("pipeline", "needs_review")


def test_duplicate_upload_is_flagged_and_stored_once(env):
    with api_client() as client:
        first = upload(client, ("a.txt", b"same bytes twice"))["documents"][0]
        second = upload(client, ("b.txt", b"same bytes twice"))["documents"][0]
        assert second == {**first, "duplicate": True, "status": second["status"]}
        assert client.get("/api/v1/documents").json()["total"] == 1


def test_type_comes_from_content_not_name(env):
    with api_client() as client:
        docs = upload_and_wait(client, ("looks-like-text.txt", samples.text_pdf(["Quarterly report"])),
                               ("page.pdf", samples.html("Notice", ["Hello from an HTML page"])),
                               ("letter", samples.docx(["This agreement is made between the parties."])))
    assert [d["media_type"] for d in docs] == [
        "application/pdf", "text/html",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
    assert all(d["status"] == "processed" for d in docs)
    assert docs[2]["kind"] == "contract"


def test_email_attachments_become_linked_documents(env):
    attachment = samples.text_pdf(["Attached invoice INV-77, total due 50.00 EUR"])
    mail = samples.email("Your invoice", "Please find the invoice attached.", [("inv-77.pdf", attachment)])
    with api_client() as client:
        [email] = upload_and_wait(client, ("message.eml", mail))
        assert email["media_type"] == "message/rfc822"
        assert "Please find the invoice attached." in email["pages"][0]["text"]
        [child] = email["attachments"]
        assert child["filename"] == "inv-77.pdf" and child["parent_id"] == email["id"]
        wait_until_final([child["id"]])
        child_detail = client.get(f"/api/v1/documents/{child['id']}").json()
    assert child_detail["status"] == "needs_review"  # an incomplete invoice
    assert "INV-77" in child_detail["pages"][0]["text"]


def test_scanned_image_is_read_by_ocr(env):
    image = samples.scan_image("RECEIPT Coffee 3.50 Total 3.50")
    with api_client() as client:
        [doc] = upload_and_wait(client, ("receipt.png", image), timeout=120)
    assert doc["status"] == "processed", doc["error"]
    assert doc["pages"][0]["method"] == "ocr"
    assert "coffee" in doc["pages"][0]["text"].lower()
    assert doc["pages"][0]["segments"]


def test_list_filters_and_pagination(env):
    with api_client() as client:
        upload_and_wait(client, *[(f"n{i}.txt", f"Customer feedback number {i}: the staff was great".encode())
                                  for i in range(5)],
                        ("bad.pdf", samples.truncated_pdf()))
        everything = client.get("/api/v1/documents").json()
        assert everything["total"] == 6
        page = client.get("/api/v1/documents", params={"limit": 2, "offset": 2}).json()
        assert [d["id"] for d in page["items"]] == [d["id"] for d in everything["items"][2:4]]
        failed = client.get("/api/v1/documents", params={"status": "failed"}).json()
        assert failed["total"] == 1 and failed["items"][0]["error"]["code"] == "FILE_CORRUPT"
        assert client.get("/api/v1/documents", params={"kind": "feedback"}).json()["total"] == 5
        tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
        assert client.get("/api/v1/documents", params={"created_after": tomorrow}).json()["total"] == 0
        assert client.get("/api/v1/documents", params={"created_before": tomorrow}).json()["total"] == 6
        assert_error(client.get("/api/v1/documents", params={"status": "nonsense"}), 422, "VALIDATION_ERROR")
        assert_error(client.get("/api/v1/documents", params={"limit": 0}), 422, "VALIDATION_ERROR")


def test_original_file_is_returned_byte_for_byte(env):
    pdf = samples.text_pdf(["Original bytes"])
    with api_client() as client:
        [doc] = upload_and_wait(client, ("orig.pdf", pdf))
        response = client.get(f"/api/v1/documents/{doc['id']}/file")
    assert response.status_code == 200
    assert response.content == pdf
    assert response.headers["content-type"] == "application/pdf"
    assert "orig.pdf" in response.headers["content-disposition"]


def test_unknown_document_is_404_with_error_shape(env):
    with api_client() as client:
        assert_error(client.get("/api/v1/documents/nope"), 404, "NOT_FOUND")
        assert_error(client.get("/api/v1/documents/nope/file"), 404, "NOT_FOUND")
        assert_error(client.post("/api/v1/documents/nope/retry"), 404, "NOT_FOUND")
        assert_error(client.get("/api/v1/nothing-here"), 404, "NOT_FOUND")
        assert_error(client.delete("/api/v1/documents"), 405, "METHOD_NOT_ALLOWED")


def test_failed_document_shows_its_error_and_can_be_retried(env):
    with api_client() as client:
        [doc] = upload_and_wait(client, ("locked.pdf", samples.encrypted_pdf()))
        assert doc["status"] == "failed"
        assert doc["error"]["code"] == "FILE_ENCRYPTED" and doc["error"]["message"]
        assert doc["history"][-1]["outcome"] == "failed"
        assert doc["history"][-1]["error_code"] == "FILE_ENCRYPTED"
        retried = client.post(f"/api/v1/documents/{doc['id']}/retry")
        assert retried.status_code == 202 and retried.json()["status"] == "queued"
        wait_until_final([doc["id"]])
        again = client.get(f"/api/v1/documents/{doc['id']}").json()
        outcomes = [h["outcome"] for h in again["history"]]
        assert "retry_requested" in outcomes and outcomes.count("failed") == 2
        [ok] = upload_and_wait(client, ("fine.txt", b"A perfectly readable note."))
        assert_error(client.post(f"/api/v1/documents/{ok['id']}/retry"), 409, "DOCUMENT_NOT_FAILED")


def test_openapi_docs_are_served(env):
    with api_client() as client:
        assert client.get("/docs").status_code == 200
        schema = client.get("/openapi.json").json()
    assert {"/api/v1/documents", "/api/v1/documents/{document_id}", "/api/v1/search",
            "/health/ready"} <= set(schema["paths"])


def test_uploads_and_retries_are_in_the_audit_trail(env):
    with api_client() as client:
        [doc] = upload_and_wait(client, ("locked.pdf", samples.encrypted_pdf()))
        client.post(f"/api/v1/documents/{doc['id']}/retry")
        entries = client.get("/api/v1/audit").json()["items"]
    by_action = {entry["action"]: entry for entry in entries}
    upload_entry, retry_entry = by_action["document.upload"], by_action["document.retry"]
    assert upload_entry["subject_id"] == retry_entry["subject_id"] == doc["id"]
    assert upload_entry["actor_label"].startswith("api key tests admin")
    assert upload_entry["after"]["filename"] == "locked.pdf" and upload_entry["after"]["sha256"] == doc["sha256"]
    assert retry_entry["before"] == {"status": "failed", "error_code": "FILE_ENCRYPTED"}
    assert retry_entry["after"] == {"status": "queued"}


def test_moments_without_a_utc_equivalent_are_422_not_500(env):
    far = {"created_after": "0001-01-01T00:00:00+14:00"}
    with api_client(embedded_workers=False) as client:
        for path, params in (("/api/v1/documents", far), ("/api/v1/search", {**far, "q": "x"}),
                             ("/api/v1/audit", {"since": far["created_after"]}),
                             ("/api/v1/audit", {"until": "9999-12-31T23:00:00-05:00"})):
            assert_error(client.get(path, params=params), 422, "VALIDATION_ERROR")
        # The earliest moment that has one is fine, and an offset is converted, not dropped.
        assert client.get("/api/v1/documents", params={"created_after": "0001-01-01T14:00:00+14:00"}).status_code == 200
        assert client.get("/api/v1/audit", params={"since": "2026-11-20T01:00:00+02:00"}).status_code == 200
