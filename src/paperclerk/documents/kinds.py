"""Provisional cues for document kinds that no product line owns yet, so that the classifier already tells
them apart; a line that declares one of these kinds (``ProductLine.kinds``) replaces its cues here, and the
entry can then go."""

from __future__ import annotations

from paperclerk.core.lines import DocumentKind

PROVISIONAL_KINDS = (
    DocumentKind("contract", "Contract", {
        "agreement": 1.5, "this agreement": 3, "hereinafter": 2, "the parties": 2, "witnesseth": 3,
        "governing law": 2, "in witness whereof": 3, "termination": 1, "indemnif\\w*": 1, "confidentiality": 1,
        "contrat": 2, "vertrag": 2, "overeenkomst": 2, "contrato": 2,
    }, provisional=True),
    DocumentKind("pleading", "Pleading", {
        "plaintiffs?": 2, "defendants?": 2, "complaint": 1.5, "motion (?:to|for)": 2, "comes now": 3,
        "prayer for relief": 3, "petitioner": 1.5, "respondent": 1, "cause of action": 2, "case no": 1,
        "demandeur": 2, "kläger": 2,
    }, provisional=True),
    DocumentKind("judgment", "Judgment", {
        "judgm?ent": 2, "it is (?:hereby )?ordered": 3, "the court finds": 3, "so ordered": 3, "ruling": 1,
        "decision": 1, "jugement": 3, "urteil": 3, "vonnis": 3, "sentencia": 3, "opinion of the court": 3,
    }, provisional=True),
    DocumentKind("feedback", "Customer feedback", {
        "feedback": 2, "customer": 1, "review": 1, "service was": 2, "stars?": 1, "recommend": 1.5,
        "disappointed": 2, "experience": 1, "staff": 1, "satisf\\w*": 1, "complain\\w*": 1,
    }, provisional=True),
)
