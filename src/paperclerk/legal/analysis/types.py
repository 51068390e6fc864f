"""What the analysis of one legal document returns: plain values the registry stores and the CLI prints.

Every span is addressed by page (1-based) and character offsets into that page's text (``start`` inclusive,
``end`` exclusive), so ``pages[page - 1][start:end] == text`` and a page can highlight its evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

#: The legal document types, with the document kind (the pipeline's coarse class) each belongs to.
LEGAL_TYPES: dict[str, str] = {
    "nda": "contract",
    "lease": "contract",
    "employment": "contract",
    "licence": "contract",
    "services": "contract",
    "supply": "contract",
    "loan": "contract",
    "contract": "contract",
    "pleading": "pleading",
    "motion": "pleading",
    "court_order": "judgment",
    "judgment": "judgment",
    "correspondence": "correspondence",
    "statute": "statute",
    "legal_invoice": "legal_invoice",
}

#: Entity types; ``role`` refines parties (e.g. ``licensor``) and dates (``effective``, ``termination``, ``deadline``).
ENTITY_TYPES = ("party", "date", "amount", "governing_law", "jurisdiction", "court", "citation", "statute")


@dataclass(frozen=True)
class Span:
    page: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Entity:
    type: str
    span: Span
    #: Normalised value: ISO date, ``"1500.00 USD"``, a citation in its reporter form, a statute and section.
    value: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class Clause:
    #: One of the 41 CUAD categories, by CUAD's name (e.g. ``"Governing Law"``, ``"Cap On Liability"``).
    category: str
    span: Span
    confidence: float


@dataclass(frozen=True)
class Risk:
    #: Stable code, e.g. ``"LEGAL-CLAUSE-MISSING"``, ``"LEGAL-UNCAPPED-LIABILITY"``.
    code: str
    category: str
    severity: str  # "info" | "warning" | "error"
    reason: str
    span: Span | None = None


@dataclass(frozen=True)
class Deadline:
    """An obligation with a date (or a period the calendar can place once a start date is known)."""

    description: str
    span: Span
    due: date | None = None
    party: str | None = None


@dataclass(frozen=True)
class LegalAnalysis:
    legal_type: str  # a key of LEGAL_TYPES
    type_confidence: float
    entities: tuple[Entity, ...] = ()
    clauses: tuple[Clause, ...] = ()
    risks: tuple[Risk, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    #: Wall time of the analysis, for the processing history.
    elapsed_ms: float = field(default=0.0, compare=False)

    @property
    def document_kind(self) -> str:
        return LEGAL_TYPES[self.legal_type]
