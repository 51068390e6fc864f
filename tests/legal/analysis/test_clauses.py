"""CUAD clauses with their evidence from the shipped model, and the risks read from them."""

from __future__ import annotations

from paperclerk.legal.analysis import analyze, clauses, features, risks
from paperclerk.legal.analysis.types import Clause, Span
from tests.legal.analysis.documents import COMPLAINT, NDA, SUPPLY_AGREEMENT


def test_the_shipped_model_covers_the_41_categories():
    model = features.load("clauses")
    assert len(model.labels) == 41 and "Governing Law" in model.labels and "Cap On Liability" in model.labels
    assert model.weights.shape == (len(model.vocabulary), 41)
    assert ((model.thresholds > 0) & (model.thresholds <= 1.01)).all()


def test_clauses_are_found_with_the_passage_that_supports_them():
    pages = ["SCHEDULE 1: definitions only.", SUPPLY_AGREEMENT]
    found = clauses.find(pages)
    best = {}
    for clause in found:
        best.setdefault(clause.category, clause)
        assert pages[clause.span.page - 1][clause.span.start:clause.span.end] == clause.span.text
        assert 0 < clause.confidence <= 1
    assert best["Governing Law"].span.text.startswith("6. Governing Law.")
    assert best["Anti-Assignment"].span.text.startswith("5. Assignment.")
    assert best["Audit Rights"].span.text.startswith("7. Audit.")
    assert best["Cap On Liability"].span.text.startswith("4. Limitation of Liability.")
    assert "Source Code Escrow" not in best and "Non-Compete" not in best


def test_a_contract_without_a_liability_cap_is_flagged_and_a_pleading_has_no_clauses():
    nda = analyze([NDA])
    assert nda.legal_type == "nda" and "Governing Law" in {clause.category for clause in nda.clauses}
    assert ("LEGAL-CLAUSE-MISSING", "Cap On Liability") in {(risk.code, risk.category) for risk in nda.risks}
    complaint = analyze([COMPLAINT])
    assert complaint.document_kind == "pleading" and complaint.clauses == () and complaint.risks == ()
    assert complaint.elapsed_ms > 0


def _clause(category: str) -> Clause:
    return Clause(category, Span(1, 0, 4, "text"), 0.9)


def test_risks_from_clauses():
    everything = [_clause(category) for category in risks.EXPECTED]
    assert risks.assess(everything, is_contract=True) == []
    renewing = risks.assess([*everything, _clause("Renewal Term")], is_contract=True)
    assert [(risk.code, risk.severity) for risk in renewing] == [("LEGAL-AUTO-RENEWAL-NO-NOTICE", "warning")]
    assert renewing[0].span == Span(1, 0, 4, "text")
    with_notice = [*everything, _clause("Renewal Term"), _clause("Notice Period To Terminate Renewal")]
    assert risks.assess(with_notice, is_contract=True) == []
    uncapped = risks.assess([*everything, _clause("Uncapped Liability")], is_contract=True)
    assert [(risk.code, risk.severity) for risk in uncapped] == [("LEGAL-UNCAPPED-LIABILITY", "error")]
    missing = risks.assess([], is_contract=True)
    assert {risk.category for risk in missing} == set(risks.EXPECTED)
    assert all(risk.code == "LEGAL-CLAUSE-MISSING" and risk.span is None for risk in missing)
    assert risks.assess([], is_contract=False) == []
