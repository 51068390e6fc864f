"""Rate limits: 429 with Retry-After in the error shape, reset after the window, in-process and in Redis."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from paperclerk.auth.ratelimit import MemoryLimiter, RedisLimiter, route_group
from tests.conftest import REDIS_URL, require_service
from tests.helpers import assert_error

IN_CI = os.environ.get("CI", "").lower() == "true"
#: Long enough that a loaded CI machine makes the requests of one bucket inside one window (logins hash).
WINDOW = 6.0


@pytest.fixture
def redis_db() -> Iterator[str]:
    """The configured test Redis database (``PAPERCLERK_TEST_REDIS_URL``), flushed before and after; a missing
    Redis fails in CI and skips elsewhere."""
    import redis

    require_service("Redis", REDIS_URL)
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"CI must run the Redis rate-limit tests, but {REDIS_URL} is unreachable: {exc}", pytrace=False)
        pytest.skip(f"Redis at {REDIS_URL} is unreachable: {exc}")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


def _limited(monkeypatch: pytest.MonkeyPatch, make_client: Callable[..., TestClient],
             redis_url: str = "") -> TestClient:
    monkeypatch.setenv("PAPERCLERK_RATE_LIMIT_ENABLED", "true")
    monkeypatch.setenv("PAPERCLERK_RATE_LIMIT_PER_MINUTE", "3")
    monkeypatch.setenv("PAPERCLERK_LOGIN_RATE_LIMIT_PER_MINUTE", "2")
    monkeypatch.setenv("PAPERCLERK_UPLOAD_RATE_LIMIT_PER_MINUTE", "1")
    monkeypatch.setenv("PAPERCLERK_RATE_LIMIT_WINDOW_SECONDS", str(WINDOW))
    monkeypatch.setenv("PAPERCLERK_REDIS_URL", redis_url)
    return make_client()


def _check_limits(client: TestClient) -> None:
    started = time.monotonic()
    for _ in range(3):  # anonymous callers are counted too: the limit applies before authentication
        assert client.get("/api/v1/documents").status_code == 401
    refused = client.get("/api/v1/documents")
    error = assert_error(refused, 429, "RATE_LIMITED")
    assert error["details"]["limit"] == 3 and error["details"]["group"] == "default"
    assert refused.headers["retry-after"] == str(error["details"]["retry_after_seconds"])
    assert 1 <= error["details"]["retry_after_seconds"] <= WINDOW
    assert refused.headers["x-content-type-options"] == "nosniff"  # security headers on refusals too
    # Health checks are never limited; logins have their own, tighter bucket.
    assert client.get("/health/live").status_code == 200
    for _ in range(2):
        assert client.post("/api/v1/auth/login", json={"email": "x@y.example", "password": "p"}).status_code == 401
    assert_error(client.post("/api/v1/auth/login", json={"email": "x@y.example", "password": "p"}), 429,
                 "RATE_LIMITED")
    # After the window everything is allowed again (bounded wait; each bucket's window began with its first hit).
    time.sleep(max(0.0, started + WINDOW - time.monotonic()))
    for request in (lambda: client.get("/api/v1/documents"),
                    lambda: client.post("/api/v1/auth/login", json={"email": "x@y.example", "password": "p"})):
        deadline = time.monotonic() + 3
        while (status := request().status_code) == 429:
            assert time.monotonic() < deadline, "the limit did not reset after its window"
            time.sleep(0.1)
        assert status in (200, 401)


def test_in_process_limit(monkeypatch: pytest.MonkeyPatch, make_client: Callable[..., TestClient]) -> None:
    client = _limited(monkeypatch, make_client)
    limited_before = _sample("paperclerk_rate_limit_requests_total", group="default", outcome="limited")
    _check_limits(client)
    # The cache dashboard reads these: refusals counted by group, the counter store's latency by backend.
    assert _sample("paperclerk_rate_limit_requests_total", group="default", outcome="limited") > limited_before
    assert _sample("paperclerk_rate_limit_backend_seconds_count", backend="memory") > 0


def _sample(name: str, **labels: str) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_redis_limit(monkeypatch: pytest.MonkeyPatch, make_client: Callable[..., TestClient], redis_db: str) -> None:
    import redis

    client = _limited(monkeypatch, make_client, redis_db)
    _check_limits(client)
    keys = redis.Redis.from_url(redis_db).keys("paperclerk:ratelimit:*")
    assert keys and all(redis.Redis.from_url(redis_db).pttl(key) > 0 for key in keys)


def test_redis_counters_are_shared_between_processes(redis_db: str) -> None:
    first, second = RedisLimiter(redis_db), RedisLimiter(redis_db)
    key = f"default:{uuid.uuid4()}"
    assert first.hit(key, 2, 5).allowed and second.hit(key, 2, 5).allowed
    decision = first.hit(key, 2, 5)
    assert not decision.allowed and decision.count == 3 and 1 <= decision.retry_after <= 5


def test_redis_down_falls_back_to_counting_in_process() -> None:
    limiter = RedisLimiter("redis://127.0.0.1:1/0", socket_timeout=0.2)
    key = "default:fallback"
    fallbacks_before = _sample("paperclerk_rate_limit_fallback_total")
    assert [limiter.hit(key, 2, 60).allowed for _ in range(3)] == [True, True, False]
    assert _sample("paperclerk_rate_limit_fallback_total") == fallbacks_before + 3


def test_broker_url_is_reused_when_it_is_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    from paperclerk.config import Settings

    monkeypatch.setenv("PAPERCLERK_BROKER_URL", "redis://broker:6379/0")
    assert Settings().resolved_redis_url == "redis://broker:6379/0"
    monkeypatch.setenv("PAPERCLERK_REDIS_URL", "redis://limits:6379/3")
    assert Settings().resolved_redis_url == "redis://limits:6379/3"
    monkeypatch.delenv("PAPERCLERK_REDIS_URL")
    monkeypatch.setenv("PAPERCLERK_BROKER_URL", "amqp://broker")
    assert Settings().resolved_redis_url == ""


def test_memory_limiter_windows_and_thread_safety() -> None:
    now = [100.0]
    limiter = MemoryLimiter(monotonic=lambda: now[0])
    assert [limiter.hit("k", 2, 10).allowed for _ in range(3)] == [True, True, False]
    now[0] = 107.2
    decision = limiter.hit("k", 2, 10)
    assert not decision.allowed and decision.retry_after == 3
    assert limiter.hit("other", 2, 10).allowed
    now[0] = 110.0
    assert limiter.hit("k", 2, 10).allowed

    shared = MemoryLimiter()
    results: list[bool] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(50):
            allowed = shared.hit("busy", 100, 60).allowed
            with lock:
                results.append(allowed)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 100 and results.count(False) == 300


@pytest.mark.parametrize(("method", "path", "group"), [
    ("POST", "/api/v1/auth/login", "login"), ("POST", "/login", "login"), ("GET", "/login", "default"),
    ("POST", "/api/v1/documents", "upload"), ("GET", "/api/v1/documents", "default"),
    ("GET", "/health/ready", None), ("GET", "/static/app.css", None), ("GET", "/", "default"),
])
def test_route_groups(method: str, path: str, group: str | None) -> None:
    assert route_group(method, path) == group


@pytest.mark.parametrize("path", ["/api/v1/invoices/upload", "/api/v1/vendors/import", "/vendors/import"])
def test_every_file_upload_counts_in_the_upload_group(path: str) -> None:
    assert route_group("POST", path, "multipart/form-data; boundary=x") == "upload"
    assert route_group("POST", path, "application/json") != "upload"


def test_invoice_uploads_share_the_upload_limit(monkeypatch: pytest.MonkeyPatch,
                                                make_client: Callable[..., TestClient]) -> None:
    client = _limited(monkeypatch, make_client)
    files = [("files", ("a.txt", b"hello", "text/plain"))]
    assert client.post("/api/v1/documents", files=files).status_code == 401  # the one upload of the window
    refused = client.post("/api/v1/invoices/upload", files=files)
    assert assert_error(refused, 429, "RATE_LIMITED")["details"]["group"] == "upload"


def test_client_address_behind_a_trusted_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERCLERK_TRUSTED_PROXIES", "127.0.0.0/8")
    from paperclerk.ops.security import client_ip

    scope = {"client": ("127.0.0.1", 5000), "headers": [(b"x-forwarded-for", b"203.0.113.9, 10.0.0.1, 127.0.0.2")]}
    from paperclerk.auth import settings as auth_settings

    auth_settings.reset()
    assert client_ip(scope) == "10.0.0.1"  # the rightmost hop not trusted
    assert client_ip({**scope, "client": ("198.51.100.1", 5000)}) == "198.51.100.1"  # not from a proxy: ignored
