"""PDF law-firm bills read into time entries: entry-level accuracy (date, timekeeper, hours, rate, amount, and the
classification from the bill's timekeeper summary)
on GENERATED bills (``tests/legal_billing/bill_pdfs.py``: random entries, columns placed on the page, long
descriptions wrapped, bills running over several pages). The reader was developed on the ``dev`` layouts; the
``test`` layouts were written apart and only measured. No real law-firm PDF was at hand, so these figures measure the
reader against this generator's layouts, not against the bills firms send.

``python -m benchmarks.printed_bills [dev|test]`` prints the table.
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

LAYOUTS = {"dev": ("plain", "initials_after", "utbms"), "test": ("names", "hours_first")}
FIELDS = ("date", "timekeeper", "hours", "rate", "amount", "classification")
#: Bills per layout and their entries (the long ones run over two or three pages).
BILLS = ((6, 8), (2, 45))


def score(split: str, seed: int = 3) -> dict[str, tuple[int, int, dict[str, int]]]:
    """Per layout: (entries expected, entries read, right per field)."""
    from tests.legal_billing.bill_pdfs import PEOPLE, bill_pdf, random_bill
    from tests.legal_billing.bill_pdfs import TITLES as PRINTED_TITLES

    from paperclerk.config import get_settings
    from paperclerk.extraction import sandbox
    from paperclerk.extraction.base import PDF, Limits
    from paperclerk.legal_billing.printed import TITLES, read_printed_bill

    initials = {name: key for key, name in PEOPLE}
    settings = get_settings()
    rng = random.Random(seed)
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bill.pdf"
        for style in LAYOUTS[split]:
            expected = read = 0
            right = dict.fromkeys(FIELDS, 0)
            for count, size in BILLS:
                for _ in range(count):
                    bill = random_bill(rng, style, size)
                    path.write_bytes(bill_pdf(bill))
                    extraction = sandbox.extract(path, PDF, allow_ocr=False, limits=Limits.from_settings(settings),
                                                 settings=settings)
                    found = read_printed_bill(extraction)
                    fees = [line for line in found.lines if line.is_fee] if found else []
                    expected += len(bill.entries)
                    read += len(fees)
                    for entry, line in zip(bill.entries, fees, strict=False):
                        right["date"] += line.date == entry.day
                        right["timekeeper"] += line.timekeeper_id == entry.timekeeper
                        right["hours"] += line.units == entry.hours
                        right["rate"] += line.unit_cost == entry.rate or (style == "initials_after" and
                                                                          line.unit_cost is None)
                        right["amount"] += line.total == entry.amount
                        title = PRINTED_TITLES[initials.get(entry.timekeeper, entry.timekeeper)]
                        right["classification"] += line.timekeeper_classification == TITLES[title.lower()]
            results[style] = (expected, read, right)
    return results


if __name__ == "__main__":
    chosen = sys.argv[1] if len(sys.argv) > 1 else "dev"
    for style, (expected, read, right) in score(chosen).items():
        fields = ", ".join(f"{name} {right[name] / expected:.3f}" for name in FIELDS)
        print(f"{chosen} {style:15} entries {expected}, read {read}; right: {fields}")
