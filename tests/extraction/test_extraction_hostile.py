"""Hostile or broken inputs end in a precise error code, never another exception and never a hang."""

from __future__ import annotations

import random

import pytest

from paperclerk import samples
from paperclerk.core.errors import ExtractionError, FileEmpty, FileUnsupported
from paperclerk.extraction import base
from paperclerk.extraction.base import Limits
from paperclerk.extraction.extract import extract
from paperclerk.extraction.sniff import detect_media_type

pytestmark = pytest.mark.timeout(30)


def _code(path, media_type=None, limits=Limits(), allow_ocr=True):
    with pytest.raises((ExtractionError, FileEmpty, FileUnsupported)) as caught:
        extract(path, media_type or detect_media_type(path), allow_ocr=allow_ocr, limits=limits)
    return caught.value.code


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("secret.pdf", samples.encrypted_pdf(), "FILE_ENCRYPTED"),
        ("cut.pdf", samples.truncated_pdf(), "FILE_CORRUPT"),
        ("nothing.pdf", samples.empty_pdf(), "FILE_EMPTY"),
        ("bomb.png", samples.image_bomb(), "FILE_TOO_COMPLEX"),
        ("bomb.docx", samples.docx_zip_bomb(), "FILE_TOO_COMPLEX"),
        ("zero.pdf", b"", "FILE_EMPTY"),
        ("random.pdf", random.Random(1).randbytes(10_000), "FILE_UNSUPPORTED"),
        ("nul.txt", bytes(10_000), "FILE_UNSUPPORTED"),
    ],
)
def test_hostile_input_codes(write, name, data, code):
    assert _code(write(name, data)) == code


def test_image_bomb_refused_below_pillows_own_limit(write):
    path = write("tall.png", samples.image_bomb(10_000, 5_000))  # 50 MP: Pillow alone would decode it
    assert _code(path, limits=Limits(max_image_pixels=10_000_000)) == "FILE_TOO_COMPLEX"
    assert _code(path, limits=Limits(max_image_pixels=10_000_000), allow_ocr=False) == "FILE_TOO_COMPLEX"


def test_truncated_image_is_corrupt(write):
    png = samples.scan_image("Hello there")
    assert _code(write("cut.png", png[: len(png) // 2])) == "FILE_CORRUPT"
    assert _code(write("header.jpg", b"\xff\xd8\xff\xe0" + bytes(20))) == "FILE_CORRUPT"


def test_docx_limits_and_damage(write):
    document = write("small.docx", samples.docx(["Hello"]))
    assert _code(document, limits=Limits(max_unpacked_bytes=1000)) == "FILE_TOO_COMPLEX"
    data = samples.docx(["Hello"])
    assert _code(write("cut.docx", data[: len(data) // 2]), base.DOCX) == "FILE_CORRUPT"
    assert _code(write("not.docx", b"plain words"), base.DOCX) == "FILE_CORRUPT"


def test_page_limit(write):
    three_pages = write("long.pdf", samples.text_pdf(["a", "b", "c"]))
    assert _code(three_pages, limits=Limits(max_pages=2)) == "FILE_TOO_COMPLEX"
    assert _code(write("long.txt", b"a\fb\fc"), limits=Limits(max_pages=2)) == "FILE_TOO_COMPLEX"


def test_garbage_declared_as_pdf_or_unknown_type(write):
    path = write("fake.pdf", b"%PDF-1.7\n" + random.Random(2).randbytes(5000))
    assert _code(path) == "FILE_CORRUPT"
    assert _code(path, "application/x-unknown") == "FILE_UNSUPPORTED"
