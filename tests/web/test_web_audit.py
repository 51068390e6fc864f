"""The audit page: an administrator reads the organisation's trail, filters and pages it; nobody else does."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from paperclerk import samples
from paperclerk.auth import service as accounts
from paperclerk.core.db import session_scope
from tests.conftest import wait_until_final
from tests.web.conftest import Account, create_account, form_token, upload, web_login

MakeClient = Callable[[], TestClient]
ROW = re.compile(r'<tr data-audit-entry data-action="([^"]+)">(.*?)</tr>', re.S)


def rows(page: str) -> list[tuple[str, str]]:
    """(action, row html) per entry shown, top to bottom."""
    return [(action, html.unescape(body)) for action, body in ROW.findall(page)]


def broken_then_retried(client: TestClient) -> str:
    """Upload a PDF that fails, then retry it with the document page's form (as a browser without script)."""
    document_id = upload(client, "cut-short.pdf", samples.truncated_pdf())
    wait_until_final([document_id])
    token = form_token(client, f"/documents/{document_id}")
    response = client.post(f"/documents/{document_id}/retry", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return document_id


def test_an_admin_sees_the_upload_and_the_retry_newest_first(client: TestClient, admin: Account) -> None:
    document_id = broken_then_retried(client)
    page = client.get("/audit")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<a href="/audit" aria-current="page">Audit</a>' in page.text
    shown = rows(page.text)
    actions = [action for action, _ in shown]
    assert actions.index("document.retry") < actions.index("document.upload") < actions.index("auth.login")
    retry, uploaded = dict(shown)["document.retry"], dict(shown)["document.upload"]
    for row in (retry, uploaded):
        assert admin.email in row and "testclient" in row and document_id in row
        assert f'href="/documents/{document_id}"' in row
    # Before → after as a readable diff: what changed, what was removed, what was added; no raw JSON.
    assert re.search(r'data-field="status" data-kind="changed">\s*<span class="diff-field">status</span>\s*'
                     r'<del>failed</del> <span aria-label="changed to">→</span> <ins>queued</ins>', retry), retry
    assert re.search(r'data-field="error_code" data-kind="removed">\s*<span class="diff-field">error code</span>\s*'
                     r'<del>FILE_[A-Z_]+</del>', retry), retry
    assert re.search(r'data-field="filename" data-kind="added">\s*<span class="diff-field">filename</span>\s*'
                     r'<ins>cut-short.pdf</ins>', uploaded), uploaded
    assert "{&#34;" not in retry + uploaded and '{"' not in retry + uploaded
    assert re.search(r"<time datetime=\"\d{4}-\d\d-\d\dT[^\"]+\">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d</time>", retry)


def test_changes_list_what_differs_in_words() -> None:
    from paperclerk.web.filters import Change, changes

    assert changes({"role": "reviewer", "email": "a@b.example"}, {"role": "approver", "email": "a@b.example"}) == [
        Change("role", "changed", "reviewer", "approver")]
    assert changes(None, {"is_active": False, "lines": [1, 2]}) == [
        Change("is_active", "added", "", "no"), Change("lines", "added", "", "[1, 2]")]
    assert changes({"note": None}, None) == [Change("note", "removed", "empty", "")]
    assert changes(None, None) == [] and changes({"a": 1}, {"a": 1}) == []


def test_filters_narrow_the_trail(client: TestClient, admin: Account) -> None:
    document_id = broken_then_retried(client)
    other_id = upload(client, "second.txt", b"Another note for the audit trail.")

    def actions(**params: str) -> list[str]:
        page = client.get("/audit", params=params)
        assert page.status_code == 200, page.text
        return [action for action, _ in rows(page.text)]

    assert actions(action="document.retry") == ["document.retry"]
    assert actions(action="document.") == ["document.upload", "document.retry", "document.upload"]
    assert actions(subject=f"document:{document_id}") == ["document.retry", "document.upload"]
    assert actions(subject=other_id) == ["document.upload"]
    assert set(actions(actor=admin.email)) == {"auth.login", "document.upload", "document.retry"}
    assert actions(actor="nobody@acme.example") == []
    today = datetime.now(UTC).date()
    assert len(actions(since=today.isoformat(), until=today.isoformat())) == 4
    assert actions(since=(today + timedelta(days=1)).isoformat()) == []
    assert actions(until=(today - timedelta(days=1)).isoformat()) == []
    assert len(actions(since="not a date")) == 4  # lenient, like the other pages: a bad value is ignored
    narrowed = client.get("/audit", params={"action": "document.retry"}).text
    assert 'name="action" value="document.retry"' in narrowed and 'href="/audit">Clear filters' in narrowed
    assert "No entries match these filters." in client.get("/audit", params={"actor": "nobody"}).text


def test_the_trail_is_paged_fifty_at_a_time(client: TestClient, admin: Account) -> None:
    start = datetime.now(UTC) - timedelta(days=2)
    with session_scope() as session:
        for number in range(60):
            accounts.record_audit(session, None, "test.step", ("step", str(number)), after={"n": number},
                                  organization_id=admin.organization_id, now=start + timedelta(minutes=number))
    first = client.get("/audit", params={"action": "test.step"}).text
    shown = rows(first)
    assert len(shown) == 50 and "<ins>59</ins>" in shown[0][1] and "<ins>10</ins>" in shown[-1][1]
    assert "Showing 1\u201350 of 60" in first
    link = re.search(r'href="([^"]+)" rel="next"', first)
    assert link
    next_page = html.unescape(link.group(1))
    assert parse_qs(urlsplit(next_page).query) == {"action": ["test.step"], "page": ["2"]}
    second = client.get(next_page).text
    assert len(rows(second)) == 10 and "<ins>0</ins>" in rows(second)[-1][1] and "Showing 51\u201360 of 60" in second


def test_a_viewer_gets_the_403_page_and_no_audit_link(make_client: MakeClient, client: TestClient) -> None:
    viewer = create_account("viewer@acme.example", "viewer")
    browser = make_client()
    web_login(browser, viewer)
    response = browser.get("/audit")
    assert response.status_code == 403 and "data-forbidden" in response.text
    assert "You cannot view the audit trail" in response.text and "audit:read" in response.text
    assert 'href="/audit"' not in browser.get("/").text
    assert 'href="/audit"' in client.get("/").text


def test_anonymous_visitors_are_sent_to_login(make_client: MakeClient) -> None:
    response = make_client().get("/audit?action=user.", follow_redirects=False)
    assert response.status_code == 303
    assert parse_qs(urlsplit(response.headers["location"]).query)["next"] == ["/audit?action=user."]


def test_another_organisations_entries_never_show(make_client: MakeClient, client: TestClient) -> None:
    acme_document = broken_then_retried(client)
    outsider = create_account("admin@globex.example", "admin", organization="globex")
    browser = make_client()
    web_login(browser, outsider)
    globex_document = upload(browser, "globex-note.txt", b"A note that belongs to Globex.")

    theirs = browser.get("/audit").text
    assert {action for action, _ in rows(theirs)} == {"auth.login", "document.upload"}
    assert acme_document not in theirs and "cut-short.pdf" not in theirs and "admin@acme.example" not in theirs
    assert rows(browser.get("/audit", params={"subject": acme_document}).text) == []
    assert rows(browser.get("/audit", params={"actor": "admin@acme.example"}).text) == []

    ours = client.get("/audit").text
    assert globex_document not in ours and "globex-note.txt" not in ours and outsider.email not in ours


def test_the_audit_page_has_no_inline_script_or_style(client: TestClient) -> None:
    broken_then_retried(client)
    page = client.get("/audit").text
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", page)
