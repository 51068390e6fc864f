"""Request rate limits per client address: fixed windows, shared in Redis or kept in this process.

Every request counts in one group: ``login`` (the login endpoints), ``upload`` (every file upload:
the document upload and any ``multipart/form-data`` post, whichever line's route it is for) or
``default``; each group has its own limit per ``rate_limit_window_seconds`` (60 by default, so the
settings read "per minute"). Over the limit the answer is ``429 RATE_LIMITED`` in the usual
error shape with ``Retry-After``. Health checks and static files are not counted.

With a Redis URL (``PAPERCLERK_REDIS_URL``, else a ``redis://`` broker URL) the counters are
shared by all processes: one atomic Lua script increments the counter and starts its expiry. If
Redis stops answering, the limiter falls back to in-process counters (logged) instead of
refusing or letting everything through.

Wiring (app factory): ``app.add_middleware(RateLimitMiddleware)``.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from paperclerk.auth.errors import RateLimited
from paperclerk.config import Settings, get_settings
from paperclerk.ops import metrics
from paperclerk.ops.security import client_ip

log = logging.getLogger(__name__)

EXEMPT_PREFIXES = ("/health", "/static/")
LOGIN_PATHS = frozenset({"/api/v1/auth/login", "/login"})
UPLOAD_PATHS = frozenset({"/api/v1/documents"})
REDIS_KEY_PREFIX = "paperclerk:ratelimit:"

# INCR and PEXPIRE in one step: the first hit of a window starts its expiry; a key somehow left
# without one (e.g. written by hand) gets it too, so a counter can never live forever.
_HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int
    limit: int
    #: Seconds until the window ends (whole seconds, at least 1).
    retry_after: int


class Limiter(Protocol):
    def hit(self, key: str, limit: int, window: float) -> Decision: ...


def _decision(count: int, limit: int, seconds_left: float) -> Decision:
    return Decision(allowed=count <= limit, count=count, limit=limit, retry_after=max(1, math.ceil(seconds_left)))


class MemoryLimiter:
    """Counters in this process (thread-safe); each key's window starts with its first hit."""

    MAX_KEYS = 100_000

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}
        self._monotonic = monotonic

    def hit(self, key: str, limit: int, window: float) -> Decision:
        now = self._monotonic()
        with self._lock:
            started, count = self._windows.get(key, (now, 0))
            if now - started >= window:
                started, count = now, 0
            count += 1
            self._windows[key] = (started, count)
            if len(self._windows) > self.MAX_KEYS:
                self._prune(now, window)
        return _decision(count, limit, started + window - now)

    def _prune(self, now: float, window: float) -> None:
        for key in [key for key, (started, _) in self._windows.items() if now - started >= window]:
            del self._windows[key]

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()


class RedisLimiter:
    """Counters shared through Redis; falls back to ``fallback`` while Redis is unreachable."""

    def __init__(self, url: str, *, fallback: Limiter | None = None, socket_timeout: float = 0.5) -> None:
        import redis

        self.url = url
        self._client = redis.Redis.from_url(url, socket_timeout=socket_timeout, socket_connect_timeout=socket_timeout)
        self._script = self._client.register_script(_HIT_SCRIPT)
        self._fallback = fallback or MemoryLimiter()
        self._last_warning = 0.0

    def hit(self, key: str, limit: int, window: float) -> Decision:
        import redis

        try:
            count, ttl_ms = self._script(keys=[REDIS_KEY_PREFIX + key], args=[max(1, int(window * 1000))])
        except redis.RedisError as exc:
            if time.monotonic() - self._last_warning > 60:
                self._last_warning = time.monotonic()
                log.warning("rate limiter: Redis unreachable, counting in this process",
                            extra={"error": str(exc)})
            metrics.RATE_LIMIT_FALLBACKS.inc()
            return self._fallback.hit(key, limit, window)
        return _decision(int(count), limit, int(ttl_ms) / 1000)


def make_limiter(settings: Settings) -> Limiter:
    url = settings.resolved_redis_url
    return RedisLimiter(url) if url else MemoryLimiter()


def route_group(method: str, path: str, content_type: str = "") -> str | None:
    """The group a request counts in, or ``None`` for requests that are not limited."""
    if path.startswith(EXEMPT_PREFIXES):
        return None
    if method == "POST" and path.rstrip("/") in LOGIN_PATHS:
        return "login"
    if method == "POST" and (path.rstrip("/") in UPLOAD_PATHS
                             or content_type.lower().lstrip().startswith("multipart/form-data")):
        return "upload"
    return "default"


def _content_type(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return str(value.decode("latin-1"))
    return ""


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, settings: Settings | None = None, limiter: Limiter | None = None) -> None:
        self.app = app
        self.settings = settings or get_settings()
        self.limiter = limiter or make_limiter(self.settings)
        self.limits = {"default": self.settings.rate_limit_per_minute,
                       "login": self.settings.login_rate_limit_per_minute,
                       "upload": self.settings.upload_rate_limit_per_minute}
        self.networks = self.settings.trusted_networks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        group = (route_group(scope.get("method", ""), scope.get("path", ""), _content_type(scope))
                 if scope["type"] == "http" else None)
        if group is None or not self.settings.rate_limit_enabled:
            await self.app(scope, receive, send)
            return
        key = f"{group}:{client_ip(scope, self.networks)}"
        limit, window = self.limits[group], self.settings.rate_limit_window_seconds
        started = time.perf_counter()
        if isinstance(self.limiter, MemoryLimiter):
            decision = self.limiter.hit(key, limit, window)
            backend = "memory"
        else:
            decision = await run_in_threadpool(self.limiter.hit, key, limit, window)
            backend = "redis"
        metrics.RATE_LIMIT_BACKEND_SECONDS.labels(backend).observe(time.perf_counter() - started)
        metrics.RATE_LIMIT_REQUESTS.labels(group, "allowed" if decision.allowed else "limited").inc()
        if decision.allowed:
            await self.app(scope, receive, send)
            return
        error = RateLimited(f"Too many requests; try again in {decision.retry_after} seconds.",
                            retry_after=decision.retry_after, details={"limit": limit, "group": group})
        body = json.dumps({"error": error.to_dict()}).encode()
        await send({"type": "http.response.start", "status": 429,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"retry-after", str(decision.retry_after).encode())]})
        await send({"type": "http.response.body", "body": body})
