"""Document kind from its text: weighted multilingual cue phrases, cheap and explainable.

Domain packages may add cues for their kinds with :func:`add_cues`; the highest score above
the threshold wins, anything else is ``other``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OTHER = "other"
#: How much text is enough to tell the kind; the start of a document carries its genre.
SAMPLE_CHARS = 6000
THRESHOLD = 3.0


@dataclass(frozen=True)
class Cue:
    pattern: re.Pattern[str]
    weight: float
    #: A word every match contains: a substring test skips the regex on most texts.
    literal: str


_CUES: dict[str, list[Cue]] = {}


def add_cues(kind: str, phrases: dict[str, float]) -> None:
    cues = _CUES.setdefault(kind, [])
    for phrase, weight in phrases.items():
        cues.append(Cue(re.compile(rf"\b{phrase}\b"), weight, _required_literal(phrase)))


def _required_literal(phrase: str) -> str:
    """The longest run of letters that every match of ``phrase`` must contain."""
    required = re.sub(r"\(\?:[^)]*\)\??|.\?|\\w\*", " ", phrase)  # drop groups and optional characters
    return max(re.findall(r"[^\W\d_]+", required), key=len)


add_cues("invoice", {
    "invoice": 2, "tax invoice": 2, "invoice (?:no|number|#)": 3, "amount due": 2, "total due": 2,
    "bill to": 1.5, "due date": 1, "vat": 1, "subtotal": 1.5, "facture": 3, "tva": 1, "rechnung": 3,
    "mwst": 1, "ust": 0.5, "factuur": 3, "btw": 1, "factura": 3, "iva": 1, "remit to": 1.5, "iban": 1,
})
# Credit notes are invoices with the opposite sign: the same kind, the same analyzer.
add_cues("invoice", {"credit note": 3, "gutschrift": 3, "creditnota": 3, "nota de cr[ée]dito": 3, "avoir": 1.5})
add_cues("legal_invoice", {
    "ledes": 5, "utbms": 4, "timekeeper": 3, "professional services rendered": 3, "legal services": 2,
    "fees for professional services": 3, "billing guidelines": 2, "matter (?:no|number|#)": 2,
    "attorney": 1, "counsel": 1, "hours": 0.5,
})
add_cues("contract", {
    "agreement": 1.5, "this agreement": 3, "hereinafter": 2, "the parties": 2, "witnesseth": 3,
    "governing law": 2, "in witness whereof": 3, "termination": 1, "indemnif\\w*": 1, "confidentiality": 1,
    "contrat": 2, "vertrag": 2, "overeenkomst": 2, "contrato": 2,
})
add_cues("pleading", {
    "plaintiffs?": 2, "defendants?": 2, "complaint": 1.5, "motion (?:to|for)": 2, "comes now": 3,
    "prayer for relief": 3, "petitioner": 1.5, "respondent": 1, "cause of action": 2, "case no": 1,
    "demandeur": 2, "kläger": 2,
})
add_cues("judgment", {
    "judgm?ent": 2, "it is (?:hereby )?ordered": 3, "the court finds": 3, "so ordered": 3, "ruling": 1,
    "decision": 1, "jugement": 3, "urteil": 3, "vonnis": 3, "sentencia": 3, "opinion of the court": 3,
})
add_cues("feedback", {
    "feedback": 2, "customer": 1, "review": 1, "service was": 2, "stars?": 1, "recommend": 1.5,
    "disappointed": 2, "experience": 1, "staff": 1, "satisf\\w*": 1, "complain\\w*": 1,
})


def kinds() -> list[str]:
    """Every kind the classifier can give, ``other`` last."""
    return [*sorted(_CUES), OTHER]


def classify(text: str) -> tuple[str, dict[str, float]]:
    """Return the kind and every kind's score (scores explain the choice in the history)."""
    sample = text[:SAMPLE_CHARS].lower()
    scores = {
        kind: round(sum(cue.weight * min(len(cue.pattern.findall(sample)), 3)
                        for cue in cues if cue.literal in sample), 2)
        for kind, cues in _CUES.items()
    }
    # A law firm's bill is an invoice that also speaks of legal services.
    if scores.get("legal_invoice", 0) >= THRESHOLD and scores.get("invoice", 0) >= THRESHOLD:
        scores["legal_invoice"] += scores["invoice"]
    kind, best = max(scores.items(), key=lambda item: item[1])
    return (kind if best >= THRESHOLD else OTHER), scores
