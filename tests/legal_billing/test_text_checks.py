"""What a time entry's description says: the work of a period under one entry is block billing, clerical upkeep
of files is administrative, and an organisation's vague phrases extend the built-in ones unless it opts out."""

from __future__ import annotations

from datetime import date

from paperclerk.legal_billing import text_checks
from paperclerk.legal_billing.guidelines import DEFAULT_VAGUE_PHRASES, guidelines_from
from paperclerk.legal_billing.ledes import read_ledes
from paperclerk.legal_billing.review import Reviewer
from tests.legal_billing.ledes_samples import LEDES_1998B, replace_field

DESCRIPTION = 18  # LINE_ITEM_DESCRIPTION in the 1998B sample's records


def test_the_work_of_a_period_under_one_entry_is_block_billed() -> None:
    assert text_checks.period("87 emails and 38 calls and conferences between 2/20/10-6/28/10") == (
        date(2010, 2, 20), date(2010, 6, 28))
    assert text_checks.period("Calls with adjuster from 3/1/2024 through 3/5/2024") == (
        date(2024, 3, 1), date(2024, 3, 5))
    # Two dates that are no range: a letter of one day answering a letter of another.
    assert text_checks.period("Review letter of 3/1/2024 answering our request of 2/15/2024") is None
    assert text_checks.period("Letters dated 3/1/2024 and 3/9/2024 to opposing counsel re production") is None
    assert text_checks.is_block_billed("Emails with client between 3/1/2024 and 3/9/2024")
    assert not text_checks.is_block_billed("Draft response to motion to compel filed 3/1/2024")


def test_upkeep_of_files_is_administrative() -> None:
    assert text_checks.administrative("Maintaining files")
    assert text_checks.administrative("maintain case calendar")
    assert not text_checks.administrative("Maintain objection to privilege log in meet and confer letter")


def test_an_organisations_vague_phrases_extend_the_built_in_ones_unless_it_opts_out() -> None:
    extended = guidelines_from({"vague_phrases": ["case upkeep"]})
    assert extended.all_vague_phrases() == [*DEFAULT_VAGUE_PHRASES, "case upkeep"]
    only = guidelines_from({"vague_phrases": ["case upkeep"], "builtin_vague_phrases": False})
    assert only.all_vague_phrases() == ["case upkeep"]
    assert guidelines_from({}).all_vague_phrases() == list(DEFAULT_VAGUE_PHRASES)

    lines = LEDES_1998B.read_bytes().decode().split("\r\n")
    lines[2] = replace_field(lines[2], DESCRIPTION, "Work on file")  # a built-in phrase
    lines[3] = replace_field(lines[3], DESCRIPTION, "Case upkeep")  # the organisation's own
    (invoice, _second) = read_ledes("\r\n".join(lines))

    def vague(guidelines: dict[str, object]) -> list[int]:
        review = Reviewer(guidelines_from(guidelines)).review(invoice)
        return sorted(line for finding in review.findings if finding.category == "vague_description"
                      for line in finding.lines)

    assert vague({"vague_phrases": ["case upkeep"]}) == [1, 2]
    assert vague({"vague_phrases": ["case upkeep"], "builtin_vague_phrases": False}) == [2]
    assert vague({}) == [1]
