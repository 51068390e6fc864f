"""Splitting pages into passages: paragraphs with exact spans, headings joined, long paragraphs cut."""

from __future__ import annotations

from paperclerk.search.passages import MAX_CHARS, split

LEASE = (
    "LEASE AGREEMENT\n\n"
    "1. Term\n\n"
    "The lease starts on 1 March 2024 and runs for five years, unless terminated earlier under clause 9.\n\n"
    "  \n"
    "2. Governing law\n"
    "This agreement is governed by the laws of the State of New York.\n\n"
    "- 3 -"
)


def test_paragraphs_with_exact_spans_and_short_headings_joined_to_what_follows():
    spans = split([(1, LEASE), (2, "Signed by the Landlord and the Tenant on the date first written above.")])
    assert [span.page for span in spans] == [1, 1, 2]
    assert spans[0].text.startswith("LEASE AGREEMENT\n\n1. Term\n\nThe lease starts")
    assert spans[1].text == "2. Governing law\nThis agreement is governed by the laws of the State of New York."
    assert all(LEASE[span.start:span.end] == span.text for span in spans[:2])


def test_a_trailing_page_number_is_not_a_passage_but_a_short_closing_line_is():
    spans = split([(1, "The parties agree to keep all information confidential for three years.\n\n7")])
    assert [span.text for span in spans] == ["The parties agree to keep all information confidential for three years."]
    assert [span.text for span in split([(1, "Signed: J. Doe")])] == ["Signed: J. Doe"]


def test_runs_of_spaces_separate_paragraphs_of_flattened_layouts():
    text = ("Exhibit 10.1   SUPPLY AGREEMENT     This Supply Agreement is made between Acme Corp. and Beta LLC "
            "on the first day of May.   Whereas Acme makes widgets and Beta wishes to buy them at fair prices.")
    spans = split([(1, text)])
    assert len(spans) == 2
    assert spans[1].text.startswith("Whereas Acme")
    assert all(text[s.start:s.end] == s.text for s in spans)


def test_long_paragraphs_are_cut_at_sentence_ends():
    sentence = "The Supplier shall deliver the Products to the Buyer within thirty days of each purchase order. "
    text = sentence * 40
    spans = split([(3, text)])
    assert len(spans) >= 3
    assert all(len(span.text) <= MAX_CHARS for span in spans)
    assert all(span.text.endswith("order.") for span in spans)
    assert all(text[span.start:span.end] == span.text for span in spans)
    assert "".join(text[s.start:s.end] + " " for s in spans).split() == text.split()


def test_empty_and_blank_pages_have_no_passages():
    assert split([(1, ""), (2, "   \n\n  "), (3, "—")]) == []


def test_highlights_mark_whole_words_but_not_the_commonest():
    from paperclerk.search.hybrid import highlight

    assert highlight("The lease & the leases <b>", ["the", "lease"]) == \
        "The <mark>lease</mark> &amp; the leases &lt;b&gt;"
    assert highlight("Rent is due", ["of"]) == "Rent is due"
