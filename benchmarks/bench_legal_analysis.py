"""Legal document analysis on CUAD's test split (``benchmarks.cuad_data``: never trained or tuned on; the held-out
split is never read): clause presence macro-F1 over the 41 categories, contract type accuracy (the subtype CUAD's
file name gives), and the time to analyse a 20-page contract, in-process and through ``analyze_file`` (a text PDF
read by the sandboxed extractor). Without the CUAD data (PAPERCLERK_CUAD_DATA) the quality rows are empty.
"""

from __future__ import annotations

import statistics
import time

from benchmarks import cuad_data
from benchmarks.common import Row, SectionResult, temp_dir

SECTION = "13 legal analysis"
PAGE_CHARS = 3000
PAGES = 20


def twenty_pages(text: str) -> list[str]:
    """A contract as 20 pages of ~3,000 characters (repeated when shorter: every page costs the same to read)."""
    while len(text) < PAGE_CHARS * PAGES:
        text = text + "\n\n" + text
    return [text[number * PAGE_CHARS:(number + 1) * PAGE_CHARS] for number in range(PAGES)]


def run(quick: bool) -> SectionResult:
    from benchmarks.train_legal import score_clauses
    from paperclerk.legal.analysis import analyze, classify

    rows: list[Row] = []
    test = list(cuad_data.contracts("test")) if (cuad_data.DEFAULT_ROOT / "data").is_dir() else []
    if not test:
        return SectionResult([Row(SECTION, "CUAD data missing (PAPERCLERK_CUAD_DATA)", None)])
    macro, _ = score_clauses("test")
    rows.append(Row(SECTION, f"clause presence macro-F1, 41 CUAD categories, test split ({len(test)} contracts)",
                    macro, "", 0.80, "goal", "min"))
    correct = sum(classify.classify([contract.text])[0] == cuad_data.contract_type(contract.name)
                  for contract in test)
    rows.append(Row(SECTION, f"contract type accuracy, CUAD test split ({len(test)} contracts, 4 types)",
                    correct / len(test), "", 0.95, "goal", "min"))
    sample = test[:5] if quick else test[:20]
    analyze(twenty_pages(sample[0].text))  # models loaded once per process, as in a worker
    timings = []
    for contract in sample:
        pages = twenty_pages(contract.text)
        started = time.perf_counter()
        analyze(pages)
        timings.append((time.perf_counter() - started) * 1000)
    rows.append(Row(SECTION, f"analyze(), 20-page contract ({PAGES} pages of {PAGE_CHARS:,} chars), median of "
                    f"{len(sample)}", statistics.median(timings), "ms", 1000.0, "goal ≤ 1 s", "max"))
    rows.append(_through_extraction(sample[:3]))
    return SectionResult(rows)


def _through_extraction(sample: list[cuad_data.Contract]) -> Row:
    from paperclerk import samples
    from paperclerk.legal.analysis.report import analyze_file

    folder = temp_dir("legal-analysis")  # removed by the run's clean-up
    timings = []
    for number, contract in enumerate(sample):
        path = folder / f"contract-{number}.pdf"
        path.write_bytes(samples.text_pdf(twenty_pages(contract.text)))
        started = time.perf_counter()
        analyze_file(path)
        timings.append((time.perf_counter() - started) * 1000)
    return Row(SECTION, f"analyze_file(), 20-page text PDF incl. sandboxed extraction, median of {len(sample)}",
               statistics.median(timings), "ms", 1000.0, "goal ≤ 1 s", "max")
