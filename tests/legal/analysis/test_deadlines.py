"""Obligations with a date or a period become deadlines for the case calendar."""

from __future__ import annotations

from datetime import date

from paperclerk.legal.analysis import deadlines, entities
from tests.legal.analysis.documents import LETTER, ORDER, SUPPLY_AGREEMENT


def test_dated_and_period_obligations_with_their_party():
    pages = [SUPPLY_AGREEMENT]
    parties = [entity for entity in entities.find(pages) if entity.type == "party"]
    found = deadlines.find(pages, parties)
    dated = [deadline for deadline in found if deadline.due is not None]
    assert [(deadline.due, deadline.description) for deadline in dated] == [
        (date(2021, 4, 15), "The annual fee of $125,000.00 is due no later than April 15, 2021.")]
    periods = [deadline.description for deadline in found if deadline.due is None]
    assert "Buyer shall pay each invoice within thirty (30) days of its receipt." in periods
    for deadline in found:
        assert pages[deadline.span.page - 1][deadline.span.start:deadline.span.end] == deadline.span.text


def test_court_order_and_letter_deadlines():
    ordered = deadlines.find([ORDER])
    assert [deadline.due for deadline in ordered] == [date(2024, 7, 15)]
    assert "shall file its answer" in ordered[0].description
    letter = deadlines.find([LETTER])
    assert len(letter) == 1 and letter[0].due is None and "within fourteen (14) days" in letter[0].description


def test_sentences_without_obligation_or_time_are_not_deadlines():
    assert deadlines.find(["The parties met on March 3, 2021. Supplier shall use reasonable efforts."]) == []
