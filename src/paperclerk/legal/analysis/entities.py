# ruff: noqa: RUF001 (typographic apostrophes in names are matched on purpose)
"""Entities of a legal document with their spans: parties and their roles, dates, amounts, governing law,
jurisdiction and courts, case citations and statutes."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from decimal import Decimal, InvalidOperation

from paperclerk.legal.analysis import citations, dates
from paperclerk.legal.analysis.types import Entity, Span

_NAME = r"[A-Z0-9][\w.,&'’\- ]{1,100}?"
#: 'ACME CORP., a Delaware corporation (the "Licensor")' — a name, a short description, a defined role.
_DEFINED_PARTY = re.compile(
    rf"(?P<name>{_NAME}),?\s+(?:(?:an?|the)\s+[^()\"“]{{0,120}}?)?\((?:each\s+a\s+|together\s+)?"
    r"(?:hereinafter\s+(?:referred\s+to\s+as\s+|called\s+)?)?(?:the\s+)?[\"“](?P<role>[A-Z][\w\- ]{1,30})[\"”]")
#: A caption: "JOHN DOE, Plaintiff, v. ACME CORP., Defendant."
_CAPTION = re.compile(
    r"(?P<name>[A-Z][\w.,&'’\- ]{1,80}?),?\s*(?P<role>Plaintiffs?|Defendants?|Petitioners?|Respondents?|"
    r"Appellants?|Appellees?|Applicants?|Claimants?)\b")
_PARTY_ROLES = frozenset({
    "licensor", "licensee", "company", "customer", "supplier", "vendor", "seller", "buyer", "purchaser",
    "distributor", "provider", "client", "contractor", "consultant", "employer", "employee", "landlord", "tenant",
    "lessor", "lessee", "lender", "borrower", "franchisor", "franchisee", "manufacturer", "reseller", "agent",
    "principal", "discloser", "recipient", "disclosing", "receiving", "party", "developer", "sponsor", "partner",
    "owner", "guarantor", "investor", "bank",
})
_ORGANISATION = re.compile(r"\b(?:Inc|Corp|Corporation|LLC|L\.L\.C|Ltd|Limited|Company|Co|GmbH|AG|S\.A|SA|N\.V|"
                           r"B\.V|plc|PLC|LLP|L\.P|LP|Bank|Trust|Partners|Holdings)\b\.?", re.IGNORECASE)
_ABBREVIATIONS = frozenset({"inc", "corp", "ltd", "co", "l.l.c", "s.a", "n.v", "b.v", "l.p"})
_CURRENCIES = {"$": "USD", "us$": "USD", "usd": "USD", "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
               "£": "GBP", "gbp": "GBP", "rs": "INR", "rs.": "INR", "inr": "INR", "₹": "INR", "dollars": "USD"}
_AMOUNT = re.compile(
    r"(?P<currency>US\$|\$|€|£|₹|USD|EUR|GBP|INR|Rs\.?)\s?(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)"
    r"(?:\s+(?P<scale>million|billion|thousand))?"
    r"|(?P<number2>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)\s+(?P<scale2>million\s+|billion\s+)?"
    r"(?P<currency2>dollars|euros|USD|EUR|GBP|INR)\b", re.IGNORECASE)
_SCALES = {"thousand": Decimal(1000), "million": Decimal(1000000), "billion": Decimal(1000000000)}
_GOVERNING_LAW = re.compile(
    r"\bgoverned\s+by,?\s+(?:and\s+(?:construed|interpreted|enforced)\s+(?:and\s+\w+\s+)?in\s+accordance\s+with,?\s+)?"
    r"the\s+(?:internal\s+|substantive\s+)?laws?\s+of\s+(?:the\s+)?(?:State\s+of\s+|Commonwealth\s+of\s+|"
    r"Province\s+of\s+)?(?P<place>[A-Z][A-Za-z]+(?:\s+(?:[A-Z][A-Za-z]+|of))*)")
_COURT = re.compile(
    r"\b(?:(?:United\s+States|U\.S\.)\s+(?:District\s+Court|Court\s+of\s+Appeals|Bankruptcy\s+Court)"
    r"(?:\s+(?i:for\s+the)\s+(?:[A-Z][a-z]+\s+)*(?:District|Circuit)"
    r"(?:\s+(?i:of)\s+[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)?)?)?"
    r"|Supreme\s+Court\s+(?i:of)\s+(?:(?i:the)\s+)?[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)?"
    r"|High\s+Court\s+(?:(?i:of)\s+(?:Justice|[A-Z][a-z]+(?:\s+(?i:and|at)\s+[A-Z][a-z]+)?))"
    r"|Court\s+(?i:of)\s+(?:Appeal|Justice\s+(?i:of\s+the)\s+European\s+Union|Chancery)"
    r"|(?:General|Superior|Circuit|District|County|Commercial|Magistrates'?)\s+Court(?:\s+(?i:of)\s+[A-Z][a-z]+)?)")
_CAPITALS = re.compile(r"\b[A-Z]{2,}\b")
_JURISDICTION = re.compile(
    r"\b(?:exclusive|non-exclusive)?\s*jurisdiction\s+of\s+the\s+(?P<forum>(?:state\s+and\s+federal\s+|federal\s+"
    r"and\s+state\s+)?courts?\s+(?:located\s+)?(?:in|of|at)\s+(?:the\s+)?(?:State\s+of\s+|City\s+of\s+|County\s+of\s+)?"
    r"[A-Z][A-Za-z]+(?:[ ,]+[A-Z][A-Za-z]+)*)", re.IGNORECASE)


def find(pages: Sequence[str]) -> list[Entity]:
    """All entities, page by page in reading order."""
    found: list[Entity] = []
    for number, text in enumerate(pages, start=1):
        found.extend(sorted(_on_page(number, text), key=lambda entity: (entity.span.start, entity.type)))
    return found


def _on_page(page: int, text: str) -> Iterator[Entity]:
    def span(start: int, end: int) -> Span:
        return Span(page, start, end, text[start:end])

    yield from _parties(text, span)
    for found in dates.find(text):
        yield Entity("date", span(found.start, found.end), found.value.isoformat(), found.role)
    for match in _AMOUNT.finditer(text):
        value = _amount(match)
        if value is not None:
            yield Entity("amount", span(match.start(), match.end()), value)
    for match in _GOVERNING_LAW.finditer(text):
        yield Entity("governing_law", span(match.start("place"), match.end("place")), match.group("place"))
    for match in _JURISDICTION.finditer(text):
        forum = " ".join(match.group("forum").split())
        yield Entity("jurisdiction", span(match.start("forum"), match.end("forum")), forum)
    # captions are set in capitals: match on a same-length copy with each capitalised word as a name
    titled = _CAPITALS.sub(lambda word: word.group().capitalize(), text)
    for match in _COURT.finditer(titled):
        yield Entity("court", span(match.start(), match.end()), " ".join(text[match.start():match.end()].split()))
    for citation in citations.find(text):
        yield Entity(citation.type, span(citation.start, citation.end), citation.value)


def _parties(text: str, span):  # type: ignore[no-untyped-def]
    head = text[:6000]  # parties are named in the preamble or the caption
    seen: set[str] = set()
    for pattern in (_DEFINED_PARTY, _CAPTION):
        for match in pattern.finditer(head):
            role = match.group("role").strip()
            name_start, name_end = _trim_name(head, match.start("name"), match.end("name"))
            name = head[name_start:name_end]
            known = role.lower() in _PARTY_ROLES
            organisation = _ORGANISATION.search(name)
            if pattern is _DEFINED_PARTY and not known and not organisation:
                continue
            if organisation is not None:  # "ACME Corporation, a company organised under …" ends at "Corporation"
                name_end = name_start + organisation.end()
                if head[name_end - 1:name_end] != "." and head[name_end:name_end + 1] == "." and \
                        organisation.group().lower() in _ABBREVIATIONS:
                    name_end += 1
                name = head[name_start:name_end]
            if (not 2 <= len(name) <= 80 or not (name[0].isupper() or name[0].isdigit()) or _NOT_A_NAME.search(name)
                    or name.lower() in seen):
                continue
            seen.add(name.lower())
            if pattern is _CAPTION:
                yield Entity("party", span(name_start, name_end), name, role.lower().rstrip("s"))
            else:  # a defined short name ("Rogers") is how the contract calls the party, not its role
                yield Entity("party", span(name_start, name_end), name, role.lower() if known else None)


_LEADING = re.compile(r".*\b(?:between|and|by|among|with|BETWEEN|AND|AMONG)\s+", re.DOTALL)
#: What a party's name is not: an address, the agreement's own title.
_NOT_A_NAME = re.compile(r"\b(?:agreement|entered|dated|\d{5}|road|street|suite|avenue|drive|floor|rd\.|st\.)",
                         re.IGNORECASE)


def _trim_name(text: str, start: int, end: int) -> tuple[int, int]:
    """Cut what precedes the name proper ("... by and between ACME" → "ACME") and trailing punctuation."""
    lead = _LEADING.match(text, start, end)
    if lead is not None:
        start = lead.end()
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and text[end - 1] in " ,;.":
        end -= 1
    # a name ends a clause: keep what follows the last sentence break
    cut = max(text.rfind(". ", start, end - 1), text.rfind("\n", start, end))
    if cut >= start and end - cut > 3:
        start = cut + 1
        while start < end and text[start].isspace():
            start += 1
    return start, end


def _amount(match: re.Match[str]) -> str | None:
    number = match.group("number") or match.group("number2")
    currency = (match.group("currency") or match.group("currency2") or "").lower()
    scale = (match.group("scale") or match.group("scale2") or "").strip().lower()
    try:
        value = Decimal(number.replace(",", "")) * _SCALES.get(scale, Decimal(1))
    except InvalidOperation:
        return None
    return f"{value.quantize(Decimal('0.01'))} {_CURRENCIES.get(currency, currency.upper())}"
