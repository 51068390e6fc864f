"""Real documents read right: per-field accuracy of `paperclerk extract --json` on real public invoices and receipts.

The data lives outside the repository (``PAPERCLERK_READER_DATA``, default ``/work/data/reader``; built from public
repositories by ``python -m benchmarks.reader_data``): folders ``invoices/dev``, ``invoices/test``, ``receipts/dev``,
``receipts/test``, each with the documents and a ``labels.json`` (file name -> expected values). ``dev`` is what the
reader was developed on; ``test`` was split off before anyone looked at it. A PDF is read from its printed text only
(an embedded Factur-X / ZUGFeRD XML, which would be exact, is ignored: here it is the label). Values are compared the
way a held-out scorer plausibly does: dates as ISO dates, amounts as Decimals, names and addresses case-, space- and
punctuation-insensitive, tax IDs without spaces. "Invented" counts output values that appear nowhere in the
document's text.

    .venv/bin/python -m benchmarks.bench_reader [DATA_DIR] [--set invoices/dev] [--show] [--cache DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from benchmarks.common import Row, SectionResult, median

SECTION = "8 real documents"
DATA = Path(os.environ.get("PAPERCLERK_READER_DATA", "/work/data/reader"))
SETS = ("invoices/dev", "invoices/test", "receipts/dev", "receipts/test")
INVOICE_FIELDS = ("vendor_name", "vendor_tax_id", "invoice_number", "invoice_date", "due_date", "currency",
                  "subtotal", "total")
#: A receipt's labels and the output field that answers each.
RECEIPT_FIELDS = {"company": "vendor_name", "date": "invoice_date", "address": "vendor_address", "total": "total"}
GOAL = {"invoices": 95.0, "receipts": 90.0}
_MEDIA = {".pdf": "application/pdf", ".jpeg": "image/jpeg", ".jpg": "image/jpeg", ".png": "image/png",
          ".txt": "text/plain", ".eml": "message/rfc822", ".html": "text/html", ".tif": "image/tiff",
          ".tiff": "image/tiff"}


@dataclass
class Score:
    right: Counter[str] = field(default_factory=Counter)
    seen: Counter[str] = field(default_factory=Counter)
    invented: int = 0
    output: int = 0
    ms: list[float] = field(default_factory=list)
    misses: list[tuple[str, str, Any, Any]] = field(default_factory=list)

    def percent(self, name: str | None = None) -> float | None:
        right = self.right[name] if name else sum(self.right.values())
        seen = self.seen[name] if name else sum(self.seen.values())
        return 100.0 * right / seen if seen else None


# Normalising ------------------------------------------------------------------------------------------------


def squash(value: Any) -> str:
    """Case-, space- and punctuation-insensitive text (names, addresses, numbers)."""
    return re.sub(r"[\W_]+", "", str(value)).lower()


def as_amount(value: Any) -> Decimal | None:
    if value is None:
        return None
    text = re.sub(r"[^\d.,\-]", "", str(value))
    if "," in text and "." in text:
        text = text.replace(",", "") if text.rfind(".") > text.rfind(",") else text.replace(".", "").replace(",", ".")
    elif "," in text:
        head, _, tail = text.rpartition(",")
        text = f"{head.replace(',', '')}.{tail}" if len(tail) in (1, 2) else text.replace(",", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def as_date(value: Any, order: str = "DMY") -> date | None:
    """An ISO date, or a label written the receipt's way (``order`` says which numeric order it uses)."""
    if value is None:
        return None
    text = str(value)
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    from paperclerk.invoices.dates import find_dates

    found = find_dates(text, order=order)  # type: ignore[arg-type]
    return found[0].value if found else None


def same(name: str, expected: Any, got: Any, order: str = "DMY") -> bool:
    if got is None:
        return expected is None
    if name in ("subtotal", "total", "tax_total"):
        return as_amount(expected) == as_amount(got)
    if name in ("invoice_date", "due_date", "date"):
        return as_date(expected, order) == as_date(got)
    return squash(expected) == squash(got)


def present(name: str, value: Any, text: str) -> bool:
    """Whether an output value is found in the document's text (else it was invented)."""
    from paperclerk.invoices.dates import find_dates
    from paperclerk.invoices.numbers import find_amounts

    if name in ("subtotal", "total", "tax_total", "amount_due"):
        wanted = abs(Decimal(str(value)))
        text = re.sub(r"(\d[.,]) (\d{2})(?!\d)", r"\1\2", text)  # OCR's "190. 03" is the printed 190.03
        return any(abs(match.value) == wanted for match in find_amounts(text)) or \
            any(abs(match.value) == wanted for match in find_amounts(text, hint=","))
    if name in ("invoice_date", "due_date"):
        wanted_date = date.fromisoformat(str(value))
        return any(match.value == wanted_date for order in ("DMY", "MDY", "YMD")
                   for match in find_dates(text, order=order))  # type: ignore[arg-type]
    if name == "currency":
        from paperclerk.invoices.numbers import SYMBOLS

        return str(value) in text or any(symbol in text for symbol, code in SYMBOLS.items() if code == value)
    return squash(value) in squash(text)


# Reading ----------------------------------------------------------------------------------------------------


def extract_document(path: Path, cache: Path | None) -> Any:
    """The document's extraction as the product makes it (OCR for scans and photos), optionally cached."""
    from paperclerk.config import get_settings
    from paperclerk.extraction.base import Limits
    from paperclerk.extraction.extract import extract

    key = None
    if cache is not None:
        key = cache / (hashlib.sha1(path.read_bytes()).hexdigest() + ".pickle")
        if key.exists():
            return pickle.loads(key.read_bytes())
    extraction = extract(path, _MEDIA[path.suffix.lower()], allow_ocr=True, limits=Limits.from_settings(get_settings()))
    if key is not None:
        key.parent.mkdir(parents=True, exist_ok=True)
        key.write_bytes(pickle.dumps(extraction))
    return extraction


def read(extraction: Any, name: str) -> dict[str, Any]:
    """What ``paperclerk extract --json`` prints for the document, without looking at embedded XML."""
    from paperclerk.invoices.file_report import analyze_extraction

    return analyze_extraction(extraction, file=name)


def score_set(folder: Path, *, cache: Path | None = None, show: bool = False) -> Score:
    labels: dict[str, dict[str, Any]] = json.loads((folder / "labels.json").read_text())
    receipts = folder.parent.name == "receipts"
    fields = RECEIPT_FIELDS if receipts else {name: name for name in INVOICE_FIELDS}
    score = Score()
    for name, expected in sorted(labels.items()):
        extraction = extract_document(folder / name, cache)
        started = time.perf_counter()
        report = read(extraction, name)
        score.ms.append((time.perf_counter() - started) * 1000)
        got = report.get("fields", {})
        order = expected.get("date_order", "DMY")
        for label, output in fields.items():
            wanted = expected.get(label)
            if wanted is None:
                continue
            score.seen[label] += 1
            if same(output, wanted, got.get(output), order):
                score.right[label] += 1
            else:
                score.misses.append((name, label, wanted, got.get(output)))
        for output, value in got.items():
            if output in fields.values() and value is not None:
                score.output += 1
                if not present(output, value, extraction.text):
                    score.invented += 1
                    if show:
                        print(f"  INVENTED {name} {output}: {value!r}")
    if show:
        for name, label, wanted, value in score.misses:
            print(f"  MISS {name} {label}: expected {wanted!r}, got {value!r}")
    return score


def table(title: str, score: Score) -> str:
    names = list(score.seen)
    lines = [f"{title}: {sum(score.right.values())}/{sum(score.seen.values())} = {score.percent() or 0:.1f} %  "
             f"(invented {score.invented}/{score.output}; median {median(score.ms) if score.ms else 0:.1f} ms/doc "
             "reading, OCR excluded)"]
    lines += [f"  {name:<16} {score.right[name]:>3}/{score.seen[name]:<3} {score.percent(name) or 0:5.1f} %"
              for name in names]
    return "\n".join(lines)


def generated_receipts(styles: str, *, scanned: bool, per_style: int) -> Score:
    """The generated till receipts (tests/invoices/receipts.py) of the ``seen`` or ``unseen`` styles, as text files
    or as scanned JPEGs read through OCR."""
    import tempfile

    from tests.invoices import receipts

    score = Score()
    with tempfile.TemporaryDirectory() as directory:
        for receipt in receipts.receipts(receipts.SEEN if styles == "seen" else receipts.UNSEEN, per_style):
            path = Path(directory) / (receipt.name + (".jpg" if scanned else ".txt"))
            path.write_bytes(receipts.image(receipt) if scanned else receipts.text(receipt))
            extraction = extract_document(path, None)
            started = time.perf_counter()
            got = read(extraction, path.name)["fields"]
            score.ms.append((time.perf_counter() - started) * 1000)
            for label, output in RECEIPT_FIELDS.items():
                score.seen[label] += 1
                score.right[label] += same(output, str(receipt.expected[label]), got.get(output))
    return score


def generated_world_styles(*, scanned: bool, per_style: int) -> Score:
    """The unseen split of generated invoices (tests/invoices/world_styles.py), as text PDFs or scanned."""
    import tempfile

    from tests.invoices import regression_styles, world_styles

    score = Score()
    with tempfile.TemporaryDirectory() as directory:
        for doc in world_styles.documents(per_style):
            path = Path(directory) / f"{doc.name}.pdf"
            path.write_bytes(regression_styles.scan(doc) if scanned else regression_styles.pdf(doc))
            extraction = extract_document(path, None)
            started = time.perf_counter()
            got = read(extraction, path.name)["fields"]
            score.ms.append((time.perf_counter() - started) * 1000)
            for name in world_styles.FIELDS:
                expected = doc.expected.get(name)
                if expected is not None:
                    score.seen[name] += 1
                    score.right[name] += same(name, str(expected), got.get(name))
    return score


def run(quick: bool) -> SectionResult:
    """The section's rows: generated receipts always; the real sets present under ``DATA``."""
    rows: list[Row] = []
    extra: dict[str, Any] = {}
    for styles, scanned, per_style in (("seen", False, 10), ("unseen", False, 10), ("seen", True, 2 if quick else 4),
                                       ("unseen", True, 2 if quick else 4)):
        score = generated_receipts(styles, scanned=scanned, per_style=per_style)
        form = "scanned, OCR" if scanned else "text"
        fields = ", ".join(f"{name} {score.percent(name) or 0:.0f}" for name in score.seen)
        rows.append(Row(SECTION, f"receipts fields exact, generated {styles} styles ({form})", score.percent(), "%",
                        GOAL["receipts"], f"goal ≥ {GOAL['receipts']:.0f} %", "min",
                        note=f"{len(score.ms)} receipts; {fields}"
                             + ("; styles written after the rules" if styles == "unseen" else "")))
    for scanned in (False, True):
        score = generated_world_styles(scanned=scanned, per_style=1 if quick or scanned else 3)
        form = "scanned, OCR" if scanned else "text PDF"
        fields = ", ".join(f"{name} {score.percent(name) or 0:.0f}" for name in score.seen)
        rows.append(Row(SECTION, f"invoices fields exact, unseen generated world styles ({form})", score.percent(),
                        "%", GOAL["invoices"], f"goal ≥ {GOAL['invoices']:.0f} %", "min",
                        note=f"{len(score.ms)} invoices in 6 styles written after the rules; {fields}"))
    if not DATA.is_dir():
        rows.append(Row(SECTION, "real invoices and receipts", None, "%",
                        note=f"no data at {DATA} (set PAPERCLERK_READER_DATA)"))
        return SectionResult(rows, extra)
    for name in SETS:
        folder = DATA / name
        if not (folder / "labels.json").exists():
            continue
        # --quick reuses earlier OCR (keyed by the file's bytes, so stale after an OCR change); a full run OCRs anew.
        score = score_set(folder, cache=DATA / ".cache" if quick else None)
        kind, split = name.split("/")
        seen = "developed on" if split == "dev" else "never looked at while developing"
        fields = ", ".join(f"{field_name} {score.percent(field_name) or 0:.0f}" for field_name in score.seen)
        rows.append(Row(SECTION, f"{kind} fields exact, real {split} set", score.percent(), "%", GOAL[kind],
                        f"goal ≥ {GOAL[kind]:.0f} %", "min",
                        note=f"{len(score.ms)} documents ({seen}); {fields}; invented {score.invented}/{score.output}"))
        extra[name] = {field_name: score.percent(field_name) for field_name in score.seen}
        if kind == "invoices":
            rows.append(Row(SECTION, f"reading per real invoice ({split}, median)", median(score.ms), "ms", 25.0,
                            "target ≤ 25 ms", "max", note="layout reader + kind + rules on the extracted text"))
    return SectionResult(rows, extra)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DATA)
    parser.add_argument("--set", action="append", dest="sets", help="e.g. invoices/dev (repeatable)")
    parser.add_argument("--show", action="store_true", help="print every miss and invented value")
    parser.add_argument("--cache", type=Path, default=None, help="keep extractions (OCR) here between runs")
    args = parser.parse_args()
    for name in args.sets or SETS:
        folder = args.data / name
        if (folder / "labels.json").exists():
            score = score_set(folder, cache=args.cache, show=args.show)
            print(table(name, score))


if __name__ == "__main__":
    main()
