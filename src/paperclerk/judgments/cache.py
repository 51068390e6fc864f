"""Judgments cached in three layers: an LRU in this process (``judgment_cache_size`` entries for
``judgment_cache_memory_seconds``), Redis shared by every process (``judgment_cache_redis_seconds``), then the
database. Two kinds of entry:

- an engine's draft under the SHA-256 of the organisation and the case (the documents' hashes, jurisdiction, court
  level, questions, engine): the same case asked again is answered without running the engine;
- the judgment a request serves (its current version) under the SHA-256 of the organisation and the request.

Every value carries its ``version``. A change to a draft, once committed, writes the new value and its version
through to Redis and publishes ``key version`` on a Redis channel: every process drops an older copy and refuses
to keep one older than the newest version it heard of. A copy in memory is served only when Redis holds no newer
version (a small read, as the broadcast may still be on its way), and a reader filling the cache only adds a key
Redis does not hold yet, so no process serves the old draft once the change is committed. Hits, misses and
evictions per layer are counted in ``paperclerk_cache_events_total{cache="judgments"}``. Without Redis the cache is
the in-process layer alone.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from paperclerk.config import get_settings
from paperclerk.ops.metrics import CACHE_EVENTS

log = logging.getLogger(__name__)

NAME = "judgments"
CHANNEL = "paperclerk:judgments:invalidate"
_PREFIX = "paperclerk:judgments:"
_VERSION = "paperclerk:judgments:version:"


def draft_key(organization_id: str, parts: list[str]) -> str:
    """The key of an engine's draft: the organisation and everything the draft is made from."""
    return "draft:" + hashlib.sha256(json.dumps([organization_id, *parts]).encode()).hexdigest()


def served_key(organization_id: str, request_id: str) -> str:
    """The key of the judgment a request serves."""
    return "served:" + hashlib.sha256(json.dumps([organization_id, request_id]).encode()).hexdigest()


class MemoryLayer:
    """A thread-safe LRU with a time to live."""

    def __init__(self, size: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.size, self.seconds, self.clock = size, seconds, clock
        self._items: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()
        self._floors: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None and found[0] <= self.clock():
                del self._items[key]
                CACHE_EVENTS.labels(NAME, "memory", "eviction").inc()
                found = None
            if found is None:
                CACHE_EVENTS.labels(NAME, "memory", "miss").inc()
                return None
            self._items.move_to_end(key)
            CACHE_EVENTS.labels(NAME, "memory", "hit").inc()
            return found[1]

    def put(self, key: str, value: dict[str, Any]) -> None:
        with self._lock:
            if int(value.get("version", 0)) < self._floors.get(key, 0):
                return  # older than a version another process announced
            self._items[key] = (self.clock() + self.seconds, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
                CACHE_EVENTS.labels(NAME, "memory", "eviction").inc()

    def announce(self, key: str, version: int) -> None:
        """``version`` is the newest: drop an older copy and never keep one again."""
        with self._lock:
            self._floors[key] = max(version, self._floors.get(key, 0))
            self._floors.move_to_end(key)
            while len(self._floors) > 10 * self.size:
                self._floors.popitem(last=False)
            found = self._items.get(key)
            if found is not None and int(found[1].get("version", 0)) < version:
                del self._items[key]
                CACHE_EVENTS.labels(NAME, "memory", "eviction").inc()

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._floors.clear()


class JudgmentCache:
    def __init__(self, redis_url: str, *, size: int, memory_seconds: float, redis_seconds: int) -> None:
        self.memory = MemoryLayer(size, memory_seconds)
        self.redis_seconds = redis_seconds
        self._redis: Any = None
        self._listener: threading.Thread | None = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url, socket_timeout=1.0, socket_connect_timeout=1.0)
            self._ready = threading.Event()
            self._listener = threading.Thread(target=self._listen, name="judgment-cache-invalidation", daemon=True)
            self._listener.start()
            self._ready.wait(5)

    def get(self, key: str) -> dict[str, Any] | None:
        """The value, from memory when Redis says no newer version exists (one small read: the broadcast may not
        have reached this process yet), else from Redis."""
        found = self.memory.get(key)
        if self._redis is None:
            return found
        try:
            if found is not None:
                newest = self._redis.get(_VERSION + key)
                if newest is None or int(newest) <= int(found.get("version", 0)):
                    return found
                self.memory.announce(key, int(newest))
            raw = self._redis.get(_PREFIX + key)
        except Exception as exc:  # Redis down: what this process holds, else the database
            log.warning("judgment cache: Redis unreachable", extra={"error": str(exc)})
            return found
        if raw is None:
            CACHE_EVENTS.labels(NAME, "redis", "miss").inc()
            return None
        CACHE_EVENTS.labels(NAME, "redis", "hit").inc()
        value: dict[str, Any] = json.loads(raw)
        self.memory.put(key, value)
        return value

    def fill(self, key: str, value: dict[str, Any]) -> None:
        """Keep what was just read from the database (Redis only if it holds no value for ``key`` yet)."""
        self.memory.put(key, value)
        if self._redis is not None:
            try:
                self._redis.set(_PREFIX + key, json.dumps(value), ex=self.redis_seconds, nx=True)
            except Exception as exc:
                log.warning("judgment cache: Redis unreachable", extra={"error": str(exc)})

    def publish(self, key: str, value: dict[str, Any]) -> None:
        """``value`` (a new version, committed) replaces every copy: here, in Redis and, by the broadcast, in every
        other process."""
        version = int(value.get("version", 0))
        self.memory.announce(key, version)
        self.memory.put(key, value)
        if self._redis is not None:
            try:
                with self._redis.pipeline() as pipe:
                    pipe.set(_VERSION + key, version, ex=self.redis_seconds)
                    pipe.set(_PREFIX + key, json.dumps(value), ex=self.redis_seconds)
                    pipe.publish(CHANNEL, f"{key} {version}")
                    pipe.execute()
            except Exception as exc:
                log.warning("judgment cache: new version not broadcast", extra={"error": str(exc)})

    def _listen(self) -> None:
        """Drop what other processes invalidate; reconnects after a Redis outage (dropping everything then, as
        broadcasts may have been missed)."""
        while True:
            try:
                pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                self._ready.set()
                for message in pubsub.listen():
                    if message and message.get("type") == "message":
                        key, _, version = message["data"].decode().partition(" ")
                        self.memory.announce(key, int(version or 0))
            except Exception as exc:
                log.warning("judgment cache: invalidation channel lost", extra={"error": str(exc)})
                self.memory.clear()
                time.sleep(1.0)


_cache: JudgmentCache | None = None
_lock = threading.Lock()


def get_cache() -> JudgmentCache:
    global _cache
    with _lock:
        if _cache is None:
            settings = get_settings()
            _cache = JudgmentCache(settings.resolved_redis_url, size=settings.judgment_cache_size,
                                   memory_seconds=settings.judgment_cache_memory_seconds,
                                   redis_seconds=settings.judgment_cache_redis_seconds)
        return _cache


def reset() -> None:
    """Forget this process's cache object (tests switch settings)."""
    global _cache
    with _lock:
        _cache = None
