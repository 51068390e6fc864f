"""Builds the real-document folder that ``benchmarks.bench_reader`` scores, from public repositories fetched as git
mirrors (nothing of them enters this repository).

Sources (each a bare git directory under ``MIRRORS``, ``owner+name/repo``):

- ``ZUGFeRD/corpus``: Factur-X / ZUGFeRD / XRechnung PDFs; the embedded CII/UBL XML is the label (read exactly by
  ``invoices.einvoice``). A label value the printed page does not show is dropped (it cannot be read from the text).
- ``parsee-ai/parsee-datasets``: SaaS and vendor invoices with hand answers (issuer, date, total, currency).
- ``jenashauryasikt/SD_internship``: WildReceipt (receipt photos with key/value boxes): company, address, date, total.

Split: dev or test by the SHA-1 of a key (the invoice's seller and number, the receipt's file name); the same
invoice printed in several profiles is kept once. ``--receipts N`` keeps N receipts (OCR is slow).

    .venv/bin/python -m benchmarks.reader_data [--mirrors /work/.mirror] [--out /work/data/reader] [--receipts 160]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MIRRORS = Path("/work/.mirror")
OUT = Path("/work/data/reader")
ZUGFERD = "ZUGFeRD+corpus"
PARSEE = "parsee-ai+parsee-datasets"
WILDRECEIPT = "jenashauryasikt+SD_internship"
#: WildReceipt's class ids (class_list.txt) of the values scored.
WILD_LABELS = {1: "company", 3: "address", 7: "date", 23: "total"}


def split_of(key: str) -> str:
    return "dev" if int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) % 2 == 0 else "test"


def git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "--git-dir", str(repo), *args], check=True, capture_output=True).stdout


def blobs(repo: Path, pattern: str) -> Iterator[tuple[str, bytes]]:
    for line in git(repo, "ls-tree", "-r", "HEAD").decode().splitlines():
        meta, path = line.split("\t", 1)
        if re.search(pattern, path):
            yield path, git(repo, "cat-file", "blob", meta.split()[2])


def safe_name(path: str) -> str:
    return re.sub(r"[^\w.\-]+", "_", path)


def zugferd(repo: Path) -> Iterator[tuple[str, str, bytes, dict[str, Any]]]:
    from benchmarks.bench_reader import INVOICE_FIELDS, present
    from paperclerk.config import get_settings
    from paperclerk.extraction.base import Limits
    from paperclerk.extraction.pdf import extract_pdf
    from paperclerk.invoices.einvoice import embedded_einvoice, read_einvoice
    from paperclerk.invoices.reading import json_value

    seen: set[str] = set()
    for path, data in sorted(blobs(repo, r"\.pdf$")):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(data)
            handle.flush()
            xml = embedded_einvoice(Path(handle.name))
            if xml is None:
                continue
            try:
                truth = read_einvoice(xml)
                text = extract_pdf(Path(handle.name), allow_ocr=False, limits=Limits.from_settings(get_settings())).text
            except Exception:  # a sample our readers refuse is simply not a benchmark document
                continue
        labels = {name: json_value(truth.value(name)) for name in INVOICE_FIELDS if truth.value(name) is not None}
        labels = {name: value for name, value in labels.items() if present(name, value, text)}
        key = f"{labels.get('vendor_name', '')}|{labels.get('invoice_number', '')}"
        if len(labels) >= 3 and key not in seen:  # one of the profiles of the same invoice
            seen.add(key)
            yield split_of(key), safe_name(path.removeprefix("ZUGFeRD")), data, labels


def parsee(repo: Path) -> Iterator[tuple[str, str, bytes, dict[str, Any]]]:
    answers: dict[str, dict[str, Any]] = {}
    table = git(repo, "show", "HEAD:datasets/invoices/parsee-loader/data/invoices_parsee.csv").decode()
    for row in csv.DictReader(io.StringIO(table)):
        answer = row["TRUTH_answer"].split("\nSources:")[0].strip()
        labels = answers.setdefault(row["source_identifier"], {})
        if row["element_identifier"] == "general0":
            main = re.search(r"\(main question\):\s*(\S+)", answer)
            currency = re.search(r"\(meta0\):\s*\$\s*(\w+)\s*\$", answer)
            if main:
                labels["total"] = main.group(1)
            if currency and currency.group(1) != "Other":
                labels["currency"] = currency.group(1)
        elif row["element_identifier"] == "general1":
            labels["vendor_name"] = answer
        elif row["element_identifier"] == "general2":
            labels["invoice_date"] = answer
    for path, data in blobs(repo, r"^datasets/invoices/raw_data/.*\.pdf$"):
        labels = answers.get(hashlib.sha256(data).hexdigest())
        if labels:
            name = safe_name(Path(path).name)
            yield split_of(name), name, data, labels


def wildreceipt(repo: Path, limit: int) -> Iterator[tuple[str, str, bytes, dict[str, Any]]]:
    records = [json.loads(line) for line in git(repo, "show", "HEAD:wildreceipt/test.txt").decode().splitlines()
               if line.strip()]
    records.sort(key=lambda record: hashlib.sha1(record["file_name"].encode()).hexdigest())
    kept = 0
    for record in records:
        if kept >= limit:
            return
        values: dict[str, list[str]] = {}
        for box in sorted(record["annotations"], key=lambda item: (min(item["box"][1::2]), min(item["box"][0::2]))):
            if box["label"] in WILD_LABELS:
                values.setdefault(WILD_LABELS[box["label"]], []).append(box["text"])
        labels: dict[str, Any] = {"company": " ".join(values["company"])} if "company" in values else {}
        if "address" in values:
            labels["address"] = " ".join(values["address"])
        if "date" in values:
            labels["date"] = values["date"][0]
            labels["date_order"] = date_order(values["date"][0], " ".join(values.get("total", [])))
        if "total" in values:
            labels["total"] = values["total"][-1]
        if len(labels) < 2:
            continue
        try:
            data = git(repo, "show", f"HEAD:wildreceipt/{record['file_name']}")
        except subprocess.CalledProcessError:
            continue
        name = Path(record["file_name"]).name
        kept += 1
        yield split_of(name), name, data, labels


def date_order(written: str, total: str) -> str:
    """How a receipt's numeric date reads: by its numbers when they tell, else day first for dotted dates and for
    pounds, euros and ringgit, month first otherwise (WildReceipt's receipts are mostly American)."""
    numbers = re.findall(r"\d+", written)
    if numbers and len(numbers[0]) == 4:
        return "YMD"
    if len(numbers) >= 2 and int(numbers[0]) > 12:
        return "DMY"
    if len(numbers) >= 2 and int(numbers[1]) > 12:
        return "MDY"
    return "DMY" if "." in written or re.search(r"[£€]|eur|rm", total, re.IGNORECASE) else "MDY"


def write(out: Path, kind: str, documents: Iterator[tuple[str, str, bytes, dict[str, Any]]]) -> dict[str, int]:
    labels: dict[str, dict[str, dict[str, Any]]] = {"dev": {}, "test": {}}
    for split, name, data, values in documents:
        folder = out / kind / split
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
        labels[split][name] = values
    for split, values in labels.items():
        (out / kind / split / "labels.json").write_text(json.dumps(values, indent=1, sort_keys=True,
                                                                   ensure_ascii=False))
    return {split: len(values) for split, values in labels.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, default=MIRRORS)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--receipts", type=int, default=160)
    args = parser.parse_args()

    def invoices() -> Iterator[tuple[str, str, bytes, dict[str, Any]]]:
        yield from zugferd(args.mirrors / ZUGFERD / "repo")
        yield from parsee(args.mirrors / PARSEE / "repo")

    print("invoices", write(args.out, "invoices", invoices()))
    print("receipts", write(args.out, "receipts", wildreceipt(args.mirrors / WILDRECEIPT / "repo", args.receipts)))


if __name__ == "__main__":
    main()
