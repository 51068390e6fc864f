"""Plain-text and e-mail-body invoices read like any other: the fields of a ``.txt`` invoice and of an e-mail whose
body is the invoice (its "From:" / "To:" headers name mailboxes, not the parties)."""

from __future__ import annotations

from pathlib import Path

from paperclerk.invoices.file_report import analyze_file

TEXT_INVOICE = """Northwind Traders Ltd
12 High Street, Leeds LS1 4AB
VAT Reg No: GB 123 4567 89

INVOICE

Invoice #: NW-20931
Invoice Date: 14-Mar-2024
Due Date: 13-Apr-2024

Bill To:
Contoso Retail plc
1 Market Square, York

Description                 Qty    Unit     Amount
Paper A4 box                  3   12.50      37.50
Toner cartridge               1   89.00      89.00

Subtotal                                   126.50
VAT 20%                                     25.30
Total GBP                                  151.80
"""

EMAIL_INVOICE = """From: Billing <billing@brightsparkhosting.com>
To: accounts@contoso.example
Subject: Your invoice INV-7781 from BrightSpark Hosting
Date: Tue, 05 Mar 2024 10:00:00 +0000
Content-Type: text/plain; charset=utf-8

Hello,

Thank you for your business. Here is your invoice.

Invoice number: INV-7781
Invoice date: March 5, 2024
Due date: April 4, 2024

Managed VPS (March)          $40.00
Backups                      $5.00
Subtotal                     $45.00
Tax (8%)                     $3.60
Total due                    $48.60

BrightSpark Hosting LLC, 200 Main St, Austin, TX 78701
"""


def test_a_plain_text_invoice_is_read(tmp_path: Path) -> None:
    path = tmp_path / "invoice.txt"
    path.write_text(TEXT_INVOICE, encoding="utf-8")
    report = analyze_file(path)
    assert report["kind"] == "invoice"
    assert report["fields"].items() >= {
        "vendor_name": "Northwind Traders Ltd", "vendor_tax_id": "GB123456789", "invoice_number": "NW-20931",
        "invoice_date": "2024-03-14", "due_date": "2024-04-13", "customer_name": "Contoso Retail plc",
        "subtotal": "126.50", "tax_total": "25.30", "total": "151.80", "currency": "GBP"}.items()


def test_an_email_body_invoice_is_read_and_its_headers_are_not_the_parties(tmp_path: Path) -> None:
    path = tmp_path / "invoice.eml"
    path.write_text(EMAIL_INVOICE, encoding="utf-8")
    report = analyze_file(path)
    assert report["kind"] == "invoice"
    assert report["fields"].items() >= {
        "vendor_name": "BrightSpark Hosting LLC", "invoice_number": "INV-7781", "invoice_date": "2024-03-05",
        "due_date": "2024-04-04", "subtotal": "45.00", "tax_total": "3.60", "total": "48.60", "currency": "USD"}.items()
    assert "customer_name" not in report["fields"]
