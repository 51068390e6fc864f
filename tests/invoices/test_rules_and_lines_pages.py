"""The invoice rules page (read by all, changed by administrators) and line corrections on the review page,
browsed through the real login form with the page's CSRF token on every post."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.browser import assert_clean_console, log_in, shot, watch_console
from tests.helpers import upload_and_wait
from tests.invoices.ap import invoice_id_for, invoice_pdf
from tests.web.conftest import FORM_TOKEN, Browser, create_account, page_token


def _token(client: TestClient, path: str) -> str:
    match = FORM_TOKEN.search(client.get(path).text)
    assert match, f"no form on {path}"
    return match.group(1)


def _invoice(browse: Browser) -> str:
    (document,) = upload_and_wait(browse("api"), ("inv.pdf", invoice_pdf("INV-7", po=None)))
    return invoice_id_for(document["id"])


def _rules_form(page: str) -> dict[str, str]:
    """The rules form as the page fills it in: ticked boxes and selected severities."""
    form = {f"enabled:{rule}": "on" for rule in re.findall(r'name="enabled:([^"]+)"[^>]*checked', page)}
    for rule, options in re.findall(r'<select name="severity:([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        form[f"severity:{rule}"] = re.search(r'value="([^"]+)" selected', options).group(1)  # type: ignore[union-attr]
    return form


def test_everyone_reads_the_rules_only_an_admin_changes_them(browse: Browser) -> None:
    invoice_id = _invoice(browse)
    viewer = browse("viewer")
    page = viewer.get("/rules")
    assert page.status_code == 200 and 'data-rule="INV-VENDOR-BANK-CHANGED"' in page.text
    assert "data-rules-form" not in page.text and 'name="enabled:' not in page.text
    assert 'data-tolerance="approval_threshold"' in page.text
    refused = viewer.post("/rules", data={"csrf_token": page_token(viewer, "/rules")}, follow_redirects=False)
    assert refused.status_code == 403

    admin = browse("admin")
    page = admin.get("/rules").text
    form = _rules_form(page)
    assert form["enabled:INV-VENDOR-UNKNOWN"] == "on" and form["severity:INV-DUP-001"] == "default"
    del form["enabled:INV-VENDOR-UNKNOWN"]
    form["severity:INV-APPROVAL-001"] = "error"
    saved = admin.post("/rules", data={"csrf_token": _token(admin, "/rules"), **form}, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/rules?done=rules"
    page = admin.get(saved.headers["location"]).text
    assert "data-done" in page and 'class="rule-off"' in page
    assert re.search(r'<select name="severity:INV-APPROVAL-001".*?value="error" selected', page, re.S)
    review = admin.get(f"/invoices/{invoice_id}").text
    assert not re.search(r'data-finding="INV-VENDOR-UNKNOWN" data-finding-status="open"', review)

    bad = admin.post("/rules/tolerances", data={"csrf_token": _token(admin, "/rules"),
                                                "tolerance:approval_threshold": "lots"})
    assert bad.status_code == 400 and "not a valid value for approval_threshold" in bad.text
    good = admin.post("/rules/tolerances", data={"csrf_token": _token(admin, "/rules"),
                                                 "tolerance:approval_threshold": "100",
                                                 "tolerance:required_fields": "vendor_name, total"},
                      follow_redirects=False)
    assert good.status_code == 303
    page = admin.get("/rules").text
    assert 'name="tolerance:approval_threshold" value="100"' in page
    assert 'name="tolerance:required_fields" value="vendor_name, total"' in page
    assert re.search(r'data-finding="INV-APPROVAL-001" data-finding-status="open"',
                     admin.get(f"/invoices/{invoice_id}").text)


def test_a_reviewer_corrects_adds_and_removes_lines(browse: Browser) -> None:
    invoice_id = _invoice(browse)
    reviewer = browse("reviewer")
    page = reviewer.get(f"/invoices/{invoice_id}").text
    assert "data-correct-line" in page and "data-add-line" in page and "data-remove-line" in page
    token = _token(reviewer, f"/invoices/{invoice_id}")
    line = {"description": "Docking station", "quantity": "3", "unit_price": "150.00", "amount": "300.00",
            "tax_rate": ""}
    changed = reviewer.post(f"/invoices/{invoice_id}/lines/2", data={"csrf_token": token, **line},
                            follow_redirects=False)
    assert changed.status_code == 303 and changed.headers["location"] == f"/invoices/{invoice_id}?done=line"
    page = reviewer.get(changed.headers["location"]).text
    assert "data-line-corrected" in page and "read: Docking station \u00b7 2 \u00d7 150 = 300.00" in page
    assert re.search(r'data-finding="INV-ARITH-001" data-finding-status="open"', page)

    bad = reviewer.post(f"/invoices/{invoice_id}/lines/2", data={"csrf_token": token, **line, "quantity": "three"})
    assert bad.status_code == 400 and "not a valid quantity" in bad.text
    added = reviewer.post(f"/invoices/{invoice_id}/lines", data={"csrf_token": token, "description": "Delivery",
                                                                 "amount": "25.00"}, follow_redirects=False)
    assert added.status_code == 303
    page = reviewer.get(f"/invoices/{invoice_id}").text
    assert 'data-line="3"' in page and "data-line-added" in page
    removed = reviewer.post(f"/invoices/{invoice_id}/lines/3/remove", data={"csrf_token": token},
                            follow_redirects=False)
    assert removed.status_code == 303 and 'data-line="3"' not in reviewer.get(f"/invoices/{invoice_id}").text
    assert reviewer.post(f"/invoices/{invoice_id}/lines/9/remove", data={"csrf_token": token}).status_code == 404

    viewer = browse("viewer")
    assert "data-correct-line" not in viewer.get(f"/invoices/{invoice_id}").text
    assert viewer.post(f"/invoices/{invoice_id}/lines/1/remove", data={"csrf_token": page_token(viewer, "/rules")},
                       follow_redirects=False).status_code == 403


@pytest.mark.browser
def test_upload_correct_a_line_and_change_a_rule_in_chromium(server: str, browser_page: Any,
                                                             tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = browser_page
    problems = watch_console(page)
    page.goto(f"{server}/invoices")
    log_in(page, create_account("admin@acme.example", "admin"))
    page.wait_for_url("**/invoices")
    pdf = tmp_path / "northwind.pdf"
    pdf.write_bytes(invoice_pdf("INV-4242", po=None))
    page.set_input_files("[data-upload-input]", str(pdf))
    expect(page.locator("[data-upload-result][data-outcome=accepted]")).to_have_count(1)
    row = page.locator("tr[data-invoice-id]", has_text="INV-4242")
    for _ in range(100):  # the invoice is read in the background; the inbox shows it once it is
        page.goto(f"{server}/invoices")
        if row.count() and "needs review" in row.inner_text().lower():
            break
        page.wait_for_timeout(200)
    shot(page, "30-invoice-inbox-upload")
    row.get_by_role("link").click()
    page.get_by_text("Correct line 2").click()
    form = page.locator("form[data-correct-line]").nth(1)
    form.locator("input[name=quantity]").fill("3")
    form.get_by_role("button", name="Save line").click()
    expect(page.locator("[data-done]")).to_be_visible()
    expect(page.locator("[data-line-corrected]")).to_have_count(1)
    expect(page.locator('[data-finding="INV-ARITH-001"][data-finding-status="open"]')).to_have_count(1)
    shot(page, "31-invoice-line-corrected")

    page.goto(f"{server}/rules")
    page.get_by_label("INV-VENDOR-UNKNOWN on").uncheck()
    page.get_by_label("Severity of INV-APPROVAL-001").select_option("error")
    page.get_by_role("button", name="Save rules").click()
    expect(page.locator("[data-done]")).to_be_visible()
    expect(page.locator('tr.rule-off[data-rule="INV-VENDOR-UNKNOWN"]')).to_have_count(1)
    shot(page, "32-invoice-rules")
    assert_clean_console(problems)
