"""A real HTTP server on 127.0.0.1 speaking the OpenAI wire formats, for tests of anything that uses a model.

``POST /v1/chat/completions`` (whole answers, and server-sent events when ``"stream": true``) and
``POST /v1/embeddings``. Tests script it: ``server.replies`` (answers given in order; when empty it answers
``"echo: <last user message>"``), ``server.fail(n, status)`` (the next n requests get that status),
``server.delay`` (seconds before answering), ``server.api_key`` (a required bearer key), and read what it got
in ``server.requests``. Embeddings are deterministic: hashed word counts in 64 dimensions, so texts sharing
words are near each other.

Use the ``llm_server`` fixture (any test package: ``tests/conftest.py`` loads this module as a plugin) and
``use_llm_server(monkeypatch, server)`` to point paperclerk's settings at it.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

DIMENSIONS = 64


@dataclass
class Request:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class LLMServer:
    url: str = ""
    model: str = "test-model"
    replies: list[str] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    delay: float = 0.0
    api_key: str = ""
    #: Report token usage in answers (some servers do not).
    report_usage: bool = True
    _failures: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, times: int, status: int = 503) -> None:
        with self._lock:
            self._failures.extend([status] * times)

    def next_failure(self) -> int | None:
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    def next_reply(self, messages: list[dict[str, Any]]) -> str:
        with self._lock:
            if self.replies:
                return self.replies.pop(0)
        last = next((m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), "")
        return f"echo: {last}"

    def chat_requests(self) -> list[Request]:
        return [request for request in self.requests if request.path.endswith("/chat/completions")]


def embedding(text: str) -> list[float]:
    vector = [0.0] * DIMENSIONS
    for word in re.findall(r"\w+", text.lower()):
        vector[int(hashlib.sha256(word.encode()).hexdigest(), 16) % DIMENSIONS] += 1.0
    return vector


def _tokens(text: str) -> int:
    return len(re.findall(r"\w+|[^\w\s]", text))


def _handler(server: LLMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                return self._json(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
            server.requests.append(Request(self.path, body, dict(self.headers.items())))
            if server.delay:
                time.sleep(server.delay)
            if server.api_key and self.headers.get("Authorization") != f"Bearer {server.api_key}":
                return self._json(401, {"error": {"message": "Incorrect API key", "type": "invalid_request_error"}})
            failure = server.next_failure()
            if failure is not None:
                return self._json(failure, {"error": {"message": "scripted failure", "type": "server_error"}})
            if self.path == "/v1/chat/completions":
                return self._chat(body)
            if self.path == "/v1/embeddings":
                return self._embeddings(body)
            return self._json(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})

        def _chat(self, body: dict[str, Any]) -> None:
            messages = body.get("messages") or []
            text = server.next_reply(messages)
            prompt = sum(_tokens(str(m.get("content", ""))) for m in messages)
            usage = {"prompt_tokens": prompt, "completion_tokens": _tokens(text),
                     "total_tokens": prompt + _tokens(text)}
            model = body.get("model") or server.model
            if not body.get("stream"):
                answer: dict[str, Any] = {
                    "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": model,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                 "finish_reason": "stop"}]}
                if server.report_usage:
                    answer["usage"] = usage
                return self._json(200, answer)
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            base = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()),
                    "model": model}
            self._event({**base, "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]})
            for piece in re.findall(r"\S+\s*|\s+", text):
                self._event({**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
            self._event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            if server.report_usage and (body.get("stream_options") or {}).get("include_usage"):
                self._event({**base, "choices": [], "usage": usage})
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

        def _event(self, payload: dict[str, Any]) -> None:
            self.wfile.write(b"data: " + json.dumps(payload).encode() + b"\n\n")
            self.wfile.flush()

        def _embeddings(self, body: dict[str, Any]) -> None:
            inputs = body.get("input")
            texts = [inputs] if isinstance(inputs, str) else list(inputs or [])
            data = [{"object": "embedding", "index": i, "embedding": embedding(str(t))} for i, t in enumerate(texts)]
            tokens = sum(_tokens(str(t)) for t in texts)
            self._json(200, {"object": "list", "data": data, "model": body.get("model") or server.model,
                             "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture
def llm_server() -> Iterator[LLMServer]:
    """An OpenAI-compatible server on a free loopback port, for this test."""
    server = LLMServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    httpd.daemon_threads = True
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    httpd.shutdown()
    httpd.server_close()


def use_llm_server(monkeypatch: pytest.MonkeyPatch, server: LLMServer, *, embeddings: bool = False,
                   **settings: str) -> None:
    """Point paperclerk at ``server`` as its chat model (and its embedding model with ``embeddings=True``);
    retries wait 10 ms instead of seconds. Extra settings: ``ai_monthly_token_budget="100"``, say."""
    from paperclerk.config import get_settings

    values = {"llm_url": server.url, "llm_model": server.model, "llm_retry_base_seconds": "0.01", **settings}
    if embeddings:
        values |= {"embedding_url": server.url, "embedding_model": "test-embeddings"}
    for name, value in values.items():
        monkeypatch.setenv(f"PAPERCLERK_{name.upper()}", value)
    get_settings.cache_clear()
