"""HTTP middleware: request ids, access logs with latency, request metrics, upload size limit.

Written as plain ASGI so that it wraps streaming bodies without buffering them.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperclerk.core.errors import FileTooLarge
from paperclerk.ops.logging import request_id_var
from paperclerk.ops.metrics import HTTP_REQUEST_DURATION

log = logging.getLogger("paperclerk.http")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
#: Room for multipart boundaries and part headers on top of the file itself.
MULTIPART_OVERHEAD = 64 * 1024
#: Methods with their own metrics series; any other (invented) method name is counted as ``OTHER``.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            method = scope["method"] if scope["method"] in KNOWN_METHODS else "OTHER"
            HTTP_REQUEST_DURATION.labels(method=method, route=route, status=str(status)).observe(elapsed)
            log.info("request", extra={"request_id": request_id, "method": scope["method"], "path": scope["path"],
                                       "route": route,
                                       "status": status, "latency_ms": round(elapsed * 1000, 2),
                                       "client": (scope.get("client") or ("", 0))[0]})
            request_id_var.reset(token)


class UploadLimitMiddleware:
    """Refuse request bodies over the upload limit: at once from Content-Length, else while streaming."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.limit = max_bytes + MULTIPART_OVERHEAD
        self.max_mb = max_bytes // (1024 * 1024)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared and declared.isdigit() and int(declared) > self.limit:
            await _send_too_large(send, self.max_mb)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise FileTooLarge(f"The upload is larger than the {self.max_mb} MB limit.",
                                       details={"max_upload_mb": self.max_mb})
            return message

        await self.app(scope, counting_receive, send)


async def _send_too_large(send: Send, max_mb: int) -> None:
    body = json.dumps({"error": FileTooLarge(f"The upload is larger than the {max_mb} MB limit.",
                                             details={"max_upload_mb": max_mb}).to_dict()}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _route_template(scope: Scope) -> str:
    route: Any = scope.get("route")
    return getattr(route, "path", None) or "unmatched"
