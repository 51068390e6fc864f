"""Entities with spans: every span addresses its page's text, and each kind of entity is found with its value."""

from __future__ import annotations

from paperclerk.legal.analysis import entities
from tests.legal.analysis.documents import COMPLAINT, JUDGMENT, SUPPLY_AGREEMENT


def _by_type(found, kind):
    return [(entity.span.text, entity.value, entity.role) for entity in found if entity.type == kind]


def test_spans_address_the_page_text():
    pages = ["Cover page without entities.", SUPPLY_AGREEMENT, COMPLAINT]
    found = entities.find(pages)
    assert found and {entity.span.page for entity in found} == {2, 3}
    for entity in found:
        assert pages[entity.span.page - 1][entity.span.start:entity.span.end] == entity.span.text


def test_contract_parties_dates_amounts_law_and_forum():
    found = entities.find([SUPPLY_AGREEMENT])
    assert ("Northwind Components, Inc.", "Northwind Components, Inc.", "supplier") in _by_type(found, "party")
    assert ("Harbor Tools LLC", "Harbor Tools LLC", "buyer") in _by_type(found, "party")
    dates = _by_type(found, "date")
    assert ("March 1, 2021", "2021-03-01", "effective") in dates
    assert ("April 15, 2021", "2021-04-15", "deadline") in dates
    assert ("$125,000.00", "125000.00 USD", None) in _by_type(found, "amount")
    assert [value for _, value, _ in _by_type(found, "governing_law")] == ["New York"]
    assert _by_type(found, "jurisdiction")[0][1].startswith("state and federal courts located in New York")


def test_pleading_caption_court_and_us_citations():
    found = entities.find([COMPLAINT])
    parties = _by_type(found, "party")
    assert ("JANE ROE", "JANE ROE", "plaintiff") in parties
    assert ("GLOBEX CORPORATION", "GLOBEX CORPORATION", "defendant") in parties
    assert [value for _, value, _ in _by_type(found, "court")] == \
        ["UNITED STATES DISTRICT COURT FOR THE SOUTHERN DISTRICT OF NEW YORK"]
    assert ("123 F.3d 45", "123 F.3d 45", None) in _by_type(found, "citation")
    assert ("42 U.S.C. § 1983", "42 U.S.C. § 1983", None) in _by_type(found, "statute")


def test_indian_uk_and_eu_citations_and_statute_sections():
    found = entities.find([JUDGMENT])
    citations = [value for _, value, _ in _by_type(found, "citation")]
    assert citations == ["(2017) 10 SCC 1", "AIR 1973 SC 1461", "[2020] UKSC 5", "Case C-131/12"]
    statutes = [value for _, value, _ in _by_type(found, "statute")]
    assert statutes == ["Section 34 of the Arbitration and Conciliation Act, 1996"]
    courts = [value for _, value, _ in _by_type(found, "court")]
    assert "SUPREME COURT OF INDIA" in courts and "High Court of Delhi" in courts


def test_dates_in_other_forms_and_impossible_dates():
    text = "Signed on the 3rd day of June, 2020, amended 2021-02-28 and 07/04/2022; not a date: February 30, 2021."
    values = [value for _, value, _ in _by_type(entities.find([text]), "date")]
    assert values == ["2020-06-03", "2021-02-28", "2022-07-04"]
