"""Paragraph-level hybrid search: latency over 100,000 passages and ranking quality on CUAD contracts.

Latency: passages from CUAD contracts (PAPERCLERK_CUAD_DATA, default /work/data/cuad; generated text without it)
stored through ``search.passages.replace`` until there are 100,000, with random unit vectors (an exact vector
search costs the same whatever the vectors hold); queries are embedded by the real offline model, so the
figures include it. Quality: nDCG@10 of hybrid, full-text-only and embedding-only passage search on CUAD
contracts, with real embeddings; a query per CUAD category (its name, and its description as a question), and
the relevant passages those that hold text annotated with that category. CUAD's held-out split (SHA-1 of the
file name starting with 0, 1 or 2) is never read. Embeddings of the quality corpus are cached beside the data.
"""

from __future__ import annotations

import csv
import hashlib
import math
import os
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.common import Row, SectionResult, TextMaker, percentile, run_child, temp_dir

SECTION = "9 passages"
DATA = Path(os.environ.get("PAPERCLERK_CUAD_DATA", "/work/data/cuad"))
#: Categories that name parties, dates or the title (entities, not clauses) are left out of the query set.
NOT_CLAUSES = {"Document Name", "Parties", "Agreement Date", "Effective Date"}
_SPACE = re.compile(r"\s+")


def run(quick: bool) -> SectionResult:
    return run_child("passages", quick=quick, data_dir=temp_dir("passages-run") / "data", timeout=3600)


# CUAD -----------------------------------------------------------------------------------------------------------

@dataclass
class Contract:
    name: str
    text: str
    #: category → annotated clause texts
    clauses: dict[str, list[str]]


def held_out(txt_name: str) -> bool:
    return hashlib.sha1(txt_name.encode()).hexdigest()[0] in "012"


def contracts() -> Iterator[Contract]:
    """The development contracts (never the held-out split), in a fixed order (by SHA-1 of the name)."""
    folder = DATA / "data" / "CUAD_v1" / "full_contract_txt"
    table = DATA / "data" / "CUAD_v1" / "master_clauses.csv"
    if not folder.is_dir() or not table.exists():
        return
    import ast

    with table.open(encoding="utf-8", errors="replace") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    categories = [name for name in header[1:] if not name.endswith("-Answer")]
    annotated: dict[str, dict[str, list[str]]] = {}
    for row in rows[1:]:
        stem = row[0].rsplit(".", 1)[0]
        clauses = {}
        for category in categories:
            try:
                values = ast.literal_eval(row[header.index(category)] or "[]")
            except (ValueError, SyntaxError):
                values = []
            if values:
                clauses[category] = [str(value) for value in values]
        annotated[stem] = clauses
    names = sorted((path.name for path in folder.glob("*.txt") if not held_out(path.name)),
                   key=lambda name: hashlib.sha1(name.encode()).hexdigest())
    for name in names:
        stem = name[:-4]
        if stem in annotated:
            yield Contract(stem, (folder / name).read_text(encoding="utf-8", errors="replace"), annotated[stem])


def questions() -> dict[str, str]:
    path = DATA / "category_descriptions.csv"
    if not path.exists():
        return {}
    found = {}
    with path.open(encoding="utf-8-sig") as handle:
        for row in list(csv.reader(handle))[1:]:
            category = row[0].removeprefix("Category: ").strip()
            found[category] = row[1].removeprefix("Description: ").strip()
    return found


def _normal(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def relevant(passage: str, clauses: list[str]) -> bool:
    """A passage is relevant when it holds an annotated clause (or the start of a long one), or lies inside one."""
    text = _normal(passage)
    for clause in clauses:
        clause = _normal(clause)
        if len(clause) < 20:
            continue
        if clause[:120] in text or (len(text) >= 40 and text in clause):
            return True
    return False


def ndcg_at_10(ranked: list[bool], total_relevant: int) -> float:
    gain = sum(1 / math.log2(rank + 2) for rank, hit in enumerate(ranked[:10]) if hit)
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(10, total_relevant)))
    return gain / ideal if ideal else 0.0


# Child ----------------------------------------------------------------------------------------------------------

def build(quick: bool) -> SectionResult:
    from paperclerk import plugins
    from paperclerk.core.schema import upgrade

    upgrade()
    plugins.load()
    rows = _quality(quick)
    rows += _latency(quick)
    return SectionResult(rows)


def _embedder():  # type: ignore[no-untyped-def]
    from paperclerk.ai.service import embedding_provider

    return embedding_provider()


def _cached_vectors(texts: list[str]) -> np.ndarray:
    """Embeddings by the offline model, cached on disk by text hash (the corpus is embedded once)."""
    provider = _embedder()
    cache_file = DATA / f"embeddings-{provider.model}.npz"
    cache: dict[str, np.ndarray] = {}
    if cache_file.exists():
        with np.load(cache_file) as stored:
            cache = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
    keys = [hashlib.sha256(text.encode()).hexdigest() for text in texts]
    missing = sorted({key: text for key, text in zip(keys, texts, strict=True) if key not in cache}.items())
    if missing:
        vectors = provider.embed([text for _, text in missing]).vectors
        cache.update(zip([key for key, _ in missing], vectors, strict=True))
        ordered = sorted(cache)
        np.savez(cache_file, keys=np.array(ordered), vectors=np.stack([cache[key] for key in ordered]))
    return np.stack([cache[key] for key in keys])


def _store(organization_id: str, documents: list[tuple[str, list, np.ndarray | None]], model: str) -> list[str]:
    """Document rows and their passages (through the product's passages.replace); returns the document ids."""
    from paperclerk.core.db import session_scope
    from paperclerk.documents.models import Document, DocumentStatus
    from paperclerk.search import passages

    ids = []
    with session_scope() as session:
        for name, spans, vectors in documents:
            document = Document(organization_id=organization_id, sha256=hashlib.sha256(name.encode()).hexdigest(),
                                filename=name[:255], media_type="text/plain", size_bytes=1, source="bench",
                                status=DocumentStatus.PROCESSED, kind="contract", page_count=1)
            session.add(document)
            session.flush()
            passages.replace(session, document_id=document.id, organization_id=organization_id, spans=spans,
                             vectors=vectors, model=model)
            ids.append(document.id)
    return ids


def _organization(slug: str) -> str:
    from paperclerk.auth import service as accounts
    from paperclerk.core.db import session_scope

    with session_scope() as session:
        return str(accounts.create_organization(session, slug.title(), slug=slug).id)


def _quality(quick: bool) -> list[Row]:
    from paperclerk.core.db import session_scope
    from paperclerk.documents.filters import DocumentFilter
    from paperclerk.search import hybrid, passages

    count = 12 if quick else 20
    corpus = [contract for contract, _ in zip(contracts(), range(count), strict=False)]
    if not corpus:
        return [Row(SECTION, "nDCG@10 on CUAD", None, note=f"no CUAD data in {DATA} (PAPERCLERK_CUAD_DATA)")]
    organization_id = _organization("quality")
    provider = _embedder()
    started = time.perf_counter()
    documents, judged = [], []
    for contract in corpus:
        spans = passages.split([(1, contract.text)])
        vectors = _cached_vectors([span.text for span in spans])
        documents.append((contract.name, spans, vectors))
        judged.append((spans, contract.clauses))
    embed_s = time.perf_counter() - started
    _store(organization_id, documents, provider.model)
    described = questions()
    categories = sorted({category for _, clauses in judged for category in clauses} - NOT_CLAUSES)
    relevant_texts: dict[str, set[str]] = {}
    for category in categories:
        relevant_texts[category] = {span.text for spans, clauses in judged for span in spans
                                    if category in clauses and relevant(span.text, clauses[category])}
    categories = [category for category in categories if relevant_texts[category]]
    rows = []
    for form in ("name", "question"):
        scores: dict[str, list[float]] = {mode: [] for mode in hybrid.Mode}
        for category in categories:
            query = category if form == "name" else described.get(category, category)
            for mode in hybrid.Mode:
                with session_scope(readonly=True) as session:
                    hits = hybrid.search(session, query, filters=DocumentFilter(organization_id), mode=mode,
                                         limit=10)
                    texts = {hit.passage_id: text for hit in hits
                             for text in [_passage_text(session, hit.passage_id)]}
                ranked = [texts[hit.passage_id] in relevant_texts[category] for hit in hits]
                scores[mode].append(ndcg_at_10(ranked, len(relevant_texts[category])))
        fulltext = float(np.mean(scores[hybrid.Mode.FULLTEXT]))
        for mode in hybrid.Mode:
            value = float(np.mean(scores[mode]))
            asked = "their names" if form == "name" else "their descriptions, as questions"
            note = (f"{len(categories)} CUAD categories as queries ({asked}); {len(corpus)} development contracts, "
                    f"{sum(len(spans) for _, spans, _ in documents):,} passages")
            if mode == hybrid.Mode.FULLTEXT:
                rows.append(Row(SECTION, f"nDCG@10 full text alone, CUAD category {form}s", value, note=note))
            else:
                rows.append(Row(SECTION, f"nDCG@10 {mode.value}, CUAD category {form}s", value, "", fulltext,
                                "full text alone", "min" if mode == hybrid.Mode.HYBRID else "info", note=note))
    rows.append(Row(SECTION, "embedding the quality corpus (cached after the first run)", embed_s, "s",
                    note=f"offline model {provider.model}"))
    return rows


def _passage_text(session, passage_id: int) -> str:  # type: ignore[no-untyped-def]
    from paperclerk.search.models import Passage

    return str(session.get(Passage, passage_id).text)


def _latency(quick: bool) -> list[Row]:
    from paperclerk.core.db import session_scope
    from paperclerk.documents.filters import DocumentFilter
    from paperclerk.search import hybrid, passages

    target = 20_000 if quick else 100_000
    organization_id = _organization("latency")
    provider = _embedder()
    rng = np.random.default_rng(7)
    texts = [span.text for contract in contracts() for span in passages.split([(1, contract.text)])]
    source = "CUAD development contracts"
    if not texts:
        maker = TextMaker(9)
        texts = [maker.paragraph(random.Random(i).randint(20, 120)) for i in range(20_000)]
        source = "generated text"
    started = time.perf_counter()
    stored, number, batch = 0, 0, []
    while stored < target:
        spans = [passages.PassageSpan(1, 0, len(text), text)
                 for text in texts[stored % len(texts):stored % len(texts) + 100]][:target - stored]
        vectors = rng.standard_normal((len(spans), 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        batch.append((f"latency-{number:06d}", spans, vectors))
        stored += len(spans)
        number += 1
        if len(batch) == 50 or stored >= target:
            _store(organization_id, batch, provider.model)
            batch = []
    build_s = time.perf_counter() - started
    queries = [*NOT_CLAUSES, *questions().values(), *(category for contract in contracts()
                                                      for category in contract.clauses)][:200]
    queries = list(dict.fromkeys(query for query in queries if re.search(r"\w", query)))
    words = [w for text in texts[:2000] for w in re.findall(r"[A-Za-z]{5,}", text)]
    pick = random.Random(11)
    while len(queries) < 100:
        queries.append(" ".join(pick.sample(words, 2)))
    queries = queries[:100]
    filters = DocumentFilter(organization_id)
    load_started = time.perf_counter()
    with session_scope(readonly=True) as session:
        hybrid.search(session, "warm up", filters=filters, limit=10)
    first_s = time.perf_counter() - load_started
    timings: dict[str, list[float]] = {mode: [] for mode in hybrid.Mode}
    for query in queries:
        for mode in hybrid.Mode:
            started = time.perf_counter()
            with session_scope(readonly=True) as session:
                hybrid.search(session, query, filters=filters, mode=mode, limit=10)
            timings[mode].append((time.perf_counter() - started) * 1000)
    embed = []
    for query in queries[:30]:
        started = time.perf_counter()
        provider.embed([query])
        embed.append((time.perf_counter() - started) * 1000)
    note = f"{stored:,} passages ({source}), {len(queries)} queries, limit 10, a read session per query"
    return [
        Row(SECTION, f"build {stored:,} passages (rows + lexical index + vectors)", build_s, "s",
            note="passages.replace in batches of 50 documents"),
        Row(SECTION, "first search (loads the vector matrix)", first_s * 1000, "ms", note=note),
        Row(SECTION, "hybrid search p50", percentile(timings[hybrid.Mode.HYBRID], 50), "ms", note=note),
        Row(SECTION, "hybrid search p95", percentile(timings[hybrid.Mode.HYBRID], 95), "ms", 300.0,
            "target < 300", "max", note=note + "; includes embedding the query"),
        Row(SECTION, "full-text passage search p95", percentile(timings[hybrid.Mode.FULLTEXT], 95), "ms", note=note),
        Row(SECTION, "embedding passage search p95", percentile(timings[hybrid.Mode.SEMANTIC], 95), "ms", note=note),
        Row(SECTION, "embedding one query (offline model) p50", percentile(embed, 50), "ms", note=provider.model),
    ]
