"""Invoice styles from the wider world, written after the reader's rules and only ever measured (an unseen split).

A marketplace invoice (seller beside the buyer, "Sold by"), a Dutch telecom bill, a French hotel folio with a VAT
summary table, a German hosting invoice whose legal entity is only in the footer, a Polish "Faktura VAT" with the
parties side by side and a rate table, an Indian GST invoice with lakh amounts. Each lays text out where such
documents put it (``regression_styles.Sheet``) and knows the values it must yield.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from tests.invoices.regression_styles import CENT, SCORED, Sheet, StyledInvoice, dmy, money

FIELDS = ("vendor_name", "vendor_tax_id", "invoice_number", "invoice_date", "due_date", "currency", "subtotal",
          "total")


def _rows(rng: random.Random, catalogue: list[str], count: int, low: int, high: int
          ) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    rows = []
    for description in rng.sample(catalogue, count):
        quantity = Decimal(rng.randrange(1, 6))
        unit = Decimal(rng.randrange(low, high)) / 100
        rows.append((description, quantity, unit, (quantity * unit).quantize(CENT, ROUND_HALF_UP)))
    return rows


def _tax(base: Decimal, rate: int) -> Decimal:
    return (base * rate / 100).quantize(CENT, ROUND_HALF_UP)


def _expected(**values: object) -> dict[str, object]:
    out: dict[str, object] = dict.fromkeys(SCORED)
    out["document_type"] = "invoice"
    out.update(values)
    return out


def _issued(rng: random.Random) -> date:
    return date(2024, rng.randrange(1, 13), rng.randrange(1, 28))


def marketplace(variant: int) -> StyledInvoice:
    """A marketplace invoice: the seller (not the marketplace) issues it; buyer and seller side by side."""
    rng = random.Random(900 + variant)
    seller = ["Brightstar Home Goods Ltd", "Kettle & Co Trading Ltd"][variant % 2]
    vat = ["GB123456789", "GB987654321"][variant % 2]
    number = f"GB{rng.randrange(10**8, 10**9)}INV"
    issued = _issued(rng)
    rows = _rows(rng, ["Stainless steel kettle 1.7 l", "Bamboo chopping board", "Cotton tea towels (3)",
                       "Glass storage jars (6)"], 2, 900, 6000)
    net = sum((row[3] for row in rows), Decimal("0.00"))
    tax = _tax(net, 20)
    page = Sheet()
    page.put(20, 18, "shopmart", 18, bold=True)
    page.put(120, 18, "Tax Invoice", 13, bold=True)
    page.block(20, 35, ["Sold by:", seller, "Unit 4, Riverside Park", "Leeds LS9 0RX", f"VAT Reg. No: {vat}"], 8.5, 4.5)
    page.block(120, 35, ["Billing Address:", "Maria Lopez", "12 Elm Grove", "Bristol BS6 5AB"], 8.5, 4.5)
    page.block(20, 70, [f"Order Number: 203-{rng.randrange(10**6, 10**7)}", f"Order Date: {dmy(issued)}"], 8.5, 4.5)
    page.block(120, 70, [f"Invoice Number: {number}", f"Invoice Date: {dmy(issued)}"], 8.5, 4.5)
    y = 92.0
    for x, head, right in [(20, "Description", False), (120, "Qty", True), (150, "Unit Price", True),
                           (190, "Total", True)]:
        page.put(x, y, head, bold=True, right=right)
    for description, quantity, unit, amount in rows:
        y += 6
        page.put(20, y, description)
        page.put(120, y, str(quantity), right=True)
        page.put(150, y, f"£{money(unit, 'en')}", right=True)
        page.put(190, y, f"£{money(amount, 'en')}", right=True)
    for label, value in [("Total excl. VAT", net), ("VAT 20%", tax), ("TOTAL", net + tax)]:
        y += 7
        page.put(130, y, label, bold=label == "TOTAL")
        page.put(190, y, f"£{money(value, 'en')}", right=True)
    page.put(20, 280, "shopmart EU S.à r.l. operates the marketplace. This invoice is issued by the seller.", 6.5)
    return StyledInvoice(f"marketplace-{variant}", "marketplace", [page],
                         _expected(vendor_name=seller, vendor_tax_id=vat, invoice_number=number, invoice_date=issued,
                                   currency="GBP", subtotal=net, total=net + tax), rows)


_NL_MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
              "november", "december"]


def telecom(variant: int) -> StyledInvoice:
    """A Dutch telecom bill: logo text, account and bill numbers, period, 'Te betalen' and a direct-debit date."""
    rng = random.Random(910 + variant)
    company = ["Telaria Nederland B.V.", "Belnet Mobiel B.V."][variant % 2]
    vat = ["NL009291477B01", "NL812345678B01"][variant % 2]
    number = f"{rng.randrange(10**9, 10**10)}"
    issued = _issued(rng)
    due = issued + timedelta(days=14)
    subscription = Decimal(rng.randrange(1500, 6000)) / 100
    usage = Decimal(rng.randrange(100, 2500)) / 100
    net = subscription + usage
    tax = _tax(net, 21)
    page = Sheet()
    page.put(20, 18, company.split()[0].upper(), 20, bold=True)
    page.block(120, 18, ["Postbus 1234", "2500 AA Den Haag"], 7.5, 3.8)
    page.block(20, 45, ["De heer J. de Vries", "Kerkstraat 8", "3512 AB Utrecht"], 10, 5)
    page.block(120, 45, [f"Klantnummer: {rng.randrange(10**7, 10**8)}", f"Factuurnummer: {number}",
                         f"Factuurdatum: {issued.day} {_NL_MONTHS[issued.month - 1]} {issued.year}",
                         f"Periode: {dmy(issued.replace(day=1), '-')} t/m {dmy(issued, '-')}"], 8.5, 4.5)
    page.put(20, 80, "Uw factuur", 14, bold=True)
    y = 92.0
    for label, value in [("Abonnement Onbeperkt 5G", subscription), ("Gebruik buiten bundel", usage),
                         ("Totaal excl. btw", net), ("btw 21%", tax), ("Totaal incl. btw", net + tax)]:
        page.put(20, y, label, bold=label.startswith("Totaal incl"))
        page.put(190, y, f"€ {money(value, 'de')}", right=True)
        y += 6
    page.put(20, y + 6, f"Te betalen € {money(net + tax, 'de')}. Wij schrijven dit bedrag rond {dmy(due, '-')} "
                        "af van uw rekening.", 8.5)
    page.put(20, 282, f"{company} · KvK 27124701 · btw-nummer {vat} · IBAN NL91 ABNA 0417 1643 00", 6.5)
    return StyledInvoice(f"telecom-{variant}", "telecom", [page],
                         _expected(vendor_name=company, vendor_tax_id=vat, invoice_number=number, invoice_date=issued,
                                   currency="EUR", subtotal=net, total=net + tax), [])


def hotel_folio(variant: int) -> StyledInvoice:
    """A French hotel folio: arrival and departure dates, nightly charges, a VAT table by rate, 'Total TTC'."""
    rng = random.Random(920 + variant)
    hotel = ["Hôtel des Arts SARL", "Hôtel Le Grand Quai SAS"][variant % 2]
    vat = ["FR40303265045", "FR83404833048"][variant % 2]
    number = f"F{rng.randrange(10**5, 10**6)}"
    departure = _issued(rng)
    nights = rng.randrange(1, 4)
    room = Decimal(rng.randrange(9000, 22000)) / 100
    breakfast = Decimal(rng.randrange(1200, 2500)) / 100
    room_net = (room * nights / Decimal("1.10")).quantize(CENT, ROUND_HALF_UP)
    food_net = (breakfast * nights / Decimal("1.10")).quantize(CENT, ROUND_HALF_UP)
    gross = (room + breakfast) * nights
    net = room_net + food_net
    page = Sheet()
    page.put(105, 18, hotel.replace(" SARL", "").replace(" SAS", "").upper(), 16, bold=True)
    page.put(105, 25, "12 quai de la Tournelle · 75005 Paris", 7.5)
    page.block(20, 40, [f"Facture N° {number}", f"Date de facture : {dmy(departure)}",
                        f"Arrivée : {dmy(departure - timedelta(days=nights))}", f"Départ : {dmy(departure)}",
                        f"Chambre : {rng.randrange(101, 512)}"], 8.5, 4.5)
    page.block(120, 40, ["M. Paul Martin", "8 rue Victor Hugo", "69002 Lyon"], 9, 4.5)
    y = 75.0
    page.put(20, y, "Date", bold=True)
    page.put(45, y, "Libellé", bold=True)
    page.put(190, y, "Montant", bold=True, right=True)
    for night in range(nights):
        day = departure - timedelta(days=nights - night)
        for label, value in [("Hébergement", room), ("Petit-déjeuner", breakfast)]:
            y += 5.5
            page.put(20, y, dmy(day))
            page.put(45, y, label)
            page.put(190, y, money(value, "fr"), right=True)
    y += 10
    page.put(20, y, "Taux TVA      Base HT      TVA      TTC", 8, bold=True)
    y += 5
    page.put(20, y, f"10,00 %      {money(net, 'fr')}      {money(gross - net, 'fr')}      {money(gross, 'fr')}", 8)
    y += 9
    for label, value in [("Total HT", net), ("Total TVA", gross - net), ("Total TTC", gross), ("Solde", Decimal(0))]:
        page.put(130, y, label, bold=label == "Total TTC")
        page.put(190, y, f"{money(value, 'fr')} €", right=True)
        y += 5.5
    page.put(20, 282, f"{hotel} au capital de 50 000 € · RCS Paris 552 100 554 · TVA {vat}", 6.5)
    return StyledInvoice(f"hotel-{variant}", "hotel", [page],
                         _expected(vendor_name=hotel, vendor_tax_id=vat, invoice_number=number,
                                   invoice_date=departure, currency="EUR", subtotal=net, total=gross), [])


def hosting(variant: int) -> StyledInvoice:
    """A German hosting invoice: brand at the top, the legal entity and its VAT ID only in the footer."""
    rng = random.Random(930 + variant)
    company = ["Serverwerk Online GmbH", "Nordcloud Hosting GmbH"][variant % 2]
    vat = ["DE812871812", "DE293836428"][variant % 2]
    number = f"R{rng.randrange(10**9, 10**10)}"
    issued = _issued(rng)
    rows = _rows(rng, ["Cloud Server CX31", "Backup 20 %", "Floating IP", "Volume 100 GB", "Load Balancer LB11"],
                 3, 100, 4000)
    net = sum((row[3] for row in rows), Decimal("0.00"))
    tax = _tax(net, 19)
    page = Sheet()
    page.put(20, 18, company.split()[0], 18, bold=True)
    page.block(20, 45, ["Firma Beispiel AG", "Herr Tom Klein", "Lindenweg 4", "01067 Dresden"], 10, 5)
    page.block(125, 45, [f"Rechnungsnr.: {number}", f"Datum: {dmy(issued, '.')}",
                         f"Kundennr.: K{rng.randrange(10**6, 10**7)}"], 8.5, 4.5)
    page.put(20, 78, "Rechnung", 14, bold=True)
    y = 90.0
    for x, head, right in [(20, "Beschreibung", False), (130, "Menge", True), (160, "Einzelpreis", True),
                           (190, "Betrag", True)]:
        page.put(x, y, head, bold=True, right=right)
    for description, quantity, unit, amount in rows:
        y += 6
        page.put(20, y, description)
        page.put(130, y, str(quantity), right=True)
        page.put(160, y, f"{money(unit, 'de')} €", right=True)
        page.put(190, y, f"{money(amount, 'de')} €", right=True)
    for label, value in [("Summe netto", net), ("USt. 19 %", tax), ("Summe brutto", net + tax)]:
        y += 7
        page.put(130, y, label, bold=label == "Summe brutto")
        page.put(190, y, f"{money(value, 'de')} €", right=True)
    page.put(20, y + 12, "Der Betrag wird von Ihrer Kreditkarte abgebucht.", 8.5)
    page.block(20, 276, [company, "Industriestr. 25", "91710 Gunzenhausen"], 6.5, 3.2)
    page.block(85, 276, ["Geschäftsführer: Martin Beispiel", "Registergericht Ansbach HRB 6089",
                         f"USt-IdNr. {vat}"], 6.5, 3.2)
    return StyledInvoice(f"hosting-{variant}", "hosting", [page],
                         _expected(vendor_name=company, vendor_tax_id=vat, invoice_number=number, invoice_date=issued,
                                   currency="EUR", subtotal=net, total=net + tax), rows)


def faktura(variant: int) -> StyledInvoice:
    """A Polish 'Faktura VAT': seller and buyer side by side, a rate table, 'Razem' and 'Do zapłaty'."""
    rng = random.Random(940 + variant)
    seller = ["Drukarnia Wisła Sp. z o.o.", "Kowalski i Wspólnicy Sp. j."][variant % 2]
    nip = ["5261040828", "7740001454"][variant % 2]
    number = f"FV/{rng.randrange(1, 400)}/2024"
    issued = _issued(rng)
    due = issued + timedelta(days=14)
    rows = _rows(rng, ["Ulotki A5 (1000 szt.)", "Wizytówki (500 szt.)", "Plakaty B2", "Projekt graficzny"],
                 2, 5000, 90000)
    net = sum((row[3] for row in rows), Decimal("0.00"))
    tax = _tax(net, 23)
    months = ["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września",
              "października", "listopada", "grudnia"]
    page = Sheet()
    page.put(20, 18, f"Faktura VAT nr {number}", 14, bold=True)
    page.block(20, 26, [f"Data wystawienia: {issued.day} {months[issued.month - 1]} {issued.year}",
                        f"Termin płatności: {dmy(due, '.')}"], 8.5, 4.5)
    page.block(20, 42, ["Sprzedawca:", seller, "ul. Długa 12", "00-238 Warszawa", f"NIP: {nip}"], 8.5, 4.5)
    page.block(115, 42, ["Nabywca:", "Biuro Rachunkowe Lipa s.c.", "ul. Polna 3", "30-001 Kraków",
                         "NIP: 6762468723"], 8.5, 4.5)
    y = 75.0
    for x, head, right in [(20, "Nazwa", False), (120, "Ilość", True), (150, "Cena netto", True),
                           (190, "Wartość netto", True)]:
        page.put(x, y, head, bold=True, right=right)
    for description, quantity, unit, amount in rows:
        y += 6
        page.put(20, y, description)
        page.put(120, y, str(quantity), right=True)
        page.put(150, y, money(unit, "fr"), right=True)
        page.put(190, y, money(amount, "fr"), right=True)
    y += 10
    page.put(100, y, "Stawka      Netto      VAT      Brutto", 8, bold=True)
    y += 5
    page.put(100, y, f"23%      {money(net, 'fr')}      {money(tax, 'fr')}      {money(net + tax, 'fr')}", 8)
    y += 5
    page.put(100, y, f"Razem      {money(net, 'fr')}      {money(tax, 'fr')}      {money(net + tax, 'fr')}", 8,
             bold=True)
    page.put(20, y + 10, f"Do zapłaty: {money(net + tax, 'fr')} PLN", 11, bold=True)
    return StyledInvoice(f"faktura-{variant}", "faktura", [page],
                         _expected(vendor_name=seller, vendor_tax_id=nip, invoice_number=number, invoice_date=issued,
                                   due_date=due, currency="PLN", subtotal=net, total=net + tax), rows)


def gst_lakh(variant: int) -> StyledInvoice:
    """An Indian GST tax invoice: GSTIN, 'Invoice No.', DD-Mon-YYYY, CGST + SGST, lakh grouping."""
    rng = random.Random(950 + variant)
    seller = ["Sharma Electricals Pvt. Ltd.", "Ganesh Steel Traders Pvt Ltd"][variant % 2]
    gstin = ["27AAPFU0939F1ZV", "29AAACG1234M1Z5"][variant % 2]
    number = f"SE/24-25/{rng.randrange(100, 9999):04d}"
    issued = _issued(rng)
    rows = _rows(rng, ["Copper cable 4 sq mm (90 m)", "MCB 32A double pole", "LED panel 18W", "Distribution board"],
                 3, 150000, 4000000)
    net = sum((row[3] for row in rows), Decimal("0.00"))
    half = _tax(net, 9)
    page = Sheet()
    page.put(105, 16, "TAX INVOICE", 13, bold=True)
    page.block(20, 26, [seller, "Plot 14, MIDC Andheri East", "Mumbai 400093", f"GSTIN: {gstin}"], 8.5, 4.5)
    page.block(125, 26, [f"Invoice No.: {number}", f"Date: {issued.day:02d}-{issued:%b}-{issued.year}"], 8.5, 4.5)
    page.block(20, 50, ["Bill To: Kiran Traders", "Shop 3, Station Road, Pune 411001", "GSTIN: 27AAACK1234L1Z2"],
               8.5, 4.5)
    y = 70.0
    for x, head, right in [(20, "Description", False), (120, "Qty", True), (150, "Rate", True),
                           (190, "Amount", True)]:
        page.put(x, y, head, bold=True, right=right)
    for description, quantity, unit, amount in rows:
        y += 6
        page.put(20, y, description)
        page.put(120, y, str(quantity), right=True)
        page.put(150, y, money(unit, "in"), right=True)
        page.put(190, y, money(amount, "in"), right=True)
    for label, value in [("Taxable Value", net), ("CGST @ 9%", half), ("SGST @ 9%", half),
                         ("Total Invoice Value", net + 2 * half)]:
        y += 7
        page.put(120, y, label, bold=label.startswith("Total"))
        page.put(190, y, f"₹ {money(value, 'in')}", right=True)
    return StyledInvoice(f"gst-lakh-{variant}", "gst_lakh", [page],
                         _expected(vendor_name=seller, vendor_tax_id=gstin, invoice_number=number,
                                   invoice_date=issued, currency="INR", subtotal=net, total=net + 2 * half), rows)


STYLES: tuple[Callable[[int], StyledInvoice], ...] = (marketplace, telecom, hotel_folio, hosting, faktura, gst_lakh)


def documents(per_style: int = 2) -> list[StyledInvoice]:
    return [style(variant) for style in STYLES for variant in range(per_style)]
