"""The header reader: every header field of an invoice from its labels, identifiers, blocks and amounts.

Values announced by a label are read from the rest of its line up to the next label, or from the line below (the
nearest line under the label, by segment boxes when the page has them). Amounts are chosen so that subtotal + tax =
total when the document allows it; identifiers outside the customer's block are the supplier's; without a
supplier label the supplier is the name-like line at the top (a company name with a legal form first).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from paperclerk.core.money import ISO_4217
from paperclerk.extraction.base import Extraction
from paperclerk.invoices import identifiers
from paperclerk.invoices.dates import Order, find_dates, infer_order, order_for
from paperclerk.invoices.layout import confidence as C
from paperclerk.invoices.layout import issuer
from paperclerk.invoices.layout.geometry import (
    Line,
    adjacent,
    cell_under,
    column_under,
    in_column,
    line_below,
    page_lines,
    same_row,
    split_cells,
    union_box,
)
from paperclerk.invoices.layout.labels import (
    AMOUNT_FIELDS,
    COMPANY_RE,
    CREDIT_RE,
    INVOICE_RE,
    NAME_END,
    PERCENT_RE,
    REGISTRATION_RE,
    SENDER_SEPARATOR,
    TITLE_RE,
    US_HINT_RE,
    Label,
    find_labels,
    is_label,
    match_label,
)
from paperclerk.invoices.layout.table import LINE_ITEMS, header_columns, read_rows
from paperclerk.invoices.numbers import SYMBOLS, AmountMatch, decimal_separator_hint, find_amounts
from paperclerk.invoices.reading import CREDIT_NOTE, INVOICE, Evidence, FieldValue, InvoiceExtraction, LineItem

NAME = "layout"
#: ISO 4217 codes that are also English words printed in capitals beside prices ("PEN 2.50", "TOP 12.00", "ALL
#: 3.99"): a currency only when a label or a bracket says so.
_WORD_CODES = frozenset({"ALL", "TOP", "CUP", "MOP", "BOB", "SOS", "PEN", "BAM", "MAD", "GEL", "NAD", "ANG"})
#: A line that can hold an amount naming its currency (a sign or a three-letter code somewhere on it).
_MAY_HAVE_CURRENCY = re.compile("|".join([re.escape(symbol) for symbol in SYMBOLS] + [r"[A-Z]{3}"]))
#: Date labels that announce any date, not only the invoice's ("Date", "vom", "du"): what they read is less sure.
_GENERIC_DATE = re.compile(r"date|datum|fecha|dated|data|vom|dnia|z\s*dnia|le|du", re.IGNORECASE)
#: An amount whose cents OCR set apart by a space: "190. 03".
_SPLIT_CENTS = re.compile(r"(\d[.,]) (\d{2})(?!\d)")
#: A time of day beside a receipt's date ("19:19", "7:05 PM").
#: A card payment's line on a till receipt: the card's scheme or the word card (English, Dutch, French, German).
_CARD_PAYMENT = re.compile(r"\b(?:visa|master\s*card|amex|american\s+express|debit(?:\s*card)?|credit\s*card|card|"
                           r"kaart|pinnen|eftpos|carte(?:\s*bancaire)?|karte|ec-?karte|maestro)\b", re.IGNORECASE)
_TIME_OF_DAY = re.compile(r"\b[0-2]?\d:[0-5]\d(?::[0-5]\d)?\b")
#: How many lines under a 'bill to' label its block may run (name, contact, street, city, country, tax ID…).
_CUSTOMER_BLOCK_LINES = 8
#: A title with the document's number in it.
_TITLE_NUMBER = re.compile(r"^\s*(?:tax\s*)?(?:invoice|facture|factuur|rechnung|factura|fattura|faktura(?:\s*vat)?|"
                           r"fatura|receipt|credit\s*note|gutschrift|avoir)\s*[:#]?\s*(?:no\.?\s*)?#?"
                           r"([A-Z0-9][A-Z0-9\-/_.]{3,})\s*$", re.IGNORECASE)
#: Where titles stand: the first lines of the document.
_TITLE_LINES = 25
#: A currency code in brackets beside a label or column header: "Total (EUR)".
_BRACKETED_CODE = re.compile(r"\(([A-Z]{3})\)")
#: A company registration number line under a name (Malaysia's "(Co. Reg. No. 123456-X)", "ROC 1234-A").
_COMPANY_NUMBER = re.compile(r"\b(?:co(?:mpany)?\.?\s*(?:reg(?:istration)?\.?\s*)?no|roc\s*no|reg\.?\s*no|"
                             r"registration\s*no)\b|^\(?\d{4,7}-[A-Z0-9]\)?$", re.IGNORECASE)
#: How many lines an address under its name may take.
_ADDRESS_LINES = 4
#: An e-mail or web address: contact details, never a name.
_CONTACT = re.compile(r"@|\bwww\.|https?://|\.(?:com|net|org|io)\b", re.IGNORECASE)
#: A phone number: "(212) 579-5959", "604-294-0104", "+49 345 960 044 30".
_PHONE = re.compile(r"\(\d{2,4}\)\s*\d{3}[\s.-]?\d{3,4}\b|\b\d{3}[.-]\d{3}[.-]\d{4}\b|\+\d{1,3}[\s\d]{8,}")
#: The line that closes an address: a US state and ZIP, a UK postcode, a postcode before or after the town.
_ADDRESS_END = re.compile(r"\b[A-Z]{2},?\s+\d{5}(?:-\d{4})?\b|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b|"
                          r"^\d{4,6}\s+[A-Za-zÀ-ÿ]|[A-Za-zÀ-ÿ]\s+\d{5,6}\s*$")
#: Street words: a line with one is a street, however many digits it has.
_STREET = re.compile(r"\b(?:street|st\.?|road|rd\.?|avenue|ave\.?|boulevard|blvd|highway|hwy|lane|drive|dr\.?|way|"
                     r"jalan|jln|lorong|stra(?:ss|ß)e|str\.|rue|straat|weg|platz|laan|via|rua|ul\.)(?![A-Za-z])",
                     re.IGNORECASE)
#: An e-mail address.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: A currency code right after a totals word ("Total GBP 151.80", "Amount EUR").
_CODE_AFTER_TOTAL = re.compile(r"\b(?:total|amount|subtotal|sum|summe|betrag|montant|totaal|bedrag|importe|totale|"
                               r"kwota|razem|valor)\s+([A-Z]{3})\b", re.IGNORECASE)
#: A "key: value" line (a number, an ID, a contact field), not a name.
#: A branch's number after a merchant's name ("Subway#15936-0", "Store #337"): part of the name, not a number line.
_STORE_NUMBER = re.compile(r"#\s?\d+(?:-\d+)?\b")
_KEY_VALUE = re.compile(r"^[^:\d]{1,40}:\s*\S")
#: Subtotal + tax may differ from the total by rounding up to this much.
SUM_TOLERANCE = Decimal("0.02")


@dataclass
class _Value:
    field: str
    value: Any
    line: int
    start: int
    end: int
    confidence: float



class HeaderReader:
    """Reads one document: its line-item tables first (through the table parser), then every header field
    from the labels outside them, the identifiers, the supplier's block and the amounts."""

    def __init__(self, extraction: Extraction) -> None:
        self.extraction = extraction
        self.lines: list[Line] = [line for page in extraction.pages for line in page_lines(page)]
        text = "\n".join(line.text for line in self.lines)
        self.text = text
        self.hint = decimal_separator_hint(_strip_dates(text))
        self.currency, self.currency_at = self._currency()
        country = "US" if US_HINT_RE.search(text) else None
        self.order: Order = infer_order(text, default=order_for(currency=self.currency, country=country))
        self.table_lines: set[int] = set()
        self._customer_lines: set[int] | None = None
        self.labels: list[list[Label]] = [find_labels(self.lines, index) for index in range(len(self.lines))]
        self._stacked = self._stacked_values()
        self.result = InvoiceExtraction()

    # Building blocks -------------------------------------------------------------------------------------

    def _evidence(self, line_index: int, start: int, end: int) -> Evidence:
        line = self.lines[line_index]
        return Evidence(line.page, line.start + start, line.start + end, line.box(line.start + start, line.start + end),
                        line.text[start:end])

    def _set(self, name: str, value: Any, confidence: float, line: int, start: int, end: int) -> None:
        self.result.fields[name] = FieldValue(name, value, round(confidence, 3), NAME, self._evidence(line, start, end))

    def _value_span(self, label: Label, *, one_cell: bool = False) -> tuple[int, int, int] | None:
        """(line, start, end) of the text a label announces: the rest of its line up to the next label (with
        ``one_cell``, up to the end of the first cell that holds more than the label), else the line below it
        (when that line holds no label of its own)."""
        line_labels = self.labels[label.line]
        text = self.lines[label.line].text
        following = [other.start for other in line_labels if other.start >= label.end]
        stop = min(following) if following else len(text)
        start = label.end
        # Skip separators; a dash only when a space follows (a minus sign belongs to the value).
        while start < stop and (text[start].isspace() or text[start] in ":#."
                                or (text[start] in "-\u2013" and text[start + 1:start + 2] == " ")):
            start += 1
        end = stop
        if one_cell:
            line = self.lines[label.line]
            end = min(stop, line.cell_end(label.end))
            if not PERCENT_RE.sub("", text[start:end]).strip(" |:#.()"):
                end = min(stop, line.cell_end(end + 1))  # the label fills its cell: the value is in the next
        while end > start and text[end - 1] in " |;,":
            end -= 1
        if end > start and PERCENT_RE.sub("", text[start:end]).strip(" |:()"):
            return label.line, start, end
        stacked = self._stacked.get((label.line, label.start))
        if stacked is not None:
            return stacked, 0, len(self.lines[stacked].text)
        beside = same_row(self.lines, label.line)
        if beside is not None and not (self.labels[beside] and self.labels[beside][0].start == 0):
            return beside, 0, len(self.lines[beside].text)
        # Several labels side by side with nothing else on their line (a header row): the n-th cell below, or the
        # block under the label in its own column ("Billed to:   Provided by:" over two address blocks).
        rest = text
        for other in reversed(line_labels):
            rest = rest[:other.start] + rest[other.end:]
        header_row = len(line_labels) > 1 and not PERCENT_RE.sub("", rest).strip(" :#.|\t")
        below = line_below(self.lines, label.line)
        if below is not None and self.labels[below] and self.labels[below][0].start == 0:
            below = None
        cell = self._header_row_cell(label, below) if header_row and below is not None else None
        if header_row and cell is None:
            column = self._column_under(label)
            return (column, 0, len(self.lines[column].text)) if column is not None else None
        if cell is not None or below is None:
            return cell
        below_text = self.lines[below].text
        under = self._cell_under(label, below) if one_cell else None
        return (below, *under) if under else (below, 0, len(below_text))

    def _stacked_values(self) -> dict[tuple[int, int], int]:
        """Labels stacked one per line with their values stacked the same way under them ("Invoice Number:",
        "Invoice Date:", then "INV-1", "2023-11-13"): the n-th value line for the n-th label, when the counts agree."""
        found: dict[tuple[int, int], int] = {}
        index = 0
        while index < len(self.lines):
            run: list[Label] = []
            while index < len(self.lines) and self._ends_in_label(index):
                run.append(self.labels[index][-1])
                index += 1
            values = index
            while values < len(self.lines) and self.lines[values].text and not self.labels[values] \
                    and not self.lines[values].text.endswith(":") and values - index < len(run):
                values += 1
            after = values < len(self.lines) and self.lines[values].text and not self.labels[values]
            count = values - index
            if count >= 2 and len(run) > count and all(self.lines[label.line].text.endswith(":")
                                                       for label in run[-count:]):
                run = run[-count:]  # a heading over colon-ended labels ("Invoice Total" over "Subtotal:", "Tax:")
            if len(run) >= 2 and count == len(run) and not after:
                found.update({(label.line, label.start): index + offset for offset, label in enumerate(run)})
            index = max(index + 1, values) if run else index + 1
        return found

    def _ends_in_label(self, index: int) -> bool:
        """Whether line ``index`` ends with a label and nothing after it but a colon."""
        labels = self.labels[index]
        return bool(labels) and not self.lines[index].text[labels[-1].end:].strip(" :#\t\u00a0")

    def _header_row_cell(self, label: Label, below: int) -> tuple[int, int, int] | None:
        """Labels side by side with their values on the next line: the n-th value for the n-th label."""
        under = self._cell_under(label, below)
        if under is not None:
            return below, under[0], under[1]
        position = self.labels[label.line].index(label)
        cells = split_cells(self.lines[below].text, len(self.labels[label.line]))
        if cells is None:
            return None
        start, end = cells[position]
        return below, start, end

    def _date_under(self, label: Label) -> tuple[int, int, int] | None:
        """(line, start, end) of the cell under a date label whose own line holds no date."""
        below = line_below(self.lines, label.line)
        if below is None or (self.labels[below] and self.labels[below][0].start == 0):
            return None
        under = self._cell_under(label, below)
        return (below, *under) if under else (below, 0, len(self.lines[below].text))

    def _column_under(self, label: Label) -> int | None:
        """The first line of the block under a label in its column, unless that line is a label's."""
        above = self.lines[label.line]
        column = column_under(self.lines, label.line, above.box(above.start + label.start, above.start + label.end))
        if column is None or (self.labels[column] and self.labels[column][0].start == 0):
            return None
        return column

    def _cell_under(self, label: Label, below: int) -> tuple[int, int] | None:
        """(start, end) of the cell of line ``below`` under the label's cell, when that line has cells."""
        above = self.lines[label.line]
        return cell_under(above.box(above.start + label.start, above.start + label.end), self.lines[below])

    def _currency(self) -> tuple[str | None, tuple[int, int, int] | None]:
        votes: Counter[str] = Counter()
        first: dict[str, tuple[int, int, int]] = {}
        for index, line in enumerate(self.lines):
            label = re.search(r"(?:currency|devise|valuta|w[äa]hrung|moneda|divisa)\s*:?\s*([A-Z]{3})\b", line.text,
                              re.IGNORECASE)
            # A labelled code is taken as written, known or not (the rules flag an unknown one).
            if label and (label.group(1).upper() in ISO_4217 or label.group(1).isupper()):
                code = label.group(1).upper()
                votes[code] += 10
                first.setdefault(code, (index, label.start(1), label.end(1)))
            for bracketed in (*_BRACKETED_CODE.finditer(line.text), *_CODE_AFTER_TOTAL.finditer(line.text)):
                # "Total (EUR)", "Unit price (EUR)", "Total GBP"
                if bracketed.group(1) in ISO_4217:
                    votes[bracketed.group(1)] += 3
                    first.setdefault(bracketed.group(1), (index, bracketed.start(1), bracketed.end(1)))
            if not _MAY_HAVE_CURRENCY.search(line.text):
                continue  # no sign or code on the line: no amount on it can name a currency
            for match in find_amounts(line.text, known_codes=ISO_4217):
                if match.currency and match.currency in ISO_4217 and match.currency not in _WORD_CODES:
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
        self._unlabelled_date()
        self._number_in_title()
        self._document_type()
        if self.currency and self.currency_at:
            line, start, end = self.currency_at
            sure = C.CURRENCY_CODE if end - start == 3 else C.CURRENCY_SYMBOL
            self._set("currency", self.currency, sure, line, start, end)
        return self.result

    def _number_in_title(self) -> None:
        """No labelled invoice number: the one in the title ("Invoice FI15636047324", "TAX INVOICE #A-1029")."""
        if "invoice_number" in self.result.fields:
            return
        for index, line in enumerate(self.lines[:_TITLE_LINES]):
            match = _TITLE_NUMBER.match(line.text)
            if match and re.search(r"\d", match.group(1)) and not find_dates(match.group(1)):
                self._set("invoice_number", match.group(1), C.NUMBER_IN_TITLE, index, match.start(1), match.end(1))
                return

    def _unlabelled_date(self) -> None:
        """No labelled invoice date (a till receipt prints "12/30/2016 19:19" with no label): the first date on
        the first page, outside the tables, preferring one printed beside a time of day, with low confidence."""
        if "invoice_date" in self.result.fields or not self.lines:
            return
        first_page = self.lines[0].page
        found: list[tuple[int, int, int, int, Any]] = []
        for index, line in enumerate(self.lines):
            if line.page != first_page:
                break
            if index in self.table_lines:
                continue
            for match in find_dates(line.text, order=self.order):
                timed = 0 if _TIME_OF_DAY.search(line.text) else 1
                found.append((timed, index, match.start, match.end, match.value))
                break
        if found:
            _timed, index, start, end, value = min(found, key=lambda item: (item[0], item[1]))
            self._set("invoice_date", value, C.UNLABELLED_DATE, index, start, end)

    def _read_field(self, name: str, label: Label) -> None:
        if name in AMOUNT_FIELDS or name in ("vendor_tax_id", "vendor_iban", "vendor_bic", "currency"):
            return  # read by _amounts / _identifiers / _currency from all candidates
        span = self._value_span(label, one_cell=True)
        if span is None:
            return
        line, start, end = span
        text = self.lines[line].text[start:end]
        same_line = line == label.line
        confidence = C.LABELLED_SAME_LINE if same_line else C.LABELLED_BELOW
        if name in self.result.fields and self.result.fields[name].confidence >= confidence:
            return
        if name in ("invoice_date", "due_date"):
            dates = find_dates(text, order=self.order)
            if not dates and same_line:
                # The rest of the line is another column's header ("Fälligkeit  Teilzahlung"): the date is under.
                under = self._date_under(label)
                if under is not None:
                    line, start, end = under
                    text, confidence = self.lines[line].text[start:end], C.LABELLED_BELOW
                    dates = find_dates(text, order=self.order)
            if dates:
                first = dates[0]
                generic = _GENERIC_DATE.fullmatch(self.lines[label.line].text[label.start:label.end]) and not any(
                    "invoice_number" in other.fields for other in self.labels[label.line])
                self._set(name, first.value, confidence - (C.GENERIC_DATE_LABEL_PENALTY if generic else 0.0), line,
                          start + first.start, start + first.end)
            elif name == "due_date" and "payment_terms" not in self.result.fields and re.search(r"\d", text):
                self._set("payment_terms", text.strip(), confidence - C.TERMS_UNDER_DUE_LABEL_PENALTY, line, start, end)
        elif name in ("invoice_number", "purchase_order"):
            # A short series before the number is part of it ("FT 2024/311", Portugal's certified invoices).
            match = re.match(r"(?:(?:no|nr|n[°º])\.?\s*:?\s*)?#?((?-i:[A-Z]{1,4}) \d[A-Za-z0-9\-/_.]*[A-Za-z0-9]|"
                             r"[A-Za-z0-9][A-Za-z0-9\-/_.]*[A-Za-z0-9]|[0-9])", text, re.IGNORECASE)
            if match and re.search(r"\d", match.group(1)) and not find_dates(match.group(1)):
                self._set(name, match.group(1), confidence, line, start + match.start(1), start + match.end(1))
        elif name == "payment_terms":
            if re.search(r"\d|net|days|jours|dagen|tage|d[íi]as|immediate|sofort|contant|comptant|receipt", text,
                         re.IGNORECASE):
                terms = re.split(r"(?<=[a-z])\.\s", text)[0].strip(" .;")
                self._set(name, terms, confidence, line, start, start + len(terms))
        elif name in ("customer_name", "vendor_name"):
            skipped = 0
            while line != label.line and _party_number(text):
                # "Seller:" over "GLN 4333741000005" / "Number: 123" over the name: the party's name is the first
                # line that is no field or number.
                below = line_below(self.lines, line)
                skipped += 1
                if below is None or skipped > 2:
                    return
                line, start, end = below, 0, len(self.lines[below].text)
                text = self.lines[line].text
            name_text = NAME_END.split(text)[0].strip()
            if _EMAIL.search(name_text):
                return  # an e-mail's "From:" / "To:" header names a mailbox, not the party
            if COMPANY_RE.fullmatch(name_text) and line == label.line:
                # "Lieferant GmbH": a label word that is the start of the name, not a label.
                start = label.start
                name_text = NAME_END.split(self.lines[line].text[start:])[0].strip()
            if name_text and re.search(r"[A-Za-zÀ-ÿ]{2}", name_text) and not is_label(name_text):
                if name == "vendor_name" and start == 0 and self._name_continues(line, name_text):
                    self._set_two_line_name(line, 0, confidence)
                    return
                self._set(name, name_text, confidence, line, start, start + len(name_text))
                if name == "vendor_name":
                    self._address_after(line, start + len(name_text))

    def _address_after(self, line: int, name_end: int) -> None:
        """The address following a vendor name: the rest of its line (after a comma or a '|'), else the
        lines below it up to a blank line, a label or the title."""
        text = self.lines[line].text
        rest = text[name_end:].strip(" ,|·\u2013-")
        if rest and re.search(r"\d", rest):
            offset = text.index(rest, name_end)
            kept = []
            for part in (part.strip() for part in SENDER_SEPARATOR.split(rest)):
                if not part or match_label(part, 0) is not None or REGISTRATION_RE.search(part):
                    break
                kept.append(part)
            if kept:
                end = text.index(kept[-1], offset) + len(kept[-1])
                self._set("vendor_address", ", ".join(kept), C.ADDRESS_ON_NAME_LINE, line, offset, end)
                return
        parts = []
        first_line = line + 1
        # A company number printed right under the name ("(Co. Reg. No. 123456-X)") is not the address.
        while first_line < len(self.lines) and _COMPANY_NUMBER.search(self.lines[first_line].text) \
                and adjacent(self.lines, first_line - 1, first_line):
            first_line += 1
        for below in range(first_line, min(first_line + _ADDRESS_LINES, len(self.lines))):
            candidate = self.lines[below]
            if not adjacent(self.lines, below - 1, below) or self.labels[below] or TITLE_RE.match(candidate.text) \
                    or below in self.table_lines or REGISTRATION_RE.search(candidate.text) \
                    or _not_address(candidate.text):
                break
            parts.append(below)
            if len(parts) > 1 and _ADDRESS_END.search(candidate.text) and not _STREET.search(candidate.text):
                break  # the postcode and town close the address (the first line is the street's)
        if parts:
            value = ", ".join(self.lines[i].text.strip().rstrip(",") for i in parts)
            first, last = self.lines[parts[0]], self.lines[parts[-1]]
            evidence = Evidence(first.page, first.start, last.end, union_box([self.lines[i].bbox for i in parts]),
                                self._page_text(first.page)[first.start:last.end])
            self.result.fields["vendor_address"] = FieldValue("vendor_address", value, C.ADDRESS_UNDER_NAME, NAME,
                                                              evidence)

    def _page_text(self, number: int) -> str:
        return next(page.text for page in self.extraction.pages if page.number == number)

    def _vendor_block(self) -> None:
        """Without a 'from/supplier' label, the vendor is the name-like line the document's identifiers point at
        (``issuer.score``: legal form, e-mail/web domain, identifiers under it, top of page 1, repeated…); never the
        title, a label, a table row or the customer's block."""
        if "vendor_name" in self.result.fields:
            return
        candidates = self.issuer_candidates()
        if not candidates:
            return
        best = max(candidates, key=issuer.score)
        confidence = C.VENDOR_COMPANY_LINE if issuer.score(best) >= issuer.SURE_SCORE else C.VENDOR_TOP_LINE
        if self._name_continues(best.line, best.name):
            self._set_two_line_name(best.line, best.lead, confidence)
            return
        self._set("vendor_name", best.name, confidence, best.line, best.lead, best.lead + len(best.name))
        if "vendor_address" not in self.result.fields:
            self._address_after(best.line, best.lead + len(best.name))

    def issuer_candidates(self) -> list[issuer.Candidate]:
        """The name-like lines that may be the issuer's, with what speaks for each (``issuer.features``)."""
        if not self.lines:
            return []
        customer = self._customer_block()
        context = issuer.gather([line.text for line in self.lines], customer)
        # The customer's name is theirs wherever else it is printed (a header line, a "licensed to" line).
        customer_names = {issuer.key(self.lines[index].text) for index in customer}
        # A till receipt: its cues (cash, change…), or neither an invoice's title nor its number.
        receipt = context.receipt or not (INVOICE_RE.search(self.text) or "invoice_number" in self.result.fields)
        first_page = self.lines[0].page
        read_by_ocr = any(page.method == "ocr" for page in self.extraction.pages)
        page_starts: dict[int, int] = {}
        found: list[issuer.Candidate] = []
        for index, line in enumerate(self.lines):
            page_starts.setdefault(line.page, index)
            text = line.text.strip()
            if not text or index in self.table_lines or index in customer:
                continue
            if self.labels[index] and self.labels[index][0].start == 0:
                continue
            if TITLE_RE.match(text) or not re.search(r"[A-Za-zÀ-ÿ]{3}", text):
                continue
            if self.labels[index]:
                text = text[: self.labels[index][0].start]
            text = text[: line.cell_end(0)]
            name = SENDER_SEPARATOR.split(NAME_END.split(text)[0])[0].strip(" |·")
            if read_by_ocr:
                name = issuer.without_crumbs(name)
            if not name or sum(c.isdigit() for c in _STORE_NUMBER.sub("", name)) > 3 or len(name) > 80 \
                    or _KEY_VALUE.match(name) or _CONTACT.search(name) or issuer.key(name) in customer_names:
                continue
            lead = line.text.index(name)
            features = issuer.features(name, index, line.page - first_page, context,
                                       top_of_page=index - page_starts[line.page] < issuer.TOP_LINES,
                                       rank=len(found), rest=line.text[lead + len(name):])
            found.append(issuer.Candidate(name, index, lead, features, receipt))
        return found

    def _name_continues(self, index: int, name: str) -> bool:
        """Whether a company name wraps onto the next line ("MVM Musterhafter" / "Versicherungsverein … a.G."): the
        name has no legal form, the next line of the block is short, has one and no digits."""
        below = index + 1
        if COMPANY_RE.search(name) or name != self.lines[index].text.strip() or below >= len(self.lines) \
                or not adjacent(self.lines, index, below):
            return False
        text = self.lines[below].text
        return bool(COMPANY_RE.search(text)) and not re.search(r"\d", text) and len(text.split()) <= 6 \
            and not self.labels[below]

    def _set_two_line_name(self, index: int, lead: int, confidence: float) -> None:
        first, second = self.lines[index], self.lines[index + 1]
        value = f"{first.text.strip()} {second.text.strip()}"
        evidence = Evidence(first.page, first.start + lead, second.end, union_box([first.bbox, second.bbox]),
                            self._page_text(first.page)[first.start + lead:second.end])
        self.result.fields["vendor_name"] = FieldValue("vendor_name", value, round(confidence, 3), NAME, evidence)
        if "vendor_address" not in self.result.fields:
            self._address_after(index + 1, len(second.text))

    def _recipient_under_sender_line(self) -> None:
        """A letter's address window without a label (DIN 5008 and many European letters): the supplier's own
        one-line address ("Name · Street · City") sits just above it; the recipient's name is the first line
        below that."""
        vendor = self.result.fields.get("vendor_name")
        if "customer_name" in self.result.fields or vendor is None:
            return
        wanted = re.sub(r"\s", "", vendor.value).lower()
        for index, line in enumerate(self.lines[:30]):
            parts = SENDER_SEPARATOR.split(line.text)
            if len(parts) < 3 or re.sub(r"\s", "", parts[0]).lower() != wanted:
                continue
            for below in range(index + 1, min(index + 3, len(self.lines))):
                text = self.lines[below].text[: self.lines[below].cell_end(0)]
                if not text:
                    continue
                name = NAME_END.split(text)[0].strip()
                labelled = bool(self.labels[below]) and self.labels[below][0].start == 0
                if labelled or not re.search(r"[A-Za-zÀ-ÿ]{2}", name):
                    return
                if re.sub(r"\s", "", name).lower() == wanted:
                    continue  # the supplier's legal line repeats its name; the window comes after it
                self._set("customer_name", name, C.RECIPIENT_UNDER_SENDER_LINE, below, 0, len(name))
                return
            return

    def _identifiers(self) -> None:
        customer_lines = self._customer_block()
        # The customer's tax ID, wherever else it is printed (a header field, a reverse-charge note), is theirs.
        # (Only from a block line with one tax ID: side-by-side blocks put the supplier's beside it.)
        customers = set()
        for index in customer_lines:
            found = identifiers.find_tax_ids(self.lines[index].text, labels=_words(self.lines[index].text))
            if len(found) == 1:
                customers.add(found[0][2])
        tax_ids: list[tuple[float, int, int, int, str]] = []
        for index, line in enumerate(self.lines):
            words = {w.lower() for w in re.findall(r"[A-Za-z]+", line.text)}
            labelled = any("vendor_tax_id" in label.fields for label in self.labels[index])
            for start, end, value in identifiers.find_tax_ids(line.text, labels=words):
                if index in customer_lines or value in customers:
                    continue  # the customer's tax ID
                scheme, problem = identifiers.check_tax_id(value)
                if not labelled and problem is not None and scheme == "eu_vat":
                    continue  # an unlabelled VAT-shaped token that fails its checksum is probably not one
                confidence = (C.TAX_ID_LABELLED if labelled else C.TAX_ID_UNLABELLED) \
                    - (0.0 if problem is None else C.TAX_ID_CHECKSUM_PENALTY)
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
                    confidence = C.IBAN_LABELLED if has_iban_label else C.IBAN_UNLABELLED
                    if index not in customer_lines and "vendor_iban" not in self.result.fields:
                        self._set("vendor_iban", value, confidence, index, start, end)
            bic_label = re.search(r"(?<![A-Za-z])(?:bic|swift)(?![A-Za-z])", line.text, re.IGNORECASE)
            if bic_label and "vendor_bic" not in self.result.fields:
                offset = bic_label.end()
                for start, end, value in identifiers.find_bics(line.text[offset:])[:1]:
                    # Kept even when invalid (lower confidence): the BIC rule tells the clerk.
                    confidence = C.BIC_VALID if identifiers.check_bic(value) is None else C.BIC_INVALID
                    self._set("vendor_bic", value, confidence, index, offset + start, offset + end)
        if tax_ids:
            confidence, upward, start, end, value = max(tax_ids, key=lambda item: (item[0], item[1]))
            self._set("vendor_tax_id", value, confidence, -upward, start, end)

    def _customer_block(self) -> set[int]:
        """Lines of the 'bill to' and 'ship to' blocks: the label's line and the lines under it up to a blank line,
        the table or a label (the customer's own tax ID line belongs to the block). Computed once the table is
        known."""
        if self._customer_lines is not None:
            return self._customer_lines
        block: set[int] = set()
        self._customer_lines = block
        for index, labels in enumerate(self.labels):
            customer = [label for label in labels if "customer_name" in label.fields
                        or "delivery_address" in label.fields]
            if not customer:
                continue
            block.add(index)
            first = index + 1
            if len(labels) > 1 or (first < len(self.lines) and not adjacent(self.lines, index, first)):
                # A row of labels, or the block set apart from its label: the block in the label's column.
                column = self._column_under(customer[0])
                if column is None:
                    continue
                block.add(column)
                first = column + 1
            for below in range(first, min(first + _CUSTOMER_BLOCK_LINES - 1, len(self.lines))):
                other_label = any("vendor_tax_id" not in label.fields for label in self.labels[below])
                upper, lower = self.lines[below - 1], self.lines[below]
                if not adjacent(self.lines, below - 1, below) or not in_column(upper, lower) or other_label \
                        or below in self.table_lines:
                    break
                block.add(below)
        return block

    # Amounts ---------------------------------------------------------------------------------------------

    def _amounts(self) -> None:
        found: dict[str, list[_Value]] = {name: [] for name in AMOUNT_FIELDS}
        for index in range(len(self.lines)):
            if index in self.table_lines:
                continue
            for label in self.labels[index]:
                names = [name for name in label.fields if name in AMOUNT_FIELDS]
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
                    confidence = C.AMOUNT_SAME_LINE if line == label.line else C.AMOUNT_BELOW
                    found[name].append(_Value(name, amount.value, line, amount.start, amount.end, confidence))
        # "Total due" style labels also announce the total when there is no plain total.
        subtotals, taxes, totals, dues = found["subtotal"], found["tax_total"], found["total"], found["amount_due"]
        chosen = _consistent(subtotals, taxes, totals or dues)
        if chosen is not None:
            subtotal, tax_values, total = chosen
            self._set_value(subtotal, "subtotal", C.AMOUNTS_CONSISTENT)
            tax_sum = sum((value.value for value in tax_values), Decimal(0))
            if len(tax_values) == 1:
                self._set_value(tax_values[0], "tax_total", C.AMOUNTS_CONSISTENT)
            else:
                # Several tax lines (one per rate): the evidence spans them all.
                first, last = self._evidence(tax_values[0].line, tax_values[0].start, tax_values[0].end), \
                    self._evidence(tax_values[-1].line, tax_values[-1].start, tax_values[-1].end)
                if first.page == last.page:
                    page_text = self._page_text(first.page)
                    boxes = [self.lines[value.line].box(*self._page_span(value)) for value in tax_values]
                    first = Evidence(first.page, first.start, last.end, union_box(boxes),
                                     page_text[first.start:last.end])
                self.result.fields["tax_total"] = FieldValue("tax_total", tax_sum, C.TAX_LINES_SUMMED, NAME, first)
            self._set_value(total, "total", C.AMOUNTS_CONSISTENT)
        else:
            if subtotals:
                self._set_value(subtotals[0], "subtotal", subtotals[0].confidence - C.UNCONFIRMED_PENALTY)
            if taxes:
                self._set_value(taxes[0], "tax_total", taxes[0].confidence - C.UNCONFIRMED_PENALTY)
            pool = totals or dues
            if pool:
                best = max(pool, key=lambda value: (abs(value.value), value.confidence))
                penalty = C.CONFLICTING_TOTALS_PENALTY if len({v.value for v in pool}) > 1 else C.UNCONFIRMED_PENALTY
                self._set_value(best, "total", best.confidence - penalty)
        if dues:
            self._set_value(dues[-1], "amount_due", dues[-1].confidence)
        if "total" not in self.result.fields:
            self._total_without_label()
        if found["rounding"]:
            self._payable_after_rounding(found["rounding"], totals + dues)
        read_total = self.result.fields.get("total")
        distinct = {value.value for value in totals}
        if read_total is not None and len(distinct) > 1:
            evidence_for = {value.value: value for value in totals}
            self.result.candidates["total"] = [
                FieldValue("total", value.value, value.confidence, NAME,
                           self._evidence(value.line, value.start, value.end))
                for value in evidence_for.values() if value.value != read_total.value]

    def _total_without_label(self) -> None:
        """No total read: the printed subtotal + tax, else the amount charged to a card."""
        self._total_printed_as_sum()
        if "total" not in self.result.fields:
            self._total_charged_to_card()

    def _total_charged_to_card(self) -> None:
        """No total read at all (OCR lost its line or label): the amount a card was charged ("Debit $1.07",
        "KAART 53.78") is the amount payable; cash is not (the cash tendered may be more, the change comes back)."""
        for index, line in enumerate(self.lines):
            card = _CARD_PAYMENT.search(line.text)
            if card is None or index in self.table_lines:
                continue
            amount = self._last_amount(line.text, card.end(), len(line.text))
            if amount is not None and amount.has_decimals and amount.value > 0:
                self._set("total", amount.value, C.TOTAL_CHARGED_TO_CARD, index, amount.start, amount.end)
                return

    def _total_printed_as_sum(self) -> None:
        """No total read (OCR lost its label): subtotal + tax, where the document prints that amount (a card or
        cash line paying it, a total whose label is garbled) - never a sum the document does not show."""
        subtotal, tax = self.result.fields.get("subtotal"), self.result.fields.get("tax_total")
        if subtotal is None or tax is None or not tax.value:
            return
        wanted = subtotal.value + tax.value
        for index in range(len(self.lines) - 1, -1, -1):
            text = self.lines[index].text
            for amount in find_amounts(_strip_dates(text), hint=self.hint):
                if amount.value == wanted:
                    self._set("total", wanted, C.TOTAL_AS_SUM, index, amount.start, amount.end)
                    return

    def _payable_after_rounding(self, roundings: list[_Value], printed: list[_Value]) -> None:
        """A till receipt rounds its total to the nearest 5 cents: the amount payable is the total plus the
        rounding, when a total printed later says so (not the cash tendered, not the change)."""
        total = self.result.fields.get("total")
        if total is None:
            return
        for rounding in roundings:
            wanted = total.value + rounding.value
            payable = [value for value in printed if value.value == wanted and value.line >= rounding.line - 1]
            if rounding.value and payable:
                self._set_value(payable[-1], "total", C.AMOUNTS_CONSISTENT)
                return

    def _page_span(self, value: _Value) -> tuple[int, int]:
        start = self.lines[value.line].start
        return start + value.start, start + value.end

    def _set_value(self, value: _Value, name: str, confidence: float) -> None:
        self._set(name, value.value, confidence, value.line, value.start, value.end)

    def _last_amount(self, text: str, start: int, end: int) -> AmountMatch | None:
        segment = _strip_dates(PERCENT_RE.sub(lambda m: " " * len(m.group()), text[start:end]))
        # OCR splits cents off their amount ("£190. 03"): joined again, the offsets kept (the space moves after).
        segment = _SPLIT_CENTS.sub(r"\1\2 ", segment)
        amounts = [a for a in find_amounts(segment, hint=self.hint, known_codes=ISO_4217)
                   if not (a.value == a.value.to_integral() and not a.has_decimals and a.currency is None
                           and len(segment[a.start:a.end]) == 4 and 1900 < a.value < 2100)]
        if not amounts:
            return None
        # A bare number after a priced amount is OCR's crumb of the photo's edge ("Total $42.28 ie NA 5").
        last = ([a for a in amounts if a.has_decimals or a.currency is not None] or amounts)[-1]
        return AmountMatch(start + last.start, start + last.end, last.value, last.currency, last.has_decimals)

    def _document_type(self) -> None:
        """Credit note when its title says so; invoice when titled as one (negative amounts on a titled
        invoice stay an invoice, for the rules to flag); else a negative total makes a credit note."""
        head = self.lines[:25]
        for index, line in enumerate(head):
            match = CREDIT_RE.search(line.text)
            if match:
                self._set("document_type", CREDIT_NOTE, C.TITLE, index, match.start(), match.end())
                return
        for index, line in enumerate(head):
            match = TITLE_RE.match(line.text)
            if match and not self.labels[index]:
                lead = len(line.text) - len(line.text.lstrip())
                self._set("document_type", INVOICE, C.TITLE, index, lead, match.end())
                return
        total = self.result.fields.get("total")
        if total is not None and total.value < 0 and total.evidence:
            self.result.fields["document_type"] = FieldValue("document_type", CREDIT_NOTE, C.NEGATIVE_TOTAL, NAME,
                                                                 total.evidence)
            return
        for index, line in enumerate(head):
            match = INVOICE_RE.search(line.text)
            if match:
                self._set("document_type", INVOICE, C.INVOICE_WORD, index, match.start(), match.end())
                return

    # Line items ------------------------------------------------------------------------------------------

    def _lines_table(self) -> None:
        """Line items: the rows under each table header (those lines are not read for header fields)."""
        texts = [line.text for line in self.lines]
        for index, text in enumerate(texts):
            columns = header_columns(text, LINE_ITEMS)
            if columns is None:
                continue
            self.table_lines.add(index)
            for row in read_rows(texts, index, columns, LINE_ITEMS, self.hint, ends_table=self._ends_table,
                                 is_labelled=lambda below: bool(self.labels[below])):
                self.table_lines.update(row.lines)
                first, values = row.lines[0], row.values
                self.result.lines.append(LineItem(row.text, values.get("quantity"), values.get("unit_price"),
                                                  values.get("amount"), values.get("tax_rate"),
                                                  self._evidence(first, 0, len(texts[first]))))

    def _ends_table(self, index: int) -> bool:
        """A line starting with a totals label ends the table above it."""
        starting = match_label(self.lines[index].text, 0)
        return starting is not None and any(name in AMOUNT_FIELDS for name in starting[1])


# Helpers ---------------------------------------------------------------------------------------------------


def _not_address(text: str) -> bool:
    """Whether a line under a name ends its address: a phone number, a date or time, a "key: value" field, a
    price."""
    return bool(_PHONE.search(text) or _TIME_OF_DAY.search(text) or find_dates(text) or _KEY_VALUE.match(text)
                or re.search(r"\d[.,]\d{2}\s*$", text))


def _party_number(text: str) -> bool:
    """Whether a line under a party's label is one of its numbers ("Kunden-Nr.: 009420", "GLN 4333741000005"),
    not its name."""
    return bool(_KEY_VALUE.match(text)) or sum(c.isdigit() for c in text) > max(3, len(text) // 2)


def _words(text: str) -> set[str]:
    return {word.lower() for word in re.findall(r"[A-Za-z]+", text)}


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


def _consistent(subtotals: list[_Value], taxes: list[_Value], totals: list[_Value]
                ) -> tuple[_Value, list[_Value], _Value] | None:
    """A subtotal, tax value(s) and total with subtotal + tax = total (several tax lines may add up)."""
    tolerance = SUM_TOLERANCE
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
