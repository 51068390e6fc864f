"""Legal document types: each type is told apart from the others, a contract's own title decides its subtype,
and a text that reads like nothing legal gets no confidence."""

from __future__ import annotations

import pytest

from paperclerk.legal.analysis import classify
from paperclerk.legal.analysis.types import LEGAL_TYPES
from tests.legal.analysis.documents import BY_TYPE


@pytest.mark.parametrize("expected", sorted(BY_TYPE))
def test_each_type_is_recognised(expected):
    kind, confidence = classify.classify([BY_TYPE[expected]])
    assert kind == expected and 0.5 < confidence <= 1.0
    assert kind in LEGAL_TYPES


def test_a_contract_title_decides_the_subtype():
    body = ("This Agreement is made between the parties. The Company shall provide the products and services. "
            "This Agreement shall be governed by the laws of Delaware. IN WITNESS WHEREOF the parties sign.")
    assert classify.classify(["DISTRIBUTOR AGREEMENT\n\n" + body])[0] == "supply"
    assert classify.classify(["TRADEMARK LICENSE AGREEMENT\n\n" + body])[0] == "licence"
    assert classify.classify(["JOINT VENTURE AGREEMENT\n\n" + body])[0] == "contract"


def test_pages_are_read_together_and_nothing_legal_is_not_confident():
    assert classify.classify(["ORDER GRANTING MOTION", "IT IS HEREBY ORDERED that the motion is granted."])[0] == \
        "court_order"
    assert classify.classify(["Shopping list: apples, pears."]) == ("contract", 0.0)
    assert classify.classify([]) == ("contract", 0.0)
