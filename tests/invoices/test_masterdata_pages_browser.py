"""The AP team's master-data and export pages in a real headless Chromium against a real server, under a strict CSP.

An admin adds a vendor (the waiting invoice is re-checked and matched), imports a purchase order from CSV, records
the goods receipt, approves the invoice and downloads the CSV export. Screenshots go to ``test-artifacts/web/``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser import assert_clean_console, log_in, shot, watch_console
from tests.conftest import wait_until_final
from tests.helpers import api_key
from tests.invoices.ap import IBAN, TAX_ID, VENDOR, invoice_id_for, invoice_pdf
from tests.web.conftest import create_account

pytestmark = pytest.mark.browser

ORDERS_CSV = ("po_number,vendor,currency,order_date,line_number,description,quantity,unit_price\n"
              f"PO-7781,{VENDOR},EUR,2024-03-01,1,Consulting hours,10,95.00\n"
              f"PO-7781,{VENDOR},EUR,2024-03-01,2,Docking station,2,150.00\n"
              "PO-7782,Nobody Inc,EUR,,1,Chairs,3,80\n")


def test_admin_adds_vendor_imports_order_receives_goods_approves_and_exports(
        server: str, browser_page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    admin = create_account("admin@acme.example", "admin")
    uploaded = httpx.post(server + "/api/v1/invoices/upload", headers={"X-API-Key": api_key("acme", "admin")},
                          files=[("files", ("northwind.pdf", invoice_pdf("INV-1001"), "application/pdf"))], timeout=30)
    assert uploaded.status_code == 202, uploaded.text
    document_id = uploaded.json()["documents"][0]["id"]
    wait_until_final([document_id])
    invoice_id = invoice_id_for(document_id)
    page = browser_page
    problems = watch_console(page)

    # Vendors: the empty list, then a vendor added through the form; the waiting invoice is now matched to it.
    page.goto(server + "/vendors")
    log_in(page, admin)
    page.wait_for_url("**/vendors")
    expect(page.locator(".mainnav a[aria-current=page]")).to_have_text("Vendors")
    expect(page.locator("[data-vendors] .empty-row")).to_contain_text("No vendors yet")
    form = page.locator("form[data-add-vendor]")
    form.get_by_label("Name").fill(VENDOR)
    form.get_by_label("Tax ID").fill(TAX_ID)
    form.get_by_label("IBAN").fill("NL00 ABNA 0000 0000 00")
    form.get_by_label("BIC").fill("ABNANL2A")
    form.get_by_label("Country").fill("NL")
    form.get_by_role("button", name="Add vendor").click()
    expect(page.locator("[data-error]")).to_contain_text("is not valid")
    expect(form.get_by_label("Name")).to_have_value(VENDOR)
    shot(page, "vendors-refused")
    form.get_by_label("IBAN").fill(IBAN)
    form.get_by_role("button", name="Add vendor").click()
    expect(page.locator("[data-done]")).to_contain_text("The vendor was added")
    expect(page.locator("h1")).to_have_text(VENDOR)
    expect(page.locator(f'[data-vendor-invoices] tr[data-invoice-id="{invoice_id}"]')).to_contain_text("INV-1001")
    shot(page, "vendor")
    page.goto(server + "/vendors")
    expect(page.locator("[data-vendors] tbody tr[data-vendor-id]")).to_have_count(1)
    expect(page.locator("[data-vendors] tbody tr").first).to_contain_text(IBAN)
    shot(page, "vendors")

    # Purchase orders: "Add a line" (the script) adds a row; a CSV import reports its rejected row.
    page.get_by_role("link", name="Orders").click()
    page.wait_for_url("**/purchase-orders")
    rows = page.locator("[data-line-rows] tbody tr[data-line-row]")
    expect(rows).to_have_count(5)
    page.get_by_role("button", name="Add a line").click()
    expect(rows).to_have_count(6)
    expect(page.get_by_label("Description of line 6")).to_be_focused()
    csv_path = tmp_path / "orders.csv"
    csv_path.write_text(ORDERS_CSV, encoding="utf-8")
    imports = page.locator("form[data-import-orders]")
    imports.get_by_label("CSV file").set_input_files(str(csv_path))
    imports.get_by_role("button", name="Import lines").click()
    report = page.locator("[data-import-report]")
    expect(report.locator("[data-created]")).to_have_text("1 created")
    expect(report.locator("[data-updated]")).to_have_text("1 updated")
    expect(report.locator('[data-rejected-row="4"]')).to_contain_text("no vendor 'Nobody Inc'")
    expect(page.locator("[data-orders] tbody tr[data-order-id]")).to_have_count(1)
    expect(page.locator("[data-order-value]")).to_have_text("1,250.00 EUR")
    shot(page, "purchase_orders")

    # The order: record what arrived; received and outstanding per line follow.
    page.get_by_role("link", name="PO-7781").click()
    expect(page.locator("h1")).to_have_text("Purchase order PO-7781")
    expect(page.locator("[data-order-receipts] .empty-row")).to_contain_text("Nothing received yet")
    receipt = page.locator("form[data-add-receipt]")
    receipt.get_by_label("Receipt number").fill("GR-5001")
    receipt.get_by_label("1. Consulting hours").fill("10")
    receipt.get_by_label("2. Docking station").fill("2")
    receipt.get_by_role("button", name="Record receipt").click()
    expect(page.locator("[data-done]")).to_contain_text("The goods receipt was recorded")
    expect(page.locator('[data-order-lines] tr[data-line="1"] [data-received]')).to_have_text("10")
    expect(page.locator('[data-order-lines] tr[data-line="2"] [data-outstanding]')).to_have_text("✓")
    expect(page.locator('[data-order-receipts] tr[data-receipt="GR-5001"]')).to_contain_text("line 2: 2")
    shot(page, "purchase_order")
    page.goto(server + "/goods-receipts")
    expect(page.locator('[data-receipts] tr[data-receipt="GR-5001"]')).to_contain_text("PO-7781")
    shot(page, "goods_receipts")

    # With vendor, order and receipt on file nothing blocks the invoice: approve it.
    page.goto(server + f"/invoices/{invoice_id}")
    page.get_by_role("button", name="Approve for payment").click()
    expect(page.locator("[data-done]")).to_contain_text("approved")

    # Exports: one invoice waiting; the CSV download is the file; then there is nothing left to export.
    page.get_by_role("link", name="Exports").click()
    page.wait_for_url("**/exports")
    expect(page.locator("[data-waiting]")).to_have_attribute("data-waiting", "1")
    expect(page.get_by_label("CSV (the columns chosen below)")).to_be_checked()
    shot(page, "exports")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export and download").click()
    file = download.value
    assert file.suggested_filename.startswith("invoices-") and file.suggested_filename.endswith(".csv")
    rows_out = list(csv.reader(io.StringIO(Path(file.path()).read_text(encoding="utf-8"))))
    assert rows_out[0][:2] == ["id", "vendor_name"] and len(rows_out) == 2
    assert rows_out[1][0] == invoice_id and rows_out[1][1] == VENDOR and "INV-1001" in rows_out[1]
    page.reload()
    expect(page.locator("[data-waiting]")).to_have_attribute("data-waiting", "0")
    expect(page.locator(f'[data-export-file="{file.suggested_filename}"]')).to_contain_text("1 invoice · CSV")
    page.get_by_role("button", name="Export and download").click()
    expect(page.locator("[data-error]")).to_contain_text("There are no approved invoices to export")
    shot(page, "exports-nothing-left")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server + "/purchase-orders")
    shot(page, "purchase_orders-narrow")
    # Expected: the 400 of the refused IBAN and the 409 of the empty export.
    assert_clean_console(problems, "400", "409")
