"""Real servers on loopback for the notification tests: an SMTP server (aiosmtpd) and an HTTP receiver of webhook
calls whose answers a test chooses."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from paperclerk.core import db
from tests.scaled.conftest import aws_credentials, celery_env, processes, s3_server  # noqa: F401  (Celery mode)
from tests.web.conftest import admin, browse, client, make_client  # noqa: F401  (page fixtures)


@dataclass
class Mailbox:
    """What the SMTP server took. With ``stall`` set, it keeps each message and holds back its reply until
    ``release`` is set (a worker can be killed while it waits for the answer)."""

    messages: list[Message] = field(default_factory=list)
    port: int = 0
    stall: bool = False
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's handler hook
        self.messages.append(message_from_bytes(envelope.content))
        self.arrived.set()
        while self.stall and not self.release.is_set():
            await asyncio.sleep(0.05)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    box = Mailbox(port=_free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    for key, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(box.port), "SMTP_SECURITY": "none",
                       "SMTP_FROM": "paperclerk@acme.example", "PUBLIC_URL": "https://paperclerk.acme.example"}.items():
        monkeypatch.setenv(f"PAPERCLERK_{key}", value)
    db.get_settings.cache_clear()
    yield box
    box.release.set()
    controller.stop()


@dataclass
class Call:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook receiver: answers each call with the next status of ``answers`` (the last one repeats). With
    ``stall`` set, it holds back its answer until ``release`` is set."""

    url: str = ""
    answers: list[int] = field(default_factory=lambda: [200])
    calls: list[Call] = field(default_factory=list)
    stall: bool = False
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    got = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            got.calls.append(Call({key.lower(): value for key, value in self.headers.items()}, body))
            got.arrived.set()
            if got.stall:
                got.release.wait(60)
            status = got.answers[min(len(got.calls), len(got.answers)) - 1]
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    got.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    monkeypatch.setenv("PAPERCLERK_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true")
    monkeypatch.setenv("PAPERCLERK_DELIVERY_RETRY_BASE_SECONDS", "0")
    monkeypatch.setenv("PAPERCLERK_DELIVERY_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("PAPERCLERK_WEBHOOK_DISABLE_AFTER_FAILURES", "2")
    db.get_settings.cache_clear()
    yield got
    got.release.set()
    server.shutdown()
    server.server_close()
