"""Invoices generated in code, with the values they must yield.

Text PDFs (``paperclerk.samples.text_pdf``) in several layouts (labels left, below, side by side, in a
header row, with dot leaders; vendor at the top or labelled), five languages, several currencies,
number and date formats and table column orders; plus UBL 2.1 / CII XML written by hand after the
standards, and hostile XML.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from paperclerk.samples import text_pdf

CENT = Decimal("0.01")


def iban(country: str, bban: str) -> str:
    """A valid IBAN for the BBAN (ISO 13616 mod-97 check digits)."""
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def group4(value: str) -> str:
    return " ".join(value[i:i + 4] for i in range(0, len(value), 4))


@dataclass(frozen=True)
class Locale:
    key: str
    language: str
    currency: str
    money: str  # code_after | code_before | symbol_before | currency_line
    symbol: str
    number: str  # en | de | fr | ch | plain
    dates: tuple[str, ...]  # numeric | iso | written
    tax_id: str | None
    tax_label: str
    iban: str | None
    bic: str | None
    month_first: bool = False


LOCALES = [
    Locale("en-GB", "en", "GBP", "symbol_before", "£", "en", ("numeric", "written", "iso"), "GB980780684", "VAT No",
           iban("GB", "NWBK60161331926819"), "NWBKGB2L"),
    Locale("en-US", "en", "USD", "symbol_before", "$", "en", ("numeric", "written"), "04-2103594", "EIN",
           None, None, month_first=True),
    Locale("en-AU", "en", "AUD", "code_after", "", "en", ("numeric", "written"), "51 824 753 556", "ABN",
           None, None),
    Locale("en-IN", "en", "INR", "code_before", "", "plain", ("numeric", "iso"), "27AAPFU0939F1ZV", "GSTIN",
           None, None),
    Locale("fr-FR", "fr", "EUR", "code_after", "", "fr", ("numeric", "written"), "FR 40 303 265 045",
           "N° TVA intracommunautaire", iban("FR", "20041010050500013M02606"), "PSSTFRPPPAR"),
    Locale("fr-SIRET", "fr", "EUR", "currency_line", "", "fr", ("numeric",), "732 829 320 00074", "SIRET",
           iban("FR", "30006000011234567890189"), "AGRIFRPP"),
    Locale("nl-NL", "nl", "EUR", "code_before", "", "de", ("numeric", "written"), "NL004495445B01", "BTW-nummer",
           iban("NL", "ABNA0417164300"), "ABNANL2A"),
    Locale("nl-BE", "nl", "EUR", "code_after", "", "de", ("numeric", "written"), "BE 0403.019.261", "BTW nr",
           iban("BE", "539007547034"), "GEBABEBB"),
    Locale("de-DE", "de", "EUR", "code_after", "", "de", ("numeric", "written", "iso"), "DE136695976", "USt-IdNr.",
           iban("DE", "370400440532013000"), "COBADEFFXXX"),
    Locale("de-CH", "de", "CHF", "code_before", "", "ch", ("numeric",), None, "", iban("CH", "00762011623852957"),
           "UBSWCHZH80A"),
    Locale("es-ES", "es", "EUR", "code_after", "", "de", ("numeric", "written"), "ESB58378431", "NIF",
           iban("ES", "21000418450200051332"), "CAIXESBBXXX"),
]

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
}

LABELS: dict[str, dict[str, list[str]]] = {
    "en": {"title": ["INVOICE", "Tax Invoice"], "credit": ["CREDIT NOTE"],
           "invoice_number": ["Invoice No.", "Invoice number", "Invoice #"],
           "credit_number": ["Credit note no."],
           "invoice_date": ["Invoice date", "Date", "Issue date"], "due_date": ["Due date", "Payment due"],
           "purchase_order": ["PO number", "Purchase order", "Your order"], "payment_terms": ["Payment terms", "Terms"],
           "customer_name": ["Bill to", "Customer", "Invoice to"], "vendor": ["From", "Supplier"],
           "subtotal": ["Subtotal", "Net amount", "Total excl. VAT"], "tax": ["VAT {rate}%", "Tax", "VAT"],
           "total": ["Total", "Invoice total", "Grand total"], "amount_due": ["Amount due", "Balance due"],
           "terms": ["Net 30", "30 days net", "Payment within 30 days"],
           "columns": {"description": "Description", "quantity": "Qty", "unit_price": "Unit price",
                       "amount": "Amount", "tax_rate": "VAT %"}},
    "fr": {"title": ["FACTURE"], "credit": ["AVOIR", "FACTURE D'AVOIR"],
           "invoice_number": ["Facture n°", "Numéro de facture", "N° de facture"], "credit_number": ["Avoir n°"],
           "invoice_date": ["Date de facture", "Date", "Date d'émission"], "due_date": ["Échéance", "Date d'échéance"],
           "purchase_order": ["Bon de commande", "Votre commande"],
           "payment_terms": ["Conditions de paiement", "Modalités de paiement"],
           "customer_name": ["Client", "Facturé à", "Destinataire"], "vendor": ["Fournisseur", "Émetteur"],
           "subtotal": ["Total HT", "Montant HT", "Sous-total"], "tax": ["TVA {rate}%", "Total TVA", "TVA"],
           "total": ["Total TTC", "Montant TTC"], "amount_due": ["Net à payer", "Reste à payer"],
           "terms": ["30 jours fin de mois", "Paiement à 30 jours"],
           "columns": {"description": "Désignation", "quantity": "Qté", "unit_price": "Prix unitaire",
                       "amount": "Montant HT", "tax_rate": "TVA %"}},
    "nl": {"title": ["FACTUUR"], "credit": ["CREDITNOTA"],
           "invoice_number": ["Factuurnummer", "Factuur nr."], "credit_number": ["Creditnota nr."],
           "invoice_date": ["Factuurdatum", "Datum"], "due_date": ["Vervaldatum", "Te betalen vóór"],
           "purchase_order": ["Bestelnummer", "Uw bestelling"], "payment_terms": ["Betalingsvoorwaarden"],
           "customer_name": ["Klant", "Factureren aan"], "vendor": ["Leverancier"],
           "subtotal": ["Subtotaal", "Totaal excl. BTW"], "tax": ["BTW {rate}%", "BTW"],
           "total": ["Totaal", "Totaal incl. BTW"], "amount_due": ["Te betalen"],
           "terms": ["30 dagen netto", "Betaling binnen 14 dagen"],
           "columns": {"description": "Omschrijving", "quantity": "Aantal", "unit_price": "Prijs",
                       "amount": "Bedrag", "tax_rate": "BTW %"}},
    "de": {"title": ["RECHNUNG"], "credit": ["GUTSCHRIFT"],
           "invoice_number": ["Rechnungsnummer", "Rechnungs-Nr."], "credit_number": ["Gutschrift Nr."],
           "invoice_date": ["Rechnungsdatum", "Datum"], "due_date": ["Fällig am", "Zahlbar bis"],
           "purchase_order": ["Bestellnummer", "Ihre Bestellung"],
           "payment_terms": ["Zahlungsbedingungen", "Zahlungsziel"],
           "customer_name": ["Kunde", "Rechnungsempfänger"], "vendor": ["Lieferant", "Rechnungssteller"],
           "subtotal": ["Zwischensumme", "Nettobetrag", "Summe netto"], "tax": ["MwSt. {rate}%", "USt. {rate}%"],
           "total": ["Gesamtbetrag", "Rechnungsbetrag", "Summe brutto"], "amount_due": ["Zahlbetrag", "Zu zahlen"],
           "terms": ["30 Tage netto", "14 Tage 2% Skonto, 30 Tage netto"],
           "columns": {"description": "Beschreibung", "quantity": "Menge", "unit_price": "Einzelpreis",
                       "amount": "Betrag", "tax_rate": "MwSt %"}},
    "es": {"title": ["FACTURA"], "credit": ["NOTA DE CRÉDITO", "FACTURA RECTIFICATIVA"],
           "invoice_number": ["Factura n.º", "Número de factura", "N° de factura"],
           "credit_number": ["Nota de crédito n°"],
           "invoice_date": ["Fecha de factura", "Fecha", "Fecha de emisión"],
           "due_date": ["Fecha de vencimiento", "Vencimiento"], "purchase_order": ["Pedido", "Orden de compra"],
           "payment_terms": ["Condiciones de pago", "Forma de pago"], "customer_name": ["Cliente", "Facturar a"],
           "vendor": ["Proveedor", "Emisor"], "subtotal": ["Base imponible", "Subtotal", "Importe neto"],
           "tax": ["IVA {rate}%", "IVA"], "total": ["Total factura", "Importe total", "Total"],
           "amount_due": ["Total a pagar", "Importe a pagar"], "terms": ["30 días", "Transferencia a 30 días"],
           "columns": {"description": "Descripción", "quantity": "Cantidad", "unit_price": "Precio unitario",
                       "amount": "Importe", "tax_rate": "IVA %"}},
}

VENDORS = [
    ("ACME Office Supplies Ltd", ["12 Harbour Road", "Bristol BS1 4DJ"]),
    ("Boulangerie Dupont SARL", ["5 rue des Lilas", "69002 Lyon"]),
    ("De Vries Techniek B.V.", ["Keizersgracht 221", "1016 DV Amsterdam"]),
    ("Müller Maschinenbau GmbH", ["Industriestraße 7", "70565 Stuttgart"]),
    ("Suministros García S.L.", ["Calle Mayor 18", "28013 Madrid"]),
    ("Northwind Analytics Inc.", ["400 Pine Street, Suite 12", "Seattle, WA 98101"]),
    ("Kangaroo Print Pty Ltd", ["8 George Street", "Sydney NSW 2000"]),
    ("Shree Textiles Pvt Ltd", ["Plot 44, MIDC", "Pune 411019"]),
]
CUSTOMERS = ["Northwind Traders", "Contoso Retail", "Fabrikam Industries", "Tailspin Toys", "Globex Logistics",
             "Initech Services", "Umbrella Foods", "Wayne Hardware"]
PRODUCTS = ["Recycled copy paper A4", "Ergonomic office chair", "Toner cartridge TN-2420", "Consulting hours",
            "USB-C docking station", "Desk lamp LED", "Maintenance contract Q1", "Shipping and handling",
            "Whiteboard markers (pack)", "Monitor 27 inch"]
LAYOUTS = ("left", "below", "pairs", "header_row", "leaders", "labelled_vendor", "footer_vendor", "stacked_totals")
COLUMN_ORDERS = (
    ("description", "quantity", "unit_price", "amount"),
    ("description", "unit_price", "quantity", "amount"),
    ("quantity", "description", "unit_price", "amount"),
    ("description", "quantity", "unit_price", "tax_rate", "amount"),
)
HEADER_FIELDS = ("vendor_name", "vendor_address", "vendor_tax_id", "vendor_iban", "vendor_bic", "customer_name",
                 "invoice_number", "invoice_date", "due_date", "purchase_order", "payment_terms", "currency",
                 "subtotal", "tax_total", "total", "amount_due", "document_type")


@dataclass
class Spec:
    locale: Locale
    layout: str
    columns: tuple[str, ...]
    vendor: tuple[str, list[str]]
    customer: str
    number: str
    issued: date
    due: date | None
    po: str | None
    terms: str | None
    lines: list[tuple[str, Decimal, Decimal]]
    rate: Decimal
    credit_note: bool = False
    negative: bool = False  # credit note printed with negative amounts
    with_due: bool = True
    date_style: str = "numeric"
    label_choice: int = 0

    @property
    def sign(self) -> Decimal:
        return Decimal(-1) if self.negative else Decimal(1)

    def line_amounts(self) -> list[Decimal]:
        return [(q * u).quantize(CENT, ROUND_HALF_UP) * self.sign for _, q, u in self.lines]

    @property
    def subtotal(self) -> Decimal:
        return sum(self.line_amounts(), Decimal("0.00"))

    @property
    def tax(self) -> Decimal:
        return (self.subtotal * self.rate / 100).quantize(CENT, ROUND_HALF_UP)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax

    def expected(self) -> dict[str, Any]:
        from stdnum.util import clean

        tax_id = self.locale.tax_id
        if tax_id is not None and self.locale.tax_label != "EIN":
            tax_id = clean(tax_id, " .-").upper()
        return {
            "vendor_name": self.vendor[0], "vendor_address": ", ".join(self.vendor[1]), "vendor_tax_id": tax_id,
            "vendor_iban": self.locale.iban, "vendor_bic": self.locale.bic, "customer_name": self.customer,
            "invoice_number": self.number, "invoice_date": self.issued, "due_date": self.due, "purchase_order": self.po,
            "payment_terms": self.terms, "currency": self.locale.currency, "subtotal": self.subtotal,
            "tax_total": self.tax, "total": self.total, "amount_due": self.total if self.with_due else None,
            "document_type": "credit_note" if self.credit_note else "invoice",
        }


def fmt_number(value: Decimal, style: str) -> str:
    sign = "-" if value < 0 else ""
    whole, _, cents = f"{abs(value):.2f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    sep, dec = {"en": (",", "."), "de": (".", ","), "fr": ("\u00a0", ","), "ch": ("'", "."), "plain": ("", ".")}[style]
    return f"{sign}{sep.join(groups)}{dec}{cents}"


def fmt_money(value: Decimal, locale: Locale) -> str:
    number = fmt_number(value, locale.number)
    if locale.money == "symbol_before":
        return f"-{locale.symbol}{number[1:]}" if number.startswith("-") else f"{locale.symbol}{number}"
    if locale.money == "code_before":
        return f"{locale.currency} {number}"
    if locale.money == "code_after":
        return f"{number} {locale.currency}"
    return number


def fmt_date(value: date, locale: Locale, style: str) -> str:
    if style == "iso":
        return value.isoformat()
    if style == "written":
        month = MONTHS[locale.language].split()[value.month - 1]
        return {
            "en": f"{month} {value.day}, {value.year}" if locale.month_first else f"{value.day} {month} {value.year}",
            "fr": f"{value.day} {month} {value.year}", "nl": f"{value.day} {month} {value.year}",
            "de": f"{value.day}. {month} {value.year}", "es": f"{value.day} de {month} de {value.year}",
        }[locale.language]
    if locale.month_first:
        return f"{value.month:02d}/{value.day:02d}/{value.year}"
    separator = {"de": ".", "nl": "-"}.get(locale.language, "/")
    return f"{value.day:02d}{separator}{value.month:02d}{separator}{value.year}"


def _label(spec: Spec, key: str) -> str:
    options = LABELS[spec.locale.language][key]
    return options[spec.label_choice % len(options)]


def render(spec: Spec) -> list[str]:
    """The invoice's pages of text."""
    loc = spec.locale
    labels = LABELS[loc.language]
    money = lambda value: fmt_money(value, loc)  # noqa: E731
    when = lambda value: fmt_date(value, loc, spec.date_style)  # noqa: E731
    title = _label(spec, "credit" if spec.credit_note else "title")
    pairs: list[tuple[str, str]] = [
        (_label(spec, "credit_number" if spec.credit_note else "invoice_number"), spec.number),
        (_label(spec, "invoice_date"), when(spec.issued)),
    ]
    if spec.due:
        pairs.append((_label(spec, "due_date"), when(spec.due)))
    if spec.po:
        pairs.append((_label(spec, "purchase_order"), spec.po))
    vendor_name, address = spec.vendor
    vendor_lines = [vendor_name, *address]
    if loc.tax_id:
        vendor_lines.append(f"{loc.tax_label}: {loc.tax_id}")
    out: list[str] = []
    if spec.layout == "footer_vendor":
        out += [title]
    elif spec.layout == "labelled_vendor":
        out += [title, "", f"{_label(spec, 'vendor')}: {vendor_name}", *address]
        if loc.tax_id:
            out.append(f"{loc.tax_label}: {loc.tax_id}")
    else:
        out += [*vendor_lines, "", title]
    out.append("")
    if spec.layout == "below":
        for label, value in pairs:
            out += [label, value]
        out += ["", _label(spec, "customer_name"), spec.customer, "1 Market Square"]
    elif spec.layout == "pairs":
        for index in range(0, len(pairs), 2):
            out.append("    ".join(f"{label}: {value}" for label, value in pairs[index:index + 2]))
        out += ["", f"{_label(spec, 'customer_name')}: {spec.customer}", "1 Market Square"]
    elif spec.layout == "header_row":
        out.append(" | ".join(label for label, _ in pairs))
        out.append(" | ".join(value for _, value in pairs))
        out += ["", f"{_label(spec, 'customer_name')}:", spec.customer, "1 Market Square"]
    elif spec.layout == "leaders":
        for label, value in pairs:
            out.append(f"{label} ........ {value}")
        out += ["", f"{_label(spec, 'customer_name')} ........ {spec.customer}"]
    else:  # left, labelled_vendor
        out += [f"{label}: {value}" for label, value in pairs]
        out += ["", f"{_label(spec, 'customer_name')}: {spec.customer}", "1 Market Square"]
    if loc.money == "currency_line":
        out.append(f"Devise: {loc.currency}" if loc.language == "fr" else f"Currency: {loc.currency}")
    out.append("")
    headers = labels["columns"]
    out.append("  ".join(headers[column] for column in spec.columns))
    for (description, quantity, unit), amount in zip(spec.lines, spec.line_amounts(), strict=True):
        cells = {"description": description, "quantity": f"{quantity:g}",
                 "unit_price": fmt_number(unit * spec.sign, loc.number), "amount": fmt_number(amount, loc.number),
                 "tax_rate": f"{spec.rate:g}%"}
        out.append("  ".join(cells[column] for column in spec.columns))
    out.append("")
    tax_label = _label(spec, "tax").format(rate=f"{spec.rate:g}")
    totals = [(_label(spec, "subtotal"), spec.subtotal), (tax_label, spec.tax), (_label(spec, "total"), spec.total)]
    if spec.with_due:
        totals.append((_label(spec, "amount_due"), spec.total))
    if spec.layout == "stacked_totals":
        out += [" | ".join(label for label, _ in totals), " | ".join(money(value) for _, value in totals)]
    else:
        out += [f"{label}: {money(value)}" for label, value in totals]
    footer = []
    if spec.layout == "footer_vendor":
        footer.append(" | ".join(vendor_lines))
    if spec.terms:
        footer.append(f"{_label(spec, 'payment_terms')}: {spec.terms}")
    if loc.iban:
        footer.append(f"IBAN: {group4(loc.iban)}" + (f"   BIC: {loc.bic}" if loc.bic else ""))
    page_one = "\n".join(out)
    if len(spec.lines) > 6:  # long invoices put the payment details on a second page
        return [page_one, "\n".join(footer) or "Thank you."]
    return ["\n".join([page_one, "", *footer])]


def corpus(count: int = 66, seed: int = 7) -> list[Spec]:
    """``count`` deterministic invoices cycling through layouts, locales and column orders."""
    rng = random.Random(seed)
    specs = []
    for index in range(count):
        locale = LOCALES[index % len(LOCALES)]
        layout = LAYOUTS[index % len(LAYOUTS)]
        columns = COLUMN_ORDERS[(index // 2) % len(COLUMN_ORDERS)]
        issued = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 300))
        # Days above 12 and below keep the day/month order honest.
        lines = [(rng.choice(PRODUCTS), Decimal(rng.randrange(1, 25)),
                  Decimal(rng.randrange(150, 250_000)) / 100) for _ in range(rng.randrange(1, 9))]
        styles = locale.dates
        specs.append(Spec(
            locale=locale, layout=layout, columns=columns, vendor=VENDORS[index % len(VENDORS)],
            customer=CUSTOMERS[rng.randrange(len(CUSTOMERS))], number=f"{rng.choice(['INV', 'F', 'RE', '2024'])}-"
            f"{rng.randrange(100, 99999):05d}", issued=issued,
            due=issued + timedelta(days=30) if index % 5 else None,
            po=f"PO-{rng.randrange(1000, 9999)}" if index % 3 == 0 else None,
            terms=LABELS[locale.language]["terms"][index % 2] if index % 4 == 1 else None,
            lines=lines, rate=Decimal(rng.choice([0, 5, 7, 10, 19, 20, 21])) if locale.language != "nl"
            else Decimal(21), with_due=index % 2 == 0, date_style=styles[index % len(styles)],
            label_choice=rng.randrange(0, 6),
        ))
    return specs


def credit_notes() -> list[Spec]:
    """Credit notes in each language: titled with positive amounts, and with negative amounts."""
    base = corpus(10, seed=11)
    out = []
    for index, spec in enumerate(base):
        locale = LOCALES[[0, 4, 6, 8, 10][index % 5]]
        out.append(replace(spec, locale=locale, credit_note=True, negative=index % 2 == 1,
                           date_style=locale.dates[0]))
    return out


def pdf(spec: Spec) -> bytes:
    return text_pdf(render(spec))


# E-invoices --------------------------------------------------------------------------------------------

UBL_NS = ('xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2" '
          'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
          'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"')


@dataclass
class EInvoice:
    number: str = "INV-2024-0042"
    issued: date = date(2024, 3, 14)
    due: date = date(2024, 4, 13)
    currency: str = "EUR"
    vendor: str = "De Vries Techniek B.V."
    vendor_street: str = "Keizersgracht 221"
    vendor_city: str = "Amsterdam"
    vendor_zip: str = "1016 DV"
    vendor_country: str = "NL"
    vendor_vat: str = "NL004495445B01"
    customer: str = "Contoso Retail"
    iban: str = field(default_factory=lambda: iban("NL", "ABNA0417164300"))
    bic: str = "ABNANL2A"
    po: str = "PO-7781"
    terms: str = "Payment within 30 days"
    lines: list[tuple[str, Decimal, Decimal, Decimal]] = field(default_factory=lambda: [
        ("Consulting hours", Decimal("12"), Decimal("95.00"), Decimal("21")),
        ("USB-C docking station", Decimal("3"), Decimal("149.90"), Decimal("21")),
    ])
    credit_note: bool = False

    def amounts(self) -> tuple[Decimal, Decimal, Decimal]:
        net = sum(((q * p).quantize(CENT) for _, q, p, _ in self.lines), Decimal("0.00"))
        tax = sum(((q * p).quantize(CENT) * r / 100 for _, q, p, r in self.lines), Decimal(0)).quantize(CENT)
        return net, tax, net + tax


def ubl(doc: EInvoice) -> bytes:
    root = "CreditNote" if doc.credit_note else "Invoice"
    net, tax, total = doc.amounts()
    line_tag = "CreditNoteLine" if doc.credit_note else "InvoiceLine"
    qty_tag = "CreditedQuantity" if doc.credit_note else "InvoicedQuantity"
    lines = "".join(f"""
  <cac:{line_tag}>
    <cbc:ID>{n}</cbc:ID>
    <cbc:{qty_tag} unitCode="C62">{q}</cbc:{qty_tag}>
    <cbc:LineExtensionAmount currencyID="{doc.currency}">{(q * p).quantize(CENT)}</cbc:LineExtensionAmount>
    <cac:Item>
      <cbc:Name>{name}</cbc:Name>
      <cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>{r}</cbc:Percent>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="{doc.currency}">{p}</cbc:PriceAmount></cac:Price>
  </cac:{line_tag}>""" for n, (name, q, p, r) in enumerate(doc.lines, 1))
    type_code = ("<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>" if doc.credit_note
                 else "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>")
    due = "" if doc.credit_note else f"<cbc:DueDate>{doc.due.isoformat()}</cbc:DueDate>"
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<{root} {UBL_NS.format(root=root)}>
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
  <cbc:ID>{doc.number}</cbc:ID>
  <cbc:IssueDate>{doc.issued.isoformat()}</cbc:IssueDate>
  {due}
  {type_code}
  <cbc:DocumentCurrencyCode>{doc.currency}</cbc:DocumentCurrencyCode>
  <cac:OrderReference><cbc:ID>{doc.po}</cbc:ID></cac:OrderReference>
  <cac:AccountingSupplierParty>
    <cac:Party>
      <cac:PartyName><cbc:Name>{doc.vendor}</cbc:Name></cac:PartyName>
      <cac:PostalAddress>
        <cbc:StreetName>{doc.vendor_street}</cbc:StreetName>
        <cbc:CityName>{doc.vendor_city}</cbc:CityName>
        <cbc:PostalZone>{doc.vendor_zip}</cbc:PostalZone>
        <cac:Country><cbc:IdentificationCode>{doc.vendor_country}</cbc:IdentificationCode></cac:Country>
      </cac:PostalAddress>
      <cac:PartyTaxScheme><cbc:CompanyID>{doc.vendor_vat}</cbc:CompanyID>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
      <cac:PartyLegalEntity><cbc:RegistrationName>{doc.vendor}</cbc:RegistrationName></cac:PartyLegalEntity>
    </cac:Party>
  </cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty>
    <cac:Party>
      <cac:PartyName><cbc:Name>{doc.customer}</cbc:Name></cac:PartyName>
      <cac:PostalAddress><cbc:CityName>Leeds</cbc:CityName>
        <cac:Country><cbc:IdentificationCode>GB</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
      <cac:PartyLegalEntity><cbc:RegistrationName>{doc.customer}</cbc:RegistrationName></cac:PartyLegalEntity>
    </cac:Party>
  </cac:AccountingCustomerParty>
  <cac:PaymentMeans>
    <cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>
    <cac:PayeeFinancialAccount>
      <cbc:ID>{doc.iban}</cbc:ID>
      <cac:FinancialInstitutionBranch><cbc:ID>{doc.bic}</cbc:ID></cac:FinancialInstitutionBranch>
    </cac:PayeeFinancialAccount>
  </cac:PaymentMeans>
  <cac:PaymentTerms><cbc:Note>{doc.terms}</cbc:Note></cac:PaymentTerms>
  <cac:TaxTotal>
    <cbc:TaxAmount currencyID="{doc.currency}">{tax}</cbc:TaxAmount>
    <cac:TaxSubtotal>
      <cbc:TaxableAmount currencyID="{doc.currency}">{net}</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="{doc.currency}">{tax}</cbc:TaxAmount>
      <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>21</cbc:Percent>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>
    </cac:TaxSubtotal>
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="{doc.currency}">{net}</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="{doc.currency}">{net}</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="{doc.currency}">{total}</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="{doc.currency}">{total}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>{lines}
</{root}>
"""
    return xml.encode("utf-8")


def cii(doc: EInvoice) -> bytes:
    net, tax, total = doc.amounts()
    lines = "".join(f"""
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>{n}</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct><ram:Name>{name}</ram:Name></ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement>
        <ram:NetPriceProductTradePrice><ram:ChargeAmount>{p}</ram:ChargeAmount></ram:NetPriceProductTradePrice>
      </ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery>
        <ram:BilledQuantity unitCode="C62">{q}</ram:BilledQuantity>
      </ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode>
          <ram:RateApplicablePercent>{r}</ram:RateApplicablePercent></ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementLineMonetarySummation>
          <ram:LineTotalAmount>{(q * p).quantize(CENT)}</ram:LineTotalAmount>
        </ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>""" for n, (name, q, p, r) in enumerate(doc.lines, 1))
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
    xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>{doc.number}</ram:ID>
    <ram:TypeCode>{381 if doc.credit_note else 380}</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">{doc.issued:%Y%m%d}</udt:DateTimeString></ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>{lines}
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty>
        <ram:Name>{doc.vendor}</ram:Name>
        <ram:PostalTradeAddress>
          <ram:PostcodeCode>{doc.vendor_zip}</ram:PostcodeCode>
          <ram:LineOne>{doc.vendor_street}</ram:LineOne>
          <ram:CityName>{doc.vendor_city}</ram:CityName>
          <ram:CountryID>{doc.vendor_country}</ram:CountryID>
        </ram:PostalTradeAddress>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">{doc.vendor_vat}</ram:ID></ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>{doc.customer}</ram:Name></ram:BuyerTradeParty>
      <ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>{doc.po}</ram:IssuerAssignedID></ram:BuyerOrderReferencedDocument>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery/>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>{doc.currency}</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementPaymentMeans>
        <ram:TypeCode>58</ram:TypeCode>
        <ram:PayeePartyCreditorFinancialAccount><ram:IBANID>{doc.iban}</ram:IBANID></ram:PayeePartyCreditorFinancialAccount>
        <ram:PayeeSpecifiedCreditorFinancialInstitution><ram:BICID>{doc.bic}</ram:BICID></ram:PayeeSpecifiedCreditorFinancialInstitution>
      </ram:SpecifiedTradeSettlementPaymentMeans>
      <ram:ApplicableTradeTax>
        <ram:CalculatedAmount>{tax}</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>
        <ram:BasisAmount>{net}</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode>
        <ram:RateApplicablePercent>21</ram:RateApplicablePercent>
      </ram:ApplicableTradeTax>
      <ram:SpecifiedTradePaymentTerms>
        <ram:Description>{doc.terms}</ram:Description>
        <ram:DueDateDateTime>
          <udt:DateTimeString format="102">{doc.due:%Y%m%d}</udt:DateTimeString>
        </ram:DueDateDateTime>
      </ram:SpecifiedTradePaymentTerms>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>{net}</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>{net}</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="{doc.currency}">{tax}</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>{total}</ram:GrandTotalAmount>
        <ram:DuePayableAmount>{total}</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"""
    return xml.encode("utf-8")


def facturx_pdf(doc: EInvoice, xml: bytes | None = None) -> bytes:
    """A PDF showing the invoice, with its CII XML (or ``xml``) embedded as ``factur-x.xml``, as Factur-X and
    ZUGFeRD do."""
    from fpdf import FPDF

    net, tax, total = doc.amounts()
    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, f"{doc.vendor}\nFACTURE {doc.number}\nTotal HT: {net} EUR\nTVA: {tax} EUR\n"
                         f"Total TTC: {total} EUR")
    pdf.embed_file(bytes=cii(doc) if xml is None else xml, basename="factur-x.xml", mime_type="text/xml",
                   associated_file_relationship="Data")
    return bytes(pdf.output())


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>&xxe;</cbc:ID></Invoice>
"""
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&lol9;</Invoice>
"""
XXE_CII = b"""<?xml version="1.0"?>
<!DOCTYPE rsm:CrossIndustryInvoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">&xxe;
</rsm:CrossIndustryInvoice>
"""
MALFORMED = b"""<?xml version="1.0"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>1</cbc:ID>
"""
