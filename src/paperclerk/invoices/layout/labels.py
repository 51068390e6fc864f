"""Invoice labels in many languages, and where they stand on a line.

Each label is a regex (lower-case, matched case-insensitively) naming the fields it may announce; they are tried at
word starts only, longest first. A label counts at the start of a line or a cell, after a colon or a bar, or in
the middle of a line when it announces an amount; the other patterns here recognise titles, legal forms and
letterhead lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from paperclerk.invoices.layout.geometry import Line

# Each entry: regex (lower-case, matched case-insensitively) -> the fields it may announce.
_LABELS: dict[str, tuple[str, ...]] = {}


def _labels(fields: tuple[str, ...], *patterns: str) -> None:
    for pattern in patterns:
        _LABELS[pattern] = fields


_labels(("invoice_number",),
        r"invoice\s*(?:no\.?|number|nr\.?|num\.?|#|id)", r"inv\.?\s*(?:no\.?|#)", r"bill\s*(?:no\.?|number)",
        r"credit\s*note\s*(?:no\.?|number|#)", r"n[°ºo]\.?\s*(?:de\s*)?(?:la\s*)?facture", r"facture\s*n[°ºo]\.?",
        r"num[ée]ro\s*de\s*(?:la\s*)?facture", r"avoir\s*n[°ºo]\.?", r"n[°ºo]\.?\s*d'avoir", r"factuurnummer",
        r"factuur\s*(?:nr\.?|nummer)", r"creditnota\s*(?:nr\.?|nummer)", r"creditnotanummer", r"rechnungsnummer",
        r"rechnungs-?nr\.?", r"rechnung\s*nr\.?", r"gutschrift\s*nr\.?", r"gutschriftsnummer",
        r"n[°º]\.?\s*(?:de\s*)?factura", r"n[úu]mero\s*de\s*(?:la\s*)?factura", r"factura\s*n\.?\s*[°ºo]\.?",
        r"n[úu]m\.\s*factura", r"nota\s*de\s*cr[ée]dito\s*n[°ºo]\.?", r"document\s*(?:no\.?|number)")
_labels(("invoice_date",),
        r"invoice\s*date", r"date\s*of\s*invoice", r"issue\s*date", r"date\s*of\s*issue", r"credit\s*note\s*date",
        r"date\s*de\s*(?:la\s*)?facture", r"date\s*de\s*facturation", r"date\s*d'[ée]mission", r"date\s*de\s*l'avoir",
        r"factuurdatum", r"datum\s*factuur", r"rechnungsdatum", r"datum\s*der\s*rechnung", r"ausstellungsdatum",
        r"fecha\s*de\s*(?:la\s*)?factura", r"fecha\s*de\s*emisi[óo]n", r"fecha\s*de\s*expedici[óo]n",
        r"fecha\s*factura", r"date\s*/\s*tax\s*point", r"date", r"datum",
        r"fecha", r"dated")
_labels(("due_date",),
        r"due\s*date", r"payment\s*due(?:\s*date)?", r"date\s*due", r"pay\s*by", r"due\s*by", r"due",
        r"date\s*d'[ée]ch[ée]ance", r"[ée]ch[ée]ance", r"[àa]\s*payer\s*avant\s*le", r"vervaldatum", r"vervaldag",
        r"te\s*betalen\s*v[óo][óo]r", r"uiterste\s*betaaldatum", r"f[äa]lligkeitsdatum", r"f[äa]llig\s*am",
        r"zahlbar\s*bis", r"f[äa]llig", r"fecha\s*de\s*vencimiento", r"vencimiento", r"fecha\s*l[íi]mite\s*de\s*pago")
_labels(("purchase_order",),
        r"purchase\s*order(?:\s*(?:no\.?|number|#))?", r"p\.?\s*o\.?\s*(?:no\.?|number|#)", r"po", r"your\s*order",
        r"order\s*(?:no\.?|number|ref(?:erence)?)", r"bon\s*de\s*commande(?:\s*n[°ºo])?", r"n[°ºo]\s*de\s*commande",
        r"votre\s*commande", r"commande", r"bestelnummer", r"bestelbon", r"inkooporder", r"uw\s*bestelling",
        r"bestellnummer", r"ihre\s*bestellung", r"bestellung", r"n[°º]\s*de\s*pedido", r"pedido",
        r"orden\s*de\s*compra", r"su\s*pedido")
_labels(("payment_terms",),
        r"payment\s*terms", r"terms\s*of\s*payment", r"terms", r"conditions\s*de\s*(?:paiement|r[èe]glement)",
        r"modalit[ée]s\s*de\s*paiement", r"betalingsvoorwaarden", r"betalingstermijn", r"betaalvoorwaarden",
        r"zahlungsbedingungen", r"zahlungsziel", r"condiciones\s*de\s*pago", r"forma\s*de\s*pago",
        r"plazo\s*de\s*pago", r"t[ée]rminos\s*de\s*pago")
_labels(("vendor_name",),
        r"from", r"supplier", r"vendor", r"seller", r"issued\s*by", r"fournisseur", r"[ée]metteur", r"vendeur",
        r"leverancier", r"verkoper", r"lieferant", r"verk[äa]ufer", r"rechnungssteller", r"proveedor", r"emisor",
        r"vendedor")
_labels(("customer_name",),
        r"to", r"bill\s*to", r"billed\s*to", r"invoice\s*to", r"sold\s*to", r"customer", r"client",
        r"factur[ée]\s*[àa]",
        r"facturer\s*[àa]", r"destinataire", r"adress[ée]\s*[àa]", r"klant", r"factureren\s*aan",
        r"gefactureerd\s*aan", r"afnemer", r"kunde", r"rechnungsempf[äa]nger", r"rechnung\s*an", r"empf[äa]nger",
        r"cliente", r"facturar\s*a", r"facturado\s*a", r"destinatario", r"billing\s*address", r"invoice\s*address",
        r"rechnungsadresse", r"adresse\s*de\s*facturation", r"factuuradres", r"direcci[óo]n\s*de\s*facturaci[óo]n")
# Delivery blocks: read by nothing, but a label, so that a "Bill to" beside "Ship to" is a header row.
_labels(("delivery_address",),
        r"ship\s*to", r"deliver\s*to", r"delivery\s*address", r"shipping\s*address", r"lieferadresse",
        r"lieferanschrift", r"adresse\s*de\s*livraison", r"livr[ée]\s*[àa]", r"afleveradres", r"leveradres",
        r"direcci[óo]n\s*de\s*(?:env[íi]o|entrega)")
_labels(("currency",), r"currency", r"devise", r"monnaie", r"valuta", r"w[äa]hrung", r"moneda", r"divisa")
_labels(("subtotal",),
        r"sub-?\s*total", r"net\s*amount", r"net\s*total", r"total\s*net", r"total\s*excl\.?(?:uding)?\s*(?:vat|tax)",
        r"total\s*before\s*tax", r"amount\s*excl\.?\s*(?:vat|tax)", r"total\s*ht", r"montant\s*ht",
        r"sous-?\s*total", r"total\s*hors\s*taxes?", r"subtotaal", r"totaal\s*excl\.?\s*btw", r"netto\s*bedrag",
        r"nettobedrag", r"bedrag\s*excl\.?\s*btw", r"zwischensumme", r"nettobetrag", r"summe\s*netto",
        r"gesamt\s*netto", r"nettosumme", r"netto", r"base\s*imponible", r"importe\s*neto", r"total\s*sin\s*iva",
        r"taxable\s*(?:value|amount)", r"total\s*taxable\s*value", r"total\s*excl\.?\s*(?:btw|tva|mwst|ust|iva)",
        # A bare "Net" only in front of an amount with cents ("Net 30" is a payment term).
        r"net(?=\s*[:\-]?\s*[£$€]?\s?\d[\d,.'\u00a0\u202f ]*[.,]\d{2}(?!\d))")
_labels(("tax_total",),
        r"vat(?:\s*amount)?", r"total\s*vat", r"tax(?:\s*amount)?", r"sales\s*tax", r"total\s*tax", r"gst", r"tva",
        r"total\s*tva", r"montant\s*(?:de\s*la\s*)?tva", r"btw(?:-?bedrag)?", r"totaal\s*btw", r"mwst\.?", r"ust\.?",
        r"umsatzsteuer", r"mehrwertsteuer", r"iva", r"total\s*iva", r"cuota\s*(?:de\s*)?iva", r"impuestos?",
        r"[csi]gst", r"utgst", r"total\s*gst")
_labels(("total",),
        r"total", r"grand\s*total", r"invoice\s*total", r"total\s*amount", r"total\s*incl\.?(?:uding)?\s*(?:vat|tax)",
        r"total\s*ttc", r"montant\s*ttc", r"montant\s*total", r"totaal", r"totaal\s*incl\.?\s*btw", r"totaalbedrag",
        r"gesamtbetrag", r"gesamtsumme", r"rechnungsbetrag", r"summe\s*brutto", r"bruttobetrag", r"endbetrag",
        r"gesamt", r"total\s*factura", r"importe\s*total", r"total\s*con\s*iva", r"total\s*general")
_labels(("amount_due",),
        r"amount\s*due", r"balance\s*due", r"total\s*due", r"amount\s*payable", r"please\s*pay", r"net\s*[àa]\s*payer",
        r"montant\s*d[ûu]", r"reste\s*[àa]\s*payer", r"total\s*[àa]\s*payer", r"[àa]\s*payer", r"te\s*betalen",
        r"openstaand\s*bedrag", r"zu\s*zahlen", r"zahlbetrag", r"offener\s*betrag", r"total\s*a\s*pagar",
        r"importe\s*a\s*pagar", r"a\s*pagar")
_labels(("vendor_tax_id",),
        r"vat\s*(?:no\.?|number|reg(?:istration)?(?:\s*no\.?)?|id)", r"tax\s*id", r"tin", r"gstin", r"abn", r"ein",
        r"siret", r"siren", r"n[°ºo]\s*(?:de\s*)?tva(?:\s*intracommunautaire)?", r"tva\s*intracom(?:munautaire)?",
        r"btw-?\s*(?:nr\.?|nummer|id)", r"ust-?\s*id(?:-?nr\.?)?", r"ust-?idnr\.?", r"steuernummer",
        r"umsatzsteuer-?\s*id(?:entifikationsnummer)?", r"nif", r"cif", r"nif/cif")
_labels(("vendor_iban",), r"iban")
_labels(("vendor_bic",), r"bic", r"swift(?:\s*code)?", r"bic/swift", r"swift/bic")

# More languages and conventions: Polish, Italian, Portuguese; German, Dutch and English variants seen on real
# invoices; Indian and Malaysian invoices and till receipts.
_labels(("invoice_number",),
        r"(?:handels|schluss|teil|abschlags|sammel)rechnung\s*(?:nr\.?|nummer|no\.?)", r"beleg-?\s*(?:nr\.?|nummer)",
        r"belegnummer", r"rechnungs-?\s*nr\.?", r"invoice\s*no\s*\.", r"tax\s*invoice\s*(?:no\.?|number|#)",
        r"receipt\s*(?:no\.?|number|#)", r"bill\s*#", r"invoice\s*ref(?:erence)?", r"doc(?:ument)?\s*no\.?",
        r"faktura\s*(?:vat\s*)?(?:nr\.?|numer)", r"faktura\s*(?:vat\s*)?(?:korygująca\s*)?nr", r"numer\s*faktury",
        r"nr\s*faktury", r"fattura\s*(?:n\.?|nr\.?|numero|n[°º])", r"numero\s*(?:della\s*)?fattura",
        r"n\.?\s*fattura", r"fatura(?:-recibo)?\s*(?:n\.?[°º]?|nr\.?|n[úu]mero)", r"n[úu]mero\s*(?:da\s*)?fatura",
        r"nota\s*de\s*cr[ée]dito\s*n[°º]", r"factuur\s*no\.?", r"facture\s*num[ée]ro", r"bon\s*(?:nr\.?|no\.?)",
        r"cash\s*bill\s*(?:no\.?)?", r"inv\s*no\.?", r"slip\s*no\.?", r"trans(?:action)?\s*(?:no\.?|#)")
_labels(("invoice_date",),
        r"belegdatum", r"bill\s*date", r"billing\s*date", r"date\s*issued", r"invoice\s*issued", r"tax\s*point",
        r"vom", r"data\s*wystawienia", r"z\s*dnia", r"dnia", r"data\s*(?:della\s*)?fattura", r"data\s*documento",
        r"data\s*(?:di\s*)?emissione", r"data\s*(?:da\s*)?fatura", r"data\s*de\s*emiss[ãa]o", r"data",
        r"date\s*de\s*la\s*pi[èe]ce", r"le", r"du")
_labels(("due_date",),
        r"f[äa]lligkeit(?:sdatum)?", r"zahlungsziel\s*bis", r"termin\s*p[łl]atno[śs]ci", r"p[łl]atne\s*do",
        r"zap[łl]ata\s*do", r"scadenza(?:\s*pagamento)?", r"data\s*(?:di\s*)?scadenza", r"data\s*de\s*vencimento",
        r"vencimento", r"data\s*limite(?:\s*de\s*pagamento)?", r"due\s*on", r"payment\s*due\s*by")
_labels(("vendor_name",),
        r"sprzedawca", r"wystawca", r"cedente(?:\s*/\s*prestatore)?", r"fornitore", r"venditore", r"fornecedor",
        r"emitente", r"verk[äa]ufer\s*/\s*leistungserbringer", r"rechnungsaussteller", r"sold\s*by", r"seller\s*name")
_labels(("vendor_name",),
        r"(?:products?|services?)\s*(?:\(s\)\s*)?provided\s*by", r"provided\s*by", r"supplied\s*by", r"billed\s*by",
        r"invoice\s*from", r"remit\s*to", r"pay\s*to")
# "Rechnung des Versicherers Nr. …", "Invoice for services no. …": a title, a few words, then the number's label.
_labels(("invoice_number",), r"(?:rechnung|invoice|facture|factura|faktura|fattura|fatura|factuur)(?:\s+[^\W\d]+){1,3}?"
                             r"\s+(?:nr|no|n[°º]|num[ée]ro|nummer)\.?(?=\s*[:#]?\s*[A-Z0-9])")
_labels(("invoice_number",), r"invoice(?=\s*:)", r"receipt(?=\s*:)", r"rechnung(?=\s*:)", r"facture(?=\s*:)")
# German titles glued to their kind ("Rechnungskorrektur Nr. RK21012345", "Handelsrechnung Nr.", "Gutschrift Nr.").
_labels(("invoice_number",), r"(?:handels|schluss|abschlags|teil)?rechnung(?:skorrektur)?\s*(?:nr|no)\.?",
        r"gutschrift\s*(?:nr|no)\.?", r"stornorechnung\s*(?:nr|no)\.?")
_labels(("customer_name",),
        r"nabywca", r"odbiorca", r"cessionario(?:\s*/\s*committente)?", r"committente", r"adquirente",
        r"k[äa]ufer(?:\s*/\s*leistungsempf[äa]nger)?", r"leistungsempf[äa]nger", r"acheteur",
        # The customer's people and accounts on SaaS invoices and receipts.
        r"billing\s*contact", r"technical\s*contact", r"licensed\s*to")
_labels(("subtotal",),
        r"rechnungssumme\s*ohne\s*(?:ust|mwst)\.?", r"summe\s*ohne\s*(?:ust|mwst)\.?", r"nettosumme", r"warenwert",
        r"gesamtbetrag\s*netto", r"total\s*excl(?:uding|\.)?\s*(?:vat|tax|gst|sst)", r"amount\s*before\s*tax",
        r"net\s*value", r"total\s*net\s*amount", r"items?\s*(?:sub)?total",
        r"sub\s*total\s*\(?excl\.?\s*(?:gst|tax)\)?",
        r"totaal\s*excl(?:usief|\.)?\s*btw", r"(?:suma|razem)\s*netto", r"warto[śs][ćc]\s*netto", r"imponibile",
        r"totale\s*imponibile", r"totale\s*netto", r"total\s*(?:s/|sem)\s*iva", r"base\s*tribut[áa]vel",
        r"total\s*l[íi]quido", r"valor\s*l[íi]quido", r"incid[êe]ncia", r"montant\s*hors\s*taxes?",
        r"total\s*hors\s*tva", r"total\s*excl\.?\s*tax")
_labels(("tax_total",),
        r"steuerbetrag", r"ust\.?-?\s*betrag", r"mwst\.?-?\s*betrag", r"zzgl\.?\s*(?:ust|mwst)\.?",
        r"(?:kwota|suma|warto[śs][ćc])\s*vat", r"podatek\s*vat", r"totale\s*iva", r"imposta", r"total\s*iva",
        r"imposto", r"sst", r"service\s*tax", r"tax\s*total", r"gst\s*amount", r"total\s*tax\s*amount",
        r"montant\s*tva", r"total\s*gst\s*amount", r"gst\s*\d+\s*%")
_labels(("total",),
        r"bruttosumme", r"rechnungssumme(?:\s*brutto)?", r"endsumme", r"gesamtbetrag\s*brutto",
        r"(?:razem|suma)\s*brutto", r"warto[śs][ćc]\s*brutto", r"razem", r"totale(?:\s*(?:fattura|documento|ivato))?",
        r"importo\s*totale", r"valor\s*total", r"total\s*da\s*fatura", r"total\s*geral", r"total\s*(?:c/|com)\s*iva",
        r"total\s*(?:rm|amount\s*\(rm\)|sales|incl\.?\s*(?:gst|sst)|\(incl\.?\s*(?:gst|sst)\))",
        r"rounded\s*total", r"total\s*rounded", r"nett\s*total", r"grand\s*total\s*\(rm\)", r"total\s*payable",
        r"total\s*incl(?:uding|\.)?\s*(?:vat|tax|gst|btw|tva|mwst)", r"totaal\s*incl(?:usief|\.)?\s*btw",
        r"montant\s*total\s*ttc", r"total\s*\(incl\.?\s*(?:vat|tax)\)", r"order\s*total", r"total\s*charges",
        r"total\s*amount\s*payable", r"total\s*invoice\s*amount", r"total\s*eur", r"total\s*usd", r"total\s*gbp",
        r"ukupno(?:\s*kn)?")
_labels(("amount_due",),
        r"do\s*zap[łl]aty", r"(?:totale\s*)?da\s*pagare", r"netto\s*a\s*pagare", r"total\s*a\s*pagar",
        r"valor\s*a\s*pagar", r"amount\s*to\s*pay", r"to\s*pay", r"net\s*payable", r"balance\s*payable",
        r"zahlbetrag", r"offen", r"invoice\s*balance", r"balance", r"outstanding(?:\s*balance)?", r"due\s*payable",
        r"bal\.?\s*due", r"amt\.?\s*due")
# "Total Sales (Excluding GST)" / "(Inclusive GST)": a receipt's subtotal and total, however the words run.
_labels(("subtotal",),
        r"total\s*(?:sales\s*|amount\s*)?\(?\s*excl(?:uding|usive|\.)?\s*(?:of\s*)?(?:gst|sst|tax|vat)\)?")
_labels(("total",),
        r"total\s*(?:sales\s*|amount\s*)?\(?\s*incl(?:uding|usive|\.)?\s*(?:of\s*)?(?:gst|sst|tax|vat)\)?")
# A till receipt's rounding to the nearest 5 cents/sen: the payable total is the total plus it.
_labels(("rounding",), r"rounding(?:\s*adj(?:ustment)?\.?)?", r"round(?:ing)?\s*adj\.?", r"rounding\s*amount")
_labels(("total",), r"total\s*after\s*rounding", r"rounded\s*amount", r"total\s*rounded", r"rounded\s*total")
# "<tax> total" is the tax's total, not the invoice's ("USt. Gesamt: 75,04"): one label, longer than either word.
_labels(("tax_total",),
        r"(?:ust|mwst|vat|tax|gst|sst|tva|btw|iva)\.?\s*(?:gesamt|total|totaal|totale)", r"gesamt\s*(?:ust|mwst)\.?",
        r"total\s*(?:sst|tva|btw)")
_labels(("due_date",),
        r"bis\s*zum", r"payable\s*(?:by|before)", r"[àa]\s*r[ée]gler\s*avant\s*le", r"avant\s*le", r"uiterlijk\s*op",
        r"entro\s*il", r"pagar\s*at[ée]", r"remit\s*until", r"pay(?:able)?\s*until", r"payable\s*on")
_labels(("vendor_tax_id",),
        r"ust\.?-?\s*id\.?-?\s*nr\.?", r"ust\.?-?\s*idnr\.?", r"ust\.?\s*id", r"steuer-?\s*nr\.?", r"st\.?-?\s*nr\.?",
        r"nip(?:\s*sprzedawcy)?", r"p\.?\s*iva", r"partita\s*iva", r"nipc", r"(?:n\.?[°º]?\s*)?contribuinte",
        r"gst\s*(?:no\.?|number|reg(?:istration)?\s*(?:no\.?|number)?|id(?:\s*no\.?)?)",
        r"sst\s*(?:no\.?|reg(?:istration)?\s*(?:no\.?)?|id(?:\s*no\.?)?)", r"btw\s*nr\.?", r"btw-?nummer",
        r"vat\s*reg\.?\s*no\.?", r"vat\s*id\s*no\.?", r"tva\s*intra(?:communautaire)?", r"num[ée]ro\s*de\s*tva")

AMOUNT_FIELDS = ("subtotal", "tax_total", "total", "amount_due", "rounding")
# Patterns bucketed by their first letter, tried at word starts only (one big alternation is too slow).
_BY_FIRST: dict[str, list[tuple[re.Pattern[str], tuple[str, ...]]]] = {}


def _first_chars(pattern: str) -> str:
    """The letters a label pattern can start with: its first letter, a leading character class, or the first
    letters of the alternatives of a leading group (and of what follows the group when it is optional)."""
    if pattern.startswith("["):
        return pattern[1:pattern.index("]")]
    if not pattern.startswith("(?:"):
        return pattern[0]
    depth, alternatives, start, rest = 0, [], 3, ""
    for index in range(3, len(pattern)):
        char = pattern[index]
        if char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif char == ")":
            alternatives.append(pattern[start:index])
            rest = pattern[index + 1:]
            break
        elif char == "|" and not depth:
            alternatives.append(pattern[start:index])
            start = index + 1
    firsts = "".join(_first_chars(alternative) for alternative in alternatives)
    if rest.startswith("?"):
        firsts += _first_chars(rest[1:].lstrip("\\s*"))
    return firsts


for _pattern in sorted(_LABELS, key=len, reverse=True):
    for _char in set(_first_chars(_pattern)):
        _BY_FIRST.setdefault(_char, []).append((re.compile(_pattern, re.IGNORECASE), _LABELS[_pattern]))
_WORD_START = re.compile(r"(?<!\w)\w")


def match_label(text: str, position: int) -> tuple[int, tuple[str, ...]] | None:
    """(end, fields) of the longest label starting at ``position``, else None."""
    best: tuple[int, tuple[str, ...]] | None = None
    for pattern, fields in _BY_FIRST.get(text[position].lower(), ()):
        match = pattern.match(text, position)
        if match and (best is None or match.end() > best[0]):
            best = (match.end(), fields)
    return best


def is_label(text: str) -> bool:
    found = match_label(text, 0) if text else None
    return found is not None and found[0] == len(text)


#: Labels so common as words that they count only with a colon after them.
COLON_ONLY = frozenset({"to", "from"})
#: Labels trusted in the middle of a line without a colon after them.
GENERIC = re.compile(r"^(?:date|datum|fecha|dated|due|terms|total|gesamt|netto|po|from|client|customer|kunde|"
                      r"klant|cliente|tin|ein|commande|pedido|bestellung|tax|vat|tva|btw|iva|gst|ust\.?|mwst\.?)$",
                      re.IGNORECASE)

CREDIT_RE = re.compile(r"\b(?:credit\s*note|credit\s*memo|avoir|facture\s*d'avoir|gutschrift|rechnungskorrektur|"
                        r"creditnota|creditfactuur|nota\s*de\s*cr[ée]dito|factura\s*rectificativa)\b", re.IGNORECASE)
#: "Invoice", also glued to the next word by OCR ("RechnungNr.") but not as the start of a longer word.
INVOICE_RE = re.compile(r"\b(?:invoice|tax\s*invoice|facture|factuur|rechnung|factura)(?!(?-i:[a-zà-ÿ])|\d)",
                         re.IGNORECASE)
TITLE_RE = re.compile(rf"^\s*(?:(?:tax\s*)?invoice|facture|factuur|rechnung|factura|{CREDIT_RE.pattern[2:-2]})\b",
                       re.IGNORECASE)
LEGAL_FORM = (r"(?:ltd|limited|llc|llp|inc|corp|plc|gmbh|ag|kg|ohg|ug|sarl|sas|sa|sasu|eurl|bv|b\.v\.|nv|n\.v\.|vof|"
               r"s\.l\.|sl|s\.a\.|pty|pvt|co\.|company|gbr|e\.k\.|srl|spa|sdn\.?\s*bhd|bhd|berhad|plt|pte|s/b|"
               r"sp\.\s*z\s*o\.\s*o\.|sp\.\s*j\.|s\.p\.a\.|s\.r\.l\.|lda|unipessoal|enterprises?|trading|a\.g\.|"
               r"e\.v\.|e\.g\.|eg|kgaa|mbh|se)")
COMPANY_RE = re.compile(rf"(?<!\w){LEGAL_FORM}(?!\w)", re.IGNORECASE)
#: Where a name ends on its line: a comma (not one before a legal form, as in "Orbitly, Inc."), a wide gap, a bar, a
#: phone or fax label ("Subway#15936-0 Phone 608-758-4560").
NAME_END = re.compile(rf",(?!\s*{LEGAL_FORM}(?![A-Za-z]))|\s{{2,}}|\s[|·]\s|\s(?:phone|tel|fax)\b", re.IGNORECASE)
#: Lines of a letterhead that are not the address: registrations, tax and bank numbers, contact details.
REGISTRATION_RE = re.compile(r"\b(?:kvk|hrb|hra|rcs|siren|siret|btw|vat|tva|ust|ust-idnr|abn|acn|ein|gstin|nif|cif|"
                              r"tel|t[ée]l[ée]phone|phone|fax|e-?mail|www|iban|bic|swift|registered|capital)\b|@",
                              re.IGNORECASE)
#: A US federal tax number makes the supplier a US company: its numeric dates are month first. (An address
#: is no hint: it may be the customer's.)
US_HINT_RE = re.compile(r"\bEIN\b")
#: Between the parts of a one-line sender address: "Müller GmbH · Industriestraße 7 · 70565 Stuttgart".
SENDER_SEPARATOR = re.compile(r"\s[·•|\u2013-]\s|(?<=\w)·(?=\w)")

PERCENT_RE = re.compile(r"\d+(?:[.,]\d+)?\s?%")


@dataclass
class Label:
    line: int  # index into the document's lines
    start: int  # offsets in the line text
    end: int
    fields: tuple[str, ...]


def find_labels(lines: list[Line], index: int) -> list[Label]:
    """The labels on line ``index``, left to right."""
    line = lines[index]
    text = line.text
    found: list[Label] = []
    position = 0
    while True:
        word = _WORD_START.search(text, position)
        if word is None:
            break
        start = word.start()
        matched = None if start and text[start - 1] in "-_/'" else match_label(text, start)
        if matched is None:
            position = start + 1
            continue
        end, fields = matched
        position = end
        label_text = text[start:end]
        glued = label_text[-1].islower() and end < len(text) and text[end].isupper()
        if label_text[-1].isalnum() and end < len(text) and (text[end].isalpha() or text[end] in "-_/") \
                and not glued:
            position = start + 1
            continue  # the start of a longer word ("Kundennummer" is not "Kunde"); "VAT10%" (OCR) is a label
        after = text[end:].lstrip()
        if label_text.lower() in COLON_ONLY and not after.startswith(":") and (start or after):
            continue  # "To:" (or "To" alone on its line) is a label, "To be paid..." is not
        announced = after.startswith((":", "#"))
        starts_cell = any(cell[0] == start for cell in line.cells())
        if start > 0 and not announced and not starts_cell and not _mid_line_label(text, start, label_text, after):
            continue
        found.append(Label(index, start, end, fields))
    return found


#: Words that date the document when they follow its number on the title line.
_DATE_AFTER_NUMBER = frozenset({"vom", "du", "dated", "dnia", "z dnia", "del", "de", "of"})


def _announces_number(text: str) -> bool:
    """Whether ``text`` starts with an invoice-number label (and so holds the number)."""
    found = match_label(text, 0) if text else None
    return found is not None and "invoice_number" in found[1]


def _mid_line_label(text: str, start: int, label_text: str, after: str) -> bool:
    """Whether a label word in the middle of a line (without a colon after it) is a label: after a '|'
    or a colon, after a wide gap, or announcing an amount after a few words ("zzgl. 19% MwSt. 85,69")."""
    before = text[:start].rstrip()
    if before.endswith(("|", ":")):
        return True
    if label_text.lower() in _DATE_AFTER_NUMBER and _announces_number(before):
        return True  # "Rechnung Nr. 4711 vom 31.10.2018", "Facture n° 12 du 3 mars 2024"
    announces_amount = bool(after) and (after[0].isdigit() or after[0] in "€$£-(")
    if GENERIC.match(label_text):
        return announces_amount and len(PERCENT_RE.sub("", before).split()) <= 2
    if not after:
        return False
    return bool(re.search(r"\s{2,}|\|", text[max(0, start - 2):start])) or announces_amount
