"""The judgment cache: the in-process LRU (size, time to live, versions), Redis shared between processes, and the
broadcast that keeps two real server processes from serving an old draft."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from paperclerk.judgments import cache
from paperclerk.ops.metrics import CACHE_EVENTS
from tests.celery_workers import Processes
from tests.conftest import REDIS_URL, Env, require_service
from tests.helpers import api_key, organization_id
from tests.judgments.world import drafted_request
from tests.s3_server import free_port, wait_for_port


def _count(layer: str, event: str) -> float:
    return CACHE_EVENTS.labels(cache.NAME, layer, event)._value.get()


def test_memory_layer_evicts_least_recent_expires_and_keeps_the_newest_version() -> None:
    now = [0.0]
    layer = cache.MemoryLayer(2, 300, clock=lambda: now[0])
    evictions = _count("memory", "eviction")
    layer.put("a", {"version": 1})
    layer.put("b", {"version": 1})
    assert layer.get("a") == {"version": 1}  # a is now the most recent
    layer.put("c", {"version": 1})
    assert layer.get("b") is None and layer.get("a") is not None and layer.get("c") is not None
    now[0] = 301
    assert layer.get("a") is None
    layer.put("a", {"version": 2})
    layer.announce("a", 3)
    assert layer.get("a") is None  # older than the announced version: dropped
    layer.put("a", {"version": 2})
    assert layer.get("a") is None  # and never kept again
    layer.put("a", {"version": 3})
    assert layer.get("a") == {"version": 3}
    assert _count("memory", "eviction") - evictions == 3


@pytest.fixture
def shared_redis(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    require_service("Redis", REDIS_URL)
    monkeypatch.setenv("PAPERCLERK_REDIS_URL", REDIS_URL)
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter("paperclerk:judgments:*"):
        client.delete(key)
    cache.reset()
    yield REDIS_URL
    cache.reset()


def test_a_reader_never_overwrites_a_newer_version_in_redis(shared_redis: str) -> None:
    one = cache.JudgmentCache(shared_redis, size=10, memory_seconds=300, redis_seconds=60)
    two = cache.JudgmentCache(shared_redis, size=10, memory_seconds=300, redis_seconds=60)
    hits = _count("redis", "hit")
    one.publish("served:k", {"version": 5, "text": "new"})
    two.fill("served:k", {"version": 4, "text": "read before the change"})  # a slow reader arriving late
    assert two.get("served:k") is None or two.get("served:k") == {"version": 5, "text": "new"}
    assert cache.JudgmentCache(shared_redis, size=10, memory_seconds=300,
                               redis_seconds=60).get("served:k") == {"version": 5, "text": "new"}
    assert _count("redis", "hit") > hits


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    procs = Processes(log_dir, env={})
    try:
        yield procs
    finally:
        procs.close()
        print(procs.logs())


def _serve(processes: Processes, name: str) -> str:
    port = free_port()
    proc = processes.start(name, "serve", "--port", str(port))
    wait_for_port(port, timeout=60, process=proc.process)
    return f"http://127.0.0.1:{port}"


@pytest.mark.timeout(120)
def test_an_update_through_one_server_is_never_served_stale_by_the_other(
        pg_env: Env, shared_redis: str, processes: Processes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERCLERK_WORKERS", "0")
    monkeypatch.setenv("PAPERCLERK_OCR_WORKERS", "0")
    headers = {"X-API-Key": api_key("acme", "admin")}
    request_id = drafted_request(organization_id("acme"))
    servers = [_serve(processes, "serve-a"), _serve(processes, "serve-b")]
    path = f"/api/v1/judgments/{request_id}"
    with httpx.Client(headers=headers, timeout=30) as client:
        for server in servers * 2:  # both processes hold the draft in memory (and Redis holds it)
            assert client.get(server + path).json()["draft_version"] == 1
        for round_ in range(1, 11):
            writer, reader = servers[round_ % 2], servers[(round_ + 1) % 2]
            edited = client.put(f"{writer}{path}/sections/1", json={"text": f"Revision {round_}."})
            assert edited.status_code == 200, edited.text
            seen = client.get(reader + path).json()
            assert seen["draft_version"] == round_ + 1, (round_, seen["draft_version"])
            assert seen["draft"]["sections"][1]["text"] == f"Revision {round_}."
