# ruff: noqa: RUF001
"""The regression set: invoice layouts modelled on real ones, each knowing the values it must yield.

These styles were first written without looking at the extractor, but their expected values have since changed
together with it, so they are a regression set, not a held-out one: accuracy on documents nobody here wrote is
measured on real public invoices (``benchmarks/bench_reader.py``).

Each style places text where such invoices put it (address windows, two-column blocks, totals at the right,
footers in columns, a table carried over to a second page) in a real PDF with positioned text, so pdfium
reads it the way it reads invoices from the wild (one line per baseline, cells joined by single spaces).
Every document knows the values it must yield. Nothing here is shared with ``generate.py``: the point is
a second opinion that the extractor was not written against.

``documents()`` gives the family; ``pdf(doc)`` its bytes; ``scan(doc)`` a noisy image-only PDF of it.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
_FIXED = datetime(2024, 3, 14, 9, 30, tzinfo=UTC)
_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#: The header fields every document of the set is scored on (None: the invoice does not print it).
SCORED = ("vendor_name", "invoice_number", "invoice_date", "due_date", "currency", "subtotal", "tax_total", "total",
          "vendor_tax_id", "vendor_iban", "amount_due", "customer_name", "document_type")


@dataclass(frozen=True)
class Text:
    x: float  # mm from the left edge (the right edge when ``right``)
    y: float  # mm from the top (baseline)
    text: str
    size: float = 9
    bold: bool = False
    right: bool = False


@dataclass
class Sheet:
    """One page being laid out."""

    items: list[Text] = field(default_factory=list)

    def put(self, x: float, y: float, text: str, size: float = 9, *, bold: bool = False, right: bool = False) -> None:
        self.items.append(Text(x, y, text, size, bold, right))

    def block(self, x: float, y: float, lines: list[str], size: float = 9, step: float = 4.5, *,
              right: bool = False) -> float:
        for index, line in enumerate(lines):
            self.put(x, y + index * step, line, size, right=right)
        return y + len(lines) * step


@dataclass
class StyledInvoice:
    name: str  # style-variant
    style: str
    pages: list[Sheet]
    expected: dict[str, Any]
    lines: list[tuple[str, Decimal, Decimal, Decimal]]  # description, quantity, unit price, amount


# Numbers and dates written the local way ------------------------------------------------------------------


def money(value: Decimal, style: str) -> str:
    """``en`` 1,234.56 | ``de`` 1.234,56 | ``fr`` 1 234,56 (narrow no-break space) | ``in`` 1,23,456.78."""
    sign = "-" if value < 0 else ""
    whole, _, cents = f"{abs(value):.2f}".partition(".")
    if style == "in" and len(whole) > 3:
        head, tail = whole[:-3], whole[-3:]
        pairs = []
        while len(head) > 2:
            pairs.insert(0, head[-2:])
            head = head[:-2]
        groups, sep, dec = [head, *pairs, tail], ",", "."
    else:
        groups = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        groups.insert(0, whole)
        sep, dec = {"en": (",", "."), "de": (".", ","), "fr": ("\u202f", ","), "in": (",", ".")}[style]
    return f"{sign}{sep.join(groups)}{dec}{cents}"


_EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December"]


def long_date(value: date) -> str:
    return f"{_EN_MONTHS[value.month - 1]} {value.day}, {value.year}"


def dmy(value: date, sep: str = "/") -> str:
    return f"{value.day:02d}{sep}{value.month:02d}{sep}{value.year}"


def mdy(value: date) -> str:
    return f"{value.month:02d}/{value.day:02d}/{value.year}"


def iban(country: str, bban: str) -> str:
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def spaced(value: str) -> str:
    return " ".join(value[i:i + 4] for i in range(0, len(value), 4))


def _items(rng: random.Random, catalogue: list[str], count: int, low: int = 500, high: int = 90_000
           ) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    rows = []
    for description in rng.sample(catalogue, count):
        quantity = Decimal(rng.randrange(1, 12))
        unit = Decimal(rng.randrange(low, high)) / 100
        rows.append((description, quantity, unit, (quantity * unit).quantize(CENT, ROUND_HALF_UP)))
    return rows


def _tax(base: Decimal, rate: Decimal) -> Decimal:
    return (base * rate / 100).quantize(CENT, ROUND_HALF_UP)


def _expected(**values: Any) -> dict[str, Any]:
    out = {name: None for name in SCORED}
    out["document_type"] = "invoice"
    out.update(values)
    return out


# Styles ------------------------------------------------------------------------------------------------------

_SOFTWARE = ["Team plan (monthly)", "Additional seats", "API usage overage", "Priority support add-on",
             "Storage 500 GB", "Onboarding session"]


def saas_receipt(variant: int) -> StyledInvoice:
    """Stripe / Paddle style: 'Invoice' top left, a key/value list, From / Bill to side by side, 'Amount due'."""
    rng = random.Random(100 + variant)
    euro = variant % 2 == 0
    vendor = ("Cloudcraft Software Ltd", ["1 Grand Canal Quay", "Dublin 2, D02 XY45", "Ireland",
                                          "billing@cloudcraft.io"]) if euro else \
        ("Orbitly, Inc.", ["548 Market Street, PMB 30211", "San Francisco, California 94104", "United States",
                           "support@orbitly.com"])
    customer = ["Fabrikam Industries", "Attn: Accounts Payable", "22 Rue Oberkampf", "75011 Paris",
                "France"] if euro else ["Tailspin Toys", "1200 Elm Street", "Austin, Texas 78701", "United States"]
    number = f"{rng.choice(['8F3A2C1D', 'C0FFEE42', 'A1B2C3D4'])}-{rng.randrange(1, 40):04d}"
    issued = date(2024, rng.randrange(1, 13), rng.randrange(1, 28))
    due = date.fromordinal(issued.toordinal() + 14)
    rows = _items(rng, _SOFTWARE, 3, 900, 49_900)
    subtotal = sum((row[3] for row in rows), Decimal("0.00"))
    rate = Decimal(23) if euro else Decimal(0)
    tax = _tax(subtotal, rate)
    total = subtotal + tax
    symbol = "€" if euro else "$"

    def cash(value: Decimal) -> str:
        return f"{symbol}{money(value, 'en')}"

    page = Sheet()
    page.put(20, 22, "Invoice", 18, bold=True)
    page.block(20, 34, [f"Invoice number   {number}", f"Date of issue   {long_date(issued)}",
                        f"Date due   {long_date(due)}"])
    page.put(190, 22, vendor[0], 11, bold=True, right=True)
    page.block(20, 54, [vendor[0], *vendor[1]] + (["EU VAT IE6388047V"] if euro else []))
    page.put(85, 54, "Bill to", bold=True)
    page.block(85, 58.5, customer)
    page.put(20, 92, f"{cash(total)} {'EUR' if euro else 'USD'} due {long_date(due)}", 13, bold=True)
    page.put(20, 100, "Pay online")
    y = 112.0
    page.put(20, y, "Description")
    page.put(125, y, "Qty", right=True)
    page.put(160, y, "Unit price", right=True)
    page.put(190, y, "Amount", right=True)
    for description, quantity, unit, amount in rows:
        y += 6
        page.put(20, y, description)
        page.put(125, y, f"{quantity}", right=True)
        page.put(160, y, cash(unit), right=True)
        page.put(190, y, cash(amount), right=True)
    y += 10
    totals = [("Subtotal", cash(subtotal))]
    if euro:
        totals.append((f"VAT - Ireland (23% on {cash(subtotal)})", cash(tax)))
    totals += [("Total", cash(total)), ("Amount due", f"{cash(total)} {'EUR' if euro else 'USD'}")]
    for label, value in totals:
        page.put(110, y, label)
        page.put(190, y, value, right=True)
        y += 6
    page.put(20, 280, f"{number} · {cash(total)} due {long_date(due)}", 7)
    expected = _expected(vendor_name=vendor[0], invoice_number=number, invoice_date=issued, due_date=due,
                         currency="EUR" if euro else "USD", subtotal=subtotal, tax_total=tax if euro else None,
                         total=total, amount_due=total, customer_name=customer[0],
                         vendor_tax_id="IE6388047V" if euro else None)
    return StyledInvoice(f"saas-{variant}", "saas", [page], expected, rows)


_MACHINES = ["Wartung Hydraulikpresse", "Ersatzteil Dichtungssatz HX-20", "Montage vor Ort (Std.)",
             "Anfahrtspauschale", "Schmierstoff Spezial 5 l", "Sicherheitsprüfung nach DGUV V3"]


def din5008(variant: int) -> StyledInvoice:
    """German DIN 5008 letter: sender line over the address window, info block at the right, footer columns."""
    rng = random.Random(200 + variant)
    vendor = "Müller Maschinenbau GmbH" if variant % 2 == 0 else "Schneider & Söhne Haustechnik GmbH & Co. KG"
    street, city = ("Industriestraße 7", "70565 Stuttgart") if variant % 2 == 0 else ("Am Hafen 12", "28217 Bremen")
    vat_id = "DE136695976" if variant % 2 == 0 else "DE811569869"
    account = iban("DE", "370400440532013000") if variant % 2 == 0 else iban("DE", "290400900123456789")
    number = f"{2024}-{rng.randrange(100, 9999):04d}"
    issued = date(2024, rng.randrange(1, 13), rng.randrange(1, 28))
    served = date.fromordinal(issued.toordinal() - 3)
    due = date.fromordinal(issued.toordinal() + 14)
    rows = _items(rng, _MACHINES, 4, 2_000, 120_000)
    net = sum((row[3] for row in rows), Decimal("0.00"))
    tax = _tax(net, Decimal(19))
    gross = net + tax
    page = Sheet()
    page.put(20, 20, vendor, 14, bold=True)
    page.put(20, 47, f"{vendor} · {street} · {city}", 6.5)
    page.block(20, 54, ["Contoso Retail GmbH", "z. Hd. Frau Petra Weber", "Hauptstraße 5", "10115 Berlin"], 10, 5)
    page.block(125, 50, [f"Rechnungsnummer: {number}", f"Rechnungsdatum: {dmy(issued, '.')}",
                         f"Leistungsdatum: {dmy(served, '.')}", f"Kundennummer: K-{rng.randrange(1000, 9999)}",
                         "Ihr Ansprechpartner: Jan Keller"], 8.5, 4.5)
    page.put(20, 98, f"Rechnung Nr. {number}", 12, bold=True)
    page.put(20, 108, "Sehr geehrte Damen und Herren,")
    page.put(20, 113, "wir bedanken uns für Ihren Auftrag und stellen Ihnen folgende Leistungen in Rechnung:")
    y = 124.0
    for x, head, right in [(20, "Pos.", False), (32, "Bezeichnung", False), (120, "Menge", True),
                           (150, "Einzelpreis", True), (190, "Gesamt", True)]:
        page.put(x, y, head, bold=True, right=right)
    for position, (description, quantity, unit, amount) in enumerate(rows, 1):
        y += 6
        page.put(20, y, str(position))
        page.put(32, y, description)
        page.put(120, y, f"{quantity} Stk.", right=True)
        page.put(150, y, f"{money(unit, 'de')} €", right=True)
        page.put(190, y, f"{money(amount, 'de')} €", right=True)
    y += 10
    for label, value in [("Nettobetrag", net), ("zzgl. 19 % USt.", tax), ("Gesamtbetrag", gross)]:
        page.put(120, y, label, bold=label == "Gesamtbetrag")
        page.put(190, y, f"{money(value, 'de')} €", right=True)
        y += 6
    if variant % 2 == 0:
        page.put(20, y + 8, f"Zahlbar bis {dmy(due, '.')} ohne Abzug.")
    else:
        page.put(20, y + 8, "Zahlungsziel: 14 Tage netto. Vielen Dank für die gute Zusammenarbeit.")
    page.put(20, y + 14, "Mit freundlichen Grüßen")
    bank = "Commerzbank Stuttgart" if variant % 2 == 0 else "Sparkasse Bremen"
    footer = [[vendor, street, city], ["Geschäftsführer: Karl Müller", "Amtsgericht Stuttgart HRB 12345",
                                      f"USt-IdNr.: {vat_id}"], [bank, f"IBAN: {spaced(account)}", "BIC: COBADEFFXXX"]]
    for column, lines in zip((20, 85, 145), footer, strict=True):
        page.block(column, 275, lines, 6.5, 3.2)
    expected = _expected(vendor_name=vendor, invoice_number=number, invoice_date=issued,
                         due_date=due if variant % 2 == 0 else None, currency="EUR", subtotal=net, tax_total=tax,
                         total=gross, customer_name="Contoso Retail GmbH", vendor_tax_id=vat_id, vendor_iban=account)
    return StyledInvoice(f"din5008-{variant}", "din5008", [page], expected, rows)


_BAKERY = ["Baguette tradition (lot de 20)", "Croissants pur beurre (x50)", "Pain de campagne 1 kg",
           "Livraison matinale", "Tartes aux pommes (x6)", "Location vitrine réfrigérée"]


def facture(variant: int) -> StyledInvoice:
    """French facture: client box at the right, Total HT / TVA / Total TTC / Net à payer, legal footer."""
    rng = random.Random(300 + variant)
    vendor = "Boulangerie Dupont SARL" if variant % 2 == 0 else "Atelier Lefèvre SAS"
    number = f"FA-2024-{rng.randrange(10, 999):04d}"
    issued = date(2024, rng.randrange(1, 13), rng.randrange(1, 28))
    due = date.fromordinal(issued.toordinal() + 30)
    rows = _items(rng, _BAKERY, 3, 300, 40_000)
    net = sum((row[3] for row in rows), Decimal("0.00"))
    rate = Decimal(20) if variant % 2 == 0 else Decimal("5.5")
    tax = _tax(net, rate)
    gross = net + tax
    account = iban("FR", "20041010050500013M02606")
    page = Sheet()
    page.block(20, 20, [vendor, "5 rue des Lilas", "69002 Lyon", "Tél. 04 78 00 00 00"], 9, 4.5)
    page.put(120, 45, "Client", bold=True)
    page.block(120, 50, ["Fabrikam France SAS", "Service comptabilité", "12 avenue Jean Jaurès", "75019 Paris"])
    page.put(20, 78, "FACTURE", 16, bold=True)
    page.block(20, 88, [f"Facture n° {number}", f"Date de facturation : {dmy(issued)}",
                        f"Date d'échéance : {dmy(due)}", "Mode de règlement : virement"])
    y = 115.0
    for x, head, right in [(20, "Désignation", False), (125, "Qté", True), (158, "Prix unitaire HT", True),
                           (190, "Total HT", True)]:
        page.put(x, y, head, bold=True, right=right)
    for description, quantity, unit, amount in rows:
        y += 6
        page.put(20, y, description)
        page.put(125, y, str(quantity), right=True)
        page.put(158, y, f"{money(unit, 'fr')} €", right=True)
        page.put(190, y, f"{money(amount, 'fr')} €", right=True)
    y += 10
    for label, value in [("Total HT", net), (f"TVA {str(rate).replace('.', ',')} %", tax), ("Total TTC", gross),
                         ("Net à payer", gross)]:
        page.put(130, y, label, bold=label == "Net à payer")
        page.put(190, y, f"{money(value, 'fr')} €", right=True)
        y += 6
    page.put(20, y + 6, "En cas de retard de paiement, une pénalité de 3 fois le taux d'intérêt légal sera appliquée,",
             7)
    page.put(20, y + 10, "ainsi qu'une indemnité forfaitaire pour frais de recouvrement de 40 €.", 7)
    page.put(105, 276, f"{vendor} au capital de 10 000 € – SIRET 303 265 045 00014 – RCS Lyon", 6.5, right=False)
    page.put(20, 280, f"N° TVA intracommunautaire : FR40303265045 – IBAN : {spaced(account)} – BIC : PSSTFRPPPAR",
             6.5)
    expected = _expected(vendor_name=vendor, invoice_number=number, invoice_date=issued, due_date=due,
                         currency="EUR", subtotal=net, tax_total=tax, total=gross, amount_due=gross,
                         customer_name="Fabrikam France SAS", vendor_tax_id="FR40303265045", vendor_iban=account)
    return StyledInvoice(f"facture-{variant}", "facture", [page], expected, rows)


_SUPPLIES = ["Tornillería inoxidable M8 (caja)", "Taladro percutor 800 W", "Guantes de nitrilo (100 uds.)",
             "Cinta americana 50 m", "Porte y entrega", "Escalera de aluminio 3 tramos"]


def factura(variant: int) -> StyledInvoice:
    """Spanish factura: emisor and cliente side by side, Base imponible / IVA 21 % / Total factura."""
    rng = random.Random(400 + variant)
    vendor = "Suministros García S.L." if variant % 2 == 0 else "Ferretería Hermanos Ruiz S.A."
    nif = "ESB58378431" if variant % 2 == 0 else "ESA28015865"
    number = f"A-2024/{rng.randrange(1, 999):04d}"
    issued = date(2024, rng.randrange(1, 13), rng.randrange(1, 28))
    due = date.fromordinal(issued.toordinal() + 30)
    rows = _items(rng, _SUPPLIES, 4, 250, 30_000)
    net = sum((row[3] for row in rows), Decimal("0.00"))
    tax = _tax(net, Decimal(21))
    gross = net + tax
    account = iban("ES", "21000418450200051332")
    page = Sheet()
    page.put(20, 20, "FACTURA", 18, bold=True)
    page.put(20, 32, "Emisor", bold=True)
    page.put(110, 32, "Cliente", bold=True)
    for index, (left, right) in enumerate(zip(
            [vendor, "Calle Mayor 18", "28013 Madrid", f"NIF: {nif[2:]}"],
            ["Contoso Ibérica S.L.", "Avenida Diagonal 640", "08017 Barcelona", "NIF: B12345678"], strict=True)):
        page.put(20, 37 + 4.5 * index, left)
        page.put(110, 37 + 4.5 * index, right)
    page.block(20, 66, [f"Nº de factura: {number}", f"Fecha de expedición: {dmy(issued)}",
                        f"Fecha de vencimiento: {dmy(due)}"])
    y = 90.0
    for x, head, right in [(20, "Concepto", False), (120, "Cantidad", True), (155, "Precio", True),
                           (190, "Importe", True)]:
        page.put(x, y, head, bold=True, right=right)
    for description, quantity, unit, amount in rows:
        y += 6
        page.put(20, y, description)
        page.put(120, y, str(quantity), right=True)
        page.put(155, y, f"{money(unit, 'de')} €", right=True)
        page.put(190, y, f"{money(amount, 'de')} €", right=True)
    y += 10
    for label, value in [("Base imponible", net), ("IVA 21 %", tax), ("Total factura", gross)]:
        page.put(125, y, label, bold=label == "Total factura")
        page.put(190, y, f"{money(value, 'de')} €", right=True)
        y += 6
    page.put(20, y + 8, f"Forma de pago: transferencia bancaria a {spaced(account)}")
    page.put(20, 280, f"{vendor} · CIF {nif[2:]} · Inscrita en el Registro Mercantil de Madrid, Tomo 1234", 6.5)
    expected = _expected(vendor_name=vendor, invoice_number=number, invoice_date=issued, due_date=due,
                         currency="EUR", subtotal=net, tax_total=tax, total=gross, customer_name="Contoso Ibérica S.L.",
                         vendor_tax_id=nif[2:], vendor_iban=account)  # the NIF as printed, without "ES"
    return StyledInvoice(f"factura-{variant}", "factura", [page], expected, rows)


_SERVICES = ["Onderhoud installatie", "Voorrijkosten", "Vervangen filterset", "Arbeid monteur (uur)",
             "Klein materiaal", "Inspectie en rapportage"]


def factuur(variant: int) -> StyledInvoice:
    """Dutch factuur: Totaal excl. btw / btw 21% / Totaal incl. btw / Te betalen, KvK and IBAN in the footer."""
    rng = random.Random(500 + variant)
    vendor = "De Vries Techniek B.V." if variant % 2 == 0 else "Bakker Installaties B.V."
    vat_id = "NL004495445B01" if variant % 2 == 0 else "NL853746333B01"
    number = f"{2024}{rng.randrange(1000, 9999)}"
    issued = date(2024, rng.randrange(1, 13), rng.randrange(1, 28))
    due = date.fromordinal(issued.toordinal() + 14)
    rows = _items(rng, _SERVICES, 3, 1_500, 60_000)
    net = sum((row[3] for row in rows), Decimal("0.00"))
    tax = _tax(net, Decimal(21))
    gross = net + tax
    account = iban("NL", "ABNA0417164300")
    page = Sheet()
    page.block(190, 20, [vendor, "Keizersgracht 221", "1016 DV Amsterdam", "info@devries-techniek.nl"], right=True)
    page.block(20, 50, ["Northwind Traders B.V.", "t.a.v. crediteurenadministratie", "Stationsplein 3",
                        "3511 ED Utrecht"], 10, 5)
    page.put(20, 85, "Factuur", 16, bold=True)
    page.block(20, 95, [f"Factuurnummer: {number}", f"Factuurdatum: {dmy(issued, '-')}",
                        f"Vervaldatum: {dmy(due, '-')}", f"Klantnummer: {rng.randrange(10000, 99999)}"])
    y = 122.0
    for x, head, right in [(20, "Omschrijving", False), (125, "Aantal", True), (158, "Prijs", True),
                           (190, "Bedrag", True)]:
        page.put(x, y, head, bold=True, right=right)
    for description, quantity, unit, amount in rows:
        y += 6
        page.put(20, y, description)
        page.put(125, y, str(quantity), right=True)
        page.put(158, y, f"€ {money(unit, 'de')}", right=True)
        page.put(190, y, f"€ {money(amount, 'de')}", right=True)
    y += 10
    for label, value in [("Totaal excl. btw", net), ("btw 21%", tax), ("Totaal incl. btw", gross),
                         ("Te betalen", gross)]:
        page.put(125, y, label)
        page.put(190, y, f"€ {money(value, 'de')}", right=True)
        y += 6
    page.put(20, y + 8, f"Wij verzoeken u het bedrag vóór {dmy(due, '-')} over te maken onder vermelding van het "
                        "factuurnummer.", 8)
    page.put(20, 280, f"KvK 12345678 | btw-nr. {vat_id} | IBAN {spaced(account)} | BIC ABNANL2A", 6.5)
    expected = _expected(vendor_name=vendor, invoice_number=number, invoice_date=issued, due_date=due,
                         currency="EUR", subtotal=net, tax_total=tax, total=gross, amount_due=gross,
                         customer_name="Northwind Traders B.V.", vendor_tax_id=vat_id, vendor_iban=account)
    return StyledInvoice(f"factuur-{variant}", "factuur", [page], expected, rows)


_TEXTILES = ["Cotton fabric 60s (metres)", "Polyester blend 40s (metres)", "Dyeing charges",
             "Packing and forwarding", "Silk saree border roll", "Embroidery thread (kg)"]


def gst_invoice(variant: int) -> StyledInvoice:
    """Indian GST tax invoice: GSTINs for both parties, HSN column, CGST + SGST, rupees with lakh grouping."""
    rng = random.Random(600 + variant)
    vendor = "Shree Textiles Pvt Ltd" if variant % 2 == 0 else "Bharat Fabrics Private Limited"
    gstin = "27AAPFU0939F1ZV" if variant % 2 == 0 else "27AAACR5055K1Z7"
    number = f"MH/24-25/{rng.randrange(1, 999):04d}"
    issued = date(2024, rng.randrange(4, 13), rng.randrange(1, 28))
    due = date.fromordinal(issued.toordinal() + 30)
    rows = _items(rng, _TEXTILES, 3, 20_000, 5_000_000)
    taxable = sum((row[3] for row in rows), Decimal("0.00"))
    half = _tax(taxable, Decimal(9))
    total = taxable + 2 * half
    rupee = "₹" if variant % 2 == 0 else "Rs."
    page = Sheet()
    page.put(105, 15, "TAX INVOICE", 14, bold=True)
    page.block(20, 25, [vendor, "Plot 44, MIDC Bhosari", "Pune, Maharashtra 411026", f"GSTIN: {gstin}",
                        "State: Maharashtra, Code: 27"])
    page.block(120, 25, [f"Invoice No.: {number}", f"Invoice Date: {dmy(issued, '-')}",
                         f"Due Date: {dmy(due, '-')}", "Place of Supply: Maharashtra (27)"])
    page.put(20, 55, "Bill To:", bold=True)
    page.block(20, 60, ["Globex Apparel LLP", "Andheri East, Mumbai 400069", "GSTIN: 27AAGCB7383J1Z4"])
    y = 80.0
    for x, head, right in [(20, "Sr.", False), (30, "Description of Goods", False), (105, "HSN", False),
                           (130, "Qty", True), (158, "Rate", True), (190, "Amount", True)]:
        page.put(x, y, head, bold=True, right=right)
    for position, (description, quantity, unit, amount) in enumerate(rows, 1):
        y += 6
        page.put(20, y, str(position))
        page.put(30, y, description)
        page.put(105, y, str(5208 + position))
        page.put(130, y, str(quantity), right=True)
        page.put(158, y, money(unit, "in"), right=True)
        page.put(190, y, money(amount, "in"), right=True)
    y += 10
    for label, value in [("Taxable Value", taxable), ("CGST @ 9%", half), ("SGST @ 9%", half),
                         ("Total Invoice Value", total)]:
        page.put(120, y, label, bold=label.startswith("Total"))
        page.put(190, y, f"{rupee} {money(value, 'in')}", right=True)
        y += 6
    page.put(20, y + 6, "Amount in words: Indian Rupees as per total above only", 8)
    page.put(20, y + 16, "Bank: HDFC Bank, A/c No. 50200012345678, IFSC HDFC0000123", 8)
    page.put(140, y + 30, f"For {vendor}", 8)
    page.put(140, y + 42, "Authorised Signatory", 8)
    expected = _expected(vendor_name=vendor, invoice_number=number, invoice_date=issued, due_date=due,
                         currency="INR", subtotal=taxable, tax_total=2 * half, total=total,
                         customer_name="Globex Apparel LLP", vendor_tax_id=gstin)
    return StyledInvoice(f"gst-{variant}", "gst", [page], expected, rows)


_WORK = ["Website redesign - phase 2", "Hosting (12 months)", "Content migration", "SEO audit",
         "Logo refresh", "Training workshop (half day)"]


def us_invoice(variant: int) -> StyledInvoice:
    """US invoice: title at the right, Bill To / Ship To side by side, Subtotal / Sales Tax / Balance Due."""
    rng = random.Random(700 + variant)
    vendor = "Northwind Analytics Inc." if variant % 2 == 0 else "Bluebird Creative LLC"
    number = str(rng.randrange(1000, 9999))
    issued = date(2024, rng.randrange(1, 13), rng.randrange(1, 13))
    due = date.fromordinal(issued.toordinal() + 30)
    rows = _items(rng, _WORK, 3, 5_000, 400_000)
    subtotal = sum((row[3] for row in rows), Decimal("0.00"))
    rate = Decimal("8.25")
    tax = _tax(subtotal, rate)
    total = subtotal + tax
    page = Sheet()
    page.block(20, 20, [vendor, "400 Pine Street, Suite 12", "Seattle, WA 98101", "(206) 555-0142"])
    page.put(190, 22, "INVOICE", 20, bold=True, right=True)
    page.block(190, 32, [f"Invoice # {number}", f"Invoice Date {mdy(issued)}", f"Due Date {mdy(due)}",
                         "Terms Net 30"], right=True)
    page.put(20, 62, "Bill To", bold=True)
    page.put(110, 62, "Ship To", bold=True)
    for index, (left, right) in enumerate(zip(["Contoso Retail", "Attn: Maria Lopez", "12 Main St",
                                               "Portland, OR 97204"],
                                              ["Contoso Retail Warehouse", "Dock 4", "88 Industrial Way",
                                               "Gresham, OR 97030"], strict=True)):
        page.put(20, 67 + 4.5 * index, left)
        page.put(110, 67 + 4.5 * index, right)
    y = 100.0
    for x, head, right in [(20, "DESCRIPTION", False), (125, "QTY", True), (158, "RATE", True),
                           (190, "AMOUNT", True)]:
        page.put(x, y, head, bold=True, right=right)
    for description, quantity, unit, amount in rows:
        y += 6
        page.put(20, y, description)
        page.put(125, y, str(quantity), right=True)
        page.put(158, y, money(unit, "en"), right=True)
        page.put(190, y, money(amount, "en"), right=True)
    y += 10
    for label, value in [("Subtotal", subtotal), (f"Sales Tax ({rate}%)", tax), ("Total", total),
                         ("Balance Due", total)]:
        page.put(130, y, label, bold=label == "Balance Due")
        page.put(190, y, f"${money(value, 'en')}", right=True)
        y += 6
    page.put(20, y + 10, f"Make all checks payable to {vendor}. Thank you for your business!", 8)
    expected = _expected(vendor_name=vendor, invoice_number=number, invoice_date=issued, due_date=due,
                         currency="USD", subtotal=subtotal, tax_total=tax, total=total, amount_due=total,
                         customer_name="Contoso Retail")
    return StyledInvoice(f"us-{variant}", "us", [page], expected, rows)


_OFFICE = ["A4 copier paper (box of 5 reams)", "Ink cartridges (set)", "Desk organiser", "Same-day courier",
           "Ergonomic footrest", "Whiteboard 120x90"]


def uk_vat(variant: int) -> StyledInvoice:
    """UK VAT invoice: tax point, VAT registration in the header, totals boxed at the right, sort code."""
    rng = random.Random(800 + variant)
    vendor = "ACME Office Supplies Ltd" if variant % 2 == 0 else "Pennine Stationers Limited"
    number = f"INV-{rng.randrange(10000, 99999)}"
    issued = date(2024, rng.randrange(1, 13), rng.randrange(1, 28))
    due = date.fromordinal(issued.toordinal() + 30)
    rows = _items(rng, _OFFICE, 4, 199, 25_000)
    net = sum((row[3] for row in rows), Decimal("0.00"))
    tax = _tax(net, Decimal(20))
    gross = net + tax
    account = iban("GB", "NWBK60161331926819")
    page = Sheet()
    page.put(20, 20, vendor, 14, bold=True)
    page.block(20, 27, ["12 Harbour Road, Bristol BS1 4DJ", "VAT Reg No: GB 980 7806 84",
                        "Company No. 04567890"], 8)
    page.put(190, 20, "VAT INVOICE", 14, bold=True, right=True)
    page.block(20, 50, ["Invoice to:", "Initech Services Ltd", "Unit 7, Riverside Park", "Leeds LS2 7EW"])
    page.block(120, 50, [f"Invoice No: {number}", f"Date / Tax Point: {dmy(issued)}", f"Due: {dmy(due)}",
                         f"Account: INI{rng.randrange(100, 999)}"])
    y = 82.0
    for x, head, right in [(20, "Description", False), (120, "Qty", True), (150, "Price", True),
                           (190, "Net", True)]:
        page.put(x, y, head, bold=True, right=right)
    for description, quantity, unit, amount in rows:
        y += 6
        page.put(20, y, description)
        page.put(120, y, str(quantity), right=True)
        page.put(150, y, money(unit, "en"), right=True)
        page.put(190, y, money(amount, "en"), right=True)
    y += 12
    page.put(140, y, "Totals (GBP)", bold=True)
    for label, value in [("Net", net), ("VAT @ 20%", tax), ("Total", gross)]:
        y += 6
        page.put(140, y, label)
        page.put(190, y, f"£{money(value, 'en')}", right=True)
    page.put(20, 270, "Payment by BACS within 30 days: NatWest, Sort code 60-16-13, Account 31926819", 7.5)
    page.put(20, 274, f"IBAN {spaced(account)}  BIC NWBKGB2L", 7.5)
    expected = _expected(vendor_name=vendor, invoice_number=number, invoice_date=issued, due_date=due,
                         currency="GBP", subtotal=net, tax_total=tax, total=gross,
                         customer_name="Initech Services Ltd", vendor_tax_id="GB980780684", vendor_iban=account)
    return StyledInvoice(f"uk-{variant}", "uk", [page], expected, rows)


_PARTS = [f"Spare part {code}" for code in ("KX-100", "KX-220", "LM-310", "LM-480", "PQ-512", "PQ-640", "RS-700",
                                            "RS-750", "TV-800", "TV-880", "UW-910", "UW-990", "XY-101", "XY-202",
                                            "ZZ-303", "ZZ-404", "AB-505", "AB-606")]


def multipage(variant: int) -> StyledInvoice:
    """Two pages: the table runs over, page 1 ends with 'Carried forward', page 2 starts 'Brought forward'
    and ends with the totals (an Irish supplier in euros, or a German one with 'Übertrag')."""
    rng = random.Random(900 + variant)
    german = variant % 2 == 1
    rows = _items(rng, _PARTS, 16, 400, 20_000)
    first, second = rows[:11], rows[11:]
    carried = sum((row[3] for row in first), Decimal("0.00"))
    net = sum((row[3] for row in rows), Decimal("0.00"))
    rate = Decimal(19) if german else Decimal(23)
    tax = _tax(net, rate)
    gross = net + tax
    fmt = "de" if german else "en"
    vendor = "Weber Ersatzteile GmbH" if german else "Liffey Engineering Supplies Ltd"
    vat_id = "DE811569869" if german else "IE6388047V"
    account = iban("DE", "290400900123456789") if german else iban("IE", "AIBK93115212345678")
    number = f"{'RE' if german else 'LES'}-{rng.randrange(10000, 99999)}"
    issued = date(2024, rng.randrange(1, 13), rng.randrange(1, 28))
    due = date.fromordinal(issued.toordinal() + 30)
    one, two = Sheet(), Sheet()
    one.put(20, 20, vendor, 13, bold=True)
    one.block(20, 27, ["Hafenstraße 3, 20457 Hamburg" if german else "Unit 4, Docklands Park, Dublin 1",
                       f"{'USt-IdNr.' if german else 'VAT No.'} {vat_id}"], 8)
    one.put(190, 20, "RECHNUNG" if german else "INVOICE", 14, bold=True, right=True)
    one.block(120, 40, [f"{'Rechnungsnummer' if german else 'Invoice number'}: {number}",
                        f"{'Rechnungsdatum' if german else 'Invoice date'}: {dmy(issued, '.' if german else '/')}",
                        f"{'Fällig am' if german else 'Due date'}: {dmy(due, '.' if german else '/')}"])
    one.block(20, 40, ["Kunde:" if german else "Customer:", "Umbrella Foods GmbH" if german else "Umbrella Foods Ltd",
                       "Lindenweg 9, 50667 Köln" if german else "3 Quay Street, Galway"])
    head = [("Beschreibung" if german else "Description", 20, False), ("Menge" if german else "Qty", 125, True),
            ("Preis" if german else "Unit price", 158, True), ("Betrag" if german else "Amount", 190, True)]

    def table(sheet: Sheet, y: float, part: list[tuple[str, Decimal, Decimal, Decimal]]) -> float:
        for text, x, right in head:
            sheet.put(x, y, text, bold=True, right=right)
        for description, quantity, unit, amount in part:
            y += 6
            sheet.put(20, y, description)
            sheet.put(125, y, str(quantity), right=True)
            sheet.put(158, y, money(unit, fmt), right=True)
            sheet.put(190, y, money(amount, fmt), right=True)
        return y

    y = table(one, 65, first) + 8
    one.put(120, y, "Übertrag" if german else "Carried forward")
    one.put(190, y, money(carried, fmt), right=True)
    one.put(105, 285, "Seite 1 von 2" if german else "Page 1 of 2", 7)
    two.put(20, 20, f"{vendor} – {'Rechnung' if german else 'Invoice'} {number}", 8)
    two.put(120, 30, "Übertrag" if german else "Brought forward")
    two.put(190, 30, money(carried, fmt), right=True)
    y = table(two, 40, second) + 10
    labels = [("Nettobetrag", net), (f"MwSt. {rate} %", tax), ("Gesamtbetrag EUR", gross)] if german else \
        [("Subtotal", net), (f"VAT {rate}%", tax), ("Total EUR", gross)]
    for label, value in labels:
        two.put(125, y, label)
        two.put(190, y, money(value, fmt), right=True)
        y += 6
    two.put(20, 270, f"IBAN {spaced(account)} · BIC {'GENODEF1S10' if german else 'AIBKIE2D'}", 7.5)
    two.put(105, 285, "Seite 2 von 2" if german else "Page 2 of 2", 7)
    expected = _expected(vendor_name=vendor, invoice_number=number, invoice_date=issued, due_date=due,
                         currency="EUR", subtotal=net, tax_total=tax, total=gross,
                         customer_name="Umbrella Foods GmbH" if german else "Umbrella Foods Ltd",
                         vendor_tax_id=vat_id, vendor_iban=account)
    return StyledInvoice(f"multipage-{variant}", "multipage", [one, two], expected, rows)


_GOODS = ["Trail running shoes", "Merino base layer", "Hydration vest 5 l", "Headlamp 400 lm", "Trekking poles",
          "Energy gels (box of 24)"]


def discount_shipping(variant: int) -> StyledInvoice:
    """An order invoice with a discount line and a shipping charge between the subtotal and the tax."""
    rng = random.Random(1000 + variant)
    euro = variant % 2 == 1
    vendor = "Summit Outdoor Gear Ltd" if not euro else "Bergsport Vogel GmbH"
    rows = _items(rng, _GOODS, 3, 1_500, 25_000)
    subtotal = sum((row[3] for row in rows), Decimal("0.00"))
    discount = _tax(subtotal, Decimal(10))
    shipping = Decimal("12.50") if euro else Decimal("7.95")
    rate = Decimal(19) if euro else Decimal(20)
    tax = _tax(subtotal - discount + shipping, rate)
    total = subtotal - discount + shipping + tax
    number = f"{'SO' if not euro else 'R'}{rng.randrange(100000, 999999)}"
    issued = date(2024, rng.randrange(1, 13), rng.randrange(1, 28))
    fmt = "de" if euro else "en"

    def cash(value: Decimal) -> str:
        return f"{money(value, 'de')} €" if euro else f"£{money(value, 'en')}"

    page = Sheet()
    page.put(20, 20, vendor, 13, bold=True)
    page.block(20, 27, ["Lindwurmstraße 88, 80337 München", "USt-IdNr. DE136695976"] if euro else
               ["Unit 3, Kendal Business Park, Kendal LA9 6NH", "VAT Reg No: GB 980 7806 84"], 8)
    page.put(190, 20, "Rechnung" if euro else "Invoice", 14, bold=True, right=True)
    page.block(120, 40, [f"{'Rechnungsnummer' if euro else 'Invoice No.'}: {number}",
                         f"{'Datum' if euro else 'Date'}: {dmy(issued, '.' if euro else '/')}",
                         f"{'Bestellung' if euro else 'Order'}: WEB-{rng.randrange(10000, 99999)}"])
    page.block(20, 40, ["Lieferadresse / Rechnungsadresse" if euro else "Billing address",
                        "Tailspin Toys GmbH" if euro else "Tailspin Toys Ltd", "Kaiserstraße 1, 60311 Frankfurt"
                        if euro else "9 Castle Street, Edinburgh EH2 3AH"])
    y = 65.0
    for x, head, right in [(20, "Artikel" if euro else "Item", False), (125, "Menge" if euro else "Qty", True),
                           (158, "Einzelpreis" if euro else "Price", True), (190, "Summe" if euro else "Total", True)]:
        page.put(x, y, head, bold=True, right=right)
    for description, quantity, unit, amount in rows:
        y += 6
        page.put(20, y, description)
        page.put(125, y, str(quantity), right=True)
        page.put(158, y, money(unit, fmt), right=True)
        page.put(190, y, money(amount, fmt), right=True)
    y += 10
    lines = [("Zwischensumme", subtotal), ("Rabatt 10 %", -discount), ("Versand", shipping), ("MwSt. 19 %", tax),
             ("Gesamtbetrag", total)] if euro else \
        [("Subtotal", subtotal), ("Discount (10%)", -discount), ("Shipping", shipping), ("VAT 20%", tax),
         ("Total", total)]
    for label, value in lines:
        page.put(120, y, label)
        page.put(190, y, cash(value), right=True)
        y += 6
    page.put(20, y + 10, "Bereits bezahlt per Kreditkarte. Vielen Dank für Ihren Einkauf!" if euro else
             "Paid by card - thank you for your order!", 8)
    expected = _expected(vendor_name=vendor, invoice_number=number, invoice_date=issued,
                         currency="EUR" if euro else "GBP", subtotal=subtotal, tax_total=tax, total=total,
                         customer_name="Tailspin Toys GmbH" if euro else "Tailspin Toys Ltd",
                         vendor_tax_id="DE136695976" if euro else "GB980780684")
    return StyledInvoice(f"discount-{variant}", "discount", [page], expected, rows)


STYLES: tuple[Callable[[int], StyledInvoice], ...] = (saas_receipt, din5008, facture, factura, factuur, gst_invoice,
                                                us_invoice, uk_vat, multipage, discount_shipping)


def documents(per_style: int = 2) -> list[StyledInvoice]:
    """``per_style`` variants of every style (deterministic)."""
    return [style(variant) for style in STYLES for variant in range(per_style)]


# Rendering --------------------------------------------------------------------------------------------------


def pdf(doc: StyledInvoice) -> bytes:
    """A text PDF with every item at its place (DejaVu Sans, so ₹ and accents are real characters)."""
    from fpdf import FPDF

    document = FPDF(format="A4")
    document.set_creation_date(_FIXED)
    document.set_auto_page_break(auto=False)
    document.add_font("DejaVu", "", _FONT)
    document.add_font("DejaVu", "B", _BOLD)
    for sheet in doc.pages:
        document.add_page()
        for item in sheet.items:
            document.set_font("DejaVu", "B" if item.bold else "", item.size)
            x = item.x - document.get_string_width(item.text) if item.right else item.x
            document.text(x, item.y, item.text)
    return bytes(document.output())


def scan(doc: StyledInvoice, *, seed: int = 0, dpi: int = 170) -> bytes:
    """The PDF printed and scanned: rendered at ``dpi``, rotated ≤ 1.5°, blurred, speckled with noise and
    JPEG-compressed, written into an image-only PDF."""
    import tempfile
    from pathlib import Path

    import numpy as np
    from PIL import Image, ImageFilter

    from paperclerk.extraction.base import Limits
    from paperclerk.extraction.pdf import render_page

    rng = random.Random(seed)
    images = []
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "clean.pdf"
        path.write_bytes(pdf(doc))
        for number in range(1, len(doc.pages) + 1):
            image = render_page(path, number, dpi=dpi, limits=Limits()).convert("L")
            image = image.rotate(rng.uniform(-1.5, 1.5), resample=Image.Resampling.BICUBIC, expand=False,
                                 fillcolor=255)
            image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.8)))
            pixels = np.asarray(image, dtype=np.int16)
            noise = np.random.default_rng(seed + number).normal(0, 9, pixels.shape)
            image = Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=rng.randrange(55, 75))
            images.append(Image.open(io.BytesIO(buffer.getvalue())).convert("L"))
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out.getvalue()




def score(expected: dict[str, Any], result: Any, fields: tuple[str, ...] = SCORED) -> tuple[int, int]:
    """(right, printed): the printed fields (expected not None) read exactly right."""
    printed = [name for name in fields if expected.get(name) is not None]
    return sum(result.value(name) == expected[name] for name in printed), len(printed)
