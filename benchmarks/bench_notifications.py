"""Notifications: what recording an event costs a change (the event and its delivery job in the change's
transaction), and how fast the workers fan events out (in-app notifications to every member, one webhook call each to
a receiver on loopback).

Baseline: the same transaction with the audit entry only, measured in this run.
"""

from __future__ import annotations

import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from benchmarks.common import Row, SectionResult, bench_organization

SECTION = "12 notifications"


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


def run(quick: bool) -> SectionResult:
    from sqlalchemy import select

    from paperclerk import plugins
    from paperclerk.auth import service as accounts
    from paperclerk.config import get_settings
    from paperclerk.core import events
    from paperclerk.core.audit import record_audit
    from paperclerk.core.db import session_scope
    from paperclerk.core.schema import upgrade
    from paperclerk.core.worker import claim_and_run_next
    from paperclerk.notifications.models import Delivery, Notification, Webhook

    os.environ["PAPERCLERK_WEBHOOK_ALLOW_PRIVATE_NETWORKS"] = "true"
    get_settings.cache_clear()
    count, people = (200, 10) if quick else (1000, 25)
    upgrade()
    plugins.load()
    organization_id = bench_organization()
    assert organization_id is not None
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with session_scope() as session:
        for number in range(people):
            accounts.create_user(session, f"person{number}@bench.example", "Correct-Horse-42-battery",
                                 organization_id=organization_id, role="viewer")
        session.add(Webhook(organization_id=organization_id, url=f"http://127.0.0.1:{server.server_address[1]}/",
                            event_names=["invoice.flagged"], secret="whsec_bench-secret-0123456789", description=""))

    def change(number: int, with_event: bool) -> None:
        with session_scope() as session:
            record_audit(session, None, "invoice.review", ("invoice", f"inv-{number}"), after={"n": number},
                         organization_id=organization_id)
            if with_event:
                events.record(session, "invoice.flagged", organization_id=organization_id, subject_type="invoice",
                              subject_id=f"inv-{number}", payload={"findings": ["INV-TOTAL-001"]})

    def per_change_ms(with_event: bool) -> float:
        started = time.perf_counter()
        for number in range(count):
            change(number, with_event)
        return (time.perf_counter() - started) * 1000 / count

    baseline = per_change_ms(False)
    recorded = per_change_ms(True)
    settings = get_settings()
    started = time.perf_counter()
    jobs_run = 0
    while claim_and_run_next(["default"], settings):
        jobs_run += 1
    drained = time.perf_counter() - started
    server.shutdown()
    with session_scope(readonly=True) as session:
        notified = len(session.scalars(select(Notification.id)).all())
        delivered = len(session.scalars(select(Delivery.id).where(Delivery.delivered_at.is_not(None))).all())
    assert notified == count * people and delivered == count, (notified, delivered)
    note = f"{count} events, {people} people, 1 webhook on loopback, SQLite, one worker"
    return SectionResult(rows=[
        Row(SECTION, "a change that records an event (event + delivery job in its transaction)", recorded, "ms",
            baseline=baseline, baseline_label="the same change without the event", kind="floor", note=note),
        Row(SECTION, f"events delivered per second (in-app to {people} people + a signed webhook call each)",
            count / drained, "events/s", note=f"{jobs_run} jobs"),
        Row(SECTION, "one event's delivery (fan-out job + webhook call job)", drained * 1000 / count, "ms"),
    ])
