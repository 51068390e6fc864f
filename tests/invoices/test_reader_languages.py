"""Invoices in the languages and conventions beyond the first five, as plain text and as an e-mail body: Polish,
Italian, Portuguese, Indian GST, a Stripe-style SaaS invoice whose header shows the customer's VAT number."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from paperclerk.invoices.file_report import analyze_file

CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("faktura.txt", """Faktura VAT nr FV/2024/03/117
Data wystawienia: 14 marca 2024
Termin płatności: 28.03.2024
Sprzedawca:
Drukarnia Wisła Sp. z o.o.
ul. Długa 12, 00-238 Warszawa
NIP: 526-104-08-28
Nabywca:
Biuro Rachunkowe Lipa s.c.
ul. Polna 3, 30-001 Kraków
Razem netto: 1 000,00 zł
Kwota VAT: 230,00 zł
Razem brutto: 1 230,00 zł
Do zapłaty: 1 230,00 zł
""", {"invoice_number": "FV/2024/03/117", "invoice_date": "2024-03-14", "due_date": "2024-03-28",
      "vendor_name": "Drukarnia Wisła Sp. z o.o.", "subtotal": "1000.00", "tax_total": "230.00",
      "total": "1230.00", "currency": "PLN"}),
    ("fattura.txt", """Fattura n. 2024/0042
Data fattura: 5 aprile 2024
Cedente/prestatore: Tipografia Ligure S.r.l.
Via Garibaldi 7, 16124 Genova
P.IVA IT00743110157
Cessionario/committente: Studio Rossi
Imponibile € 500,00
IVA 22% € 110,00
Totale documento € 610,00
Scadenza pagamento: 05/05/2024
""", {"invoice_number": "2024/0042", "invoice_date": "2024-04-05", "due_date": "2024-05-05",
      "vendor_name": "Tipografia Ligure S.r.l.", "subtotal": "500.00", "tax_total": "110.00", "total": "610.00",
      "currency": "EUR"}),
    ("fatura.txt", """Fatura n.º FT 2024/311
Data de emissão: 12-03-2024
Fornecedor: Gráfica do Porto, Lda
Rua de Santa Catarina 200, 4000-447 Porto
NIF: 503 504 564
Total s/ IVA 80,00 €
IVA 23% 18,40 €
Total a pagar 98,40 €
Data de vencimento: 11-04-2024
""", {"invoice_number": "FT 2024/311", "invoice_date": "2024-03-12", "due_date": "2024-04-11",
      "vendor_name": "Gráfica do Porto, Lda", "subtotal": "80.00", "tax_total": "18.40", "total": "98.40",
      "currency": "EUR"}),
    ("gst.txt", """TAX INVOICE
Sharma Electricals Pvt. Ltd.
Plot 14, MIDC Andheri East, Mumbai 400093
GSTIN: 27AAPFU0939F1ZV
Invoice No.: SE/23-24/0981      Date: 12-Apr-2023
Bill To: Kiran Traders
Taxable Value ₹ 10,000.00
CGST @9% ₹ 900.00
SGST @9% ₹ 900.00
Grand Total ₹ 11,800.00
""", {"invoice_number": "SE/23-24/0981", "invoice_date": "2023-04-12", "vendor_name": "Sharma Electricals Pvt. Ltd.",
      "vendor_tax_id": "27AAPFU0939F1ZV", "subtotal": "10000.00", "tax_total": "1800.00", "total": "11800.00",
      "currency": "INR"}),
    ("saas.txt", """Invoice
Invoice number 7D1C2F-0012
Date of issue March 3, 2024
Date due March 3, 2024
VAT Number DE355369209
Cloudberry GmbH
Peter-Behrens-Platz 2
4020 Linz
billing@cloudberry.io
Bill to
Halle Analytics GmbH
Pfälzer Ufer 4
06108 Halle
DE VAT DE355369209
Description Qty Unit price Amount
Team plan 1 €49.00 €49.00
Subtotal €49.00
Total €49.00
Amount due €49.00
(VAT of Cloudberry GmbH ATU72706128)
""", {"invoice_number": "7D1C2F-0012", "invoice_date": "2024-03-03", "due_date": "2024-03-03",
      "vendor_name": "Cloudberry GmbH", "vendor_tax_id": "ATU72706128", "total": "49.00", "currency": "EUR"}),
]


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[case[0] for case in CASES])
def test_invoice_in_more_languages(tmp_path: Path, name: str, text: str, expected: dict[str, Any]) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    fields = analyze_file(path)["fields"]
    assert {key: fields.get(key) for key in expected} == expected


def test_an_email_whose_body_is_the_invoice(tmp_path: Path) -> None:
    body = CASES[0][1]
    message = ("From: Drukarnia Wisla <faktury@drukarnia-wisla.pl>\nTo: biuro@lipa.pl\n"
               "Subject: Faktura FV/2024/03/117\nMIME-Version: 1.0\n"
               "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + body)
    path = tmp_path / "invoice.eml"
    path.write_bytes(message.encode())
    report = analyze_file(path)
    assert report["kind"] == "invoice"
    assert (report["fields"]["invoice_number"], report["fields"]["total"]) == ("FV/2024/03/117", "1230.00")
