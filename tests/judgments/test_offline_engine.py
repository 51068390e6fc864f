"""The offline precedent engine: an extractive draft whose every source is printed in the file or is a decided
case of the store, with an outcome from the shipped model."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperclerk.judgments import outcome, precedents
from paperclerk.judgments.casefile import CaseDocument, CaseFile, read_case
from paperclerk.judgments.draft import LABELS, SECTION_TITLES, Draft, Section, jurisdiction_of
from paperclerk.judgments.precedent_engine import checked, draft
from paperclerk.judgments.support import Support
from tests.judgments.cases import tenancy_case


@pytest.fixture
def case(tmp_path: Path, env: object) -> CaseFile:
    return read_case(tenancy_case(tmp_path / "case"))


def test_draft_sections_rest_on_the_file_and_the_store(case: CaseFile) -> None:
    store = precedents.shipped()
    result = draft(case, name="tenancy", jurisdiction="INDIA", store=store, questions=["Is eviction justified?"])
    assert [s.title for s in result.sections] == list(SECTION_TITLES)
    assert result.sections[0].text.startswith("Precedent-based draft.")
    assert result.outcome_label in LABELS["INDIA"] and 0.5 <= (result.outcome_probability or 0) <= 1
    pages = {d.name: d.pages for d in case.documents}
    file_sources = [s for section in result.sections for s in section.sources if "document" in s]
    assert file_sources, "facts, issues and arguments cite the file"
    for source in file_sources:
        assert pages[source["document"]][source["page"] - 1][source["start"]:source["end"]] == source["text"]
    facts = next(s for s in result.sections if s.title == "Facts as found")
    assert "lease deed dated 12 March 2015" in facts.text
    arguments = next(s for s in result.sections if s.title == "Arguments of the parties")
    assert {s["document"] for s in arguments.sources} == {"submissions.docx"}
    assert "Question 1: Is eviction justified?" in result.sections[2].text
    assert result.precedents and all(p["citation"] in store.by_citation for p in result.precedents)
    assert [p["similarity"] for p in result.precedents] == sorted((p["similarity"] for p in result.precedents),
                                                                  reverse=True)
    assert result.unsupported_removed == 0


def test_fabricated_precedents_and_quotes_are_removed_and_counted(case: CaseFile) -> None:
    store = precedents.shipped()
    real = store.precedents[0]
    fake = Draft("c", "INDIA", "llm", "accepted", 0.7, [
        Section("Analysis", 'As held, "the landlord may never evict a tenant for any reason" and so on.',
                [{"precedent": "Imaginary v. Union of India (2031) 1 SCC 1", "text": "anything"},
                 {"precedent": real.citation, "text": real.holding},
                 {"document": "facts.txt", "page": 1, "start": 0, "end": 5, "text": "not in the file at all"}]),
    ], [{"citation": "Imaginary v. Union of India (2031) 1 SCC 1", "similarity": 0.9, "holding": "x"},
        {"citation": real.citation, "similarity": 0.5, "holding": real.holding}])
    result = checked(fake, Support(case, store))
    assert result.unsupported_removed == 4  # a fabricated source, a misquoted passage, a quote, a citation
    assert [s.get("precedent") for s in result.sections[0].sources] == [real.citation]
    assert "never evict" not in result.sections[0].text
    assert [p["citation"] for p in result.precedents] == [real.citation]


def test_jurisdictions_and_their_labels() -> None:
    assert jurisdiction_of("eu/echr") == "ECHR" and jurisdiction_of("india") == "INDIA"
    with pytest.raises(ValueError, match="unknown jurisdiction"):
        jurisdiction_of("MARS")


def test_a_jurisdiction_without_precedents_or_model_predicts_nothing() -> None:
    case = CaseFile([CaseDocument("a.txt", ("The applicant complained of the length of his detention on remand.",))])
    result = draft(case, name="a", jurisdiction="ECHR", store=precedents.PrecedentStore([]))
    assert (result.outcome_label, result.outcome_probability) == (None, None)
    assert result.precedents == []


def test_outcome_model_round_trips_and_learns() -> None:
    texts = ["appeal allowed order set aside"] * 6 + ["appeal dismissed no merit"] * 6
    labels = ["accepted"] * 6 + ["rejected"] * 6
    model = outcome.fit(texts, labels, ("rejected", "accepted"), l2=0.01, steps=300)
    again = outcome.OutcomeModel.from_json(model.to_json())
    assert again.probability("the order was set aside")[0] == "accepted"
    assert again.probability("dismissed for want of merit")[0] == "rejected"
    assert set(outcome.shipped()) == {"INDIA"}


def test_exports_leave_out_what_no_document_can_hold() -> None:
    import io

    from docx import Document as DocxDocument

    from paperclerk.judgments import exports

    content = {"jurisdiction": "INDIA", "engine": "precedent", "outcome": {"label": "accepted", "probability": 0.6},
               "sections": [{"title": "Facts", "text": "A lease\x00 of 2015\x07 \u2013 \u201cquoted\u201d.",
                             "sources": [{"document": "a.txt", "page": 1, "start": 0, "end": 5,
                                          "text": "A\x0blease"}]}]}
    docx = DocxDocument(io.BytesIO(exports.to_docx("Title\x01", content)))
    assert "A lease of 2015 \u2013 \u201cquoted\u201d." in [p.text for p in docx.paragraphs]
    assert exports.to_pdf("Title\x01", content).startswith(b"%PDF")
