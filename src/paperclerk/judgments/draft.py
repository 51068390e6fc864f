"""What both engines return: a draft judgment as plain values, and the one JSON shape the CLI prints and the API
serves (``{"case", "jurisdiction", "engine", "outcome", "sections", "precedents", "unsupported_removed"}``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Jurisdictions a request may name; ``EU/ECHR`` is accepted for ``ECHR``.
JURISDICTIONS = ("INDIA", "UK", "US", "ECHR")
ALIASES = {"EU/ECHR": "ECHR", "EU": "ECHR", "ECTHR": "ECHR", "IN": "INDIA", "GB": "UK", "USA": "US"}
#: The outcome labels, stable: an appeal or petition allowed or dismissed; for the ECHR a violation found or not.
LABELS = {"INDIA": ("rejected", "accepted"), "UK": ("rejected", "accepted"), "US": ("rejected", "accepted"),
          "ECHR": ("no_violation", "violation")}
SECTION_TITLES = ("Nature of this draft", "Facts as found", "Issues", "Arguments of the parties",
                  "Applicable law and precedents", "Analysis", "Decision", "Confidence and what would change it")


def jurisdiction_of(name: str) -> str:
    """The canonical jurisdiction for ``name`` (case-insensitive, aliases accepted); ``ValueError`` when unknown."""
    key = name.strip().upper()
    key = ALIASES.get(key, key)
    if key not in JURISDICTIONS:
        raise ValueError(f"unknown jurisdiction {name!r}; one of {', '.join(JURISDICTIONS)} (or EU/ECHR)")
    return key


@dataclass
class Section:
    title: str
    text: str
    #: Where the text rests: ``{"document", "page", "start", "end", "text"}`` for a passage of the file,
    #: ``{"precedent", "text"}`` for a decided case of the store.
    sources: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Draft:
    case: str
    jurisdiction: str
    engine: str  # "precedent" (offline) | "llm"
    outcome_label: str | None
    outcome_probability: float | None
    sections: list[Section]
    precedents: list[dict[str, Any]]
    unsupported_removed: int = 0
    #: Tokens the model spent on this draft (0 offline).
    tokens: int = 0
    #: Files of the case that could not be read: ``{"file", "code", "message"}``.
    errors: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case, "jurisdiction": self.jurisdiction, "engine": self.engine,
            "outcome": {"label": self.outcome_label, "probability": self.outcome_probability},
            "sections": [{"title": s.title, "text": s.text, "sources": s.sources} for s in self.sections],
            "precedents": self.precedents, "unsupported_removed": self.unsupported_removed,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], *, tokens: int = 0) -> Draft:
        return cls(data["case"], data["jurisdiction"], data["engine"], data["outcome"]["label"],
                   data["outcome"]["probability"],
                   [Section(s["title"], s["text"], list(s["sources"])) for s in data["sections"]],
                   list(data["precedents"]), int(data["unsupported_removed"]), tokens)
