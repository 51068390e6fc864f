"""Who issued the document, when no label says so: the supplier is the party its identifiers point at.

A name-like line is scored by what stands around it and what it says: a legal form ("GmbH", "Ltd", "SDN BHD"), the
sender's e-mail or web domain spelled in it (``billing@storyblok.com`` -> "Storyblok GmbH"), tax, bank or company
registration numbers in the lines just under it, the top of the first page, a name printed more than once, the
footer's legal line. The customer's block (bill to / ship to) and its identifiers never count, and neither do
slogans, titles, labels or table rows.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from paperclerk.invoices.layout.labels import COMPANY_RE

#: What is measured about each candidate line (``features``), in the order of the weights in ``WEIGHTS_FILE``.
FEATURES = ("receipt_first", "lower_case_start", "legal_form", "domain_match", "identifiers_below", "top_of_page",
            "repeated", "legal_line", "slogan", "address_like", "heading", "later_page", "line_position",
            "price_at_end", "upper_share", "digits", "words", "rank", "receipt_rank", "vocabulary")
#: The ranker's weights, a small JSON file shipped in the package: a logistic model over ``FEATURES`` per kind of
#: document, ``receipt`` fitted by ``benchmarks.train_issuer`` on till receipts (which says on what), ``invoice``
#: hand-set (the fitted one generalised worse to invoice layouts no rule saw).
WEIGHTS_FILE = Path(__file__).with_name("issuer_weights.json")
#: How many lines under a name its identifiers (tax ID, IBAN, registration, contact) may stand.
IDENTIFIER_REACH = 6
#: The first lines of a page, where letterheads stand; the very first name-like lines (a receipt's merchant).
TOP_LINES = 6
FIRST = 2
#: A score from which the name is taken as a company's (else as the top-most line's): the ranker's even odds.
SURE_SCORE = 0.0

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
#: A line that ends in a price: an item, not a name.
_PRICE_AT_END = re.compile(r"\d[.,]\d{2}\s*[A-Z]?\s*$")
#: Words of a receipt's or an invoice's body (payment, totals, items, times), not of a name.
_VOCABULARY = re.compile(r"\b(?:total|sub\s*total|cash|change|card|credit|debit|visa|qty|amount|price|tax|gst|vat|"
                         r"date|time|tel|phone|fax|table|server|cashier|order|item|receipt|invoice|check|guest|"
                         r"balance|tip|gratuity|hours|returns?|welcome|survey|member|points)\b", re.IGNORECASE)
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


@dataclass(frozen=True)
class Candidate:
    """A name-like line that may be the issuer's: the name, its line, where it starts on it, its ``features``."""

    name: str
    line: int
    lead: int
    features: tuple[float, ...]
    #: Whether the document reads as a till receipt (the receipt model scores it).
    receipt: bool = False


def features(name: str, index: int, page_offset: int, context: IssuerContext, *, top_of_page: bool,
             rank: int = FIRST, rest: str = "") -> tuple[float, ...]:
    """What speaks for and against a name-like line ``name`` (line ``index``, the ``rank``-th name-like line of the
    document, ``rest`` what its line holds after it) being the issuer's name, in the order of ``FEATURES``."""
    letters = [c for c in name if c.isalpha()]
    squashed = key(name)
    legal_form = bool(COMPANY_RE.search(name))
    values = {
        "receipt_first": context.receipt and rank < FIRST,
        "lower_case_start": name[:1].islower(),
        "legal_form": legal_form,
        "domain_match": any(len(domain) >= 4 and (domain in squashed or squashed.startswith(domain[:6]))
                            for domain in context.domains),
        "identifiers_below": any(index < line <= index + IDENTIFIER_REACH for line in context.identifier_lines),
        "top_of_page": top_of_page,
        "repeated": context.repeats[squashed] > 1 or context.text.count(squashed) > 1,
        "legal_line": legal_form and bool(_ADDRESS.search(rest) or _IDENTIFIER.search(rest)),
        "slogan": bool(_SLOGAN.search(name)),
        "address_like": bool(_ADDRESS.search(name)),
        "heading": bool(_HEADING.search(name)),
        "later_page": page_offset,
        "line_position": index / 100,
        "price_at_end": bool(_PRICE_AT_END.search(name + rest)),
        "upper_share": sum(c.isupper() for c in letters) / len(letters) if letters else 0.0,
        "digits": sum(c.isdigit() for c in name) / 4,
        "words": min(len(name.split()), 10) / 10,
        "rank": math.log1p(rank),
        "receipt_rank": context.receipt * math.log1p(rank),
        "vocabulary": bool(_VOCABULARY.search(name)),
    }
    return tuple(float(values[name]) for name in FEATURES)


def score(candidate: Candidate) -> float:
    """How much a candidate looks like the issuer's name (the ranker's log-odds, by its document's kind)."""
    bias, weights = weights_for(RECEIPT_MODEL if candidate.receipt else INVOICE_MODEL)
    return bias + sum(weight * value for weight, value in zip(weights, candidate.features, strict=True))


RECEIPT_MODEL = "receipt"
INVOICE_MODEL = "invoice"


@cache
def weights_for(kind: str) -> tuple[float, tuple[float, ...]]:
    """(bias, weights) of the ``receipt`` or ``invoice`` model in ``WEIGHTS_FILE``."""
    models = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    if tuple(models["features"]) != FEATURES:
        raise ValueError(f"{WEIGHTS_FILE.name} was fitted on other features: retrain with benchmarks.train_issuer")
    model = models[kind]
    return float(model["bias"]), tuple(float(weight) for weight in model["weights"])


def without_crumbs(name: str) -> str:
    """``name`` without OCR's crumbs of a photo's edge at either end: a lone sign or character, a short scrap with
    lower-case letters beside a name in capitals ("d AL MANAMA HYPERMARKET", "ee nes TRADER JOE'S"), a short
    lower-case scrap before a capitalised word or a scrap in odd case after the name ("if Thai village KE",
    "Cracker Barrel Store #337 eS"). What is left is a part of ``name`` as printed."""
    words = list(re.finditer(r"\S+", name))
    while len(words) > 1 and _crumb(words[0].group(), [word.group() for word in words[1:]], first=True):
        words.pop(0)
    while len(words) > 1 and _crumb(words[-1].group(), [word.group() for word in words[:-1]], first=False):
        words.pop()
    return name[words[0].start():words[-1].end()] if words else name


def _crumb(word: str, rest: list[str], *, first: bool) -> bool:
    neighbour = rest[0] if first else rest[-1]
    if len(word) == 1 and (neighbour == "&" or (word == "s" and not first)):
        return False  # "A & W", "McDonald s"
    if len(word) == 1 or not any(c.isalnum() for c in word):
        return True
    if len(word) > 3 or not word.isalpha():
        return False
    long_words = [other for other in rest if sum(c.isalpha() for c in other) >= 3]
    in_capitals = sum(other.isupper() for other in long_words) * 2 > len(long_words)
    if in_capitals:
        return not word.isupper()
    if first:
        return word.islower() and rest[0][:1].isupper()
    return (word[:1].islower() and not word.islower()) or (word.isupper() and len(word) <= 2)


def key(text: str) -> str:
    """A name as compared: letters and digits only, lower case."""
    return re.sub(r"[\W_]+", "", text).lower()
