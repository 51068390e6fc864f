"""OpenTelemetry across API → job → worker: `paperclerk serve` and a Celery `paperclerk worker` export to an
OTLP/HTTP receiver on loopback (the collector's wire format: protobuf ExportTraceServiceRequest at /v1/traces);
the upload's request span and the worker's task span share one trace."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

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


def test_an_upload_and_its_job_share_one_trace(celery_env, processes):
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
                return
            time.sleep(0.5)
        raise AssertionError(f"no shared trace; spans seen: {[(s, n) for s, n, _, _ in _Collector.spans][:40]}")
    finally:
        collector.shutdown()
