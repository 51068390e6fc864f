"""Invoices written by hand in styles the generator does not produce (capitalised labels without colons,
position columns, 'zzgl. 19% MwSt.', currency signs in table cells, sender lines with '·'): the extractor
must read them without any per-layout code."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from paperclerk.extraction.base import Limits
from paperclerk.extraction.extract import extract
from paperclerk.invoices.layout import LayoutExtractor
from paperclerk.invoices.rules import RuleConfig, validate
from paperclerk.samples import text_pdf

US = """Northwind Analytics Inc.
400 Pine Street, Seattle, WA 98101
EIN 04-2103594

INVOICE #10023
Invoice Date: March 5, 2024
Terms: Net 30
Due Date: April 4, 2024
P.O. Number: 88123

BILL TO
Contoso Retail
12 Main St

DESCRIPTION QTY RATE AMOUNT
Data pipeline setup 1 $4,500.00 $4,500.00
Support hours 12 $150.00 $1,800.00

SUBTOTAL $6,300.00
SALES TAX (8.5%) $535.50
TOTAL $6,835.50
BALANCE DUE $6,835.50"""

DE = """Müller Maschinenbau GmbH · Industriestraße 7 · 70565 Stuttgart

Contoso Retail GmbH
Hauptstr. 5
10115 Berlin

Rechnung Nr. 2024-118
Datum: 14.03.2024
Kundennummer: K-4471

Pos. Bezeichnung Menge Einzelpreis Gesamtpreis
1 Wartung Anlage 3 120,00 EUR 360,00 EUR
2 Ersatzteil X-200 2 45,50 EUR 91,00 EUR

Nettobetrag 451,00 EUR
zzgl. 19% MwSt. 85,69 EUR
Rechnungsbetrag 536,69 EUR

Zahlungsziel: 14 Tage ohne Abzug
USt-IdNr.: DE136695976
IBAN: DE89 3704 0044 0532 0130 00 BIC: COBADEFFXXX"""

FR = """FACTURE

Boulangerie Dupont SARL
5 rue des Lilas
69002 Lyon
SIREN 303 265 045

Facturé à : Contoso Retail
N° de facture : F2024-0077 Date : 1er août 2024
Échéance : 31 août 2024

Désignation Quantité P.U. HT TVA Montant HT
Pain de campagne 40 3,20 5,5 % 128,00
Croissants (lot de 10) 12 9,50 5,5 % 114,00

Total HT 242,00 EUR
TVA 5,5 % 13,31 EUR
Total TTC 255,31 EUR
Conditions de paiement : 30 jours"""

ES = """Suministros García S.L.
Calle Mayor 18, 28013 Madrid
NIF: ESB58378431

FACTURA
Número de factura: A-2024/315
Fecha de emisión: 2 de julio de 2024
Cliente: Tailspin Toys

Cantidad Concepto Precio Importe
5 Sillas de oficina 89,90 449,50
1 Transporte 25,00 25,00

Base imponible: 474,50 €
IVA 21%: 99,65 €
Total factura: 574,15 €"""

NL = """De Vries Techniek B.V.
Keizersgracht 221
1016 DV Amsterdam
KvK 12345678 BTW NL004495445B01

CREDITNOTA
Creditnotanummer CN-2024-004
Factuurdatum 3 juni 2024
Betreft factuur 2024-118
Klant: Contoso Retail

Omschrijving Aantal Prijs Totaal
Retour monitor 27 inch -1 249,00 -249,00

Subtotaal -249,00
BTW 21% -52,29
Totaal -301,29
Gelieve niet te betalen."""

AU = """TAX INVOICE
Kangaroo Print Pty Ltd ABN 51 824 753 556
8 George Street Sydney NSW 2000

Invoice Number INV-0931    Invoice Date 14/03/2024    Due Date 28/03/2024
Reference PO-5512

To: Globex Logistics

Item Description Quantity Unit Price GST Amount AUD
Business cards (500) 2 89.00 10% 178.00
Flyers A5 (1000) 1 240.00 10% 240.00

Subtotal 418.00
Total GST 41.80
Amount Due AUD 459.80

Bank: BSB 062-000 Account 1234 5678"""

CASES = [
    (US, {"vendor_name": "Northwind Analytics Inc.", "vendor_tax_id": "04-2103594", "invoice_number": "10023",
          "invoice_date": date(2024, 3, 5), "due_date": date(2024, 4, 4), "purchase_order": "88123",
          "payment_terms": "Net 30", "customer_name": "Contoso Retail", "currency": "USD",
          "subtotal": Decimal("6300.00"), "tax_total": Decimal("535.50"), "total": Decimal("6835.50"),
          "amount_due": Decimal("6835.50"), "document_type": "invoice"},
     [("Data pipeline setup", "1", "4500.00", "4500.00"), ("Support hours", "12", "150.00", "1800.00")]),
    (DE, {"vendor_name": "Müller Maschinenbau GmbH", "vendor_address": "Industriestraße 7, 70565 Stuttgart",
          "vendor_tax_id": "DE136695976", "vendor_iban": "DE89370400440532013000", "vendor_bic": "COBADEFFXXX",
          "invoice_number": "2024-118", "invoice_date": date(2024, 3, 14), "payment_terms": "14 Tage ohne Abzug",
          "currency": "EUR", "subtotal": Decimal("451.00"), "tax_total": Decimal("85.69"),
          "total": Decimal("536.69")},
     [("Wartung Anlage", "3", "120.00", "360.00"), ("Ersatzteil X-200", "2", "45.50", "91.00")]),
    (FR, {"vendor_name": "Boulangerie Dupont SARL", "vendor_address": "5 rue des Lilas, 69002 Lyon",
          "vendor_tax_id": "303265045", "customer_name": "Contoso Retail", "invoice_number": "F2024-0077",
          "invoice_date": date(2024, 8, 1), "due_date": date(2024, 8, 31), "payment_terms": "30 jours",
          "currency": "EUR", "subtotal": Decimal("242.00"), "tax_total": Decimal("13.31"),
          "total": Decimal("255.31"), "document_type": "invoice"},
     [("Pain de campagne", "40", "3.20", "128.00"), ("Croissants (lot de 10)", "12", "9.50", "114.00")]),
    (ES, {"vendor_name": "Suministros García S.L.", "vendor_address": "Calle Mayor 18, 28013 Madrid",
          "vendor_tax_id": "ESB58378431", "invoice_number": "A-2024/315", "invoice_date": date(2024, 7, 2),
          "customer_name": "Tailspin Toys", "currency": "EUR", "subtotal": Decimal("474.50"),
          "tax_total": Decimal("99.65"), "total": Decimal("574.15"), "document_type": "invoice"},
     [("Sillas de oficina", "5", "89.90", "449.50"), ("Transporte", "1", "25.00", "25.00")]),
    (NL, {"vendor_name": "De Vries Techniek B.V.", "vendor_address": "Keizersgracht 221, 1016 DV Amsterdam",
          "vendor_tax_id": "NL004495445B01", "invoice_number": "CN-2024-004", "invoice_date": date(2024, 6, 3),
          "customer_name": "Contoso Retail", "currency": None, "subtotal": Decimal("-249.00"),
          "tax_total": Decimal("-52.29"), "total": Decimal("-301.29"), "document_type": "credit_note"},
     [("Retour monitor 27 inch", "-1", "249.00", "-249.00")]),
    (AU, {"vendor_name": "Kangaroo Print Pty Ltd", "vendor_address": "8 George Street Sydney NSW 2000",
          "vendor_tax_id": "51824753556", "invoice_number": "INV-0931", "invoice_date": date(2024, 3, 14),
          "due_date": date(2024, 3, 28), "customer_name": "Globex Logistics", "currency": "AUD",
          "subtotal": Decimal("418.00"), "tax_total": Decimal("41.80"), "total": Decimal("459.80"),
          "amount_due": Decimal("459.80"), "document_type": "invoice"},
     [("Business cards (500)", "2", "89.00", "178.00"), ("Flyers A5 (1000)", "1", "240.00", "240.00")]),
]


@pytest.mark.parametrize(("text", "expected", "lines"), CASES, ids=["en-US", "de", "fr", "es", "nl-credit", "en-AU"])
@pytest.mark.parametrize("as_pdf", [True, False], ids=["pdf", "text"])
def test_hand_written_invoices(tmp_path: Path, text: str, expected: dict[str, Any],
                               lines: list[tuple[str, ...]], as_pdf: bool) -> None:
    if as_pdf:
        text = text.replace("€", "EUR")  # the PDF's core font has no euro sign
    path = tmp_path / ("invoice.pdf" if as_pdf else "invoice.txt")
    path.write_bytes(text_pdf([text]) if as_pdf else text.encode("utf-8"))
    extraction = extract(path, "application/pdf" if as_pdf else "text/plain", allow_ocr=False, limits=Limits())
    result = LayoutExtractor().extract(extraction)
    got = {name: result.value(name) for name in expected}
    assert got == expected
    assert [(line.description, str(line.quantity), str(line.unit_price), str(line.amount))
            for line in result.lines] == lines
    # Correct invoices raise nothing, except what is really missing (the Dutch credit note names no currency).
    findings = validate(result, RuleConfig(today=date(2024, 9, 1)))
    missing = ["INV-REQ-001"] if expected.get("currency", "") is None else []
    assert [finding.rule_id for finding in findings] == missing
