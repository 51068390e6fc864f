"""Template-free invoice reading from page text and line positions.

No per-layout templates: multilingual labels (English, French, Dutch, German, Spanish) are found on
each line and their values read from the rest of the line up to the next label, or from the line
below (the nearest line under the label, by segment boxes when the page has them). Amounts are chosen
so that subtotal + tax = total when the document allows it; line items come from the rows under a
table header whose column order is read from the header itself.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from itertools import permutations
from typing import Any

from paperclerk.extraction.base import ExtractedPage, Extraction, TextSegment
from paperclerk.invoices import identifiers
from paperclerk.invoices.dates import Order, find_dates, infer_order, order_for
from paperclerk.invoices.numbers import SYMBOLS, AmountMatch, decimal_separator_hint, find_amounts, parse_number
from paperclerk.invoices.reading import CREDIT_NOTE, INVOICE, Evidence, FieldValue, InvoiceExtraction, LineItem

NAME = "layout"
Box = tuple[float, float, float, float]

# Labels -------------------------------------------------------------------------------------------------
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

_AMOUNT_FIELDS = ("subtotal", "tax_total", "total", "amount_due")
# Patterns bucketed by their first letter, tried at word starts only (one big alternation is too slow).
_BY_FIRST: dict[str, list[tuple[re.Pattern[str], tuple[str, ...]]]] = {}
for _pattern in sorted(_LABELS, key=len, reverse=True):
    _firsts = _pattern[1:_pattern.index("]")] if _pattern.startswith("[") else _pattern[0]
    for _char in _firsts:
        _BY_FIRST.setdefault(_char, []).append((re.compile(_pattern, re.IGNORECASE), _LABELS[_pattern]))
_WORD_START = re.compile(r"(?<!\w)\w")


def _match_label(text: str, position: int) -> tuple[int, tuple[str, ...]] | None:
    """(end, fields) of the longest label starting at ``position``, else None."""
    best: tuple[int, tuple[str, ...]] | None = None
    for pattern, fields in _BY_FIRST.get(text[position].lower(), ()):
        match = pattern.match(text, position)
        if match and (best is None or match.end() > best[0]):
            best = (match.end(), fields)
    return best


def _is_label(text: str) -> bool:
    found = _match_label(text, 0) if text else None
    return found is not None and found[0] == len(text)


#: Labels so common as words that they count only with a colon after them.
_COLON_ONLY = frozenset({"to", "from"})
#: Labels trusted in the middle of a line without a colon after them.
_GENERIC = re.compile(r"^(?:date|datum|fecha|dated|due|terms|total|gesamt|netto|po|from|client|customer|kunde|"
                      r"klant|cliente|tin|ein|commande|pedido|bestellung|tax|vat|tva|btw|iva|gst|ust\.?|mwst\.?)$",
                      re.IGNORECASE)

_CREDIT_RE = re.compile(r"\b(?:credit\s*note|credit\s*memo|avoir|facture\s*d'avoir|gutschrift|rechnungskorrektur|"
                        r"creditnota|creditfactuur|nota\s*de\s*cr[ée]dito|factura\s*rectificativa)\b", re.IGNORECASE)
#: "Invoice", also glued to the next word by OCR ("RechnungNr.") but not as the start of a longer word.
_INVOICE_RE = re.compile(r"\b(?:invoice|tax\s*invoice|facture|factuur|rechnung|factura)(?!(?-i:[a-zà-ÿ])|\d)",
                         re.IGNORECASE)
_TITLE_RE = re.compile(rf"^\s*(?:(?:tax\s*)?invoice|facture|factuur|rechnung|factura|{_CREDIT_RE.pattern[2:-2]})\b",
                       re.IGNORECASE)
_LEGAL_FORM = (r"(?:ltd|limited|llc|llp|inc|corp|plc|gmbh|ag|kg|ohg|ug|sarl|sas|sa|sasu|eurl|bv|b\.v\.|nv|n\.v\.|vof|"
               r"s\.l\.|sl|s\.a\.|pty|pvt|co\.|company|gbr|e\.k\.|srl|spa)")
_COMPANY_RE = re.compile(rf"\b{_LEGAL_FORM}\b", re.IGNORECASE)
#: Where a name ends on its line: a comma (not one before a legal form, as in "Orbitly, Inc."), a wide gap, a bar.
_NAME_END = re.compile(rf",(?!\s*{_LEGAL_FORM}(?![A-Za-z]))|\s{{2,}}|\s[|·]\s", re.IGNORECASE)
#: Lines of a letterhead that are not the address: registrations, tax and bank numbers, contact details.
_REGISTRATION_RE = re.compile(r"\b(?:kvk|hrb|hra|rcs|siren|siret|btw|vat|tva|ust|ust-idnr|abn|acn|ein|gstin|nif|cif|"
                              r"tel|t[ée]l[ée]phone|phone|fax|e-?mail|www|iban|bic|swift|registered|capital)\b|@",
                              re.IGNORECASE)
#: A US federal tax number makes the supplier a US company: its numeric dates are month first. (An address
#: is no hint: it may be the customer's.)
_US_HINT_RE = re.compile(r"\bEIN\b")
#: The currency of a country, by the two letters that start its IBANs and VAT numbers.
_COUNTRY_CURRENCY = {
    **dict.fromkeys(("AT", "BE", "CY", "DE", "EE", "EL", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU", "LV",
                     "MT", "NL", "PT", "SI", "SK"), "EUR"),
    "GB": "GBP", "CH": "CHF", "DK": "DKK", "SE": "SEK", "NO": "NOK", "PL": "PLN", "CZ": "CZK", "HU": "HUF",
    "RO": "RON", "BG": "BGN",
}
#: Between the parts of a one-line sender address: "Müller GmbH · Industriestraße 7 · 70565 Stuttgart".
_SENDER_SEPARATOR = re.compile(r"\s[·•|\u2013-]\s|(?<=\w)·(?=\w)")
#: A value under its label may start up to this many points right of the label's end (a short label, a long value).
_VALUE_REACH = 40.0
#: A line that can hold an amount naming its currency (a sign or a three-letter code somewhere on it).
_MAY_HAVE_CURRENCY = re.compile("|".join([re.escape(symbol) for symbol in SYMBOLS] + [r"[A-Z]{3}"]))
_PERCENT_RE = re.compile(r"\d+(?:[.,]\d+)?\s?%")
_CODE_RE = re.compile(r"(?<![A-Za-z])([A-Z]{3})(?![A-Za-z])")

# Table header words per column ("position" is the row number column, read and dropped).
_COLUMNS: dict[str, str] = {
    "position": r"pos\.?(?:\s*nr\.?)?|position|lfd\.?\s*nr\.?|line\s*no\.?|item\s*no\.?|n[°º]|nr\.?|no\.?|#|"
                r"s(?:r|l)\.?(?:\s*no\.?)?|s\.\s*no\.?",
    # A numeric product classification (India's HSN / SAC): read and dropped, like the position.
    "code": r"hsn(?:\s*/\s*sac)?(?:\s*code)?|sac",
    "unit_price": r"unit\s*price|unit\s*cost|price|rate|prix\s*unitaire|p\.\s*u\.(?:\s*ht)?|pu\s*ht|pu|prix|"
                  r"eenheidsprijs|stukprijs|prijs|einzelpreis|e-preis|st[üu]ckpreis|preis|precio\s*unitario|"
                  r"precio\s*unit\.?|precio",
    "description": r"description|descr\.?|items?|articles?|products?|services?|details|d[ée]signation|libell[ée]|"
                   r"omschrijving|beschrijving|artikel|beschreibung|bezeichnung|leistung|descripci[óo]n|concepto|"
                   r"art[íi]culo|producto",
    "quantity": r"qty|quantity|qt[ée]|quantit[ée]|aantal|hoeveelheid|menge|anzahl|cantidad|"
                r"cant\.?|uds\.?|units?|hours|hrs",
    "tax_rate": r"(?:vat|tax|tva|btw|mwst|ust|iva|gst)\s*%|%\s*(?:vat|tax|tva|btw|mwst|ust|iva)|vat|tax|tva|btw|"
                r"mwst|ust|iva|gst|%",
    "amount": r"line\s*total|amount|total\s*ht|total|montant\s*ht|montant|bedrag|totaal|betrag|gesamtpreis|gesamt|"
              r"summe|importe|subtotal|net(?:\s*amount)?",
}
_COLUMN_RE = re.compile("|".join(rf"(?P<{name}>(?<!\w)(?:{pattern})(?!\w))" for name, pattern in _COLUMNS.items()),
                        re.IGNORECASE)


@dataclass
class _Line:
    page: int
    start: int  # offsets in the page text
    end: int
    text: str
    bbox: Box | None  # the union of the segments on the line
    segments: list[TextSegment]

    def box(self, start: int, end: int) -> Box | None:
        """The box of the segments covering page offsets ``start``..``end`` (the line's box as a fallback)."""
        covering = [s.bbox for s in self.segments if s.start < end and s.end > start]
        return _union_box(covering) if covering else self.bbox

    def cells(self) -> list[tuple[int, int, Box]]:
        """(start, end, box) in the line's text of its cells: the segments, when the line has several (text
        that a wide gap sets apart, as in two address blocks side by side or a label and its value far right)."""
        if len(self.segments) < 2:
            return []
        return [(s.start - self.start, s.end - self.start, s.bbox) for s in self.segments]

    def cell_end(self, position: int) -> int:
        """The end of the cell holding ``position`` (or of the next cell, when it falls in a gap)."""
        for _start, end, _box in self.cells():
            if position < end:
                return end
        return len(self.text)


@dataclass
class _Label:
    line: int  # index into the document's lines
    start: int  # offsets in the line text
    end: int
    fields: tuple[str, ...]


@dataclass
class _Value:
    field: str
    value: Any
    line: int
    start: int
    end: int
    confidence: float


class LayoutExtractor:
    """The template-free extractor (``name == "layout"``)."""

    name = NAME

    def extract(self, extraction: Extraction) -> InvoiceExtraction:
        return _Reader(extraction).read()


def extract_layout(extraction: Extraction) -> InvoiceExtraction:
    """Convenience: ``LayoutExtractor().extract(extraction)``."""
    return _Reader(extraction).read()


def _page_lines(page: ExtractedPage) -> list[_Line]:
    """The page's text lines (blank ones kept, as block separators), each with the boxes of the segments
    on it: one per line from a PDF text layer, one per word group from OCR, none for plain text."""
    segments = sorted(page.segments, key=lambda s: s.start)
    lines: list[_Line] = []
    offset = cursor = 0
    for raw in page.text.split("\n"):
        stripped = raw.strip()
        start = offset + len(raw) - len(raw.lstrip())
        end = start + len(stripped)
        while cursor < len(segments) and segments[cursor].end <= start:
            cursor += 1
        boxes = []
        index = cursor
        while stripped and index < len(segments) and segments[index].start < end:
            boxes.append(segments[index])
            index += 1
        lines.append(_Line(page.number, start, end, stripped, _union_box([s.bbox for s in boxes]), boxes))
        offset += len(raw) + 1
    return lines


class _Reader:
    def __init__(self, extraction: Extraction) -> None:
        self.extraction = extraction
        self.lines: list[_Line] = [line for page in extraction.pages for line in _page_lines(page)]
        text = "\n".join(line.text for line in self.lines)
        self.text = text
        self.hint = decimal_separator_hint(_strip_dates(text))
        self.currency, self.currency_at = self._currency()
        country = "US" if _US_HINT_RE.search(text) else None
        self.order: Order = infer_order(text, default=order_for(currency=self.currency, country=country))
        self.table_lines: set[int] = set()
        self._customer_lines: set[int] | None = None
        self.labels: list[list[_Label]] = [self._find_labels(index) for index in range(len(self.lines))]
        self.result = InvoiceExtraction()

    # Building blocks -------------------------------------------------------------------------------------

    def _evidence(self, line_index: int, start: int, end: int) -> Evidence:
        line = self.lines[line_index]
        return Evidence(line.page, line.start + start, line.start + end, line.box(line.start + start, line.start + end),
                        line.text[start:end])

    def _set(self, name: str, value: Any, confidence: float, line: int, start: int, end: int) -> None:
        self.result.fields[name] = FieldValue(name, value, round(confidence, 3), NAME, self._evidence(line, start, end))

    def _find_labels(self, index: int) -> list[_Label]:
        text = self.lines[index].text
        found: list[_Label] = []
        position = 0
        while True:
            word = _WORD_START.search(text, position)
            if word is None:
                break
            start = word.start()
            matched = None if start and text[start - 1] in "-_/'" else _match_label(text, start)
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
            if label_text.lower() in _COLON_ONLY and not after.startswith(":"):
                continue  # "To:" is a label, "To be paid..." is not
            announced = after.startswith((":", "#"))
            starts_cell = any(cell[0] == start for cell in self.lines[index].cells())
            if start > 0 and not announced and not starts_cell \
                    and not self._mid_line_label(text, start, label_text, after):
                continue
            found.append(_Label(index, start, end, fields))
        return found

    @staticmethod
    def _mid_line_label(text: str, start: int, label_text: str, after: str) -> bool:
        """Whether a label word in the middle of a line (without a colon after it) is a label: after a '|'
        or a colon, after a wide gap, or announcing an amount after a few words ("zzgl. 19% MwSt. 85,69")."""
        before = text[:start].rstrip()
        if before.endswith(("|", ":")):
            return True
        announces_amount = bool(after) and (after[0].isdigit() or after[0] in "€$£-(")
        if _GENERIC.match(label_text):
            return announces_amount and len(_PERCENT_RE.sub("", before).split()) <= 2
        if not after:
            return False
        return bool(re.search(r"\s{2,}|\|", text[max(0, start - 2):start])) or announces_amount

    def _value_span(self, label: _Label, *, one_cell: bool = False) -> tuple[int, int, int] | None:
        """(line, start, end) of the text a label announces: the rest of its line up to the next label (with
        ``one_cell``, up to the end of the first cell that holds more than the label), else the line below it
        (when that line holds no label of its own)."""
        line_labels = self.labels[label.line]
        text = self.lines[label.line].text
        following = [other.start for other in line_labels if other.start >= label.end]
        stop = min(following) if following else len(text)
        start = label.end
        # Skip separators; a dash only when a space follows (a minus sign belongs to the value).
        while start < stop and (text[start] in " :#.\t"
                                or (text[start] in "-\u2013" and text[start + 1:start + 2] == " ")):
            start += 1
        end = stop
        if one_cell:
            line = self.lines[label.line]
            end = min(stop, line.cell_end(label.end))
            if not _PERCENT_RE.sub("", text[start:end]).strip(" |:#.()"):
                end = min(stop, line.cell_end(end + 1))  # the label fills its cell: the value is in the next
        while end > start and text[end - 1] in " |;,":
            end -= 1
        if end > start and _PERCENT_RE.sub("", text[start:end]).strip(" |:()"):
            return label.line, start, end
        below = self._line_below(label)
        if below is None or (self.labels[below] and self.labels[below][0].start == 0):
            return None
        below_text = self.lines[below].text
        # Several labels side by side with nothing else on their line (a header row): the n-th cell below.
        rest = text
        for other in reversed(line_labels):
            rest = rest[:other.start] + rest[other.end:]
        if len(line_labels) > 1 and not _PERCENT_RE.sub("", rest).strip(" :#.|\t"):
            return self._header_row_cell(label, below)
        under = self._cell_under(label, below) if one_cell else None
        return (below, *under) if under else (below, 0, len(below_text))

    def _header_row_cell(self, label: _Label, below: int) -> tuple[int, int, int] | None:
        """Labels side by side with their values on the next line: the n-th value for the n-th label."""
        under = self._cell_under(label, below)
        if under is not None:
            return below, under[0], under[1]
        position = self.labels[label.line].index(label)
        cells = _cells(self.lines[below].text, len(self.labels[label.line]))
        if cells is None:
            return None
        start, end = cells[position]
        return below, start, end

    def _cell_under(self, label: _Label, below: int) -> tuple[int, int] | None:
        """(start, end) of the cell of line ``below`` that sits under the label's cell, when the line below has
        cells (positions known)."""
        above = self.lines[label.line]
        label_box = above.box(above.start + label.start, above.start + label.end)
        cells = self.lines[below].cells()
        if not cells or label_box is None:
            return None
        overlap = [(min(box[2], label_box[2] + _VALUE_REACH) - max(box[0], label_box[0]), start, end)
                   for start, end, box in cells]
        best = max(overlap)
        return (best[1], best[2]) if best[0] > 0 else None

    def _adjacent(self, upper: int, lower: int) -> bool:
        """True when line ``lower`` directly follows line ``upper`` in one block (same page, no blank line
        and, with positions, no gap taller than a line between them)."""
        first, second = self.lines[upper], self.lines[lower]
        if first.page != second.page or not second.text or not first.text:
            return False
        if first.bbox and second.bbox:
            return second.bbox[1] - first.bbox[3] <= 1.5 * (first.bbox[3] - first.bbox[1])
        return True

    def _line_below(self, label: _Label) -> int | None:
        index = label.line
        here = self.lines[index]
        for below in range(index + 1, min(index + 4, len(self.lines))):
            line = self.lines[below]
            if line.page != here.page:
                return None
            if not line.text:
                return None
            if here.bbox and line.bbox:
                height = here.bbox[3] - here.bbox[1]
                if line.bbox[1] - here.bbox[3] > 2.5 * height:
                    return None
                if line.bbox[2] < here.bbox[0] or line.bbox[0] > here.bbox[2] + 5 * height:
                    continue  # a line in another column
            return below
        return None

    def _currency(self) -> tuple[str | None, tuple[int, int, int] | None]:
        votes: Counter[str] = Counter()
        first: dict[str, tuple[int, int, int]] = {}
        for index, line in enumerate(self.lines):
            label = re.search(r"(?:currency|devise|valuta|w[äa]hrung|moneda|divisa)\s*:?\s*([A-Z]{3})\b", line.text,
                              re.IGNORECASE)
            # A labelled code is taken as written, known or not (the rules flag an unknown one).
            if label and (label.group(1).upper() in identifiers.ISO_4217 or label.group(1).isupper()):
                code = label.group(1).upper()
                votes[code] += 10
                first.setdefault(code, (index, label.start(1), label.end(1)))
            if not _MAY_HAVE_CURRENCY.search(line.text):
                continue  # no sign or code on the line: no amount on it can name a currency
            for match in find_amounts(line.text, known_codes=identifiers.ISO_4217):
                if match.currency and (match.currency in identifiers.ISO_4217):
                    span = line.text[match.start:match.end]
                    is_code = match.currency in span
                    votes[match.currency] += 2 if is_code else 1
                    at = span.find(match.currency) if is_code else _symbol_at(span)
                    width = 3 if is_code else 1
                    first.setdefault(match.currency, (index, match.start + at, match.start + at + width))
        if "USD" in votes and re.search(r"\bABN\b", self.text):
            votes["AUD"] += votes.pop("USD")
            first["AUD"] = first["USD"]
        if not votes:
            return None, None
        code = votes.most_common(1)[0][0]
        return code, first.get(code)

    # Reading ---------------------------------------------------------------------------------------------

    def read(self) -> InvoiceExtraction:
        self._lines_table()
        for index in range(len(self.lines)):
            if index in self.table_lines:
                continue
            for label in self.labels[index]:
                for name in label.fields:
                    self._read_field(name, label)
        self._identifiers()
        self._vendor_block()
        self._recipient_under_sender_line()
        self._amounts()
        self._document_type()
        if self.currency and self.currency_at:
            line, start, end = self.currency_at
            self._set("currency", self.currency, 0.9 if end - start == 3 else 0.75, line, start, end)
        elif any(page.method == "ocr" for page in self.extraction.pages):
            self._currency_of_country()
        return self.result

    def _currency_of_country(self) -> None:
        """A scan with no currency read (OCR often loses a € or £ sign): the currency of the supplier's IBAN or
        tax ID country, with low confidence. (A text layer that names no currency is left without one.)"""
        for name in ("vendor_iban", "vendor_tax_id"):
            found = self.result.fields.get(name)
            if found is None:
                continue
            scheme = identifiers.tax_id_scheme(found.value) if name == "vendor_tax_id" else None
            code = "INR" if scheme == "gstin" else _COUNTRY_CURRENCY.get(found.value[:2])
            if code:
                self.result.fields["currency"] = FieldValue("currency", code, 0.5, NAME, found.evidence)
                return

    def _read_field(self, name: str, label: _Label) -> None:
        if name in _AMOUNT_FIELDS or name in ("vendor_tax_id", "vendor_iban", "vendor_bic", "currency"):
            return  # read by _amounts / _identifiers / _currency from all candidates
        span = self._value_span(label, one_cell=True)
        if span is None:
            return
        line, start, end = span
        text = self.lines[line].text[start:end]
        same_line = line == label.line
        confidence = 0.9 if same_line else 0.8
        if name in self.result.fields and self.result.fields[name].confidence >= confidence:
            return
        if name in ("invoice_date", "due_date"):
            dates = find_dates(text, order=self.order)
            if dates:
                first = dates[0]
                generic = re.fullmatch(r"date|datum|fecha|dated", self.lines[label.line].text[label.start:label.end],
                                       re.IGNORECASE)
                self._set(name, first.value, confidence - (0.1 if generic else 0.0), line,
                          start + first.start, start + first.end)
            elif name == "due_date" and "payment_terms" not in self.result.fields and re.search(r"\d", text):
                self._set("payment_terms", text.strip(), confidence - 0.2, line, start, end)
        elif name in ("invoice_number", "purchase_order"):
            match = re.match(r"(?:(?:no|nr|n[°º])\.?\s*:?\s*)?([A-Za-z0-9][A-Za-z0-9\-/_.]*[A-Za-z0-9]|[0-9])", text,
                             re.IGNORECASE)
            if match and re.search(r"\d", match.group(1)) and not find_dates(match.group(1)):
                self._set(name, match.group(1), confidence, line, start + match.start(1), start + match.end(1))
        elif name == "payment_terms":
            if re.search(r"\d|net|days|jours|dagen|tage|d[íi]as|immediate|sofort|contant|comptant|receipt", text,
                         re.IGNORECASE):
                terms = re.split(r"(?<=[a-z])\.\s", text)[0].strip(" .;")
                self._set(name, terms, confidence, line, start, start + len(terms))
        elif name in ("customer_name", "vendor_name"):
            name_text = _NAME_END.split(text)[0].strip()
            if name_text and re.search(r"[A-Za-zÀ-ÿ]{2}", name_text) and not _is_label(name_text):
                self._set(name, name_text, confidence, line, start, start + len(name_text))
                if name == "vendor_name":
                    self._address_after(line, start + len(name_text))

    def _address_after(self, line: int, name_end: int) -> None:
        """The address following a vendor name: the rest of its line (after a comma or a '|'), else the
        lines below it up to a blank line, a label or the title."""
        text = self.lines[line].text
        rest = text[name_end:].strip(" ,|·")
        if rest and re.search(r"\d", rest):
            offset = text.index(rest, name_end)
            kept = []
            for part in (part.strip() for part in re.split(r"\s[|·]\s", rest)):
                if not part or _match_label(part, 0) is not None or _REGISTRATION_RE.search(part):
                    break
                kept.append(part)
            if kept:
                end = text.index(kept[-1], offset) + len(kept[-1])
                self._set("vendor_address", ", ".join(kept), 0.75, line, offset, end)
                return
        parts = []
        for below in range(line + 1, min(line + 4, len(self.lines))):
            candidate = self.lines[below]
            if not self._adjacent(below - 1, below) or self.labels[below] or _TITLE_RE.match(candidate.text) \
                    or below in self.table_lines or _REGISTRATION_RE.search(candidate.text):
                break
            parts.append(below)
        if parts:
            value = ", ".join(self.lines[i].text.strip() for i in parts)
            first, last = self.lines[parts[0]], self.lines[parts[-1]]
            evidence = Evidence(first.page, first.start, last.end, _union_box([self.lines[i].bbox for i in parts]),
                                self._page_text(first.page)[first.start:last.end])
            self.result.fields["vendor_address"] = FieldValue("vendor_address", value, 0.7, NAME, evidence)

    def _page_text(self, number: int) -> str:
        return next(page.text for page in self.extraction.pages if page.number == number)

    def _vendor_block(self) -> None:
        """Without a 'from/supplier' label, the vendor is a name-like line, page 1 first: a company name
        (legal form such as Ltd, GmbH, SARL, B.V., S.L.) first, else the top-most line; never the
        title, a label, a table row or the customer's block."""
        if "vendor_name" in self.result.fields or not self.lines:
            return
        customer = self._customer_block()
        first_page = self.lines[0].page
        best: tuple[float, int, str, int] | None = None
        for index, line in enumerate(self.lines):
            text = line.text.strip()
            if not text or index in self.table_lines or index in customer:
                continue
            if self.labels[index] and self.labels[index][0].start == 0:
                continue
            if _TITLE_RE.match(text) or not re.search(r"[A-Za-zÀ-ÿ]{2}", text):
                continue
            if self.labels[index]:
                text = text[: self.labels[index][0].start]
            text = text[: line.cell_end(0)]
            name = _NAME_END.split(text)[0].strip(" |·")
            if not name or sum(c.isdigit() for c in name) > 3 or len(name) > 80:
                continue
            company = bool(_COMPANY_RE.search(name))
            score = (2.0 if company else 0.0) + (1.0 if index < 6 else 0.0) - index / 1000
            score -= 0.5 * (line.page - first_page)
            if best is None or score > best[0]:
                best = (score, index, name, line.text.index(name))
        if best is None:
            return
        score, index, name, lead = best
        confidence = 0.75 if score >= 2 else 0.6
        self._set("vendor_name", name, confidence, index, lead, lead + len(name))
        if "vendor_address" not in self.result.fields:
            self._address_after(index, lead + len(name))

    def _recipient_under_sender_line(self) -> None:
        """A letter's address window without a label (DIN 5008 and many European letters): the supplier's own
        one-line address ("Name · Street · City") sits just above it; the recipient's name is the first line
        below that."""
        vendor = self.result.fields.get("vendor_name")
        if "customer_name" in self.result.fields or vendor is None:
            return
        wanted = re.sub(r"\s", "", vendor.value).lower()
        for index, line in enumerate(self.lines[:30]):
            parts = _SENDER_SEPARATOR.split(line.text)
            if len(parts) < 3 or re.sub(r"\s", "", parts[0]).lower() != wanted:
                continue
            for below in range(index + 1, min(index + 3, len(self.lines))):
                text = self.lines[below].text[: self.lines[below].cell_end(0)]
                if not text:
                    continue
                name = _NAME_END.split(text)[0].strip()
                labelled = bool(self.labels[below]) and self.labels[below][0].start == 0
                if labelled or not re.search(r"[A-Za-zÀ-ÿ]{2}", name):
                    return
                self._set("customer_name", name, 0.6, below, 0, len(name))
                return
            return

    def _identifiers(self) -> None:
        customer_lines = self._customer_block()
        tax_ids: list[tuple[float, int, int, int, str]] = []
        for index, line in enumerate(self.lines):
            words = {w.lower() for w in re.findall(r"[A-Za-z]+", line.text)}
            labelled = any("vendor_tax_id" in label.fields for label in self.labels[index])
            for start, end, value in identifiers.find_tax_ids(line.text, labels=words):
                if index in customer_lines:
                    continue  # the customer's tax ID
                scheme, problem = identifiers.check_tax_id(value)
                if not labelled and problem is not None and scheme == "eu_vat":
                    continue  # an unlabelled VAT-shaped token that fails its checksum is probably not one
                confidence = (0.9 if labelled else 0.75) - (0.0 if problem is None else 0.15)
                tax_ids.append((confidence, -index, start, end, value))
            iban_label = re.search(r"(?<![A-Za-z])iban(?![A-Za-z])", line.text, re.IGNORECASE)
            has_iban_label = iban_label is not None
            ibans = identifiers.find_ibans(line.text)
            if iban_label:
                # The one after the label, a valid one first (a VAT number before it can have an IBAN's shape).
                ibans = [found for found in ibans if found[0] >= iban_label.end()] or ibans
                ibans.sort(key=lambda found: identifiers.check_iban(found[2]) is not None)
            for start, end, value in ibans:
                if has_iban_label or identifiers.check_iban(value) is None:
                    confidence = 0.9 if has_iban_label else 0.7
                    if index not in customer_lines and "vendor_iban" not in self.result.fields:
                        self._set("vendor_iban", value, confidence, index, start, end)
            bic_label = re.search(r"(?<![A-Za-z])(?:bic|swift)(?![A-Za-z])", line.text, re.IGNORECASE)
            if bic_label and "vendor_bic" not in self.result.fields:
                offset = bic_label.end()
                for start, end, value in identifiers.find_bics(line.text[offset:])[:1]:
                    # Kept even when invalid (lower confidence): the BIC rule tells the clerk.
                    confidence = 0.9 if identifiers.check_bic(value) is None else 0.6
                    self._set("vendor_bic", value, confidence, index, offset + start, offset + end)
        if tax_ids:
            confidence, line, start, end, value = max(tax_ids, key=lambda item: (item[0], item[1]))
            self._set("vendor_tax_id", value, confidence, -line, start, end)

    def _customer_block(self) -> set[int]:
        """Lines of the 'bill to' block: the label's line and the lines under it up to a blank line, the table
        or a label (the customer's own tax ID line belongs to the block). Computed once the table is known."""
        if self._customer_lines is not None:
            return self._customer_lines
        block: set[int] = set()
        self._customer_lines = block
        for index, labels in enumerate(self.labels):
            if any("customer_name" in label.fields for label in labels):
                block.add(index)
                for below in range(index + 1, min(index + 5, len(self.lines))):
                    other_label = any("vendor_tax_id" not in label.fields for label in self.labels[below])
                    if not self._adjacent(below - 1, below) or other_label or below in self.table_lines:
                        break
                    block.add(below)
        return block

    # Amounts ---------------------------------------------------------------------------------------------

    def _amounts(self) -> None:
        found: dict[str, list[_Value]] = {name: [] for name in _AMOUNT_FIELDS}
        for index in range(len(self.lines)):
            if index in self.table_lines:
                continue
            for label in self.labels[index]:
                names = [name for name in label.fields if name in _AMOUNT_FIELDS]
                if not names:
                    continue
                span = self._value_span(label)
                if span is None:
                    continue
                line, start, end = span
                amount = self._last_amount(self.lines[line].text, start, end)
                if amount is None:
                    continue
                for name in names:
                    confidence = 0.85 if line == label.line else 0.75
                    found[name].append(_Value(name, amount.value, line, amount.start, amount.end, confidence))
        # "Total due" style labels also announce the total when there is no plain total.
        subtotals, taxes, totals, dues = (found[name] for name in _AMOUNT_FIELDS)
        chosen = _consistent(subtotals, taxes, totals or dues)
        if chosen is not None:
            subtotal, tax_values, total = chosen
            self._set_value(subtotal, "subtotal", 0.95)
            tax_sum = sum((value.value for value in tax_values), Decimal(0))
            if len(tax_values) == 1:
                self._set_value(tax_values[0], "tax_total", 0.95)
            else:
                # Several tax lines (one per rate): the evidence spans them all.
                first, last = self._evidence(tax_values[0].line, tax_values[0].start, tax_values[0].end), \
                    self._evidence(tax_values[-1].line, tax_values[-1].start, tax_values[-1].end)
                if first.page == last.page:
                    page_text = self._page_text(first.page)
                    boxes = [self.lines[value.line].box(*self._page_span(value)) for value in tax_values]
                    first = Evidence(first.page, first.start, last.end, _union_box(boxes),
                                     page_text[first.start:last.end])
                self.result.fields["tax_total"] = FieldValue("tax_total", tax_sum, 0.85, NAME, first)
            self._set_value(total, "total", 0.95)
        else:
            if subtotals:
                self._set_value(subtotals[0], "subtotal", subtotals[0].confidence - 0.1)
            if taxes:
                self._set_value(taxes[0], "tax_total", taxes[0].confidence - 0.1)
            pool = totals or dues
            if pool:
                best = max(pool, key=lambda value: (abs(value.value), value.confidence))
                self._set_value(best, "total", best.confidence - (0.25 if len({v.value for v in pool}) > 1 else 0.1))
        if dues:
            self._set_value(dues[-1], "amount_due", dues[-1].confidence)
        total = self.result.fields.get("total")
        distinct = {value.value for value in totals}
        if total is not None and len(distinct) > 1:
            evidence_for = {value.value: value for value in totals}
            self.result.candidates["total"] = [
                FieldValue("total", value.value, value.confidence, NAME,
                           self._evidence(value.line, value.start, value.end))
                for value in evidence_for.values() if value.value != total.value]

    def _page_span(self, value: _Value) -> tuple[int, int]:
        start = self.lines[value.line].start
        return start + value.start, start + value.end

    def _set_value(self, value: _Value, name: str, confidence: float) -> None:
        self._set(name, value.value, confidence, value.line, value.start, value.end)

    def _last_amount(self, text: str, start: int, end: int) -> AmountMatch | None:
        segment = _strip_dates(_PERCENT_RE.sub(lambda m: " " * len(m.group()), text[start:end]))
        amounts = [a for a in find_amounts(segment, hint=self.hint, known_codes=identifiers.ISO_4217)
                   if not (a.value == a.value.to_integral() and not a.has_decimals and a.currency is None
                           and len(segment[a.start:a.end]) == 4 and 1900 < a.value < 2100)]
        if not amounts:
            return None
        last = amounts[-1]
        return AmountMatch(start + last.start, start + last.end, last.value, last.currency, last.has_decimals)

    def _document_type(self) -> None:
        """Credit note when its title says so; invoice when titled as one (negative amounts on a titled
        invoice stay an invoice, for the rules to flag); else a negative total makes a credit note."""
        head = self.lines[:25]
        for index, line in enumerate(head):
            match = _CREDIT_RE.search(line.text)
            if match:
                self._set("document_type", CREDIT_NOTE, 0.9, index, match.start(), match.end())
                return
        for index, line in enumerate(head):
            match = _TITLE_RE.match(line.text)
            if match and not self.labels[index]:
                lead = len(line.text) - len(line.text.lstrip())
                self._set("document_type", INVOICE, 0.9, index, lead, match.end())
                return
        total = self.result.fields.get("total")
        if total is not None and total.value < 0 and total.evidence:
            self.result.fields["document_type"] = FieldValue("document_type", CREDIT_NOTE, 0.7, NAME, total.evidence)
            return
        for index, line in enumerate(head):
            match = _INVOICE_RE.search(line.text)
            if match:
                self._set("document_type", INVOICE, 0.8, index, match.start(), match.end())
                return

    # Line items ------------------------------------------------------------------------------------------

    def _lines_table(self) -> None:
        for index, line in enumerate(self.lines):
            columns = _header_columns(line.text)
            if columns is None:
                continue
            self.table_lines.add(index)
            rows = self._table_rows(index, columns)
            if rows:
                self.result.lines.extend(rows)

    def _table_rows(self, header: int, columns: list[str]) -> list[LineItem]:
        """The rows under a header, up to a totals label, a blank line or a line that is not a row; a short
        text line between two rows continues the description above it."""
        items: list[LineItem] = []
        pending_text: list[int] = []
        before = columns[: columns.index("description")]
        after = columns[columns.index("description") + 1:]
        index = header + 1
        blanks = 0
        while index < len(self.lines):
            line = self.lines[index]
            if not line.text:
                if items or blanks >= 2:
                    break
                blanks += 1
                index += 1
                continue
            starting = _match_label(line.text, 0)
            if starting and any(name in _AMOUNT_FIELDS for name in starting[1]):
                break
            row = _parse_row(line.text, before, after, self.hint)
            if row is None:
                if items and not pending_text and len(line.text) < 80 and not self.labels[index]:
                    pending_text.append(index)  # a wrapped description, if a row follows
                    index += 1
                    continue
                break
            for extra in pending_text:
                previous = items[-1]
                items[-1] = LineItem(f"{previous.description} {self.lines[extra].text.strip()}", previous.quantity,
                                     previous.unit_price, previous.amount, previous.tax_rate, previous.evidence)
                self.table_lines.add(extra)
            pending_text = []
            description, values = row
            self.table_lines.add(index)
            items.append(LineItem(description, values.get("quantity"), values.get("unit_price"), values.get("amount"),
                                  values.get("tax_rate"), self._evidence(index, 0, len(line.text))))
            index += 1
        return items


# Helpers ---------------------------------------------------------------------------------------------------


def _strip_dates(text: str) -> str:
    """The text with its dates blanked out (same length), so that their digits are not read as amounts."""
    pieces, position = [], 0
    for match in find_dates(text):
        pieces += [text[position:match.start], " " * (match.end - match.start)]
        position = match.end
    pieces.append(text[position:])
    return "".join(pieces)


def _symbol_at(span: str) -> int:
    for symbol in sorted(SYMBOLS, key=len, reverse=True):
        at = span.find(symbol)
        if at >= 0:
            return at
    return 0


def _union_box(boxes: list[Box | None]) -> Box | None:
    real = [box for box in boxes if box]
    if not real:
        return None
    return (min(b[0] for b in real), min(b[1] for b in real), max(b[2] for b in real), max(b[3] for b in real))


def _cells(text: str, count: int) -> list[tuple[int, int]] | None:
    """Split a value row into ``count`` cells: by runs of 2+ spaces when there are exactly that many,
    else by single spaces when the token count matches."""
    for splitter in (r"\s{2,}|\t|\s\|\s", r"\s+"):
        spans, position = [], 0
        for part in re.split(f"({splitter})", text):
            if part and not re.fullmatch(splitter, part):
                spans.append((position, position + len(part)))
            position += len(part)
        if len(spans) == count:
            return spans
    return None


def _header_columns(text: str) -> list[str] | None:
    """The column names of a table header line, left to right, or None when it is not one."""
    if len(text) > 160:
        return None
    columns: list[str] = []
    covered = 0
    for match in _COLUMN_RE.finditer(text):
        name = match.lastgroup
        assert name is not None
        if name in columns:
            continue
        columns.append(name)
        covered += match.end() - match.start()
    if "description" not in columns or "amount" not in columns or len(columns) < 3:
        return None
    if covered < 0.5 * len(text.replace(" ", "")):
        return None  # a sentence that mentions a few of the words, not a header
    return columns


def _numeric(token: str, hint: str | None) -> Decimal | None:
    stripped = token
    for symbol in sorted(SYMBOLS, key=len, reverse=True):
        if stripped.startswith(symbol) and stripped != symbol:
            stripped = stripped[len(symbol):]
        elif stripped.endswith(symbol) and stripped != symbol:
            stripped = stripped[: -len(symbol)]
    if stripped.startswith("(") and stripped.endswith(")"):
        inner = parse_number(stripped[1:-1], hint=hint)
        return None if inner is None else -inner
    if stripped.endswith("-") and len(stripped) > 1:
        inner = parse_number(stripped[:-1], hint=hint)
        return None if inner is None else -inner
    return parse_number(stripped, hint=hint)


def _parse_row(text: str, before: list[str], after: list[str], hint: str | None
               ) -> tuple[str, dict[str, Decimal]] | None:
    """(description, values by column) of a table row, or None when the line is not a row."""
    tokens = [t for t in text.split() if not (t in SYMBOLS or (_CODE_RE.fullmatch(t) and t in identifiers.ISO_4217))]
    merged: list[str] = []
    for token in tokens:
        if token == "%" and merged:
            merged[-1] += "%"
        else:
            merged.append(token)
    tokens = _without_unit(merged, len(after), hint)
    known: dict[str, Decimal | None] = {}  # each token and cell is tried in many groupings

    def numeric(token: str) -> Decimal | None:
        if token not in known:
            known[token] = _numeric(token, hint)
        return known[token]

    values = [numeric(token) for token in tokens]
    lead = 0
    while lead < len(before) and lead < len(tokens) and values[lead] is not None:
        lead += 1
    trail = 0
    while trail < len(tokens) - lead and values[len(tokens) - 1 - trail] is not None:
        trail += 1
    if lead != len(before):
        return None
    names = before + after
    best: tuple[int, str, dict[str, Decimal]] | None = None
    for columns in _column_options(names):
        wanted = len(columns) - lead
        for groups in _groupings(tokens, len(tokens) - trail, len(tokens), wanted):
            cells = ["\u00a0".join(tokens[i] for i in group) for group in groups]
            numbers = [numeric(token) for token in tokens[:lead]] + [numeric(cell) for cell in cells]
            if any(number is None for number in numbers):
                continue
            description = " ".join(tokens[lead: groups[0][0] if groups else len(tokens)]).strip()
            if not description or not re.search(r"[A-Za-zÀ-ÿ]", description):
                continue
            row = {name: number for name, number in zip(columns, numbers, strict=True) if number is not None}
            if "tax_rate" in row and not any(cell.endswith("%") for cell in cells) and "tax_rate" not in after:
                continue
            merges = sum(len(group) - 1 for group in groups)
            score = (0 if _arithmetic_ok(row) else 10) + merges + (len(names) - len(columns))
            if best is None or score < best[0]:
                best = (score, description, row)
    if best is None:
        return None
    _, description, row = best
    _fix_columns(row)
    return description, row


_UNIT_RE = re.compile(r"(?:stk|st|stck|pcs|pc|pce|ea|each|h|hrs?|std|kg|units?|uds?|stuks?|pi[eè]ces?|x)\.?",
                      re.IGNORECASE)


def _without_unit(tokens: list[str], columns_after: int, hint: str | None) -> list[str]:
    """The row's tokens without a unit written after the quantity ("5 Stk. 35,03 175,15"): a unit word that
    follows a number and is followed by exactly the other numeric columns."""
    index = len(tokens) - columns_after  # where the unit stands when the other columns follow it
    if 0 < index < len(tokens) and _UNIT_RE.fullmatch(tokens[index]) and _numeric(tokens[index - 1], hint) is not None \
            and all(_numeric(token, hint) is not None for token in tokens[index + 1:]):
        return tokens[:index] + tokens[index + 1:]
    return tokens


def _column_options(names: list[str]) -> list[list[str]]:
    """The header's columns, and without the tax rate (rows often leave an optional rate empty)."""
    options = [names]
    if "tax_rate" in names:
        options.append([name for name in names if name != "tax_rate"])
    return options


_GROUP_HEAD = re.compile(r"-?\d{1,3}")
_GROUP_TAIL = re.compile(r"\d{3}")
_GROUP_LAST = re.compile(r"\d{3}(?:[.,]\d{1,2})?-?")


def _groupings(tokens: list[str], start: int, end: int, count: int) -> list[list[list[int]]]:
    """Ways to read the last tokens of ``tokens[start:end]`` as ``count`` numbers, right to left: each number
    one token, or a plain-space thousands group split into several ("1 234,56")."""
    if count == 0:
        return [[]]
    results: list[list[list[int]]] = []
    for size in range(1, 4):
        first = end - size
        if first < start:
            break
        parts = tokens[first:end]
        if size > 1 and not (_GROUP_HEAD.fullmatch(parts[0]) and all(_GROUP_TAIL.fullmatch(p) for p in parts[1:-1])
                             and _GROUP_LAST.fullmatch(parts[-1])):
            continue
        for rest in _groupings(tokens, start, first, count - 1):
            results.append([*rest, list(range(first, end))])
        if len(results) > 32:
            break
    return results


def _arithmetic_ok(row: dict[str, Decimal]) -> bool:
    if not all(key in row for key in ("quantity", "unit_price", "amount")):
        return True
    return abs(row["quantity"] * row["unit_price"] - row["amount"]) <= Decimal("0.011")


def _fix_columns(row: dict[str, Decimal]) -> None:
    """When quantity x unit price != amount as read, try the other assignments of the three numbers."""
    keys = ("quantity", "unit_price", "amount")
    if not all(key in row for key in keys):
        return
    q, u, a = (row[key] for key in keys)
    if abs(q * u - a) <= Decimal("0.011"):
        return
    for perm in permutations((q, u, a)):
        if abs(perm[0] * perm[1] - perm[2]) <= Decimal("0.011") and perm[0] == perm[0].to_integral():
            row.update(zip(keys, perm, strict=True))
            return


def _consistent(subtotals: list[_Value], taxes: list[_Value], totals: list[_Value]
                ) -> tuple[_Value, list[_Value], _Value] | None:
    """A subtotal, tax value(s) and total with subtotal + tax = total (several tax lines may add up)."""
    tolerance = Decimal("0.02")
    tax_options: list[list[_Value]] = [[tax] for tax in taxes]
    if len(taxes) > 1:
        tax_options.append(list(taxes))
    for total in reversed(totals):
        for subtotal in subtotals:
            for option in sorted(tax_options, key=len, reverse=True):
                tax_sum = sum((value.value for value in option), Decimal(0))
                if abs(subtotal.value + tax_sum - total.value) <= tolerance:
                    return subtotal, option, total
    return None

