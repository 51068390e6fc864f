"""Deleting a junk upload from its page (a confirm step that asks why), the deleted documents page and restoring."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import wait_until_final
from tests.web.conftest import Browser, form_token, upload

JUNK = b"Misfiled quarterly grocery list: bananas, a kettle, zanzibarite crates.\n"


def _delete(client: TestClient, document_id: str, reason: str):  # type: ignore[no-untyped-def]
    return client.post(f"/documents/{document_id}/delete",
                       data={"csrf_token": form_token(client, f"/documents/{document_id}"), "reason": reason},
                       follow_redirects=False)


def test_an_admin_deletes_from_the_document_page_and_restores_from_the_deleted_list(client: TestClient) -> None:
    document_id = upload(client, "junk.txt", JUNK, "text/plain")
    wait_until_final([document_id])
    page = client.get(f"/documents/{document_id}")
    assert "data-delete-form" in page.text and 'name="reason"' in page.text and "required" in page.text

    refused = _delete(client, document_id, "   ")  # the confirm step wants a reason
    assert refused.status_code == 400 and "data-delete-error" in refused.text and "Say why" in refused.text
    assert client.get(f"/documents/{document_id}").status_code == 200

    deleted = _delete(client, document_id, "a grocery list, not a document of ours")
    assert deleted.status_code == 303 and deleted.headers["location"] == "/?notice=deleted"
    inbox = client.get("/?notice=deleted")
    assert "data-deleted-notice" in inbox.text and document_id not in inbox.text
    assert client.get(f"/documents/{document_id}").status_code == 404
    assert document_id not in client.get("/search", params={"q": "zanzibarite"}).text

    listed = client.get("/documents/deleted")
    assert listed.status_code == 200 and f'data-id="{document_id}"' in listed.text
    assert "a grocery list, not a document of ours" in listed.text
    token = form_token(client, "/documents/deleted")
    restored = client.post(f"/documents/{document_id}/restore", data={"csrf_token": token}, follow_redirects=False)
    assert restored.status_code == 303 and restored.headers["location"] == f"/documents/{document_id}?notice=restored"
    assert "data-restored" in client.get(restored.headers["location"]).text
    assert f'data-id="{document_id}"' not in client.get("/documents/deleted").text


def test_the_same_file_after_deletion_is_new_and_the_deleted_one_cannot_be_restored(client: TestClient) -> None:
    first = upload(client, "junk.txt", JUNK, "text/plain")
    wait_until_final([first])
    assert _delete(client, first, "sent by mistake").status_code == 303
    second = upload(client, "junk-again.txt", JUNK, "text/plain")
    assert second != first
    wait_until_final([second])
    token = form_token(client, "/documents/deleted")
    refused = client.post(f"/documents/{first}/restore", data={"csrf_token": token}, follow_redirects=False)
    assert refused.headers["location"] == "/documents/deleted?notice=uploaded-again"
    assert "data-restore-error" in client.get(refused.headers["location"]).text


def test_only_administrators_see_the_delete_step_and_the_deleted_list(browse: Browser) -> None:
    admin = browse("admin")
    document_id = upload(admin, "junk.txt", JUNK, "text/plain")
    wait_until_final([document_id])
    for role in ("viewer", "reviewer", "approver"):
        person = browse(role)
        page = person.get(f"/documents/{document_id}")
        assert page.status_code == 200 and "data-delete-form" not in page.text
        assert "data-deleted-link" not in person.get("/").text
        assert person.get("/documents/deleted").status_code == 403
    assert "data-deleted-link" in admin.get("/").text
    assert browse("admin", "rival").get(f"/documents/{document_id}").status_code == 404
