"""``system.startup``, ``system.shutdown`` and ``system.error``: the life of each process, recorded in the events
table like every other event, so notifications and webhooks pick them up.

Errors are recorded at most once a minute per kind of error and route in each process: a failing dependency must
not turn into a flood of events (the logs and metrics have every occurrence).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperclerk import __version__

log = logging.getLogger(__name__)
STARTUP, SHUTDOWN, ERROR = "system.startup", "system.shutdown", "system.error"
ERROR_INTERVAL_SECONDS = 60.0
_last_error: dict[tuple[str, str], float] = {}
_lock = threading.Lock()


def instance() -> str:
    """This process, as the subject of its events: host and pid."""
    return f"{socket.gethostname()[:24]}:{os.getpid()}"[:36]


def _record(name: str, payload: dict[str, Any]) -> bool:
    from paperclerk.core import events
    from paperclerk.core.db import session_scope

    try:
        with session_scope() as session:
            events.record(session, name, organization_id=None, subject_type="system", subject_id=instance(),
                          payload={"version": __version__, "host": socket.gethostname(), "pid": os.getpid(),
                                   **payload})
        return True
    except Exception:  # the database may be the thing that is down; the log keeps the event then
        log.warning("could not record a system event", extra={"event": name}, exc_info=True)
        return False


def startup(process: str, **details: Any) -> bool:
    return _record(STARTUP, {"process": process, **details})


def shutdown(process: str, **details: Any) -> bool:
    return _record(SHUTDOWN, {"process": process, **details})


def error(exc: BaseException, *, where: str, request_id: str | None = None) -> bool:
    """Record an unexpected error, unless the same kind was recorded from the same place within the interval."""
    kind = f"{type(exc).__module__}.{type(exc).__qualname__}"
    now = time.monotonic()
    with _lock:
        last = _last_error.get((kind, where))
        if last is not None and now - last < ERROR_INTERVAL_SECONDS:
            return False
        _last_error[(kind, where)] = now
    frames = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return _record(ERROR, {"error": kind, "message": str(exc)[:500], "where": where, "request_id": request_id,
                           "traceback": "".join(frames)[-4000:]})


class LifecycleEvents:
    """ASGI wrapper that records ``system.startup`` once the application has started and ``system.shutdown`` when
    the server begins its shutdown (after in-flight requests were answered), whatever stops it."""

    def __init__(self, app: ASGIApp, *, process: str, **details: Any) -> None:
        self.app, self.process, self.details = app, process, details

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def receiving() -> Message:
            message = await receive()
            if message["type"] == "lifespan.shutdown":
                await run_in_threadpool(shutdown, self.process)
            return message

        async def sending(message: Message) -> None:
            if message["type"] == "lifespan.startup.complete":
                await run_in_threadpool(startup, self.process, **self.details)
            await send(message)

        await self.app(scope, receiving, sending)


def forget_throttle() -> None:
    """Tests: start every test with no error recorded recently."""
    with _lock:
        _last_error.clear()
