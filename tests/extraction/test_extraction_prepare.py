"""Scans and phone photos made fit for OCR (``extraction.prepare``): turned upright, cut out of the table, evened out,
receipts read as rows; and what OCR then reads from them, with boxes where the words are on the picture sent."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from paperclerk import samples
from paperclerk.extraction import ocr
from paperclerk.extraction.prepare import Layout, prepare
from tests.invoices import receipts

LETTER = ("Invoice Number INV-2024-0042\nInvoice date 14/03/2024\nTotal amount due 1,234.56 USD\n"
          "Bank transfer to IBAN GB29 NWBK 6016 1331 9268 19\nPayment within 30 days of the invoice date")
_AMOUNT = re.compile(r"\d+\.\d\d\b")


def _page(text: str = LETTER) -> Image.Image:
    return Image.open(io.BytesIO(samples.scan_image(text))).convert("L")


def _photo_on_a_table(paper: Image.Image, angle: float) -> Image.Image:
    """``paper`` photographed on a dark wooden table: turned by ``angle``°, lit from one side, a little blurred."""
    rng = np.random.default_rng(3)
    turned = paper.convert("L").rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=0)
    mask = Image.new("L", paper.size, 255).rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=0)
    width, height = turned.width + 300, turned.height + 260
    grain = rng.normal(55, 12, (height, width)) + 15 * np.sin(np.arange(width) / 9)[None, :]
    table = Image.fromarray(np.clip(grain, 0, 255).astype(np.uint8))
    table.paste(turned, (170, 110), mask)
    light = np.linspace(1.0, 0.55, width)[None, :] * np.ones((height, 1))  # a shadow across the picture
    shaded = np.asarray(table.filter(ImageFilter.GaussianBlur(0.8)), dtype=np.float64) * light
    noisy = shaded + rng.normal(0, 5, shaded.shape)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


def _words(text: str) -> set[str]:
    return set(text.split())


@pytest.mark.parametrize("quarter_turns", [1, 2, 3])
def test_a_scan_turned_a_quarter_or_half_round_reads_upright(tesseract, quarter_turns):
    turned = _page().rotate(90 * quarter_turns, expand=True)
    result = ocr.ocr_image(turned, "tesseract")
    assert result.text.splitlines() == LETTER.splitlines()


def test_a_skewed_scan_is_straightened_before_it_is_read(tesseract):
    skewed = _page().rotate(6, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    prepared = prepare(skewed)
    assert prepared.layout is Layout.PAGE
    assert ocr.ocr_image(skewed, "tesseract").text.splitlines() == LETTER.splitlines()


def test_boxes_are_reported_on_the_picture_that_was_sent(tesseract):
    """Read on the upright page, a word's box is mapped back to where the word is on the turned picture."""
    upright = _page()
    width, height = upright.size
    turned = upright.rotate(90, expand=True)  # anticlockwise: a point (x, y) goes to (y, width - x)
    straight, read = ocr.ocr_image(upright, "tesseract"), ocr.ocr_image(turned, "tesseract")
    first = straight.segments[0].bbox
    expected = (first[1], width - first[2], first[3], width - first[0])
    assert read.segments[0].bbox == pytest.approx(expected, abs=4)
    assert all(0 <= s.bbox[0] <= s.bbox[2] <= height + 1 and 0 <= s.bbox[1] <= s.bbox[3] <= width + 1
               for s in read.segments)


def test_a_photo_of_a_skewed_receipt_on_a_dark_table_is_cut_out_and_read(tesseract):
    receipt = receipts.my_gst(2)
    paper = Image.open(io.BytesIO(receipts.image(receipt)))
    photo = _photo_on_a_table(paper, angle=9)
    prepared = prepare(photo)
    assert prepared.layout is Layout.RECEIPT
    ratio = prepared.image.width / prepared.image.height
    assert ratio == pytest.approx(paper.width / paper.height, rel=0.05)  # the paper alone, the table is gone
    text = ocr.ocr_image(photo, "tesseract").text
    wanted = [line.split()[-1] for line in receipt.lines if line.startswith(("Total:", "CASH", "CHANGE"))]
    assert receipt.expected["company"] in text
    assert all(amount in text for amount in wanted), (wanted, text)


@pytest.mark.parametrize("style", [receipts.my_gst, receipts.my_restaurant])
def test_a_receipt_keeps_its_right_hand_amounts_on_their_rows(tesseract, style):
    """Till receipts print the amounts in a right-aligned column; each must come back, beside its label."""
    receipt = style(0)
    text = ocr.ocr_image(Image.open(io.BytesIO(receipts.image(receipt))), "tesseract").text
    rows = [line for line in receipt.lines if re.match(r"\s*(Total|TOTAL|Rounding|CASH|CHANGE|Sub)", line)]
    assert rows
    for row in rows:
        label, amount = row.split()[0], _AMOUNT.findall(row)[-1]
        assert any(line.startswith(label) and amount in line for line in text.splitlines()), (row, text)


def test_small_print_is_enlarged_and_an_empty_page_left_alone():
    small = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 8)
    image = Image.new("L", (420, 120), 255)
    ImageDraw.Draw(image).text((10, 10), "Total amount due 1,234.56 USD", fill=0, font=small)
    prepared = prepare(image)
    assert prepared.image.width > 1.5 * image.width
    assert prepared.original_box((0, 0, prepared.image.width, prepared.image.height)) == pytest.approx(
        (0, 0, image.width, image.height), abs=1)
    large = Image.new("L", (6000, 4000), 255)
    for row in range(40, 3900, 40):
        ImageDraw.Draw(large).text((20, row), "Total amount due 1,234.56 USD " * 40, fill=0, font=small)
    enlarged = prepare(large).image
    assert 24_000_000 < enlarged.width * enlarged.height <= 40_000_000 * 1.01  # enlarged, within bounds
    blank = prepare(Image.new("RGBA", (300, 200), (0, 0, 0, 0)))
    assert blank.image.size == (300, 200) and blank.layout is Layout.PAGE
    assert np.asarray(blank.image).min() == 255  # transparency is white paper
