"""A PDF whose fonts have no Unicode map: its text layer is control characters, so the page is read by OCR."""

from __future__ import annotations

import io
from pathlib import Path

from paperclerk.extraction.base import PDF, Limits
from paperclerk.extraction.extract import extract


def _unmapped_glyphs_pdf() -> bytes:
    """One page of text in a font whose custom encoding names glyphs no Unicode map knows (pdfium reports the raw
    codes, as it does for real invoices printed with subset fonts without ToUnicode)."""
    content = b"BT /F1 24 Tf 72 700 Td <0102030405060708090A0B0C0D0E0F> Tj ET"
    names = b" ".join(b"/g%d" % code for code in range(1, 16))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding /Differences [1 "
        + names + b"] >> >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def test_a_text_layer_of_unmapped_glyphs_is_ocrd(tmp_path: Path) -> None:
    path = tmp_path / "glyphs.pdf"
    path.write_bytes(_unmapped_glyphs_pdf())
    extraction = extract(path, PDF, allow_ocr=True, limits=Limits())
    assert extraction.pages[0].method == "ocr"
    assert not any(ord(char) < 32 and char not in "\n\t" for char in extraction.text)
