"""The legal e-billing pages in a real headless Chromium against a real server, under the strict CSP: a reviewer
opens a flagged bill, reduces a line with a reason, approves it, and reads the spend dashboard (server-rendered SVG
charts, filtered by firm) at desktop and phone widths. Screenshots go to ``test-artifacts/web/``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from paperclerk.legal_billing.ledes import read_ledes
from tests.browser import DESKTOP, PHONE, assert_clean_console, log_in, shot, watch_console
from tests.conftest import wait_until_final
from tests.helpers import api_key
from tests.legal_billing.bill_pdfs import bill_pdf, sample_bill
from tests.legal_billing.ledes_samples import LEDES_98BI, LEDES_1998B, lines_1998b
from tests.web.conftest import create_account

pytestmark = pytest.mark.browser


def test_review_a_bill_and_read_the_dashboard(server: str, browser_page: Any) -> None:
    from playwright.sync_api import expect

    admin = create_account("admin@acme.example", "admin")
    headers = {"X-API-Key": api_key("acme", "admin")}
    httpx.put(server + "/api/v1/legal/guidelines", headers=headers, timeout=30,
              json={"rates": {"ASSOC": 400}, "submission_deadline_days": 10000})
    uploaded = httpx.post(server + "/api/v1/legal/invoices/upload", headers=headers, timeout=30, files=[
        ("files", ("january.txt", LEDES_1998B.read_bytes(), "text/plain")),
        ("files", ("gb.txt", LEDES_98BI.read_bytes(), "text/plain"))])
    assert uploaded.status_code == 202, uploaded.text
    wait_until_final([document["id"] for document in uploaded.json()["documents"]])
    page = browser_page
    problems = watch_console(page)

    page.goto(server + "/legal/invoices")
    log_in(page, admin)
    page.wait_for_url("**/legal/invoices")
    rows = page.locator("[data-legal-invoices] tbody tr[data-legal-invoice]")
    expect(rows).to_have_count(3)
    shot(page, "legal-invoices")
    page.get_by_role("link", name="INV-1001").click()
    expect(page.locator("[data-proposed]")).to_have_text("-30.00")
    line = page.locator('[data-legal-lines] tr[data-line="2"]')
    expect(line).to_have_class("flagged")
    expect(line.locator('[data-finding="LB-RATE-001"]')).to_contain_text("approved rate")
    form = line.locator("form[data-decide]")
    form.get_by_label("Reason for line 2").fill("rate above the approved 400/h")
    form.get_by_role("button", name="Save").click()
    expect(page.locator("[data-done]")).to_contain_text("Line decision saved")
    expect(page.locator('[data-legal-lines] tr[data-line="2"] [data-decision]')).to_contain_text("reduce: 537.00")
    expect(page.locator("[data-approved]")).to_have_text("2,287.50")
    shot(page, "legal-review")
    page.locator("form[data-approve] button").click()
    expect(page.locator("[data-done]")).to_contain_text("Invoice approved")

    page.get_by_role("link", name="Legal spend").click()
    page.wait_for_url("**/legal/dashboard")
    expect(page.locator("[data-kpi-invoices]")).to_have_text("3")
    expect(page.locator("[data-kpi-savings]")).to_have_text("70.00")  # 30 decided on INV-1001, 40 proposed on INV-1002
    for key in ("firm", "matter", "timekeeper", "phase", "month", "rules", "waiting"):
        expect(page.locator(f'[data-chart="{key}"]')).to_be_visible()
    expect(page.locator('[data-chart="firm"] svg g[data-bar]')).to_have_count(2)
    expect(page.locator('[data-chart="phase"] svg')).to_contain_text("L100 Case Assessment")
    shot(page, "legal-dashboard")
    page.locator("[data-dashboard-filters] select[name=firm]").select_option("Hale & Pryce LLP")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("[data-kpi-invoices]")).to_have_text("1")
    expect(page.locator('[data-chart="firm"] svg g[data-bar]')).to_have_count(1)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(server + "/legal/dashboard")
    expect(page.locator('[data-chart="month"] svg')).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, width  # nothing wider than the phone
    shot(page, "legal-dashboard-phone")
    assert_clean_console(problems)


def _no_horizontal_overflow(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.evaluate("() => window.innerWidth")
    assert width <= viewport, f"the page is {width}px wide in a {viewport}px window"


@pytest.mark.parametrize("width", [DESKTOP["width"], PHONE["width"]])
def test_walk_upload_ledes_and_pdf_review_adjust_approve_export_and_dashboard(
        server: str, browser_page: Any, width: int) -> None:
    """The whole e-billing workflow as a reviewer meets it, from the upload on the bills page to the dashboard."""
    from playwright.sync_api import expect

    admin = create_account("admin@acme.example", "admin")
    headers = {"X-API-Key": api_key("acme", "admin")}
    httpx.put(server + "/api/v1/legal/guidelines", headers=headers, timeout=30,
              json={"rates": {"ASSOC": 400}, "submission_deadline_days": 10000})
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    problems = watch_console(page)
    page.goto(server + "/legal/invoices")
    log_in(page, admin)
    page.wait_for_url("**/legal/invoices")

    broken = "\r\n".join(lines_1998b()).replace("|F|1.50|", "|F|1.5O|").encode()
    page.set_input_files("#upload-input", files=[
        {"name": "january.txt", "mimeType": "text/plain", "buffer": LEDES_1998B.read_bytes()},
        {"name": "smith-jones-2024-117.pdf", "mimeType": "application/pdf", "buffer": bill_pdf(sample_bill("utbms"))},
        {"name": "broken.txt", "mimeType": "text/plain", "buffer": broken}])
    accepted = page.locator("[data-upload-result][data-outcome='accepted']")
    expect(accepted).to_have_count(2, timeout=60_000)  # one upload after the other, on a busy machine
    refused = page.locator("[data-upload-result][data-outcome='rejected']")
    expect(refused).to_contain_text("LEDES_MALFORMED", timeout=60_000)
    expect(refused).to_contain_text("line 4, field LINE_ITEM_NUMBER_OF_UNITS")
    wait_until_final([item.get_attribute("data-document-id") for item in accepted.all()])
    page.goto(server + "/legal/invoices")
    expect(page.locator("[data-legal-invoices] tbody tr[data-legal-invoice]")).to_have_count(3)
    _no_horizontal_overflow(page)
    shot(page, f"legal-walk-list-{width}")

    # From the PDF's document page to its review.
    page.get_by_role("link", name="2024-117").click()
    expect(page.locator("h1")).to_contain_text("Invoice 2024-117")
    page.get_by_role("link", name="Document").click()
    page.get_by_role("link", name="Review legal bill 2024-117").click()
    expect(page.locator('[data-legal-lines] tr[data-line="3"] [data-finding="LB-VAGUE-001"]')).to_be_visible()
    expect(page.locator("[data-billed]")).to_have_text("2,370.00")
    form = page.locator('[data-legal-lines] tr[data-line="1"] form[data-decide]')
    form.get_by_label("Decision for line 1").select_option("reduce")
    form.get_by_label("Amount to pay for line 1").fill("450.00")
    form.get_by_label("Reason for line 1").fill("block billed: one hour allowed")
    form.get_by_role("button", name="Save").click()
    expect(page.locator("[data-done]")).to_contain_text("Line decision saved")
    expect(page.locator('[data-legal-lines] tr[data-line="1"] [data-decision]')).to_contain_text("reduce: 450.00")
    _no_horizontal_overflow(page)
    shot(page, f"legal-walk-review-{width}")
    page.locator("form[data-approve] button").click()
    expect(page.locator("[data-done]")).to_contain_text("Invoice approved")
    approved = page.locator("[data-approved]").inner_text()

    exported = page.request.get(server + page.locator("[data-export=ledes]").get_attribute("href"))
    assert exported.status == 200
    (adjusted,) = read_ledes(exported.text())
    assert f"{adjusted.total:,.2f}" == approved
    assert page.request.get(server + page.locator("[data-export=csv]").get_attribute("href")).status == 200

    page.get_by_role("link", name="Legal spend").click()
    page.wait_for_url("**/legal/dashboard")
    expect(page.locator("[data-kpi-invoices]")).to_have_text("3")
    expect(page.locator('[data-chart="firm"] svg g[data-bar]')).to_have_count(2)
    _no_horizontal_overflow(page)
    shot(page, f"legal-walk-dashboard-{width}")
    assert_clean_console(problems, "422")
