"""The accounts-payable walk in Chromium, at desktop and phone width: upload on the invoice inbox → the inbox
refreshes and links to the invoice → review (field and evidence box light each other up) → enter a field the
reader missed, as the organisation types dates → approve over an open error, asked for a reason → export → upload
the same invoice again → flagged as a duplicate and blocked from a second payment."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from paperclerk import samples
from paperclerk.app import create_app
from tests.browser import assert_clean_console, log_in, shot, watch_console
from tests.helpers import api_key
from tests.invoices.ap import IBAN, TAX_ID, VENDOR, add_vendor
from tests.web.conftest import create_account


def _pdf(note: str = "") -> bytes:
    """An invoice without a due date (the clerk enters it), from a vendor on file under another tax ID (an error)."""
    return samples.text_pdf(["\n".join([
        VENDOR, "Keizersgracht 221, 1016 DV Amsterdam", f"VAT No: {TAX_ID}", "", "INVOICE", "",
        "Invoice No.: INV-5150", "Invoice date: 14/03/2024", "", "Bill to: Contoso Retail", "",
        "Description  Qty  Unit price  Amount", "Consulting hours  10  95.00  950.00", "",
        "Subtotal: EUR 950.00", "VAT 21%: EUR 199.50", "Total: EUR 1149.50", "", f"IBAN: {IBAN}   BIC: ABNANL2A",
        note])])


def _no_horizontal_overflow(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.evaluate("() => window.innerWidth")
    assert width <= viewport, f"the page is {width}px wide in a {viewport}px window"


def _upload(page: Any, base: str, name: str, data: bytes) -> str:
    """Upload on the invoice inbox; returns the invoice id its result links to, once the inbox lists it read."""
    from playwright.sync_api import expect

    page.goto(f"{base}/invoices")
    page.set_input_files("#upload-input", files=[{"name": name, "mimeType": "application/pdf", "buffer": data}])
    result = page.locator("[data-upload-result][data-outcome='accepted']").first
    expect(result).to_be_visible()
    href = result.get_by_role("link", name="Open").get_attribute("href")
    assert href and re.fullmatch(r"/invoices/[0-9a-f-]{36}", href), href
    invoice_id = href.rsplit("/", 1)[1]
    # The inbox refreshes by itself until the invoice has been read.
    expect(page.locator(f"tr[data-invoice-id='{invoice_id}']")).to_have_attribute(
        "data-invoice-status", "needs_review", timeout=60_000)
    return invoice_id


@pytest.mark.parametrize("width", [1440, 375])
def test_upload_review_enter_approve_with_reason_export_and_duplicate_blocked(
        server: str, browser_page: Any, width: int) -> None:
    from playwright.sync_api import expect

    with TestClient(create_app()) as api:
        api.headers["X-API-Key"] = api_key("acme", "admin")
        add_vendor(api, tax_id="NL999999999B01")
    admin = create_account("admin@acme.example", "admin")
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    problems = watch_console(page)
    page.goto(f"{server}/invoices")
    log_in(page, admin)
    page.wait_for_url("**/invoices")

    invoice_id = _upload(page, server, "northwind.pdf", _pdf())
    _no_horizontal_overflow(page)
    shot(page, f"40-ap-walk-inbox-{width}")
    page.locator(f"tr[data-invoice-id='{invoice_id}'] a").first.click()
    page.wait_for_url(f"**/invoices/{invoice_id}")
    page.wait_for_function("() => document.querySelector('.invoice-page img').naturalWidth > 0")
    _no_horizontal_overflow(page)
    fields = page.locator("table[data-fields]")
    assert fields.evaluate("table => table.scrollWidth <= table.parentElement.clientWidth + 1"), \
        "the fields table is clipped"

    # Field and evidence box light each other up, by mouse and by keyboard; the box carries the field's name.
    total_row, total_box = page.locator("tr[data-field='total']"), page.locator("g.evidence-item[data-field='total']")
    expect(total_box.locator("text")).to_have_text("Total")
    total_row.hover()
    expect(total_box).to_have_class(re.compile(r"\bis-active\b"))
    page.locator("tr[data-field='invoice_number']").focus()
    expect(page.locator("g.evidence-item[data-field='invoice_number']")).to_have_class(re.compile(r"\bis-active\b"))
    expect(total_box).not_to_have_class(re.compile(r"\bis-active\b"))

    # Error findings are red-orange, warnings amber; the error's colour is not the warning's.
    colours = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.finding')].map(
        item => [item.getAttribute('data-finding'), getComputedStyle(item).borderLeftColor]))""")
    assert colours["INV-VENDOR-TAXID"] != colours.get("INV-VENDOR-UNKNOWN", "") and \
        colours["INV-VENDOR-TAXID"] != "rgb(221, 225, 231)", colours

    # The due date was not read: the clerk enters it as the organisation writes dates.
    due = page.locator("tr[data-field='due_date']")
    expect(due.locator("[data-not-read]")).to_be_visible()
    due.locator("summary").click()
    due.locator("input[name='value']").fill("20/11/2026")
    due.get_by_role("button", name="Save").click()
    page.wait_for_url("**done=corrected")
    expect(page.locator("tr[data-field='due_date'] [data-value]")).to_have_text("2026-11-20")
    expect(page.locator("tr[data-field='due_date'] [data-corrected]")).to_have_text("entered by a person")

    # Approving over the open error asks for a reason, listed with the findings it overrides.
    override = page.locator("[data-approval-override]")
    expect(override).to_contain_text("INV-VENDOR-TAXID")
    shot(page, f"41-ap-walk-review-{width}")
    approve = page.get_by_role("button", name="Approve despite open errors")
    approve.click()  # no reason: the browser keeps the form
    assert page.url.endswith("done=corrected")
    override.locator("textarea").fill("Tax ID changed after the merger; confirmed with the vendor")
    approve.click()
    page.wait_for_url("**done=approved")
    expect(page.locator(".page-head [data-status-badge]")).to_have_text(re.compile("Approved", re.I))

    # Export: the file is handed over and can be downloaded again from the recent exports.
    page.goto(f"{server}/exports")
    with page.expect_download() as first:
        page.get_by_role("button", name="Export and download").click()
    assert first.value.suggested_filename.endswith(".csv")
    page.goto(f"{server}/exports")
    with page.expect_download() as again:
        page.locator("[data-export-download]").first.click()
    assert again.value.suggested_filename == first.value.suggested_filename

    # The same invoice sent again (another print of it): flagged as a duplicate, no second payment.
    copy_id = _upload(page, server, "northwind-copy.pdf", _pdf("Second copy sent by post"))
    assert copy_id != invoice_id
    page.goto(f"{server}/invoices/{copy_id}")
    expect(page.locator(".finding[data-finding='INV-DUP-001']")).to_be_visible()
    expect(page.locator("[data-approval-blocked]")).to_contain_text("INV-DUP-001")
    expect(page.locator(".finding[data-finding='INV-DUP-001'] [data-other-invoice]")).to_have_attribute(
        "href", f"/invoices/{invoice_id}")
    expect(page.locator("form[data-approve]")).to_have_count(0)
    _no_horizontal_overflow(page)
    shot(page, f"42-ap-walk-duplicate-{width}")
    assert_clean_console(problems)
