"""Who issued the document, when no label says so: the supplier is the party its identifiers point at.

A name-like line is scored by what stands around it and what it says: a legal form ("GmbH", "Ltd", "SDN BHD"), the
sender's e-mail or web domain spelled in it (``billing@storyblok.com`` -> "Storyblok GmbH"), tax, bank or company
registration numbers in the lines just under it, the top of the first page, a name printed more than once, the
footer's legal line. The customer's block (bill to / ship to) and its identifiers never count, and neither do
slogans, titles, labels or table rows.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from paperclerk.invoices.layout.labels import COMPANY_RE

#: Scores of the evidence for a line being the issuer's name.
LEGAL_FORM = 2.0
DOMAIN_MATCH = 3.0
IDENTIFIERS_BELOW = 1.5
TOP_OF_PAGE = 1.0
FIRST_LINES = 1.0
LOWER_CASE_START = -1.0
REPEATED = 0.75
#: A name with its address or registration on the same line: a letter's one-line sender, the footer's legal line.
LEGAL_LINE = 1.5
SLOGAN = -2.0
HEADING = -2.0
ADDRESS_LIKE = -1.5
LATER_PAGE = -0.5
#: How many lines under a name its identifiers (tax ID, IBAN, registration, contact) may stand.
IDENTIFIER_REACH = 6
#: The first lines of a page, where letterheads stand; the very first name-like lines (a receipt's merchant).
TOP_LINES = 6
FIRST = 2
#: A score from which the name is taken as a company's (else as the top-most line's).
SURE_SCORE = LEGAL_FORM

_EMAIL_DOMAIN = re.compile(r"[\w.+-]+@(?:[\w-]+\.)*?([\w-]{3,})\.[a-z]{2,6}\b", re.IGNORECASE)
_WEB_DOMAIN = re.compile(r"\b(?:https?://)?(?:www\.)([\w-]{3,})\.[a-z]{2,6}\b|https?://(?:[\w-]+\.)*?([\w-]{3,})\.[a-z]{2,6}\b",
                         re.IGNORECASE)
#: What a letterhead's identifier lines show: tax, company and bank numbers, contact details, e-mail.
_IDENTIFIER = re.compile(r"[\w.+-]+@[\w-]+\.[a-z]{2,}|\b(?:kvk|hrb|hra|rcs|siren|siret|btw|vat|tva|ust|ust-idnr|abn|"
                         r"acn|"
                         r"ein|gstin|gst|sst|nif|cif|nip|p\.?\s?iva|iban|bic|swift|tel|t[ée]l[ée]phone|phone|fax|e-?mail|"
                         r"www|registered|capital|reg\.?\s*no|company\s*no|co\.?\s*reg)\b", re.IGNORECASE)
#: Words around a till receipt's payment.
_RECEIPT_CUES = re.compile(r"\b(?:cash|change|rounding|round(?:ing)?\s*adj|tender(?:ed)?|cashier|thank\s*you|"
                           r"kassenbon|r[üu]ckgeld|bar)\b", re.IGNORECASE)
#: Mail and web hosts that say nothing about who sent the document.
_GENERIC_DOMAINS = frozenset({"gmail", "googlemail", "yahoo", "hotmail", "outlook", "live", "icloud", "gmx", "web",
                              "aol", "protonmail", "mail", "localhost", "example", "paypal", "stripe"})
#: A slogan or a sentence, not a name: ends with '!' or with a full stop after a lower-case word, or reads as the
#: start of a sentence ("Purchased on … through …", "Thank you").
_SLOGAN = re.compile(r"[!?]\s*$|(?-i:[a-z]{3,})\.\s*$|^(?:thank|thanks|please|we|your|our|it|the best|welcome|"
                     r"purchased|sold|powered|provided|issued|billed|paid|payment|transaction)\b|\s(?:through|via)\s",
                     re.IGNORECASE)
#: A section heading ("Company and Billing Information", "Payment details"), not a name.
_HEADING = re.compile(r"\b(?:information|details|summary|contact|billing|payment|statement|overview|"
                      r"instructions|notes?|terms)\b", re.IGNORECASE)
#: A street, postcode or phone line, not a name.
_ADDRESS = re.compile(r"^\d+[\s,]|\b\d{4,6}\b|\b(?:street|st\.|road|rd\.|avenue|ave\.?|suite|floor|jalan|jln|"
                      r"stra(?:ss|ß)e|str\.|rue|straat|weg|platz|laan|via|rua|ul\.|no\.\s*\d)",
                      re.IGNORECASE)


@dataclass
class IssuerContext:
    """What the document says about its sender, gathered once: the domains of its e-mail and web addresses (not
    the customer's), the lines that carry identifiers (not the customer's), and how often each line's text recurs."""

    domains: set[str] = field(default_factory=set)
    #: A till receipt (cash, change, rounding…): its merchant is printed first, so the first name-like lines count.
    receipt: bool = False
    identifier_lines: set[int] = field(default_factory=set)
    repeats: Counter[str] = field(default_factory=Counter)
    #: The whole document as compared (``key``), to count where else a name is printed.
    text: str = ""


def gather(texts: list[str], customer_lines: set[int]) -> IssuerContext:
    context = IssuerContext(receipt=len(_RECEIPT_CUES.findall("\n".join(texts))) >= 2,
                            text=key("\n".join(texts)))
    for index, text in enumerate(texts):
        if not text:
            continue
        context.repeats[key(text)] += 1
        if index in customer_lines:
            continue
        for match in (*_EMAIL_DOMAIN.finditer(text), *_WEB_DOMAIN.finditer(text)):
            domain = next(group for group in match.groups() if group).lower()
            if domain not in _GENERIC_DOMAINS:
                context.domains.add(domain.replace("-", ""))
        if _IDENTIFIER.search(text):
            context.identifier_lines.add(index)
    return context


def score(name: str, index: int, page_offset: int, context: IssuerContext, *, top_of_page: bool,
          rank: int = FIRST, rest: str = "") -> float:
    """How much a name-like line ``name`` (line ``index``, the ``rank``-th name-like line of the document, ``rest``
    what its line holds after it) looks like the issuer's name."""
    total = FIRST_LINES if context.receipt and rank < FIRST else 0.0
    if name[:1].islower():
        total += LOWER_CASE_START
    if COMPANY_RE.search(name):
        total += LEGAL_FORM
    squashed = re.sub(r"[\W_]+", "", name).lower()
    if any(len(domain) >= 4 and (domain in squashed or squashed.startswith(domain[:6])) for domain in context.domains):
        total += DOMAIN_MATCH
    if any(index < line <= index + IDENTIFIER_REACH for line in context.identifier_lines):
        total += IDENTIFIERS_BELOW
    if top_of_page:
        total += TOP_OF_PAGE
    if context.repeats[key(name)] > 1 or context.text.count(key(name)) > 1:
        total += REPEATED
    if COMPANY_RE.search(name) and (_ADDRESS.search(rest) or _IDENTIFIER.search(rest)):
        total += LEGAL_LINE
    if _SLOGAN.search(name):
        total += SLOGAN
    if _ADDRESS.search(name):
        total += ADDRESS_LIKE
    if _HEADING.search(name):
        total += HEADING
    return total + LATER_PAGE * page_offset - index / 1000


def key(text: str) -> str:
    """A name as compared: letters and digits only, lower case."""
    return re.sub(r"[\W_]+", "", text).lower()
