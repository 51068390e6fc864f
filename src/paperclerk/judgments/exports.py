"""A draft judgment as a DOCX (python-docx) or PDF (fpdf2) file: the title, every section with its sources
listed under it, the predicted outcome and the reviewer's decision when there is one."""

from __future__ import annotations

import io
import re
from typing import Any

from docx import Document as DocxDocument
from fpdf import FPDF

_ASCII = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2026": "...", "\u201c": '"', "\u201d": '"',
                        "\u2018": "'", "\u2019": "'", "\u2022": "-"})


#: Characters XML 1.0 (so DOCX) cannot hold: C0 controls other than tab and line breaks, lone surrogates, U+FFFE/F.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def _source_line(source: dict[str, Any]) -> str:
    if "precedent" in source:
        return f"{source['precedent']}"
    if "document" in source:
        return f"{source['document']}, page {source['page']}: \u201c{source['text']}\u201d"
    return str(source.get("text", ""))


def _heading(content: dict[str, Any]) -> list[str]:
    outcome = content["outcome"]
    lines = [f"Jurisdiction: {content['jurisdiction']}. Engine: {content['engine']}.",
             f"Predicted outcome: {outcome['label']} (probability {outcome['probability']})."]
    review = content.get("review")
    if review:
        lines.append(f"Reviewer's decision: {review['decision']}: {review['outcome']}"
                     + (f". Reasons: {review['reasons']}" if review["reasons"] else "."))
    return lines


def to_docx(title: str, content: dict[str, Any]) -> bytes:
    document = DocxDocument()
    document.add_heading(_xml(title), level=0)
    for line in _heading(content):
        document.add_paragraph(_xml(line))
    for section in content["sections"]:
        document.add_heading(_xml(section["title"]), level=1)
        document.add_paragraph(_xml(section["text"]))
        for source in section["sources"]:
            document.add_paragraph(_xml(_source_line(source)), style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _latin(text: str) -> str:
    return _xml(text).translate(_ASCII).encode("latin-1", "replace").decode("latin-1")


def to_pdf(title: str, content: dict[str, Any]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, _latin(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for line in _heading(content):
        pdf.multi_cell(0, 5, _latin(line), new_x="LMARGIN", new_y="NEXT")
    for section in content["sections"]:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 6, _latin(section["title"]), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 5, _latin(section["text"]), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "I", 8)
        for source in section["sources"]:
            pdf.multi_cell(0, 4, _latin("- " + _source_line(source)), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
