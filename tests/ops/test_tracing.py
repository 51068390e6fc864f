"""Scaled-out observability with real processes: `paperclerk serve` and a Celery `paperclerk worker` export
OpenTelemetry traces to an OTLP/HTTP receiver on loopback (the collector's wire format: protobuf
ExportTraceServiceRequest at /v1/traces) — the upload's request span and the worker's task span share one trace —
and Flower, started from paperclerk's Celery app, sees the worker and its task (events and remote control)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.celery_workers import Processes
from tests.helpers import api_key
from tests.s3_server import free_port, wait_for_port

pytestmark = [pytest.mark.celery, pytest.mark.postgres]


class _Collector(BaseHTTPRequestHandler):
    spans: list[tuple[str, str, bytes, bytes]] = []  # (service, span name, trace id, parent span id)

    def do_POST(self) -> None:
        request = ExportTraceServiceRequest()
        request.ParseFromString(self.rfile.read(int(self.headers["Content-Length"])))
        for resource_spans in request.resource_spans:
            service = next((attribute.value.string_value for attribute in resource_spans.resource.attributes
                            if attribute.key == "service.name"), "")
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    type(self).spans.append((service, span.name, span.trace_id, span.parent_span_id))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        return None


def test_traces_across_api_and_worker_and_flower_sees_the_worker(celery_env, processes):
    collector = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    threading.Thread(target=collector.serve_forever, daemon=True).start()
    processes.env.update({**celery_env.env.variables,
                          "PAPERCLERK_S3_ENDPOINT_URL": celery_env.s3.url,
                          "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{collector.server_port}",
                          "OTEL_BSP_SCHEDULE_DELAY": "200"})
    port = free_port()
    try:
        serve = processes.start("serve", "serve", "--port", str(port))
        processes.worker("worker", queues="default,ocr", concurrency=1)
        wait_for_port(port, timeout=60, process=serve.process)
        key = api_key()
        uploaded = httpx.post(f"http://127.0.0.1:{port}/api/v1/documents", headers={"X-API-Key": key}, timeout=30,
                              files=[("files", ("traced.txt", b"a traced upload, end to end", "text/plain"))])
        assert uploaded.status_code == 202, uploaded.text
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            api = {trace for service, name, trace, _ in _Collector.spans
                   if service == "paperclerk-api" and name.startswith("POST /api/v1/documents")}
            worker = {trace for service, name, trace, parent in _Collector.spans
                      if service == "paperclerk-worker" and "paperclerk.run_job" in name and parent}
            if api & worker:
                break
            time.sleep(0.5)
        else:
            raise AssertionError(f"no shared trace; spans seen: {[(s, n) for s, n, _, _ in _Collector.spans][:40]}")
        _flower_sees_the_worker_and_its_task(processes, api_port=port)
    finally:
        collector.shutdown()


def _flower_sees_the_worker_and_its_task(processes: Processes, *, api_port: int) -> None:
    port = free_port()
    celery = str(Path(sys.executable).with_name("celery"))
    with (processes.log_dir / "flower.log").open("ab") as output:
        ui = subprocess.Popen([celery, "--app", "paperclerk.ops.celery_entry", "flower", f"--port={port}",
                               "--address=127.0.0.1", "--persistent=False"],
                              env={**os.environ, **processes.env, "FLOWER_UNAUTHENTICATED_API": "true"},
                              stdout=output, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        wait_for_port(port, timeout=60, process=ui)
        deadline = time.monotonic() + 60
        workers: dict[str, object] = {}
        while time.monotonic() < deadline and not workers:
            workers = httpx.get(f"http://127.0.0.1:{port}/api/workers?refresh=1", timeout=20).json()
            time.sleep(0.5)
        assert workers, "Flower sees no worker"
        uploaded = httpx.post(f"http://127.0.0.1:{api_port}/api/v1/documents",
                              headers={"X-API-Key": api_key()}, timeout=30,
                              files=[("files", ("seen-by-flower.txt", b"flower watches this job", "text/plain"))])
        assert uploaded.status_code == 202
        while time.monotonic() < deadline + 30:
            tasks = httpx.get(f"http://127.0.0.1:{port}/api/tasks", timeout=20).json()
            if any(task.get("name") == "paperclerk.run_job" and task.get("state") == "SUCCESS"
                   for task in tasks.values()):
                return
            time.sleep(0.5)
        raise AssertionError(f"Flower saw no finished paperclerk.run_job task: {tasks}")
    finally:
        os.killpg(ui.pid, signal.SIGTERM)
        ui.wait(20)
