"""Dates as invoices write them: ISO, numeric (read by a day/month order hint), and written months in English,
French, Dutch, German, Spanish, Polish, Italian, Portuguese and Malay ("2 juillet 2015", "2. Juli 2015",
"July 2, 2015", "2 de julio de 2015", "2 juli 2015", "14 marca 2024", "14-Mar-2024", "14-MAR-24", and a till
receipt's "23Nov17" / "APR 11'17").
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

Order = Literal["DMY", "MDY"]

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate([
    "january jan janvier janv janvier januari januar jan jän jänner enero ene",
    "february feb fevrier fevr fev februari februar feb febrero",
    "march mar mars maart mrt marz maerz mrz marzo",
    "april apr avril avr april apr abril abr",
    "may mai mei mai mayo may",
    "june jun juin juni juni junio",
    "july jul juillet juil juli juli julio",
    "august aug aout augustus aug august agosto ago",
    "september sep sept septembre september sept septiembre setiembre set",
    "october oct octobre oktober okt oktober octubre",
    "november nov novembre november nov noviembre",
    "december dec decembre december dez dezember diciembre dic",
], start=1):
    for _name in _names.split():
        _MONTHS[_name] = _number
# Polish (nominative and the genitive dates use), Italian, Portuguese and Malay month names.
for _number, _names in enumerate([
    "styczen stycznia sty gennaio gen janeiro januari",
    "luty lutego lut febbraio fevereiro fev februari",
    "marzec marca marzo marco mac",
    "kwiecien kwietnia kwi aprile abril",
    "maj maja maggio mag maio mei",
    "czerwiec czerwca cze giugno giu junho jun",
    "lipiec lipca lip luglio lug julho julai",
    "sierpien sierpnia sie agosto ogos ogo",
    "wrzesien wrzesnia wrz settembre setembro",
    "pazdziernik pazdziernika paz ottobre ott outubro out",
    "listopad listopada lis novembre novembro",
    "grudzien grudnia gru dicembre dezembro dis disember",
], start=1):
    for _name in _names.split():
        _MONTHS[_name] = _number

_MONTH = r"[A-Za-zÀ-ÿąćęłńóśźżĄĆĘŁŃÓŚŹŻ]{3,12}\.?"
_DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th|er|e|\.)?"
_YEAR = r"(?P<y>\d{4})"
#: A blank within a line: a date never runs from one line onto the next (a receipt's "Gst 2" over "Jul19'14" is no
#: 2 July 2019).
_GAP = r"[^\S\n]"
_PATTERNS = [
    re.compile(r"(?<![\d.])(?P<y>\d{4})[-/.](?P<m>[01]?\d)[-/.](?P<d>[0-3]?\d)(?![\d])"),
    # OCR may set the year apart from its separator ("30-06- 2014"), or the month after a dash or slash
    # ("5- 4-2011"; never after a dot: "2. 1.99" is a quantity and a price).
    re.compile(rf"(?<![\d.,])(?P<a>[0-3]?\d)(?:(?P<s>[/\-]){_GAP}?|(?P<s2>\.))(?P<b>[0-3]?\d)(?:(?P=s)|(?P=s2))"
               rf"{_GAP}?(?P<y>\d{{4}}|\d{{2}})(?![\d])"),
    # Written months; OCR may drop the spaces ("14March2024", "August25,2024").
    re.compile(rf"(?<![\w]){_DAY}(?:{_GAP}|-)*(?:de{_GAP}*)?(?P<mn>{_MONTH})(?:{_GAP}|[-,])*(?:de{_GAP}*)?{_YEAR}(?!\d)",
               re.IGNORECASE),
    # "12-APR-21": a two-digit year only after a dash.
    re.compile(r"(?<![\w])(?P<d>[0-3]?\d)-(?P<mn>[A-Za-z]{3})-(?P<y>\d{2})(?![\d\w])", re.IGNORECASE),
    re.compile(rf"(?<![\w])(?P<mn>{_MONTH}){_GAP}*{_DAY},?{_GAP}*{_YEAR}(?!\d)", re.IGNORECASE),
    # Till receipts: a short month and a two-digit year ("23Nov17", "22 Nov'12", "04 sept.16", "17JUL89") and a
    # month, day and apostrophed year ("APR 11'17", "JAN24'13"); never before a colon (a time).
    re.compile(rf"(?<![\w])(?P<d>[0-3]?\d){_GAP}?(?P<mn>[A-Za-z]{{3,4}})\.?{_GAP}?['\u2019]?(?P<y>\d{{2}})(?![\d\w:])",
               re.IGNORECASE),
    re.compile(rf"(?<![\w])(?P<mn>[A-Za-z]{{3}})\.?{_GAP}?(?P<d>[0-3]?\d){_GAP}?['\u2019](?P<y>\d{{2}})(?![\d\w:])",
               re.IGNORECASE),
]


@dataclass(frozen=True)
class DateMatch:
    start: int
    end: int
    value: date


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))


def month_number(word: str) -> int | None:
    """1-12 for a month name or abbreviation in one of the five languages, else None."""
    return _MONTHS.get(_fold(word).rstrip("."))


def _make(year: int, month: int, day: int) -> date | None:
    if year < 100:
        year += 2000 if year < 70 else 1900
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str, *, order: Order = "DMY") -> list[DateMatch]:
    """Every date in ``text`` (non-overlapping, left to right). ``order`` reads ambiguous numeric dates:
    ``02/07/2015`` is 2 July with ``DMY`` and 7 February with ``MDY``; a part above 12 decides itself."""
    found: list[DateMatch] = []  # kept sorted by start; the spans never overlap
    starts: list[int] = []
    for index, pattern in enumerate(_PATTERNS):
        for match in pattern.finditer(text):
            at = bisect.bisect_left(starts, match.start())
            if at < len(found) and found[at].start < match.end():
                continue  # overlaps the next date already found
            if at > 0 and found[at - 1].end > match.start():
                continue  # overlaps the previous one
            value = _read(index, match, order)
            if value is not None:
                found.insert(at, DateMatch(match.start(), match.end(), value))
                starts.insert(at, match.start())
    return found


def _read(index: int, match: re.Match[str], order: Order) -> date | None:
    groups = match.groupdict()
    year = int(groups["y"])
    if index == 0:
        return _make(year, int(groups["m"]), int(groups["d"]))
    if index == 1:
        first, second = int(groups["a"]), int(groups["b"])
        if first > 12 >= second:
            return _make(year, second, first)
        if second > 12 >= first:
            return _make(year, first, second)
        return _make(year, second, first) if order == "DMY" else _make(year, first, second)
    month = month_number(groups["mn"])
    if month is None:
        return None
    return _make(year, month, int(groups["d"]))


def order_for(*, currency: str | None = None, country: str | None = None) -> Order:
    """The day/month order a document's numeric dates most likely use: month first for the United States
    (by country, else by a US dollar currency), day first everywhere else (fr, nl, de, es, en-GB...)."""
    if country:
        return "MDY" if country.upper() == "US" else "DMY"
    return "MDY" if currency == "USD" else "DMY"


def infer_order(text: str, *, default: Order = "DMY") -> Order:
    """The order the text's own unambiguous numeric dates show (13/02 is day first, 02/13 month first),
    by majority; ``default`` when none decides."""
    day_first = month_first = 0
    for match in _PATTERNS[1].finditer(text):
        first, second = int(match.group("a")), int(match.group("b"))
        if 12 < first <= 31 and 1 <= second <= 12:
            day_first += 1
        elif 12 < second <= 31 and 1 <= first <= 12:
            month_first += 1
    if day_first == month_first:
        return default
    return "DMY" if day_first > month_first else "MDY"


def parse_date(text: str, *, order: Order = "DMY") -> date | None:
    """The first date in ``text``, else None."""
    found = find_dates(text, order=order)
    return found[0].value if found else None
