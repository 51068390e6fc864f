"""Pages an invoice says it has but the document lacks: from the page markers it prints ("Page 1 of 3",
"Seite 2 von 3", "Page 1/3", "Página 1 de 3" …), compared with the pages that arrived."""

from __future__ import annotations

import re

from paperclerk.extraction.base import Extraction
from paperclerk.invoices.reading import Evidence, FieldValue

NAME = "pages"
MAX_PAGES = 500
_MARKER = re.compile(
    r"\b(?:page|pg\.?|p\.|seite|blatt|pagina|página|pág\.?|pag\.?)\s*(\d{1,3})\s*"
    r"(?:of|/|von|de|van|sur|di|z)\s*(\d{1,3})\b", re.IGNORECASE)


def missing_pages(extraction: Extraction) -> FieldValue | None:
    """The ``missing_pages`` field (page numbers, comma-separated) when the invoice prints a page count the
    document does not reach, with the last marker read as its evidence; else None."""
    markers = [(page, match) for page in extraction.pages for match in _MARKER.finditer(page.text)
               if 1 <= int(match.group(1)) <= int(match.group(2)) <= MAX_PAGES]
    if not markers:
        return None
    printed = max(int(match.group(2)) for _, match in markers)
    if len(extraction.pages) >= printed:
        return None
    seen = {int(match.group(1)) for _, match in markers}
    absent = [number for number in range(1, printed + 1) if number not in seen]
    # Pages without a marker of their own arrived too: the missing ones are the last numbers not seen.
    missing = absent[len(absent) - (printed - len(extraction.pages)):]
    page, match = markers[-1]
    evidence = Evidence(page.number, match.start(), match.end(), None, match.group())
    return FieldValue("missing_pages", ", ".join(map(str, missing)), 0.9, NAME, evidence)
