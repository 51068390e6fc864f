"""OCR engines: tesseract when the machine has it (``auto``), RapidOCR as the pip-only fallback, by setting."""

from __future__ import annotations

import statistics

import pytest
from PIL import ImageFont

from paperclerk import samples
from paperclerk.config import Settings
from paperclerk.core.errors import ExtractionError
from paperclerk.extraction import ocr, ocr_tesseract
from paperclerk.extraction.base import Limits
from tests.extraction.ocr_quality import render_lines, rendered_pages, score

#: Measured on ``rendered_pages(quick=True)`` with tesseract 5.3, eng+fra+deu+nld+spa: mean word recall 0.98
#: (as with English alone on these lines; accented words need the other four models).
TESSERACT_RECALL_FLOOR = 0.98 - 0.04


def test_the_setting_reaches_the_extractors_and_auto_prefers_tesseract(monkeypatch):
    assert Limits.from_settings(Settings(ocr_engine="rapidocr")).ocr_engine == "rapidocr"
    assert Limits().ocr_engine == Settings().ocr_engine == "auto"
    with pytest.raises(ValueError, match="ocr_engine"):
        Settings(ocr_engine="easyocr")
    monkeypatch.setattr(ocr_tesseract, "available", lambda: True)
    assert (ocr.engine_for("auto"), ocr.engine_for("rapidocr")) == ("tesseract", "rapidocr")
    monkeypatch.setattr(ocr_tesseract, "available", lambda: False)
    assert ocr.engine_for("auto") == "rapidocr"
    with pytest.raises(ValueError, match="unknown OCR engine"):
        ocr.engine_for("easyocr")
    with pytest.raises(ExtractionError) as raised:
        ocr.ocr_image(render_lines(["Total"], ImageFont.load_default(size=22)), "tesseract")
    assert raised.value.code == "OCR_FAILED"


def test_tesseract_lines_become_text_with_one_segment_per_line():
    tsv = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
           "1\t1\t0\t0\t0\t0\t0\t0\t900\t200\t-1\t\n"
           "5\t1\t1\t1\t1\t1\t40\t40\t80\t20\t96.5\tInvoice\n"
           "5\t1\t1\t1\t1\t2\t130\t40\t90\t20\t93.5\tNumber\n"
           "5\t1\t1\t1\t2\t1\t40\t80\t60\t22\t90\tTotal\n")
    result = ocr_tesseract._layout(tsv)
    assert result.text == "Invoice Number\nTotal"
    assert [result.text[s.start:s.end] for s in result.segments] == ["Invoice Number", "Total"]
    assert result.segments[0].bbox == (40, 40, 220, 60)
    assert result.confidence == pytest.approx(0.925, abs=1e-3)
    assert ocr_tesseract._layout("").text == ""


def test_tesseract_blocks_side_by_side_are_one_line_of_the_page():
    """A label on the left and its amount in a right-aligned column come from different tesseract blocks."""
    tsv = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
           "5\t1\t1\t1\t1\t1\t40\t40\t80\t20\t96\tSubtotal\n"
           "5\t1\t1\t1\t2\t1\t40\t80\t50\t20\t96\tTotal\n"
           "5\t1\t2\t1\t1\t1\t700\t41\t90\t20\t95\t3,227.71\n"
           "5\t1\t2\t1\t2\t1\t700\t81\t90\t20\t95\t3,970.08\n")
    result = ocr_tesseract._layout(tsv)
    assert result.text == "Subtotal 3,227.71\nTotal 3,970.08"
    assert [result.text[s.start:s.end] for s in result.segments] == ["Subtotal", "3,227.71", "Total", "3,970.08"]


def test_tesseract_reads_an_invoice_line_with_its_spaces(tesseract, run):
    text = "Invoice Number INV-2024-0042\nGesamtbetrag 1.234,56 EUR"
    page = run("scan.png", samples.scan_image(text), limits=Limits(ocr_engine="tesseract")).pages[0]
    assert page.text == text and 0.5 < page.ocr_confidence <= 1
    assert [page.text[s.start:s.end] for s in page.segments] == text.splitlines()


def test_tesseract_word_recall_on_the_rendered_set_stays_above_its_floor(tesseract):
    measured = [score(page.text, ocr.ocr_image(page.image, "tesseract").text) for page in rendered_pages(quick=True)]
    assert statistics.fmean(s.recall for s in measured) >= TESSERACT_RECALL_FLOOR, measured


def test_tesseract_stays_loaded_between_pages(tesseract):
    """The models are loaded once per thread (inside the long-lived sandbox child), not once per page."""
    font = ImageFont.load_default(size=22)
    first = ocr.ocr_image(render_lines(["Invoice Number 42"], font), "tesseract")
    engine = ocr_tesseract._api()
    second = ocr.ocr_image(render_lines(["Total 3.50"], font), "tesseract")
    assert ocr_tesseract._api() is engine
    assert (first.text, second.text) == ("Invoice Number 42", "Total 3.50")
