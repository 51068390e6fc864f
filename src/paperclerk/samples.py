"""Documents built in code: realistic demo files for ``make run`` and ordinary or hostile inputs for tests.

Every generator is deterministic (fixed dates, ids and document metadata) and works offline.
"""

from __future__ import annotations

import io
import mimetypes
import struct
import textwrap
import zipfile
import zlib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape
from pathlib import Path

import docx as python_docx
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

_FIXED_DATE = datetime(2024, 3, 14, 9, 30, tzinfo=UTC)
_SCAN_DPI = 100
_A4_INCHES = (8.27, 11.69)


def _new_pdf() -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(_FIXED_DATE)
    pdf.set_auto_page_break(auto=True, margin=15)
    return pdf


def text_pdf(pages: list[str]) -> bytes:
    """A PDF with a real text layer (Helvetica 11 pt, long lines wrap); one string per page."""
    pdf = _new_pdf()
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text.encode("latin-1", "replace").decode("latin-1"))
    return bytes(pdf.output())


def _render(text: str, width: int, height: int | None = None, font_size: int = 22) -> Image.Image:
    """Black text on white, word-wrapped to ``width`` pixels; the height fits the text unless given."""
    font = ImageFont.load_default(size=font_size)
    margin = font_size * 2
    columns = max(10, int((width - 2 * margin) / (font_size * 0.6)))
    lines = [wrapped for line in text.splitlines() for wrapped in (textwrap.wrap(line, columns) or [""])]
    line_height = int(font_size * 1.5)
    if height is None:
        height = 2 * margin + line_height * len(lines)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        draw.text((margin, margin + index * line_height), line, fill=0, font=font)
    return image


def scanned_pdf(pages: list[str]) -> bytes:
    """An image-only PDF (no text layer): each page is an A4 'scan' at 100 dpi of the given text."""
    size = (int(_A4_INCHES[0] * _SCAN_DPI), int(_A4_INCHES[1] * _SCAN_DPI))
    images = [_render(text, *size) for text in pages]
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=_SCAN_DPI, save_all=True, append_images=images[1:],
                   creationDate=_FIXED_DATE.timetuple(), modDate=_FIXED_DATE.timetuple())
    return buffer.getvalue()


def scan_image(text: str, fmt: str = "PNG") -> bytes:
    """A small scan-like image of ``text`` (900 px wide) as PNG, JPEG or TIFF bytes."""
    image = _render(text, 900)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return buffer.getvalue()


def docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    """A Word document with the paragraphs, then (if given) a table of rows of cell texts."""
    document = python_docx.Document()
    document.core_properties.created = _FIXED_DATE.replace(tzinfo=None)
    document.core_properties.modified = _FIXED_DATE.replace(tzinfo=None)
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=max(len(row) for row in table))
        for row_cells, row in zip(grid.rows, table, strict=True):
            for cell, value in zip(row_cells.cells, row, strict=False):
                cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return _with_fixed_zip_times(buffer.getvalue())


def _with_fixed_zip_times(data: bytes) -> bytes:
    """The same zip with every entry dated 1980-01-01: zip entries record the clock, samples must not."""
    repacked = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(repacked, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(entry))
    return repacked.getvalue()


def html(title: str, paragraphs: list[str]) -> bytes:
    """A UTF-8 web page like real ones: a <style> and <script> (never visible text) around the paragraphs."""
    body = "\n".join(f"    <p>{escape(text)}</p>" for text in paragraphs)
    page = f"""<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>{escape(title)}</title>
    <style>p {{ color: #333; }}</style>
    <script>window.trackingCode = function () {{ return "do-not-index"; }};</script>
  </head>
  <body>
    <h1>{escape(title)}</h1>
{body}
    <script>trackingCode();</script>
  </body>
</html>
"""
    return page.encode("utf-8")


def plain_text(text: str, encoding: str = "utf-8") -> bytes:
    """``text`` encoded (``utf-8``, ``utf-8-sig``, ``utf-16`` with BOM, ``cp1252``...)."""
    return text.encode(encoding)


def email(subject: str, body: str, attachments: list[tuple[str, bytes]]) -> bytes:
    """An RFC 5322 message with a plain-text body and the (name, bytes) attachments."""
    message = EmailMessage()
    message["From"] = "Alice Martin <alice@example.com>"
    message["To"] = "Support <support@example.org>"
    message["Subject"] = subject
    message["Date"] = format_datetime(_FIXED_DATE)
    message["Message-ID"] = "<sample-0001@example.com>"
    message.set_content(body)
    for name, data in attachments:
        maintype, _, subtype = (mimetypes.guess_type(name)[0] or "application/octet-stream").partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    if message.is_multipart():
        message.set_boundary("==paperclerk-sample-boundary==")
    return message.as_bytes()


# Hostile inputs ---------------------------------------------------------------------------------------


def encrypted_pdf() -> bytes:
    """A PDF that needs the user password ``secret`` to open."""
    pdf = _new_pdf()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.cell(0, 10, "Confidential salary review")
    pdf.set_encryption(owner_password="owner", user_password="secret")
    return bytes(pdf.output())


def truncated_pdf() -> bytes:
    """The first 300 bytes of a text PDF: a header and the start of its first object, nothing usable."""
    return text_pdf(["This document was cut short in transit."])[:300]


def empty_pdf() -> bytes:
    """A syntactically valid PDF (catalog, empty page tree, correct xref) that has zero pages."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def image_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A PNG of a few hundred bytes whose header declares ``width`` x ``height`` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    pixels = zlib.compress(b"\x00" * (width + 1) * 8, 9)  # only the first rows; decoding would need the rest
    chunks = _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", pixels) + _png_chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def docx_zip_bomb(unpacked_mb: int = 20) -> bytes:
    """A small .docx-shaped zip with a member of ``unpacked_mb`` MB of zeros (compression ratio ~1000)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><document/>')
        archive.writestr("word/media/padding.bin", bytes(unpacked_mb * 1024 * 1024))
    return buffer.getvalue()


# Demo documents ---------------------------------------------------------------------------------------

_INVOICE = [
    "ACME Office Supplies Ltd.\n12 Harbour Road, Bristol BS1 4DJ\n\nINVOICE No. 2024-0317\n"
    "Date: 14 March 2024\nCustomer: Northwind Traders, 5 Mill Lane, Leeds LS2 7EW\n\n"
    "Item                          Qty    Unit price    Amount\n"
    "Recycled copy paper A4 (box)    10        24.50     245.00\n"
    "Ergonomic office chair           2       189.00     378.00\n"
    "Toner cartridge TN-2420          4        61.25     245.00\n\n"
    "Subtotal: 868.00 GBP\nVAT 20%: 173.60 GBP\nTotal due: 1,041.60 GBP",
    "Payment terms: payment is due within 30 days of the invoice date. Please quote the invoice "
    "number with your payment. Bank: Harbour Bank plc, sort code 20-45-77, account 43918822.\n\n"
    "Late payments may incur interest at 8% above the Bank of England base rate, as permitted by "
    "the Late Payment of Commercial Debts (Interest) Act 1998.\n\nThank you for your business.",
]
_LETTER = (
    "Northwind Traders\n5 Mill Lane, Leeds\n\n11 March 2024\n\nDear Sir or Madam,\n\n"
    "We are writing to confirm our order of office furniture placed on 4 March. The delivery "
    "arrived on time, but one of the two chairs was damaged. Please arrange a replacement.\n\n"
    "Yours faithfully,\nJane Whitfield\nPurchasing Manager"
)
_RECEIPT = (
    "CORNER CAFE\nReceipt 000482\n14/03/2024 12:41\n\nFlat white        3.20\n"
    "Croissant         2.40\nTOTAL             5.60\nPaid by card\nThank you"
)
_CONTRACT = [
    "SERVICE AGREEMENT (EXCERPT)",
    "This agreement is made between ACME Office Supplies Ltd. (the Supplier) and Northwind "
    "Traders (the Customer) on 1 February 2024.",
    "1. Services. The Supplier shall deliver office supplies as ordered by the Customer from time to time.",
    "2. Term. This agreement runs for twelve months and renews automatically unless terminated "
    "with 60 days written notice.",
    "3. Liability. Neither party is liable for indirect or consequential loss.",
]
_CONTRACT_TABLE = [
    ["Service level", "Target"],
    ["Delivery time", "3 working days"],
    ["Support hours", "9:00-17:00"],
]
_FEEDBACK = (
    "Customer feedback - ticket 5531\nReceived: 13 March 2024\n\n"
    "The ordering portal is easy to use, but the confirmation e-mail arrived two days late. "
    "The paper quality is excellent. Please add an option to download all invoices at once.\n"
)
_MAIL_BODY = "Hello,\n\nplease find our invoice attached.\n\nKind regards,\nAlice Martin\nACME Office"


def write_samples(directory: Path) -> list[Path]:
    """Write the demo documents into ``directory`` (created if missing); returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    invoice = text_pdf(_INVOICE)
    documents = {
        "invoice-2024-0317.pdf": invoice,
        "letter-scan.pdf": scanned_pdf([_LETTER]),
        "receipt-scan.png": scan_image(_RECEIPT),
        "service-agreement.docx": docx(_CONTRACT, _CONTRACT_TABLE),
        "customer-feedback.txt": plain_text(_FEEDBACK),
        "invoice-mail.eml": email("Invoice 2024-0317", _MAIL_BODY, [("invoice-2024-0317.pdf", invoice)]),
    }
    paths = []
    for name, data in documents.items():
        path = directory / name
        path.write_bytes(data)
        paths.append(path)
    return paths
