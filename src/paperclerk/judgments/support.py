"""The check every draft passes before anyone sees it: a citation must name a decided case of the precedent store
(or be printed in the case file), and a quoted passage must be printed in the file or in the precedent it is
attributed to. Whatever fails is removed and counted (``unsupported_removed``)."""

from __future__ import annotations

import re
from typing import Any

from paperclerk.judgments.casefile import CaseFile
from paperclerk.judgments.precedents import PrecedentStore

_SPACE = re.compile(r"\s+")
_QUOTE = re.compile(r"[\"“]([^\"”]{12,})[\"”]")


def normal(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


class Support:
    """What a draft may rest on: the case file's text and the precedent store."""

    def __init__(self, case: CaseFile, store: PrecedentStore) -> None:
        self.file_text = normal(case.text)
        self.store = store

    def citation_supported(self, citation: str) -> bool:
        return citation in self.store.by_citation or normal(citation) in self.file_text

    def passage_supported(self, text: str, precedent: str | None = None) -> bool:
        wanted = normal(text)
        if not wanted:
            return False
        if precedent is not None:
            found = self.store.by_citation.get(precedent)
            return found is not None and wanted in normal(f"{found.text}\n{found.holding}")
        return wanted in self.file_text

    def source_supported(self, source: dict[str, Any]) -> bool:
        if "precedent" in source:
            return self.citation_supported(str(source["precedent"])) and \
                self.passage_supported(str(source.get("text", "")), str(source["precedent"]))
        return self.passage_supported(str(source.get("text", "")))

    def unsupported_quotes(self, text: str, sources: list[dict[str, Any]]) -> list[str]:
        """Quoted passages of ``text`` printed neither in the file nor in a precedent its sources cite."""
        cited = [str(s["precedent"]) for s in sources if "precedent" in s]
        return [quote for quote in _QUOTE.findall(text)
                if not self.passage_supported(quote) and not any(self.passage_supported(quote, c) for c in cited)]
