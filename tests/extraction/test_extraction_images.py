from __future__ import annotations

import io

import pytest
from PIL import Image

from paperclerk import samples
from paperclerk.extraction.base import PNG, TIFF, NeedsOCR
from paperclerk.extraction.ocr import OcrBox, layout_lines

RECEIPT = "CORNER CAFE\nReceipt 482\nCroissant 2.40\nTOTAL 5.60"


def test_png_is_read_with_ocr(run):
    extraction = run("receipt.png", samples.scan_image(RECEIPT))
    assert extraction.media_type == PNG
    page = extraction.pages[0]
    text = page.text.lower()
    assert page.method == "ocr" and page.width == 900
    assert sum(word in text for word in ("corner", "cafe", "receipt", "croissant", "total", "5.60")) >= 5
    assert text.index("corner") < text.index("total")  # top to bottom
    for segment in page.segments:
        assert page.text[segment.start:segment.end].strip()


def test_images_need_ocr(run):
    for fmt in ("PNG", "JPEG", "TIFF"):
        with pytest.raises(NeedsOCR):
            run(f"scan.{fmt.lower()}", samples.scan_image("Hello", fmt), allow_ocr=False)


def test_every_tiff_frame_is_a_page(run):
    first = Image.open(io.BytesIO(samples.scan_image("Page one", "TIFF")))
    second = Image.open(io.BytesIO(samples.scan_image("Page two", "TIFF")))
    buffer = io.BytesIO()
    first.save(buffer, "TIFF", save_all=True, append_images=[second])
    extraction = run("pages.tiff", buffer.getvalue())
    assert extraction.media_type == TIFF
    assert [page.number for page in extraction.pages] == [1, 2]
    assert "one" in extraction.pages[0].text.lower() and "two" in extraction.pages[1].text.lower()


def test_exif_orientation_is_applied(run):
    upright = Image.open(io.BytesIO(samples.scan_image("Rotated invoice text")))
    stored = upright.rotate(90, expand=True)  # what the camera wrote: turned a quarter anticlockwise
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    buffer = io.BytesIO()
    stored.convert("RGB").save(buffer, "JPEG", exif=exif.tobytes())
    page = run("photo.jpg", buffer.getvalue()).pages[0]
    assert (page.width, page.height) == upright.size
    assert "invoice" in page.text.lower()


def test_layout_orders_lines_and_words():
    boxes = [
        OcrBox("world", 0.9, (120, 12, 200, 30)),
        OcrBox("second", 0.8, (10, 50, 90, 70)),
        OcrBox("Hello", 1.0, (10, 10, 100, 28)),
    ]
    result = layout_lines(boxes)
    assert result.text == "Hello world\nsecond"
    assert [result.text[s.start:s.end] for s in result.segments] == ["Hello", "world", "second"]
    assert result.confidence == pytest.approx(0.9)
    assert layout_lines([]).text == ""
