from __future__ import annotations

import codecs
import random

import pytest

from paperclerk import samples
from paperclerk.core.errors import FileEmpty, FileUnsupported
from paperclerk.extraction import base
from paperclerk.extraction.sniff import detect_media_type

MAIL = b"From: a@example.com\r\nTo: b@example.com\r\nSubject: Hi\r\n\r\nHello\r\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (samples.text_pdf(["Hello"]), base.PDF),
        (b"\n\n   garbage before the header %PDF-1.7\n", base.PDF),
        (samples.scan_image("Hi", "PNG"), base.PNG),
        (samples.scan_image("Hi", "JPEG"), base.JPEG),
        (samples.scan_image("Hi", "TIFF"), base.TIFF),
        (b"MM\x00*\x00\x00\x00\x08", base.TIFF),
        (samples.docx(["Hello"]), base.DOCX),
        (samples.html("Title", ["Hello"]), base.HTML),
        (b"\xef\xbb\xbf  \n<HTML><body>hi</body></html>", base.HTML),
        (b"<!-- generated -->\n<!DOCTYPE html><p>x</p>", base.HTML),
        ("<!doctype html><p>été</p>".encode("utf-16"), base.HTML),
        (samples.email("Subject", "Body", []), base.EMAIL),
        (MAIL, base.EMAIL),
        (samples.plain_text("Just some notes.\nSecond line."), base.TEXT),
        (samples.plain_text("Grüße aus Köln", "utf-16"), base.TEXT),
        (samples.plain_text("Café crème, déjà vu", "cp1252"), base.TEXT),
        (b"From: only one header line\n\nthis is a note", base.TEXT),
        (b"<p>an html fragment is just text</p>", base.TEXT),
        ("é".encode() * 5000, base.TEXT),  # a multi-byte character cut at the end of the head
    ],
)
def test_detects_type_from_content(write, data, expected):
    assert detect_media_type(write("upload.bin", data)) == expected


def test_file_name_is_ignored(write):
    assert detect_media_type(write("notes.txt", samples.text_pdf(["x"]))) == base.PDF
    assert detect_media_type(write("scan.pdf", samples.scan_image("x"))) == base.PNG
    assert detect_media_type(write("page.html", samples.plain_text("plain words"))) == base.TEXT


def test_zero_bytes_is_empty(write):
    with pytest.raises(FileEmpty) as caught:
        detect_media_type(write("empty.pdf", b""))
    assert caught.value.code == "FILE_EMPTY"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (random.Random(7).randbytes(4096), "binary"),
        (bytes(4096), "binary"),
        (b"\x7fELF\x02\x01\x01" + bytes(100), "ELF"),
        (b"GIF89a" + bytes(100), "GIF"),
        (codecs.BOM_UTF8 + b"\x00\x01\x02\x03" * 100, "binary"),
    ],
)
def test_unsupported_binary(write, data, reason):
    with pytest.raises(FileUnsupported) as caught:
        detect_media_type(write("file.pdf", data))
    assert caught.value.code == "FILE_UNSUPPORTED"
    assert reason in caught.value.message


def test_zip_that_is_not_docx(write):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(FileUnsupported, match="ZIP"):
        detect_media_type(write("report.docx", buffer.getvalue()))
    with pytest.raises(FileUnsupported, match="damaged"):
        detect_media_type(write("broken.docx", b"PK\x03\x04" + bytes(200)))
