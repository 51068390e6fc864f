"""Risks of a contract read from its clauses: a clause that should be there and is not, or one that is there and
deserves a lawyer's look. Each risk has a stable code, a severity and the reason in words; one about a present
clause points at its evidence."""

from __future__ import annotations

from collections.abc import Sequence

from paperclerk.legal.analysis.types import Clause, Risk

#: Clauses a commercial contract is expected to have: category → (severity, why its absence matters).
EXPECTED = {
    "Governing Law": ("warning", "No governing law clause: which law decides a dispute is left open."),
    "Cap On Liability": ("warning", "No cap on liability: a party's exposure for breach is unlimited."),
    "Anti-Assignment": ("info", "No anti-assignment clause: either party may transfer the contract to anyone."),
    "Expiration Date": ("info", "No expiration date or term: how long the obligations last is unclear."),
}
#: Clauses whose presence deserves a review: category → (code, severity, reason).
UNUSUAL = {
    "Uncapped Liability": ("LEGAL-UNCAPPED-LIABILITY", "error",
                           "Liability is expressly uncapped for some breaches or claims."),
    "Liquidated Damages": ("LEGAL-LIQUIDATED-DAMAGES", "warning", "A fixed sum is owed on breach or termination."),
    "Non-Compete": ("LEGAL-NON-COMPETE", "warning", "A party may not compete: check scope, territory and duration."),
    "Exclusivity": ("LEGAL-EXCLUSIVITY", "info", "The contract grants or demands exclusivity."),
    "Most Favored Nation": ("LEGAL-MOST-FAVORED-NATION", "info", "Terms must match the best given to any other."),
    "Change Of Control": ("LEGAL-CHANGE-OF-CONTROL", "info",
                          "A change of control of a party lets the other terminate or needs its consent."),
    "Irrevocable Or Perpetual License": ("LEGAL-PERPETUAL-LICENCE", "info",
                                         "A licence is irrevocable or perpetual."),
    "Covenant Not To Sue": ("LEGAL-COVENANT-NOT-TO-SUE", "info", "A party gives up the right to sue."),
}


def assess(clauses: Sequence[Clause], *, is_contract: bool) -> list[Risk]:
    """The risks of a document whose clauses are ``clauses`` (only contracts are held to the expected clauses)."""
    if not is_contract:
        return []
    best: dict[str, Clause] = {}
    for clause in clauses:
        if clause.category not in best or clause.confidence > best[clause.category].confidence:
            best[clause.category] = clause
    risks = [Risk("LEGAL-CLAUSE-MISSING", category, severity, reason)
             for category, (severity, reason) in EXPECTED.items() if category not in best]
    if "Renewal Term" in best and "Notice Period To Terminate Renewal" not in best:
        risks.append(Risk("LEGAL-AUTO-RENEWAL-NO-NOTICE", "Renewal Term", "warning",
                          "The contract renews itself and says no notice period for stopping the renewal.",
                          best["Renewal Term"].span))
    for category, (code, severity, reason) in UNUSUAL.items():
        if category in best:
            risks.append(Risk(code, category, severity, reason, best[category].span))
    return risks
