"""Deleting a junk upload: the row is kept (who, when, why) but the document leaves lists, search and reads; the same
bytes may come again as a new document; an administrator restores one; product lines refuse for what was paid."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from paperclerk.core.audit import AuditEntry
from paperclerk.core.db import session_scope
from paperclerk.documents.models import Document
from paperclerk.search.models import Passage
from tests.helpers import api_client, assert_error, upload, upload_and_wait

JUNK = b"Quarterly zanzibarite inventory, uploaded by mistake.\n\nThe zanzibarite shelf holds twelve crates.\n"
KEEP = b"Board minutes: the zanzibarite contract was signed on Tuesday.\n"


def _delete(client: TestClient, document_id: str, reason: str | None = "uploaded by mistake") -> Any:
    return client.delete(f"/api/v1/documents/{document_id}", params={"reason": reason} if reason is not None else {})


def _search(client: TestClient, words: str) -> set[str]:
    found = client.get("/api/v1/search", params={"q": words})
    assert found.status_code == 200, found.text
    return {hit["document_id"] for hit in found.json()["items"]}


def _index_rows(document_id: str) -> tuple[int, int]:
    """The document's full-text row(s) and passages."""
    with session_scope(readonly=True) as session:
        rows = session.scalar(text("SELECT count(*) FROM search_index WHERE document_id = :id"), {"id": document_id})
        passages = session.scalar(select(func.count()).select_from(Passage).where(Passage.document_id == document_id))
    return int(rows or 0), int(passages or 0)


def test_a_deleted_document_leaves_lists_search_and_reads_but_keeps_its_row(any_env):
    with api_client() as client:
        junk, keep = upload_and_wait(client, ("junk.txt", JUNK), ("minutes.txt", KEEP))
        assert _search(client, "zanzibarite") == {junk["id"], keep["id"]}
        assert _index_rows(junk["id"])[0] == 1 and _index_rows(junk["id"])[1] >= 1

        deleted = _delete(client, junk["id"], "  uploaded   by mistake ")
        assert deleted.status_code == 200, deleted.text
        body = deleted.json()
        assert body["deletion_reason"] == "uploaded by mistake" and body["deleted_by"].startswith("api key")

        assert_error(client.get(f"/api/v1/documents/{junk['id']}"), 404, "NOT_FOUND")
        assert_error(client.get(f"/api/v1/documents/{junk['id']}/file"), 404, "NOT_FOUND")
        assert_error(_delete(client, junk["id"]), 404, "NOT_FOUND")
        assert [item["id"] for item in client.get("/api/v1/documents").json()["items"]] == [keep["id"]]
        assert client.get("/api/v1/documents").json()["total"] == 1
        assert _search(client, "zanzibarite") == {keep["id"]}
        assert _index_rows(junk["id"]) == (0, 0)
        passages = client.get("/api/v1/search/passages", params={"q": "zanzibarite crates", "mode": "fulltext"})
        assert junk["id"] not in {hit["document_id"] for hit in passages.json()["items"]}

    with session_scope(readonly=True) as session:
        row = session.get(Document, junk["id"])
        assert row is not None and row.deleted_at is not None and row.deletion_reason == "uploaded by mistake"
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "document.delete")).one()
    assert entry.subject_id == junk["id"] and entry.after["reason"] == "uploaded by mistake"
    assert entry.before == {"filename": "junk.txt", "status": "processed"}


def test_the_same_bytes_after_deletion_are_a_new_document_and_the_old_one_cannot_come_back(any_env):
    with api_client() as client:
        (first,) = upload_and_wait(client, ("junk.txt", JUNK))
        assert _delete(client, first["id"]).status_code == 200
        again = upload(client, ("junk-again.txt", JUNK))["documents"][0]
        assert again["duplicate"] is False and again["id"] != first["id"]
        (second,) = upload_and_wait(client, ("junk-again.txt", JUNK))  # now the live one matches
        assert second["id"] == again["id"] and second["status"] == "processed"
        assert _search(client, "zanzibarite") == {again["id"]}
        refused = assert_error(client.post(f"/api/v1/documents/{first['id']}/restore"), 409,
                               "DOCUMENT_UPLOADED_AGAIN")
        assert refused["details"]["document_id"] == again["id"]


def test_an_administrator_lists_deleted_documents_and_restores_one(env):
    with api_client() as client:
        (junk,) = upload_and_wait(client, ("junk.txt", JUNK))
        assert _delete(client, junk["id"], "wrong supplier").status_code == 200
        listed = client.get("/api/v1/documents/deleted").json()
        assert listed["total"] == 1 and listed["items"][0]["id"] == junk["id"]
        assert listed["items"][0]["deletion_reason"] == "wrong supplier"

        restored = client.post(f"/api/v1/documents/{junk['id']}/restore")
        assert restored.status_code == 200 and restored.json()["status"] == "processed"
        assert client.get(f"/api/v1/documents/{junk['id']}").status_code == 200
        assert client.get("/api/v1/documents/deleted").json()["total"] == 0
        assert _search(client, "zanzibarite") == {junk["id"]}
        assert _index_rows(junk["id"])[0] == 1 and _index_rows(junk["id"])[1] >= 1
        assert_error(client.post(f"/api/v1/documents/{junk['id']}/restore"), 404, "NOT_FOUND")
        # Deleting again works after a restore (the same document, its same bytes).
        assert _delete(client, junk["id"]).status_code == 200
        history = [entry["action"] for entry in client.get("/api/v1/audit", params={"subject": junk["id"]})
                   .json()["items"]]
    assert history[:3] == ["document.delete", "document.restore", "document.delete"]


def test_deleting_needs_a_reason_and_a_finished_document(env):
    with api_client() as client:
        (done,) = upload_and_wait(client, ("junk.txt", JUNK))
        assert_error(_delete(client, done["id"], None), 422, "VALIDATION_ERROR")
        assert_error(_delete(client, done["id"], "   "), 400, "REASON_REQUIRED")
        assert_error(_delete(client, done["id"], "x" * 501), 422, "VALIDATION_ERROR")
    with api_client(embedded_workers=False) as idle:  # nobody processes it: it stays queued
        queued = upload(idle, ("waiting.txt", KEEP))["documents"][0]
        busy = assert_error(_delete(idle, queued["id"]), 409, "DOCUMENT_BUSY")
        assert busy["details"]["status"] == "queued"
        assert idle.get(f"/api/v1/documents/{queued['id']}").status_code == 200


def test_only_an_administrator_of_the_organisation_deletes_or_restores(env):
    with api_client() as admin:
        (junk,) = upload_and_wait(admin, ("junk.txt", JUNK))
        (other,) = upload_and_wait(admin, ("minutes.txt", KEEP))
        assert _delete(admin, other["id"]).status_code == 200
        for role in ("viewer", "reviewer", "approver"):
            with api_client(role=role) as client:
                assert_error(_delete(client, junk["id"]), 403, "FORBIDDEN")
                assert_error(client.post(f"/api/v1/documents/{other['id']}/restore"), 403, "FORBIDDEN")
                assert_error(client.get("/api/v1/documents/deleted"), 403, "FORBIDDEN")
        with api_client(organization="rival") as rival:
            assert_error(_delete(rival, junk["id"]), 404, "NOT_FOUND")
            assert_error(rival.post(f"/api/v1/documents/{other['id']}/restore"), 404, "NOT_FOUND")
            assert rival.get("/api/v1/documents/deleted").json()["total"] == 0
        assert admin.get(f"/api/v1/documents/{junk['id']}").status_code == 200
        assert admin.get("/api/v1/documents/deleted").json()["total"] == 1
