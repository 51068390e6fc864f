"""The invoice pages in-process: inbox, review page with page images and evidence boxes, and the review forms.

Invoices are made through the real API (an admin's API key); the pages are browsed through the real login form
by users of each role, with the page's CSRF token on every post.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from paperclerk.app import create_app
from tests.browser import AA_CONTRAST, assert_clean_console, contrast_ratios, log_in, shot, watch_console
from tests.helpers import api_key, upload_and_wait
from tests.invoices.ap import OTHER_IBAN, add_vendor, invoice_id_for, invoice_pdf
from tests.web.conftest import FORM_TOKEN, Browser, create_account


def _blocked_invoice(browse: Browser) -> str:
    """An invoice whose IBAN differs from the known vendor's: a critical finding blocks its approval."""
    api = browse("api")
    add_vendor(api)
    (document,) = upload_and_wait(api, ("northwind.pdf", invoice_pdf("INV-1001", iban_=OTHER_IBAN, po=None)))
    return invoice_id_for(document["id"])


def _post(client: TestClient, invoice_id: str, path: str, data: dict[str, str] | None = None) -> httpx.Response:
    token = FORM_TOKEN.search(client.get(f"/invoices/{invoice_id}").text)
    assert token, "no form on the review page"
    return client.post(f"/invoices/{invoice_id}{path}", data={"csrf_token": token.group(1), **(data or {})},
                       follow_redirects=False)


def _finding_id(client: TestClient, invoice_id: str, rule_id: str) -> str:
    detail = client.get(f"/invoices/{invoice_id}").text
    match = re.search(rf'data-finding="{rule_id}" data-finding-status="open">.*?'
                      rf'action="/invoices/{invoice_id}/findings/([^/]+)/dismiss"', detail, re.S)
    assert match, detail
    return match.group(1)


def test_inbox_review_page_image_and_evidence_boxes(browse: Browser) -> None:
    invoice_id = _blocked_invoice(browse)
    admin = browse("admin")
    inbox = admin.get("/invoices")
    assert inbox.status_code == 200
    row = re.search(rf'<tr data-invoice-id="{invoice_id}" data-invoice-status="needs_review">.*?</tr>', inbox.text,
                    re.S)
    assert row, inbox.text
    assert f'href="/invoices/{invoice_id}">Northwind Traders B.V.</a>' in row.group(0)
    assert "INV-1001" in row.group(0) and "2024-03-14" in row.group(0) and "1,512.50 EUR" in row.group(0)
    assert "data-flagged" in row.group(0) and 'class="badge badge-needs_review"' in row.group(0)
    assert re.search(r"data-open-findings>[1-9]", row.group(0))
    assert invoice_id in admin.get("/invoices?flagged=yes&status=needs_review").text
    assert invoice_id not in admin.get("/invoices?flagged=no").text
    assert invoice_id not in admin.get("/invoices?status=approved").text

    review = admin.get(f"/invoices/{invoice_id}").text
    assert '<tr data-field="invoice_number" data-has-box' in review and "INV-1001" in review
    assert 'data-finding="INV-VENDOR-BANK-CHANGED"' in review and "critical" in review
    assert "Consulting hours" in review  # a line item
    assert f'src="/invoices/{invoice_id}/pages/1.png"' in review
    svg = re.search(r'<svg class="evidence" viewBox="0 0 ([\d.]+) ([\d.]+)".*?</svg>', review, re.S)
    assert svg, review
    total = re.search(r'<rect class="evidence-box" data-field="total" x="([\d.]+)" y="([\d.]+)" '
                      r'width="([\d.]+)" height="([\d.]+)"', svg.group(0))
    assert total, svg.group(0)
    x, y, width, height = (float(value) for value in total.groups())
    assert 0 <= x < x + width <= float(svg.group(1)) and 0 <= y < y + height <= float(svg.group(2))
    assert not re.search(r"\sstyle=|<style\b|<script(?![^>]*\bsrc=)", review)

    image = admin.get(f"/invoices/{invoice_id}/pages/1.png")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG\r\n\x1a\n")
    png_width = int.from_bytes(image.content[16:20], "big")
    assert abs(png_width - float(svg.group(1)) * 100 / 72) <= 2  # rendered at 100 dpi
    assert admin.get(f"/invoices/{invoice_id}/pages/2.png").status_code == 404
    assert admin.get("/invoices/no-such-id").status_code == 404
    assert admin.get("/static/invoices/invoices.css").status_code == 200

    stranger = browse("admin", "globex")
    for path in (f"/invoices/{invoice_id}", f"/invoices/{invoice_id}/pages/1.png"):
        response = stranger.get(path)
        assert response.status_code == 404 and "There is no invoice with this id" in response.text
    assert invoice_id not in stranger.get("/invoices").text


def test_reviewer_corrects_and_dismisses_approver_approves_once_nothing_critical_is_open(browse: Browser) -> None:
    invoice_id = _blocked_invoice(browse)
    reviewer = browse("reviewer")
    page = reviewer.get(f"/invoices/{invoice_id}").text
    assert "data-correct>" in page and "data-dismiss>" in page and "data-approve>" not in page

    forged = reviewer.post(f"/invoices/{invoice_id}/corrections", data={"field": "invoice_number", "value": "X"},
                           follow_redirects=False)
    assert forged.status_code == 403  # no CSRF token
    corrected = _post(reviewer, invoice_id, "/corrections", {"field": "invoice_number", "value": "INV-1001-A"})
    assert corrected.status_code == 303 and corrected.headers["location"] == f"/invoices/{invoice_id}?done=corrected"
    page = reviewer.get(corrected.headers["location"]).text
    assert "The field was corrected" in page
    field = re.search(r'<tr data-field="invoice_number".*?</tr>', page, re.S)
    assert field and "<span data-value>INV-1001-A</span>" in field.group(0)
    assert "data-corrected>corrected (read: INV-1001)" in field.group(0)
    refused = _post(reviewer, invoice_id, "/corrections", {"field": "invoice_date", "value": "not a date"})
    assert refused.status_code == 400 and "data-error" in refused.text

    approver = browse("approver")
    blocked = _post(approver, invoice_id, "/approve")
    assert blocked.status_code == 409 and 'class="alert alert-error"' in blocked.text
    assert "badge-needs_review" in approver.get(f"/invoices/{invoice_id}").text

    finding_id = _finding_id(reviewer, invoice_id, "INV-VENDOR-BANK-CHANGED")
    assert _post(reviewer, invoice_id, f"/findings/{finding_id}/dismiss", {"reason": " "}).status_code == 400
    dismissed = _post(reviewer, invoice_id, f"/findings/{finding_id}/dismiss", {"reason": "Vendor confirmed by phone"})
    assert dismissed.status_code == 303
    page = reviewer.get(dismissed.headers["location"]).text
    assert 'data-finding="INV-VENDOR-BANK-CHANGED" data-finding-status="dismissed"' in page
    assert "Vendor confirmed by phone" in page

    approved = _post(approver, invoice_id, "/approve")
    assert approved.status_code == 303, approved.text
    page = approver.get(approved.headers["location"]).text
    assert "The invoice was approved" in page and "badge-approved" in page
    assert "data-approve>" not in page and "data-correct>" not in page  # a decided invoice is closed
    assert 'data-invoice-id="' + invoice_id in approver.get("/invoices?status=approved").text


def test_viewer_sees_no_forms_and_may_not_post_reject_needs_a_reason(browse: Browser) -> None:
    invoice_id = _blocked_invoice(browse)
    viewer = browse("viewer")
    page = viewer.get(f"/invoices/{invoice_id}")
    assert page.status_code == 200 and "<form" in page.text  # the top bar's log-out form only
    assert not re.search(r'<form[^>]*action="/invoices/', page.text)
    token = FORM_TOKEN.search(page.text)
    assert token
    for path, data in (("/approve", {}), ("/reject", {"reason": "no"}),
                       ("/corrections", {"field": "total", "value": "1"})):
        response = viewer.post(f"/invoices/{invoice_id}{path}", data={"csrf_token": token.group(1), **data},
                               follow_redirects=False)
        assert response.status_code == 403, path

    anonymous = browse("api")
    del anonymous.headers["X-API-Key"]
    anonymous.cookies.clear()
    response = anonymous.get(f"/invoices/{invoice_id}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=/invoices/")

    approver = browse("approver")
    assert _post(approver, invoice_id, "/reject", {"reason": ""}).status_code == 400
    rejected = _post(approver, invoice_id, "/reject", {"reason": "Not ordered"})
    assert rejected.status_code == 303
    page = approver.get(rejected.headers["location"]).text
    assert "badge-rejected" in page and "Rejected: Not ordered" in page


@pytest.mark.browser
def test_review_page_in_chromium_under_csp(server: str, browser_page: Any) -> None:
    from playwright.sync_api import expect

    with TestClient(create_app()) as api:
        api.headers["X-API-Key"] = api_key("acme", "admin")
        add_vendor(api)
        (document,) = upload_and_wait(api, ("northwind.pdf", invoice_pdf("INV-1001", iban_=OTHER_IBAN, po=None)))
    invoice_id = invoice_id_for(document["id"])
    account = create_account("approver@acme.example", "approver")
    page = browser_page
    problems = watch_console(page)
    page.goto(f"{server}/invoices/{invoice_id}")
    log_in(page, account)
    page.wait_for_url(f"**/invoices/{invoice_id}")
    image = page.locator(".invoice-page img").first
    expect(image).to_be_visible()
    page.wait_for_function("() => document.querySelector('.invoice-page img').naturalWidth > 0")
    box = page.locator('rect.evidence-box[data-field="total"]')
    expect(box).to_have_count(1)
    rect, frame = box.bounding_box(), image.bounding_box()
    assert rect and frame and rect["width"] > 0
    assert frame["x"] <= rect["x"] and rect["x"] + rect["width"] <= frame["x"] + frame["width"] + 1
    # A critical finding is open: approval is blocked, and the page says why instead of offering the button.
    expect(page.locator("[data-approval-blocked]")).to_contain_text("INV-VENDOR-BANK-CHANGED")
    expect(page.get_by_role("button", name="Approve for payment")).to_have_count(0)
    shot(page, "20-invoice-review")
    # A dismissed finding stays readable: every piece of its text meets WCAG AA (it was 2.7:1).
    finding = page.locator(".finding[data-finding='INV-VENDOR-BANK-CHANGED']")
    finding.locator("input[name='reason']").fill("New account confirmed by phone")
    finding.get_by_role("button", name="Dismiss").click()
    expect(page.locator(".finding[data-finding-status='dismissed']")).to_have_count(1)
    ratios = contrast_ratios(page, ".finding-dismissed")
    assert ratios and all(ratio >= AA_CONTRAST for _, ratio in ratios), ratios
    assert_clean_console(problems)
