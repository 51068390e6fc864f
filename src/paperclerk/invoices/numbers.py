"""Amounts written the local way (``1.234,56``, ``1,234.56``, ``1 234,56``, ``1'234.56``, ``(12.00)``,
``12.00-``, ``€ 12``, ``12 EUR``...) read into ``Decimal``; never float.

The decimal separator is decided per number from its shape (the last of two different separators;
a single separator followed by other than three digits), and for the ambiguous ``1.234`` / ``1,234``
from a document-wide hint (:func:`decimal_separator_hint`), else read as a thousands group.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

#: Currency symbols to ISO 4217 (a symbol shared by several currencies maps to the usual one;
#: the layout extractor lets a written code win over a symbol).
SYMBOLS: dict[str, str] = {
    "€": "EUR", "£": "GBP", "$": "USD", "US$": "USD", "A$": "AUD", "AU$": "AUD", "C$": "CAD", "CA$": "CAD",
    "NZ$": "NZD", "HK$": "HKD", "S$": "SGD", "¥": "JPY", "₹": "INR", "Rs.": "INR", "Rs": "INR", "CHF": "CHF",
    "Fr.": "CHF", "kr": "SEK", "zł": "PLN", "Kč": "CZK", "₽": "RUB", "₩": "KRW", "R$": "BRL", "₺": "TRY",
    "RM": "MYR", "Rp": "IDR", "₱": "PHP", "฿": "THB", "₫": "VND",
}
#: More integer digits than this is not an amount (and would exceed Decimal's default precision in sums).
MAX_DIGITS = 15
_SPACES = " \u00a0\u202f\u2009"
_MINUS = "-\u2212\u2013"
_CODE = r"(?<![A-Za-z])[A-Z]{3}(?![A-Za-z])"
#: A symbol that starts with a letter ("RM", "kr", "Rs") counts only where a word does not go on before it.
_SYMBOL = "|".join((r"(?<![A-Za-z])" if symbol[0].isalpha() else "") + re.escape(symbol)
                   for symbol in sorted(SYMBOLS, key=len, reverse=True))
_CURRENCY = rf"(?:{_SYMBOL}|{_CODE})"
# Digits with optional grouping (.,' or narrow/no-break space; plain space only in strict groups of three)
# and an optional decimal part; Indian lakh grouping (1,23,456.00) too.
_LAKH = r"\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d{1,2})?"
_PLAIN_SPACE_GROUP = r"(?<=\d)\x20(?=\d{3}(?!\d))"
_GROUPED = rf"\d{{1,3}}(?:(?:[.,'\u00a0\u202f\u2009]|{_PLAIN_SPACE_GROUP})\d{{3}})+(?:[.,]\d{{1,4}})?"
_BODY = rf"(?:{_LAKH}|{_GROUPED}|\d+(?:[.,]\d{{1,4}})?|[.,]\d{{1,4}})"
_NUMBER_RE = re.compile(
    rf"""(?P<open>\()?\s*
        (?:(?P<pre>{_CURRENCY})\s?)?
        (?P<sign>[{_MINUS}+])?\s?
        (?:(?P<pre2>{_CURRENCY})\s?)?
        (?P<body>{_BODY})
        (?![\d%])
        (?:(?P<trail>[{_MINUS}])(?![\d]))?
        (?:\s?(?P<post>{_CURRENCY}))?
        \s*(?P<close>\))?""",
    re.VERBOSE,
)
_NO_SPACE_BODY = re.compile(_BODY.replace(f"|{_PLAIN_SPACE_GROUP}", ""))


@dataclass(frozen=True)
class AmountMatch:
    """An amount found in a text: its span (currency and sign included), value and currency if written."""

    start: int
    end: int
    value: Decimal
    currency: str | None
    has_decimals: bool


def decimal_separator_hint(text: str) -> str | None:
    """``'.'`` or ``','`` when the text's unambiguous numbers agree on a decimal separator, else None.

    Unambiguous: both separators present (``1.234,56``) or one separator followed by exactly two digits.
    """
    votes: Counter[str] = Counter()
    for match in re.finditer(r"(?<![\d.,])\d{1,3}(?:([.,' \u00a0])\d{3})*([.,])(\d{1,2})(?![\d.,])", text):
        group, decimal = match.group(1), match.group(2)
        if group is not None and group == decimal:
            continue
        votes[decimal] += 1
    if not votes:
        return None
    (best, count), *rest = votes.most_common()
    if rest and rest[0][1] * 3 > count:
        return None
    return best


def _normalise_body(body: str, hint: str | None) -> tuple[str, bool] | None:
    """Digits with a '.' decimal point (and whether decimals were written), or None if malformed."""
    for space in _SPACES + "'":
        body = body.replace(space, "\x00")
    dots, commas = body.count("."), body.count(",")
    decimal: str | None
    if dots and commas:
        decimal = "." if body.rfind(".") > body.rfind(",") else ","
        if body.count(decimal) > 1:
            return None
    elif dots or commas:
        sep = "." if dots else ","
        tail = body.rsplit(sep, 1)[1]
        if body.count(sep) > 1 or "\x00" in tail:
            decimal = None
        elif len(tail) != 3 or body.startswith(("0" + sep, sep)):
            decimal = sep
        else:
            decimal = sep if hint == sep else None
    else:
        decimal = None
    integer, _, fraction = body.partition(decimal) if decimal else (body, "", "")
    groups = re.split(r"[.,\x00]", integer)
    if len(groups) > 1 and (any(len(group) not in (2, 3) for group in groups[1:]) or len(groups[-1]) != 3
                            or not 1 <= len(groups[0]) <= 3):
        return None  # grouping must be by three (Indian lakh groups of two before the last three allowed)
    digits = "".join(groups)
    if not digits:
        digits = "0"
    if not digits.isdigit() or (fraction and not fraction.isdigit()):
        return None
    return (f"{digits}.{fraction}" if fraction else digits), bool(fraction)


def _currency(token: str | None) -> str | None:
    if token is None:
        return None
    return SYMBOLS.get(token, token if re.fullmatch(r"[A-Z]{3}", token) else None)


def find_amounts(text: str, *, hint: str | None = None, known_codes: frozenset[str] | None = None) -> list[AmountMatch]:
    """Every amount in ``text``, left to right. Three-letter codes count as currencies only when in
    ``known_codes`` (when given); percentages are not amounts."""
    found: list[AmountMatch] = []
    for match in _NUMBER_RE.finditer(text):
        body = match.group("body")
        start, end = match.start(), match.end()
        pre = match.group("pre") or match.group("pre2")
        post = match.group("post")
        if known_codes is not None:
            if pre and len(pre) == 3 and pre.isalpha() and pre not in known_codes and pre not in SYMBOLS:
                pre = None
                start = match.start("sign") if match.group("sign") else match.start("body")
            if post and len(post) == 3 and post.isalpha() and post not in known_codes and post not in SYMBOLS:
                post = None
                end = match.end("trail") if match.group("trail") else match.end("body")
        if start < len(text) and text[start] in " (" and not match.group("open"):
            start += len(text[start:]) - len(text[start:].lstrip(" "))
        sign_at = match.start("sign")
        if sign_at > 0 and text[sign_at - 1].isdigit():
            continue  # "2024-03": a separator, not a sign
        if match.start() > 0 and text[match.start() - 1].isalnum() and not text[match.start()].isspace() \
                and not match.group("open"):
            continue  # part of a word or code ("A4", "DE136695976", "TN-2420"), not an amount
        parsed = _normalise_body(body, hint)
        if parsed is None:
            continue
        digits, has_decimals = parsed
        if len(digits.partition(".")[0]) > MAX_DIGITS:
            continue  # a reference or account number, not an amount
        value = Decimal(digits)
        open_, close = match.group("open"), match.group("close")
        negative = bool(match.group("sign") and match.group("sign") in _MINUS) or bool(match.group("trail"))
        if open_ and close:
            negative = True
        elif open_:
            start = match.start() + 1
            while start < len(text) and text[start] == " ":
                start += 1
        elif close:
            end = match.start("close")
            while end > start and text[end - 1] == " ":
                end -= 1
        while end > start and text[end - 1] == " ":
            end -= 1
        if match.group("trail") and start > 0 and text[start - 1 : start].isalnum():
            continue
        found.append(AmountMatch(start, end, -value if negative else value, _currency(pre) or _currency(post),
                                 has_decimals))
    return found


def parse_amount(text: str, *, hint: str | None = None) -> Decimal | None:
    """The single amount that ``text`` holds (currency, sign and spaces allowed around it), else None."""
    stripped = text.strip()
    if not stripped:
        return None
    for match in find_amounts(stripped, hint=hint):
        if match.start == 0 and match.end == len(stripped):
            return match.value
    # A plain-space group ("1 234,56") that the strict pattern left split.
    compact = re.sub(r"(?<=\d)[ ](?=\d{3}(?:\D|$))", "\u00a0", stripped)
    if compact != stripped:
        return parse_amount(compact, hint=hint)
    return None


def parse_number(token: str, *, hint: str | None = None) -> Decimal | None:
    """A bare quantity or rate (``2``, ``1,5``, ``0.25``, ``20%``) as Decimal, else None."""
    token = token.strip().rstrip("%").strip()
    if not _NO_SPACE_BODY.fullmatch(token.lstrip("-")):
        return None
    parsed = _normalise_body(token.lstrip("-"), hint)
    if parsed is None or len(parsed[0].partition(".")[0]) > MAX_DIGITS:
        return None
    value = Decimal(parsed[0])
    return -value if token.startswith("-") else value
