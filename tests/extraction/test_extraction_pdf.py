from __future__ import annotations

import pytest

from paperclerk import samples
from paperclerk.extraction.base import PDF, NeedsOCR

PAGES = [
    "Invoice 2024-0317\nCustomer: Northwind Traders\nTotal due: 1,041.60 GBP",
    "Payment terms: " + "payment is due within thirty days of the invoice date. " * 6,
]


def test_text_pdf_pages_and_text(run):
    extraction = run("invoice.pdf", samples.text_pdf(PAGES), allow_ocr=False)
    assert extraction.media_type == PDF
    assert [page.number for page in extraction.pages] == [1, 2]
    first, second = extraction.pages
    assert first.method == "text_layer"
    assert first.text.splitlines() == PAGES[0].splitlines()
    assert "\r" not in first.text
    assert "thirty days" in second.text and len(second.text.splitlines()) > 1  # the long line wrapped
    assert first.width == pytest.approx(595.28, abs=0.5) and first.height == pytest.approx(841.89, abs=0.5)


def test_segments_map_to_text_and_sit_top_down(run):
    page = run("invoice.pdf", samples.text_pdf(PAGES)).pages[0]
    assert [page.text[s.start:s.end] for s in page.segments] == PAGES[0].splitlines()
    tops = [s.bbox[1] for s in page.segments]
    assert tops == sorted(tops)
    first, second = page.segments[0].bbox, page.segments[1].bbox
    # fpdf2 puts the first line 1 cm (28.35 pt) from the top-left corner; lines are 6 mm (17 pt) apart.
    assert 28 < first[0] < 36 and 28 < first[1] < 40
    assert first[0] < first[2] < page.width and 5 < first[3] - first[1] < 12
    assert second[1] - first[1] == pytest.approx(6 / 25.4 * 72, abs=0.5)


def test_every_wrapped_line_is_a_segment(run):
    page = run("terms.pdf", samples.text_pdf(PAGES)).pages[1]
    lines = [line.strip() for line in page.text.splitlines()]
    assert [page.text[s.start:s.end] for s in page.segments] == lines


def test_scanned_pdf_needs_ocr(run):
    with pytest.raises(NeedsOCR):
        run("scan.pdf", samples.scanned_pdf(["Dear customer"]), allow_ocr=False)


def test_scanned_pdf_is_read_with_ocr(run):
    extraction = run("scan.pdf", samples.scanned_pdf(["Delivery note\nParcel delivered to\nWarehouse Seven"]))
    page = extraction.pages[0]
    assert page.method == "ocr"
    text = page.text.lower()
    assert sum(word in text for word in ("delivery", "parcel", "delivered", "warehouse", "seven")) >= 4
    assert 0.5 < page.ocr_confidence <= 1
    for segment in page.segments:  # bboxes are in PDF points, inside the page
        x0, y0, x1, y1 = segment.bbox
        assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height
