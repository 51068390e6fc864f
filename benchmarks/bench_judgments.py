"""Judgments: a drafted judgment served over HTTP by ``paperclerk serve`` from the judgment cache, beside the
uncached path (the same draft read from the database: ``GET .../versions/1``), and what drafting costs (the offline
precedent engine on a case). The server is one embedded process without Redis (the in-process layer). Targets
(issue 12): cached p95 < 20 ms and >= 1,000 requests/s on 2 cores. The load generator runs on the same cores, so the
rates are lower bounds.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from benchmarks.common import Row, SectionResult, bench_organization, percentile, start_server, temp_dir

SECTION = "14 judgments"
_CASE = ("The appellant was a tenant of the respondent under a lease deed dated 12 March 2015. The respondent filed "
         "a suit for eviction under Section 14 of the Delhi Rent Control Act, 1958 alleging bona fide requirement. "
         "The question for determination is whether the landlord established a bona fide requirement. Counsel for "
         "the appellant argued that the respondent owned other suitable accommodation.")


class _System:
    actor_type, id, label = "system", None, "bench"

    def __init__(self, organization_id: str) -> None:
        self.organization_id = organization_id


def _drafted(organization_id: str) -> tuple[str, float]:
    """A drafted request, and the milliseconds the offline engine took to draft it."""
    from paperclerk.core.db import session_scope
    from paperclerk.judgments import precedent_engine, precedents, service
    from paperclerk.judgments.casefile import CaseDocument, CaseFile

    actor = _System(organization_id)
    store = precedents.shipped()
    case = CaseFile([CaseDocument("case.txt", (_CASE,))])
    precedent_engine.draft(case, name="warm-up", jurisdiction="INDIA", store=store)
    started = time.perf_counter()
    result = precedent_engine.draft(case, name="Bench v. Bench", jurisdiction="INDIA", store=store)
    engine_ms = (time.perf_counter() - started) * 1000
    with session_scope() as session:
        request = service.open_request(session, organization_id, title="Bench v. Bench", jurisdiction="INDIA",
                                       court_level="", questions=[], engine="precedent", legal_case_id=None,
                                       actor=actor)
        service.add_file(session, organization_id, request.id, filename="case.txt", content=_CASE.encode(),
                         max_bytes=10 * 1024 * 1024, actor=actor)
        request.status = "drafted"
        service.add_version(session, request, result.to_json(), change="engine:precedent", note="", author="bench")
        return request.id, engine_ms


def _load(url: str, key: str, seconds: float, threads: int) -> tuple[float, float, int]:
    """Requests/s, p95 ms and errors of ``threads`` keep-alive clients hitting ``url`` for ``seconds``."""
    import httpx

    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        mine: list[float] = []
        bad = 0
        with httpx.Client(headers={"X-API-Key": key}, timeout=30) as http:
            while time.monotonic() < stop:
                started = time.perf_counter()
                response = http.get(url)
                mine.append((time.perf_counter() - started) * 1000)
                bad += response.status_code != 200
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    workers = [threading.Thread(target=client) for _ in range(threads)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    return len(latencies) / elapsed, percentile(latencies, 95), errors[0]


def _in_process(organization_id: str, request_id: str, count: int) -> tuple[float, float]:
    """p95 ms of serving the request's view in this process: from the cache, and from the database."""
    from paperclerk.core.db import session_scope
    from paperclerk.judgments import api, service

    api.served(organization_id, request_id)  # fills the cache
    cached, uncached = [], []
    for _ in range(count):
        started = time.perf_counter()
        api.served(organization_id, request_id)
        cached.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        with session_scope(readonly=True) as session:
            service.view(service.get_request(session, organization_id, request_id))
        uncached.append((time.perf_counter() - started) * 1000)
    return percentile(cached, 95), percentile(uncached, 95)


def run(quick: bool) -> SectionResult:
    from paperclerk.auth import service as accounts
    from paperclerk.core.db import session_scope
    from paperclerk.core.schema import upgrade

    upgrade()
    organization_id = bench_organization()
    assert organization_id is not None
    with session_scope() as session:
        _, key = accounts.create_api_key(session, organization_id, "viewer", "bench judgments")
    request_id, engine_ms = _drafted(organization_id)
    memory_p95, database_p95 = _in_process(organization_id, request_id, 200 if quick else 1000)
    data_dir = Path(os.environ["PAPERCLERK_DATA_DIR"])
    extra = {"PAPERCLERK_WORKERS": "0", "PAPERCLERK_OCR_WORKERS": "0", "PAPERCLERK_LOG_LEVEL": "WARNING"}
    _proc, base = start_server(data_dir, temp_dir("judgments-server") / "serve.log", **extra)
    seconds, threads = (2.0, 4) if quick else (5.0, 4)
    served = f"{base}/api/v1/judgments/{request_id}"
    _load(served, key, 0.5, 1)  # warm: the first read fills the cache
    cached_rps, cached_p95, cached_errors = _load(served, key, seconds, threads)
    uncached_rps, uncached_p95, uncached_errors = _load(f"{served}/versions/1", key, seconds, threads)
    note = f"{threads} keep-alive clients on the same cores, {seconds:.0f} s; in-process layer"
    return SectionResult(rows=[
        Row(SECTION, "cached judgment p95", cached_p95, "ms", 20, "target", "max", note),
        Row(SECTION, "cached judgment rate", cached_rps, "req/s", 1000, "target", "min",
            f"{cached_errors} errors; {note}"),
        Row(SECTION, "uncached (database) p95", uncached_p95, "ms", cached_p95, "cached p95", "floor",
            f"the same draft read from the database; {uncached_errors} errors"),
        Row(SECTION, "uncached (database) rate", uncached_rps, "req/s", cached_rps, "cached rate", "floor"),
        Row(SECTION, "cached view, in process, p95", memory_p95, "ms", database_p95, "database p95", "floor",
            "the cache lookup alone (no HTTP, no authentication)"),
        Row(SECTION, "offline draft of one case", engine_ms, "ms", None, "", "info",
            "precedent engine: retrieval, outcome model, extractive draft, support check"),
    ])
