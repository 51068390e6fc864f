"""Case citations and statute references with their spans: eyecite for US reporters and codes, patterns for
Indian (SCC, AIR, INSC and High Court neutral citations), UK (neutral citations, law reports) and EU (case
numbers, ECLI) citations, and sections/articles of named acts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from eyecite import get_citations
from eyecite.models import FullCaseCitation, FullLawCitation, ShortCaseCitation

_CASE_PATTERNS = (
    # India
    re.compile(r"\(\d{4}\)\s+\d{1,2}\s+SCC\s+\d{1,4}"),
    re.compile(r"\bAIR\s+\d{4}\s+(?:SC|[A-Z][a-z]+)\s+\d{1,5}"),
    re.compile(r"\b\d{4}\s+INSC\s+\d{1,5}"),
    re.compile(r"\b\d{4}:[A-Z]{2,6}:\d{1,6}(?:-[A-Z]{2})?"),
    # United Kingdom
    re.compile(r"\[\d{4}\]\s+(?:UKSC|UKPC|UKHL|UKUT|UKFTT|EWCA\s+(?:Civ|Crim)|EWHC|EWCOP|EWFC|CSOH|CSIH|NICA)"
               r"\s+\d{1,5}(?:\s+\((?:Ch|QB|KB|Admin|Comm|Fam|TCC|Pat|IPEC)\))?"),
    re.compile(r"\[\d{4}\]\s+\d?\s*(?:AC|QB|KB|Ch|WLR|All\s+ER|Lloyd's\s+Rep)\s+\d{1,5}"),
    # European Union
    re.compile(r"\bECLI:[A-Z]{2}:[A-Z]+:\d{4}:[\w.]+"),
    re.compile(r"\b(?:Case|Joined Cases)\s+[CTF]-\d{1,4}/\d{2}\b"),
)
_STATUTE_PATTERNS = (
    re.compile(r"\b(?:[Ss]ection|[Ss]ections|[Ss]\.|[Aa]rticle|[Aa]rt\.|[Rr]ule|[Rr]egulation)\s+\d+[A-Z]?"
               r"(?:\(\w{1,4}\))*\s+of\s+the\s+(?:(?:[A-Z][\w,'-]*|and|of|the|for|on)\s+){0,8}(?:Act|Code|Convention|Regulation|Directive|"
               r"Rules|Constitution|Treaty)(?:,?\s+\d{4})?"),
    re.compile(r"\b(?:Regulation|Directive)\s+\((?:EU|EC|EEC)\)\s+(?:No\s+)?\d{1,4}/\d{1,4}"),
)


#: "410 U.S. 113", "123 F.3d 45", "42 U.S.C. § 1983", "Cal. Civ. Code § 1542": what eyecite can recognise.
_CITATION_SHAPE = re.compile(r"\b\d{1,4}\s+(?:[A-Z][A-Za-z0-9.']{0,12}\s?){1,5}\s?\d{1,5}\b|§")
_MARGIN = 120


@dataclass(frozen=True)
class FoundCitation:
    type: str  # "citation" | "statute"
    start: int
    end: int
    value: str


def find(text: str) -> list[FoundCitation]:
    found = list(_eyecite(text))
    for kind, patterns in (("citation", _CASE_PATTERNS), ("statute", _STATUTE_PATTERNS)):
        for pattern in patterns:
            for match in pattern.finditer(text):
                if not any(match.start() < item.end and item.start < match.end() for item in found):
                    found.append(FoundCitation(kind, match.start(), match.end(), " ".join(match.group().split())))
    return sorted(found, key=lambda item: item.start)


def _eyecite(text: str) -> Iterator[FoundCitation]:
    """eyecite over the windows around a volume-reporter-page or section-sign shape (it costs ~15 µs a character:
    a contract without citations should not pay that for every word)."""
    for window_start, window_end in _windows(text):
        for citation in get_citations(text[window_start:window_end]):
            if isinstance(citation, FullCaseCitation | ShortCaseCitation):
                kind = "citation"
            elif isinstance(citation, FullLawCitation):
                kind = "statute"
            else:
                continue
            start, end = citation.span()  # type: ignore[no-untyped-call]
            value = citation.corrected_citation()  # type: ignore[no-untyped-call]
            yield FoundCitation(kind, window_start + start, window_start + end, str(value))


def _windows(text: str) -> list[tuple[int, int]]:
    windows: list[tuple[int, int]] = []
    for match in _CITATION_SHAPE.finditer(text):
        start, end = max(0, match.start() - _MARGIN), min(len(text), match.end() + _MARGIN)
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        while end < len(text) and not text[end].isspace():
            end += 1
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows
