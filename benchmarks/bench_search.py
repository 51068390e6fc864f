"""Search latency over a 10,000-document index: in-process (index.search) and over HTTP (GET /api/v1/search).

The corpus is inserted straight through the database layer (Document rows + search.index.upsert, in batches
inside session_scope) by a child process; the parent then serves that data dir and queries it over loopback.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections import Counter
from datetime import UTC, datetime

from benchmarks.common import (
    Row,
    SectionResult,
    TextMaker,
    auth_headers,
    percentile,
    run_child,
    start_server,
    temp_dir,
)

SECTION = "5 search"
KINDS = ("common word", "single word", "two words", "phrase", "rare word")
_TOKEN = re.compile(r"[a-z]+")
_OPERATORS = frozenset({"or"})
_KINDS_OF_DOCUMENT = ("invoice", "contract", "judgment", "pleading", "feedback", "other")


# Child: build the corpus and time index.search in-process -------------------------------------------------


def build(quick: bool) -> SectionResult:
    from sqlalchemy import func, select

    from benchmarks.common import bench_api_key, bench_organization, org_kwargs
    from paperclerk import plugins
    from paperclerk.core.db import session_scope
    from paperclerk.core.schema import upgrade
    from paperclerk.documents.filters import DocumentFilter
    from paperclerk.documents.models import Document, DocumentStatus
    from paperclerk.search import index

    count = 3000 if quick else 10_000
    queries_per_kind = 20 if quick else 40
    upgrade()
    plugins.load()
    organization_id = bench_organization()
    tenant = org_kwargs(organization_id)
    maker = TextMaker(51)
    rng = random.Random(52)

    started = time.perf_counter()
    doc_freq: Counter[str] = Counter()
    samples: list[list[str]] = []
    chars = 0
    batch = 500
    upsert_ms: list[float] = []  # index.upsert of each new document, in insertion order
    for first in range(0, count, batch):
        with session_scope() as session:
            for number in range(first, min(first + batch, count)):
                pages = [maker.page(f"SRCH-{number:05d}/{p + 1}", maker.rng.randint(400, 2500))
                         for p in range(maker.rng.randint(1, 3))]
                body = "\n\n".join(pages)
                chars += len(body)
                tokens = _TOKEN.findall(body.lower())
                doc_freq.update(set(tokens))
                if number % 25 == 0:
                    samples.append(tokens)
                now = datetime.now(UTC)
                document = Document(**tenant, sha256=hashlib.sha256(body.encode()).hexdigest(),
                                    filename=f"document-{number:05d}.pdf", media_type="application/pdf",
                                    size_bytes=len(body) * 3, source="bench", status=DocumentStatus.PROCESSED,
                                    kind=rng.choice(_KINDS_OF_DOCUMENT), language="en", page_count=len(pages),
                                    processed_at=now)
                session.add(document)
                session.flush()
                upsert_started = time.perf_counter()
                index.upsert(session, document_id=document.id, organization_id=organization_id,
                             title=document.filename, body=body)
                upsert_ms.append((time.perf_counter() - upsert_started) * 1000)
    build_s = time.perf_counter() - started
    with session_scope(readonly=True) as session:
        stored = session.scalar(select(func.count()).select_from(Document))

    window = min(500, len(upsert_ms) // 4)
    first_upserts = sorted(upsert_ms[:window])[window // 2]
    last_upserts = sorted(upsert_ms[-window:])[window // 2]

    queries = _queries(doc_freq, samples, count, queries_per_kind, rng)

    def one(query: str) -> tuple[float, int]:
        started = time.perf_counter()
        with session_scope(readonly=True) as session:
            _, total = index.search(session, query, filters=DocumentFilter(**tenant), limit=20, offset=0)
        return (time.perf_counter() - started) * 1000, total

    for query, _ in queries[:10]:
        one(query)
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
    totals: dict[str, list[int]] = {kind: [] for kind in KINDS}
    for query, kind in queries:
        ms, total = one(query)
        timings[kind].append(ms)
        totals[kind].append(total)
    everything = [ms for values in timings.values() for ms in values]
    rows = [
        Row(SECTION, "corpus build (Document rows + index.upsert)", build_s, "s",
            note=f"{stored} documents, {chars / 1e6:.0f} M chars, batches of {batch} per session_scope"),
        Row(SECTION, f"index.upsert of a new document at {count:,} docs", last_upserts, "ms",
            first_upserts, f"same call at the first {window} docs", "floor",
            note="median; flat as the index grows (entries are found by rowid)"),
        Row(SECTION, "in-process index.search p50", percentile(everything, 50), "ms",
            note=f"{len(everything)} queries, limit 20, a read session per query"),
        Row(SECTION, "in-process index.search p95", percentile(everything, 95), "ms", 100.0, "target < 100", "max"),
    ]
    return SectionResult(rows, {"queries": queries, "inprocess_ms": timings, "totals": totals, "documents": stored,
                                "api_key": bench_api_key(organization_id)})


def _queries(doc_freq: Counter[str], samples: list[list[str]], count: int, per_kind: int,
             rng: random.Random) -> list[tuple[str, str]]:
    # A bare "or" is the OR operator of the query syntax, not a word (alone it is refused as QUERY_EMPTY).
    by_df = sorted(((w, df) for w, df in doc_freq.items() if w not in _OPERATORS), key=lambda item: -item[1])
    common = [w for w, df in by_df if df >= count * 0.5 and len(w) > 1] or [w for w, _ in by_df[:20]]
    middle = [w for w, df in by_df if count * 0.005 <= df <= count * 0.05 and len(w) > 3]
    rare = [w for w, df in by_df if 1 <= df <= 3 and len(w) > 3]
    middle_set = set(middle)
    queries: list[tuple[str, str]] = []
    for _ in range(per_kind):
        queries.append((rng.choice(common), "common word"))
        queries.append((rng.choice(middle), "single word"))
        tokens = rng.choice(samples)
        tokens = [w for w in tokens if w not in _OPERATORS]
        pair = [w for w in dict.fromkeys(tokens) if w in middle_set] or middle
        queries.append((" ".join(rng.sample(pair, 2) if len(pair) > 1 else [pair[0], rng.choice(middle)]),
                        "two words"))
        start = rng.randrange(max(1, len(tokens) - 3))
        queries.append(('"' + " ".join(tokens[start:start + rng.randint(2, 3)]) + '"', "phrase"))
        queries.append((rng.choice(rare), "rare word"))
    rng.shuffle(queries)
    return queries


# Parent: serve the built data dir and query it over HTTP ---------------------------------------------------


def run(quick: bool) -> SectionResult:
    import httpx

    work = temp_dir("search")
    built = run_child("search-build", quick=quick, data_dir=work / "data", timeout=420)
    queries: list[tuple[str, str]] = [tuple(q) for q in built.extra["queries"]]  # type: ignore[misc]
    inprocess: dict[str, list[float]] = built.extra["inprocess_ms"]  # type: ignore[assignment]
    totals: dict[str, list[int]] = built.extra["totals"]  # type: ignore[assignment]
    proc, base = start_server(work / "data", work / "serve.log")
    try:
        timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
        handler: list[float] = []
        errors = 0
        codes: dict[int, int] = {}
        headers = auth_headers(built.extra.get("api_key"))  # type: ignore[arg-type]
        with httpx.Client(base_url=base, timeout=60, headers=headers) as client:
            for query, _ in queries[:10]:
                client.get("/api/v1/search", params={"q": query})
            for query, kind in queries:
                started = time.perf_counter()
                response = client.get("/api/v1/search", params={"q": query})
                timings[kind].append((time.perf_counter() - started) * 1000)
                if response.status_code == 200:
                    handler.append(float(response.json()["took_ms"]))
                else:
                    errors += 1
                    codes[response.status_code] = codes.get(response.status_code, 0) + 1
    finally:
        proc.stop()
    everything = [ms for values in timings.values() for ms in values]
    inprocess_all = [ms for values in inprocess.values() for ms in values]
    rows = [row for row in built.rows if "p50" not in row.metric]
    rows += [
        Row(SECTION, "HTTP GET /api/v1/search p50", percentile(everything, 50), "ms", percentile(inprocess_all, 50),
            "in-process p50", "floor", note=f"{len(everything)} queries, limit 20; {errors} non-200 {codes or ''}"),
        Row(SECTION, "HTTP GET /api/v1/search p95", percentile(everything, 95), "ms", 100.0, "target < 100", "max",
            note=f"handler's own took_ms p95 {percentile(handler, 95):.1f} ms" if handler else ""),
    ]
    for kind in KINDS:
        values = timings[kind]
        rows.append(Row(SECTION, f"  HTTP p95, {kind}", percentile(values, 95), "ms", 100.0, "target < 100", "max",
                        note=f"p50 {percentile(values, 50):.1f} ms; "
                             f"in-process p95 {percentile(inprocess[kind], 95):.1f}"
                             f" ms; median hits {int(percentile([float(t) for t in totals[kind]], 50))}"))
    return SectionResult(rows, {"http_ms": timings})
