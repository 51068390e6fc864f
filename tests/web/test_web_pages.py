"""The HTML pages, rendered in-process: inbox, document page, search, 404 and escaping.

Every test browses as a logged-in user (the session cookie of the real login form, with the
page's CSRF token on every post), except where being anonymous is the point.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from paperclerk import samples
from paperclerk.core.db import session_scope
from paperclerk.documents.models import Document, DocumentStatus
from tests.conftest import wait_until_final
from tests.web.conftest import Account, page_token, upload

INVOICE = "Invoice number 4711\nBill to: Example Corp\nAmount due: 1,250.00 EUR\nPayment due date: 2024-04-30"
SCRIPT = "<script>alert(1)</script>"


def test_empty_inbox_has_upload_zone_filters_and_search(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<input id="upload-input"' in html and 'type="file"' in html and "multiple" in html
    assert 'data-upload-url="/api/v1/documents"' in html
    assert "data-dropzone" in html
    # The no-JS upload posts multipart: the token must be its first field; the script sends the meta's token.
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', html)
    assert token
    assert re.search(r'data-upload-form data-upload-url="/api/v1/documents">\s*<input type="hidden" '
                     rf'name="csrf_token" value="{re.escape(token.group(1))}">', html)
    assert 'name="status"' in html and 'name="kind"' in html
    assert '<form class="topsearch" action="/search"' in html
    assert "No documents yet" in html
    assert '<script src="/static/app.js' in html and '<link rel="stylesheet" href="/static/app.css' in html


def test_pages_have_no_inline_script_style_or_handlers(client: TestClient) -> None:
    document_id = upload(client, "invoice.pdf", samples.text_pdf([INVOICE]))
    wait_until_final([document_id])
    for path in ("/", f"/documents/{document_id}", "/search?q=invoice", "/search", "/documents/unknown", "/login"):
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"<style\b", html), path
        assert not re.search(r"\sstyle=", html), path
        assert not re.search(r"\son[a-z]+=", html), path
        assert "javascript:" not in html, path


def test_static_files_are_served(client: TestClient) -> None:
    for path, kind in (("/static/app.js", "javascript"), ("/static/app.css", "text/css"),
                       ("/static/favicon.svg", "image/svg+xml")):
        response = client.get(path)
        assert response.status_code == 200
        assert kind in response.headers["content-type"]


def test_inbox_lists_documents_with_status_kind_and_links(client: TestClient) -> None:
    document_id = upload(client, "invoice.pdf", samples.text_pdf([INVOICE]))
    wait_until_final([document_id])
    html = client.get("/").text
    assert f'href="/documents/{document_id}">invoice.pdf</a>' in html
    assert f'data-id="{document_id}" data-status="needs_review"' in html  # an incomplete invoice waits for review
    assert 'class="badge badge-needs_review"' in html
    assert "<td>Invoice</td>" in html
    assert "<td>en</td>" in html
    assert 'data-total>1<' in html


def test_inbox_filters_and_pagination(client: TestClient) -> None:
    ids = [upload(client, f"note-{number}.txt", f"Note number {number}: the meeting moved.".encode())
           for number in range(27)]
    wait_until_final(ids)
    first = client.get("/").text
    assert first.count('<tr data-id="') == 25
    assert 'href="/?page=2"' in first and "Page 1 of 2" in first
    second = client.get("/?page=2").text
    assert second.count('<tr data-id="') == 2
    assert 'data-offset="25"' in second
    assert client.get("/?status=failed").text.count('<tr data-id="') == 0
    assert "No documents match these filters." in client.get("/?status=failed").text
    assert client.get("/?status=processed&page=2").text.count('<tr data-id="') == 2
    # Pages are lenient where the API is strict: nonsense falls back instead of a JSON 422.
    for query in ("?status=bogus", "?page=abc", "?page=-3", "?kind="):
        response = client.get("/" + query)
        assert response.status_code == 200, query
        assert response.text.count('<tr data-id="') == 25


def test_document_page_shows_metadata_text_and_history(client: TestClient) -> None:
    pages = ["Invoice number 4711\nAmount due: 1,250.00 EUR", "Second page\nwith <b>markup</b> & more"]
    document_id = upload(client, "two-pages.pdf", samples.text_pdf(pages))
    wait_until_final([document_id])
    response = client.get(f"/documents/{document_id}")
    assert response.status_code == 200
    html = response.text
    assert '<h1 class="doc-title">two-pages.pdf</h1>' in html
    assert "application/pdf" in html
    detail = client.get(f"/api/v1/documents/{document_id}").json()
    assert detail["sha256"] in html
    assert f'href="/api/v1/documents/{document_id}/file"' in html
    assert html.count("data-page>") == 2
    assert 'id="page-1"' in html and 'id="page-2"' in html
    assert "Invoice number 4711\nAmount due: 1,250.00 EUR" in html  # line breaks kept
    assert "with &lt;b&gt;markup&lt;/b&gt; &amp; more" in html
    assert "<b>markup</b>" not in html
    assert "Processing history" in html
    for entry in detail["history"]:
        assert f"<td>{entry['stage']}</td>" in html
    assert 'data-final="true"' in html
    assert "Timings" in html
    assert "2024-03-14 09:30:00" in html  # the PDF's creation date, readable
    assert "data-retry" not in html


def test_failed_document_shows_error_and_retry(client: TestClient) -> None:
    document_id = upload(client, "broken.pdf", samples.truncated_pdf())
    assert wait_until_final([document_id])[document_id] == "failed"
    detail = client.get(f"/api/v1/documents/{document_id}").json()
    html = client.get(f"/documents/{document_id}").text
    assert 'class="alert alert-error"' in html
    assert f"<code>{detail['error']['code']}</code>" in html
    assert detail["error"]["message"].replace("'", "&#39;").replace('"', "&#34;") in html
    assert f'data-retry-url="/api/v1/documents/{document_id}/retry"' in html
    assert ">Retry</button>" in html
    assert '<code class="error-code" title="' in client.get("/").text

    # The form fallback (no JavaScript) retries and comes back to the page; its first field is the token.
    form = re.search(r'<form action="/documents/[^"]+/retry" method="post"[^>]*>\s*<input type="hidden" '
                     r'name="csrf_token" value="([^"]+)">', html)
    assert form, html
    response = client.post(f"/documents/{document_id}/retry", data={"csrf_token": form.group(1)},
                           follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/documents/{document_id}"
    assert wait_until_final([document_id])[document_id] == "failed"
    assert "retry requested" in client.get(f"/documents/{document_id}").text


def test_retry_fallback_on_a_processed_document_explains(client: TestClient) -> None:
    document_id = upload(client, "fine.txt", b"A perfectly fine note.")
    wait_until_final([document_id])
    response = client.post(f"/documents/{document_id}/retry", data={"csrf_token": page_token(client)})
    assert response.status_code == 200
    assert "Only failed documents can be retried" in response.text


def test_document_in_progress_is_marked_live(client: TestClient, admin: Account) -> None:
    with session_scope() as session:
        document = Document(organization_id=admin.organization_id, sha256="0" * 64, filename="waiting.pdf",
                            media_type="application/pdf", size_bytes=10,
                            source="api", status=DocumentStatus.PROCESSING)
        session.add(document)
        session.flush()
        document_id = document.id
    html = client.get(f"/documents/{document_id}").text
    assert 'data-final="false"' in html
    assert "data-progress" in html and "updates by itself" in html
    assert f'data-id="{document_id}" data-status="processing"' in client.get("/").text


def test_attachments_link_both_ways(client: TestClient) -> None:
    mail = samples.email("Your invoice", "Please find the invoice attached.",
                         [("invoice.txt", b"Invoice number 99\nAmount due: 10 EUR")])
    parent_id = upload(client, "mail.eml", mail, "message/rfc822")
    wait_until_final([parent_id])
    detail = client.get(f"/api/v1/documents/{parent_id}").json()
    assert [item["filename"] for item in detail["attachments"]] == ["invoice.txt"], detail  # split, not skipped
    child = detail["attachments"][0]
    wait_until_final([child["id"]])
    assert f'href="/documents/{child["id"]}"' in client.get(f"/documents/{parent_id}").text
    child_html = client.get(f"/documents/{child['id']}").text
    assert f'href="/documents/{parent_id}" data-parent-link' in child_html


def test_every_attachment_is_listed_also_one_already_stored(client: TestClient) -> None:
    stored = samples.text_pdf([INVOICE])
    stored_id = upload(client, "scan-4711.pdf", stored)
    wait_until_final([stored_id])
    mail = samples.email("Two files", "Invoice and terms attached.",
                         [("invoice-4711.pdf", stored), ("terms.txt", b"Payment terms: 30 days net.")])
    email_id = upload(client, "mail.eml", mail, "message/rfc822")
    wait_until_final([email_id])
    detail = client.get(f"/api/v1/documents/{email_id}").json()
    listed = [item["id"] for item in detail["attachments"]]
    assert len(listed) == 2 and listed[0] == stored_id, detail["attachments"]  # the stored one, in e-mail order
    wait_until_final(listed)
    html = client.get(f"/documents/{email_id}").text
    section = html[html.index("data-attachments"):]
    section = section[:section.index("</ul>")]
    assert "Attachments (2)" in html
    for item in client.get(f"/api/v1/documents/{email_id}").json()["attachments"]:
        assert f'href="/documents/{item["id"]}">{item["filename"]}</a>' in section
    assert section.count('<span class="tag">') == 2, section  # each with its kind (and its status badge)


def test_unknown_document_is_a_friendly_html_404(client: TestClient) -> None:
    response = client.get("/documents/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Page not found" in response.text
    assert 'href="/"' in response.text
    missing = client.post("/documents/nope/retry", data={"csrf_token": page_token(client)})
    assert missing.status_code == 404 and "Page not found" in missing.text


def test_search_shows_highlighted_results(client: TestClient) -> None:
    invoice = upload(client, "invoice.pdf", samples.text_pdf([INVOICE]))
    other = upload(client, "letter.txt", b"Dear Sir, thank you for your letter about the garden.")
    wait_until_final([invoice, other])
    response = client.get("/search", params={"q": "invoice"})
    assert response.status_code == 200
    html = response.text
    assert "1 result for" in html
    assert f'href="/documents/{invoice}">invoice.pdf</a>' in html
    assert "<mark>" in html and "letter.txt" not in html
    assert 'value="invoice"' in html
    filtered = client.get("/search", params={"q": "invoice", "status": "failed"}).text
    assert "No documents match" in filtered and "with these filters" in filtered
    assert "No documents match" in client.get("/search", params={"q": "zebra"}).text


def test_search_pagination(client: TestClient) -> None:
    ids = [upload(client, f"memo-{number}.txt", f"Memo {number} about the quarterly budget.".encode())
           for number in range(23)]
    wait_until_final(ids)
    html = client.get("/search", params={"q": "budget"}).text
    assert "23 results for" in html
    assert html.count("data-hit>") == 20
    assert 'href="/search?q=budget&amp;page=2"' in html
    assert client.get("/search", params={"q": "budget", "page": 2}).text.count("data-hit>") == 3


@pytest.mark.parametrize(("query", "message"), [
    ("   ", "Type at least one word to search for."),
    ("!!! ???", "Type at least one word to search for."),
    ("-excluded", "A search needs at least one word that is not excluded."),
    ("x" * 501, "Search queries are limited to 500 characters."),
])
def test_search_with_a_bad_query_shows_the_message(client: TestClient, query: str, message: str) -> None:
    response = client.get("/search", params={"q": query})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert message in response.text
    assert "data-search-error" in response.text


def test_search_without_a_query_invites_one(client: TestClient) -> None:
    response = client.get("/search")
    assert response.status_code == 200
    assert "Type a word or phrase" in response.text
    assert "data-search-error" not in response.text


def test_hostile_names_and_text_are_escaped(client: TestClient, admin: Account) -> None:
    text = f"Invoice {SCRIPT} number 7 <img src=x onerror=alert(2)> & co"
    document_id = upload(client, f"a{SCRIPT}&b'.txt", text.encode())
    wait_until_final([document_id])
    # A name that bypassed upload sanitising (e.g. from an older import) must be escaped by the templates.
    with session_scope() as session:
        document = Document(organization_id=admin.organization_id, sha256="f" * 64, filename=f"{SCRIPT}.pdf",
                            media_type="application/pdf",
                            size_bytes=1, source="api", status=DocumentStatus.FAILED, error_code="FILE_CORRUPT",
                            error_message=f"bad {SCRIPT}", kind=f"k{SCRIPT}")
        session.add(document)
        session.flush()
        raw_id = document.id
    pages = [client.get("/").text, client.get(f"/documents/{document_id}").text,
             client.get(f"/documents/{raw_id}").text, client.get("/search", params={"q": "invoice"}).text,
             client.get("/search", params={"q": SCRIPT}).text, client.get("/", params={"kind": SCRIPT}).text]
    for html in pages:
        assert SCRIPT not in html
        assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.pdf" in pages[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[1]
    assert "&lt;img src=x onerror=alert(2)&gt; &amp; co" in pages[1]
    assert "bad &lt;script&gt;alert(1)&lt;/script&gt;" in pages[2]
    assert "<mark>" in pages[3] and "&lt;script&gt;" in pages[3]


def test_unknown_page_address_is_an_html_404_but_api_stays_json(env):
    from tests.helpers import api_client

    with api_client() as client:
        page = client.get("/no-such-page", headers={"accept": "text/html"})
        api = client.get("/api/v1/no-such-route", headers={"accept": "text/html"})
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert api.status_code == 404 and api.json()["error"]["code"] == "NOT_FOUND"
