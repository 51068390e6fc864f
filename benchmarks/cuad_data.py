"""CUAD v1 (the Contract Understanding Atticus Dataset, CC BY 4.0) for training and scoring the legal analysis.

Rebuild the data (outside the repo) from a snapshot of a public repository that carries CUAD v1, e.g.
maastrichtlawtech/law3027-advanced-legal-analytics (``data/CUAD_v1``)::

    .venv/bin/python -m benchmarks.cuad_data MIRROR_GIT_DIR [/work/data/cuad]

Splits, by file name (``NAME.txt``): contracts whose SHA-1 hex digest starts with 0, 1 or 2 are HELD OUT and
never loaded by :func:`contracts`; of the rest, the MD5 hex digest's first digit puts a contract in ``train``
(0-9), ``dev`` (a-b: thresholds are tuned there) or ``test`` (c-f: reported, never tuned on).
"""

from __future__ import annotations

import ast
import csv
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_ROOT = Path(os.environ.get("PAPERCLERK_CUAD_DATA", "/work/data/cuad"))
_INNER = "data/CUAD_v1"


@dataclass
class Contract:
    name: str  # the text file's name without ``.txt``
    text: str
    split: str
    #: CUAD category → the annotated text snippets (empty when the clause is absent).
    clauses: dict[str, list[str]] = field(default_factory=dict)


def split_of(file_name: str) -> str:
    """``file_name`` with its ``.txt`` → ``heldout``, ``train``, ``dev`` or ``test``."""
    if hashlib.sha1(file_name.encode()).hexdigest()[0] in "012":
        return "heldout"
    digit = hashlib.md5(file_name.encode()).hexdigest()[0]
    if digit in "0123456789":
        return "train"
    return "dev" if digit in "ab" else "test"


def categories(root: Path = DEFAULT_ROOT) -> list[str]:
    header = next(csv.reader((root / _INNER / "master_clauses.csv").open(encoding="utf-8")))
    return [name for name in header[1:] if not name.replace(" ", "").endswith("-Answer")]


def contracts(*splits: str, root: Path = DEFAULT_ROOT) -> Iterator[Contract]:
    """The contracts of ``splits`` with their annotated clauses; the held-out split is refused."""
    if "heldout" in splits:
        raise ValueError("the held-out CUAD split is not for development")
    csv.field_size_limit(1 << 30)
    rows = list(csv.reader((root / _INNER / "master_clauses.csv").open(encoding="utf-8")))
    header, names = rows[0], categories(root)
    columns = {name: header.index(name) for name in names}
    texts = {path.stem.strip().lower(): path for path in (root / _INNER / "full_contract_txt").glob("*.txt")}
    for row in rows[1:]:
        stem = row[0].rsplit(".", 1)[0].strip().lower()
        path = texts.get(stem)
        if path is None:
            continue
        split = split_of(path.name)
        if split not in splits:
            continue
        clauses = {name: [str(snippet) for snippet in ast.literal_eval(row[column] or "[]")]
                   for name, column in columns.items()}
        yield Contract(path.stem, path.read_text(encoding="utf-8", errors="replace"), split, clauses)


def rebuild(mirror: Path, root: Path = DEFAULT_ROOT) -> None:
    """Unpack CUAD's texts and master clauses from a git snapshot (a bare repository) into ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "-C", str(mirror), "archive", "HEAD", f"{_INNER}/full_contract_txt", f"{_INNER}/master_clauses.csv",
         f"{_INNER}/CUAD_v1_README.txt"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)


if __name__ == "__main__":
    rebuild(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_ROOT)
    counts: dict[str, int] = {}
    for name in (DEFAULT_ROOT / _INNER / "full_contract_txt").glob("*.txt"):
        counts[split_of(name.name)] = counts.get(split_of(name.name), 0) + 1
    print(counts)


#: Words of CUAD's agreement type (the end of a file name) → paperclerk's contract subtype; the first match wins.
_SUBTYPES = (
    ("nda", ("non-disclosure", "nondisclosure", "confidentiality")),
    ("loan", ("loan", "credit agreement", "promissory")),
    ("lease", ("lease",)),
    ("employment", ("employment",)),
    ("licence", ("license", "licence", "franchise", "intellectual property", "trademark", "_ip ")),
    ("supply", ("supply", "manufacturing", "distributor", "distribution", "reseller", "purchase")),
    ("services", ("service", "consulting", "outsourcing", "hosting", "maintenance", "transportation", "development",
                  "agency", "marketing", "promotion")),
)


def contract_type(name: str) -> str:
    """The legal type a CUAD contract's file name gives (``contract`` when it names no subtype)."""
    lowered = name.lower()
    end = max(lowered.rfind("agreement"), lowered.rfind("contract"))
    kind = lowered[max(0, lowered.rfind("_", 0, end), lowered.rfind("-", 0, end - 1)):] if end > 0 else lowered
    for subtype, words in _SUBTYPES:
        if any(word in kind for word in words):
            return subtype
    return "contract"
