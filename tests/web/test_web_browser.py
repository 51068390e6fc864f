"""The web pages in a real headless Chromium against a real server, under a strict CSP.

Logs in through the login form, uploads through the page's file input, watches the list update
itself, opens a document, retries a failed one, searches and logs out; then a viewer and a user
of another organisation see what they may. Screenshots go to ``test-artifacts/web/``.
"""

from __future__ import annotations

from typing import Any

import pytest

from paperclerk import samples
from tests.browser import assert_clean_console, log_in, log_out, shot, watch_console
from tests.conftest import wait_until_final
from tests.helpers import api_key
from tests.web.conftest import create_account

INVOICE = ("INVOICE\nInvoice number: 4711\nBill to: Example Corp, 1 Main Street\n\n"
           "Consulting services, March 2024      1,000.00 EUR\nVAT 25%                                250.00 EUR\n"
           "Amount due: 1,250.00 EUR\nPayment due date: 2024-04-30")
NOTES = "Meeting notes\n\nThe quarterly review moved to Thursday.\nBring the signed contract."

pytestmark = pytest.mark.browser


def test_login_upload_watch_open_retry_search_and_logout(server: str, browser_page: Any) -> None:
    from playwright.sync_api import expect

    admin = create_account("admin@acme.example", "admin")
    page = browser_page
    problems = watch_console(page)

    # Anonymous: the inbox sends us to the login page, which looks like the rest of the site.
    page.goto(server + "/")
    page.wait_for_url("**/login?next=/")
    expect(page.locator("h1")).to_have_text("Log in to paperclerk")
    expect(page.locator(".topbar .mainnav")).to_have_count(0)
    shot(page, "00-login")
    log_in(page, admin, password="Not-the-password-1")
    expect(page.locator("[data-login-error]")).to_contain_text("The e-mail address or the password is wrong")
    expect(page.locator("[data-login-error]")).not_to_contain_text("CREDENTIALS_INVALID")
    expect(page.locator("#login-email")).to_have_value(admin.email)
    shot(page, "00-login-error")
    log_in(page, admin)
    page.wait_for_url(server + "/")

    expect(page.locator("h1")).to_have_text("Inbox")
    expect(page.locator("[data-account-email]")).to_have_text(admin.email)
    expect(page.locator("[data-account-org]")).to_have_text(admin.organization_name)
    expect(page.locator("[data-account-role]")).to_have_text("admin")
    expect(page.locator(".empty-row")).to_contain_text("No documents yet")
    shot(page, "01-inbox-empty")

    # Marks this page load: if the list were refreshed by reloading, the mark would be gone.
    page.evaluate("window.paperclerkTestMark = 'same-page'")
    page.set_input_files("#upload-input", files=[
        {"name": "invoice-4711.pdf", "mimeType": "application/pdf", "buffer": samples.text_pdf([INVOICE])},
        {"name": "meeting-notes.txt", "mimeType": "text/plain", "buffer": NOTES.encode()},
        {"name": "broken.pdf", "mimeType": "application/pdf", "buffer": samples.truncated_pdf()},
        {"name": "empty.txt", "mimeType": "text/plain", "buffer": b""},
    ])

    results = page.locator("[data-upload-result]")
    expect(results).to_have_count(4)
    expect(page.locator("[data-upload-result].is-pending")).to_have_count(0)
    rejected = page.locator("[data-upload-result][data-outcome=rejected]")
    expect(rejected).to_have_count(1)
    expect(rejected).to_contain_text("empty.txt")
    expect(rejected).to_contain_text("FILE_EMPTY")
    expect(rejected).to_contain_text("The file is empty")
    expect(page.locator("[data-upload-result][data-outcome=accepted]")).to_have_count(3)

    # The list shows the new documents and their final statuses without a reload.
    rows = page.locator("[data-documents-body] tr[data-id]")
    expect(rows).to_have_count(3, timeout=15_000)
    invoice_row = rows.filter(has_text="invoice-4711.pdf")
    notes_row = rows.filter(has_text="meeting-notes.txt")
    broken_row = rows.filter(has_text="broken.pdf")
    expect(invoice_row).to_have_attribute("data-status", "needs_review", timeout=60_000)
    expect(notes_row).to_have_attribute("data-status", "processed", timeout=60_000)
    expect(broken_row).to_have_attribute("data-status", "failed", timeout=60_000)
    expect(invoice_row.locator(".badge")).to_have_text("Needs review")
    expect(invoice_row).to_contain_text("Invoice")
    expect(broken_row.locator(".error-code")).not_to_be_empty()
    expect(page.locator("[data-total]")).to_have_text("3")
    expect(results.filter(has_text="invoice-4711.pdf").locator(".badge")).to_have_text("Needs review")
    expect(results.filter(has_text="broken.pdf").locator(".badge")).to_have_text("Failed")
    expect(page.locator("[data-live]")).to_be_hidden()
    assert page.evaluate("window.paperclerkTestMark") == "same-page", "the inbox reloaded instead of updating live"
    shot(page, "02-inbox-processed")

    # The document page: metadata, the text per page, the processing history.
    invoice_row.locator("a").click()
    expect(page.locator("h1.doc-title")).to_have_text("invoice-4711.pdf")
    expect(page.locator("[data-document]")).to_have_attribute("data-status", "needs_review")
    expect(page.locator("[data-page]")).to_have_count(1)
    page_text = page.locator(".page-text").first
    expect(page_text).to_contain_text("Invoice number: 4711")
    expect(page_text).to_contain_text("Amount due: 1,250.00 EUR")
    assert "Invoice number: 4711\nBill to" in page_text.inner_text()  # line breaks preserved
    history = page.locator("[data-history] tbody tr")
    assert history.count() >= 2
    expect(page.locator("[data-history]")).to_contain_text("intake")
    expect(page.locator("[data-history]")).to_contain_text("succeeded")
    expect(page.locator(".facts").first).to_contain_text("application/pdf")
    with page.expect_download() as download:
        page.locator("[data-download]").click()
    assert download.value.suggested_filename == "invoice-4711.pdf"
    shot(page, "03-document")

    # A failed document: the error is prominent and Retry (the script, with X-CSRF-Token) runs it again.
    page.goto(server + "/")
    page.locator("[data-documents-body] tr", has_text="broken.pdf").locator("a").click()
    error = page.locator("[data-error]")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Processing failed")
    code = error.locator("code").inner_text()
    assert code.isupper() and "_" in code
    shot(page, "04-document-failed")
    error.get_by_role("button", name="Retry").click()
    expect(page.locator("[data-history]")).to_contain_text("retry requested", timeout=30_000)
    expect(page.locator("[data-document]")).to_have_attribute("data-status", "failed", timeout=60_000)
    expect(page.locator("[data-history]")).to_contain_text(f"by {admin.email}")

    # Search from the search box in the top bar.
    page.fill("#topsearch-q", "invoice")
    page.press("#topsearch-q", "Enter")
    page.wait_for_url("**/search?q=invoice")
    expect(page.locator("[data-results-total]")).to_contain_text("1 result")
    hit = page.locator("[data-hit]").first
    expect(hit).to_contain_text("invoice-4711.pdf")
    expect(hit.locator("mark").first).to_have_text("Invoice", ignore_case=True)
    shot(page, "05-search")

    page.fill("#search-q", "-nothing")
    page.press("#search-q", "Enter")
    expect(page.locator("[data-search-error]")).to_contain_text("at least one word")

    page.goto(server + "/documents/does-not-exist")
    expect(page.locator("h1")).to_have_text("Page not found")
    shot(page, "06-not-found")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server + "/")
    expect(page.locator("[data-documents-body] tr[data-id]")).to_have_count(3)
    shot(page, "07-inbox-narrow")

    # Logging out ends the session: the pages ask for a login again.
    page.set_viewport_size({"width": 1280, "height": 900})
    log_out(page)
    page.goto(server + "/search?q=invoice")
    page.wait_for_url("**/login?next=/search%3Fq%3Dinvoice")
    log_in(page, admin)
    page.wait_for_url("**/search?q=invoice")
    expect(page.locator("[data-results-total]")).to_contain_text("1 result")

    # Expected: the 401 of the wrong password, the 400 of the empty upload, the 404 of the unknown document.
    assert_clean_console(problems, "400", "401", "404")


def test_a_viewer_and_another_organisation_see_what_they_may(server: str, browser_page: Any) -> None:
    import httpx
    from playwright.sync_api import expect

    page = browser_page
    problems = watch_console(page)
    viewer = create_account("viewer@acme.example", "viewer")
    outsider = create_account("admin@globex.example", "admin", organization="globex")
    uploaded = httpx.post(server + "/api/v1/documents", headers={"X-API-Key": api_key("acme", "admin")}, files=[
        ("files", ("invoice-4711.pdf", samples.text_pdf([INVOICE]), "application/pdf")),
        ("files", ("broken.pdf", samples.truncated_pdf(), "application/pdf")),
    ], timeout=30)
    assert uploaded.status_code == 202, uploaded.text
    invoice_id, broken_id = (document["id"] for document in uploaded.json()["documents"])
    wait_until_final([invoice_id, broken_id])

    # A viewer reads the organisation's documents but has no upload zone and no Retry button.
    page.goto(server + f"/documents/{broken_id}")
    page.wait_for_url(f"**/login?next=/documents/{broken_id}")
    log_in(page, viewer)
    page.wait_for_url(f"**/documents/{broken_id}")
    expect(page.locator("[data-account-role]")).to_have_text("viewer")
    expect(page.locator("[data-error]")).to_contain_text("Processing failed")
    expect(page.get_by_role("button", name="Retry")).to_have_count(0)
    expect(page.locator("[data-retry-denied]")).to_be_visible()
    shot(page, "08-viewer-document-failed")
    page.goto(server + "/")
    expect(page.locator("[data-documents-body] tr[data-id]")).to_have_count(2)
    expect(page.locator("[data-upload-form]")).to_have_count(0)
    expect(page.locator("#upload-input")).to_have_count(0)
    shot(page, "09-viewer-inbox")

    # A hand-made retry form (the page's own CSRF token, so only the role is in the way) gets the 403 page.
    page.evaluate("""(id) => {
        const form = document.createElement("form");
        form.method = "post";
        form.action = "/documents/" + id + "/retry";
        const token = document.createElement("input");
        token.type = "hidden";
        token.name = "csrf_token";
        token.value = document.querySelector('meta[name="csrf-token"]').content;
        form.appendChild(token);
        document.body.appendChild(form);
        form.submit();
    }""", broken_id)
    page.wait_for_url(f"**/documents/{broken_id}/retry")
    expect(page.locator("[data-forbidden] h1")).to_have_text("You cannot retry documents")
    shot(page, "10-viewer-forbidden")
    log_out(page)

    # Another organisation: an empty inbox, the 404 page for the first one's documents, nothing in search.
    log_in(page, outsider)
    page.wait_for_url(server + "/")
    expect(page.locator("[data-account-org]")).to_have_text(outsider.organization_name)
    expect(page.locator(".empty-row")).to_contain_text("No documents yet")
    expect(page.locator("[data-total]")).to_have_text("0")
    shot(page, "11-other-organisation-inbox")
    for document_id in (invoice_id, broken_id):
        page.goto(server + f"/documents/{document_id}")
        expect(page.locator("h1")).to_have_text("Page not found")
        expect(page.locator("main")).not_to_contain_text("invoice-4711.pdf")
        expect(page.locator("main")).not_to_contain_text("broken.pdf")
    shot(page, "12-other-organisation-404")
    page.goto(server + "/search?q=invoice")
    expect(page.locator("[data-no-results]")).to_be_visible()
    expect(page.locator("[data-hit]")).to_have_count(0)
    shot(page, "13-other-organisation-search")

    assert_clean_console(problems, "403", "404")
