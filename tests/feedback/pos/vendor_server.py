"""A real HTTP server on 127.0.0.1 for tests of the feedback line's vendors (POS systems, Stripe): each vendor's
server subclasses :class:`VendorServer` and answers in that vendor's wire format.

Tests script failures: ``server.fail(n, status, headers=…, body=…)`` answers the next n requests with that
(before they are handled), ``server.lose_answers(n)`` handles the next n requests and then answers 500 (an answer
lost on the way back); and read what the server got in ``server.requests``.
"""

from __future__ import annotations

import json
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))

    def bearer(self) -> str:
        value = self.headers.get("authorization", "")
        return value[7:] if value.lower().startswith("bearer ") else ""


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(status: int, payload: Any, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(payload).encode(), {"Content-Type": "application/json", **(headers or {})})


class VendorServer(ABC):
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._scripted: list[Reply] = []
        self._lost = 0
        self._lock = threading.Lock()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}"
        self._thread = threading.Thread(target=self._http.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(timeout=10)

    def fail(self, times: int, status: int, *, headers: dict[str, str] | None = None,
             body: bytes | dict[str, Any] = b"") -> None:
        reply = json_reply(status, body, headers) if isinstance(body, dict) else Reply(status, body, headers or {})
        with self._lock:
            self._scripted.extend([reply] * times)

    def lose_answers(self, times: int) -> None:
        with self._lock:
            self._lost += times

    @abstractmethod
    def answer(self, request: Request) -> Reply:
        """The vendor's answer to a request."""

    def _serve(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            scripted = self._scripted.pop(0) if self._scripted else None
            lose = self._lost > 0
            self._lost -= lose
        if scripted is not None:
            return scripted
        reply = self.answer(request)
        return json_reply(500, {"error": "lost"}) if lose else reply


def _handler(server: VendorServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(self.command, parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)),
                              {name.lower(): value for name, value in self.headers.items()},
                              self.rfile.read(length) if length else b"")
            reply = server._serve(request)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        do_GET = do_POST = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
