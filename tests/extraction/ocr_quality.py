"""A rendered page set whose text is known, and how well OCR read it: word recall, precision, character errors.

Pages are drawn in code (several fonts and sizes, invoice lines in five languages with numbers, amounts,
dates and IBANs), plus a text PDF rendered through pdfium and a degraded copy (rotated, blurred, noisy).
``held_out`` pages were not used to tune word-gap recovery; they check that the tuning carries over.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

INVOICE_LINES = (
    "Invoice Number INV-2024-0042",
    "Invoice date 14/03/2024 Due date 13/04/2024",
    "Total amount due 1,234.56 USD",
    "Bank transfer to IBAN GB29 NWBK 6016 1331 9268 19",
    "Facture FA-2024-118 du 05/02/2024",
    "Montant total TTC 2 450,00 EUR",
    "Conditions de paiement 30 jours fin de mois",
    "Rechnungsnummer RE-88214 vom 14.03.2024",
    "Gesamtbetrag 1.234,56 EUR inkl. MwSt.",
    "IBAN DE89 3704 0044 0532 0130 00",
    "Zahlbar innerhalb von 14 Tagen ohne Abzug",
    "Factuurnummer 2024-0173 Factuurdatum 12-03-2024",
    "Totaal te betalen 987,65 EUR",
    "IBAN NL91 ABNA 0417 1643 00 ten name van Bakkerij Jansen",
    "Factura F-2024/0321 Fecha 18/03/2024",
    "Base imponible 1.020,25 EUR IVA 21% 214,25 EUR",
    "Importe total 1.234,50 EUR",
    "IBAN ES91 2100 0418 4502 0005 1332",
)

_FONT_DIR = Path("/usr/share/fonts/truetype")
#: (font file under /usr/share/fonts/truetype or "" for Pillow's built-in font, pixel size, held out)
_FACES = (
    ("", 20, False),
    ("liberation/LiberationSans-Regular.ttf", 22, False),
    ("dejavu/DejaVuSans.ttf", 17, False),
    ("liberation/LiberationSerif-Regular.ttf", 28, False),
    ("dejavu/DejaVuSerif.ttf", 24, True),
    ("liberation/LiberationSansNarrow-Regular.ttf", 19, True),
)


@dataclass(frozen=True)
class RenderedPage:
    name: str
    image: Image.Image
    text: str
    held_out: bool


@dataclass(frozen=True)
class Score:
    """Word recall and precision (whitespace-separated words, counted with repeats) and character error rate."""

    recall: float
    precision: float
    cer: float


def rendered_pages(*, quick: bool = False) -> list[RenderedPage]:
    """The measured set; ``quick`` keeps Pillow's face, one held-out face, the PDF at 150 dpi and the degraded copy."""
    pages = list(_font_pages())
    if quick:
        pages = [page for page in pages if not page.held_out][:1] + [page for page in pages if page.held_out][:1]
    text = "\n".join(INVOICE_LINES)
    for dpi in (150,) if quick else (150, 200):
        pages.append(RenderedPage(f"text PDF at {dpi} dpi", _pdf_page(text, dpi), text, held_out=True))
    pages.append(RenderedPage("text PDF at 200 dpi, degraded", degraded(_pdf_page(text, 200)), text,
                              held_out=True))
    return pages


def _font_pages() -> Iterator[RenderedPage]:
    for index, (file, size, held_out) in enumerate(_FACES):
        if file and not (_FONT_DIR / file).is_file():
            continue
        font = ImageFont.truetype(str(_FONT_DIR / file), size) if file else ImageFont.load_default(size=size)
        lines = INVOICE_LINES[index % 3:] + INVOICE_LINES[:index % 3]  # not every face starts on the same line
        yield RenderedPage(f"{Path(file).stem or 'Pillow built-in'} {size} px", render_lines(lines, font),
                           "\n".join(lines), held_out)


def render_lines(lines: Sequence[str], font: ImageFont.FreeTypeFont) -> Image.Image:
    """Black lines of text on a white page, 1.6 line heights apart."""
    size = int(font.size)
    margin, line_height = 2 * size, int(size * 1.6)
    width = 2 * margin + max(int(font.getlength(line)) for line in lines)
    image = Image.new("L", (width, 2 * margin + line_height * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        draw.text((margin, margin + index * line_height), line, fill=0, font=font)
    return image


def _pdf_page(text: str, dpi: int) -> Image.Image:
    from paperclerk import samples
    from paperclerk.extraction.base import Limits
    from paperclerk.extraction.pdf import render_page

    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "page.pdf"
        path.write_bytes(samples.text_pdf([text]))
        return render_page(path, 1, dpi=dpi, limits=Limits())


def degraded(image: Image.Image, seed: int = 7) -> Image.Image:
    """A poorer copy of ``image``: turned 0.8°, slightly blurred, with grey noise (deterministic)."""
    grey = image.convert("L").rotate(0.8, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    grey = grey.filter(ImageFilter.GaussianBlur(0.7))
    noise = np.random.default_rng(seed).normal(0, 18, (grey.height, grey.width))
    return Image.fromarray(np.clip(np.asarray(grey, dtype=np.float64) + noise, 0, 255).astype(np.uint8))


def score(expected: str, got: str) -> Score:
    want, have = Counter(expected.split()), Counter(got.split())
    matched = sum((want & have).values())
    reference = _normalised(expected)
    return Score(recall=matched / max(1, sum(want.values())), precision=matched / max(1, sum(have.values())),
                 cer=_edit_distance(reference, _normalised(got)) / max(1, len(reference)))


def _normalised(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one vectorised row at a time (insertions through a running minimum)."""
    if not a or not b:
        return len(a) + len(b)
    target = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    offsets = np.arange(len(b) + 1)
    row = offsets.copy()
    for index, char in enumerate(a, start=1):
        substitute = row[:-1] + (target != ord(char))
        best = np.concatenate(([index], np.minimum(row[1:] + 1, substitute)))
        row = np.minimum.accumulate(best - offsets) + offsets
    return int(row[-1])
