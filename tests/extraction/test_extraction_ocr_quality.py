"""The OCR measuring stick: word recall and precision, character error rate, and the rendered page set."""

from __future__ import annotations

import pytest

from tests.extraction.ocr_quality import INVOICE_LINES, rendered_pages, score


def test_glued_words_count_as_missed_words_and_a_character_error():
    glued = score("Invoice Number INV-2024-0042", "InvoiceNumber INV-2024-0042")
    assert (glued.recall, glued.precision) == (pytest.approx(1 / 3), 0.5)
    assert glued.cer == pytest.approx(1 / 28)
    assert score("a  b\n\nc", "a b\nc") == score("x", "x")  # layout whitespace is not an error
    assert score("kitten", "sitting").cer == pytest.approx(3 / 6)
    assert score("abc", "").recall == 0 and score("abc", "").cer == 1


def test_the_quick_set_has_tuned_and_held_out_pages_with_their_text():
    pages = rendered_pages(quick=True)
    assert any(page.held_out for page in pages) and not all(page.held_out for page in pages)
    assert {page.name for page in pages} >= {"text PDF at 150 dpi", "text PDF at 200 dpi, degraded"}
    for page in pages:
        assert set(page.text.splitlines()) == set(INVOICE_LINES)
        assert page.image.width > 500 and page.image.height > 500
