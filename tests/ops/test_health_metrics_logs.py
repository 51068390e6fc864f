"""Operations: liveness, readiness naming the failing part, detailed status, metrics, JSON logs."""

from __future__ import annotations

import json
import logging
import shutil

from paperclerk.ops.logging import JsonFormatter
from tests.conftest import activate
from tests.helpers import api_client, api_key, assert_error, organization_id, upload_and_wait


def test_live_and_ready(env):
    with api_client() as client:
        assert client.get("/health/live").json() == {"status": "ok"}
        ready = client.get("/health/ready")
        assert ready.status_code == 200
        assert set(ready.json()["checks"]) == {"database", "storage"}


def test_ready_is_503_naming_storage_when_it_is_broken(env):
    with api_client() as client:
        blobs = env.data_dir / "blobs"
        shutil.rmtree(blobs, ignore_errors=True)
        blobs.write_text("not a directory")
        error = assert_error(client.get("/health/ready"), 503, "NOT_READY")
        assert error["details"]["failing"] == ["storage"]
        assert client.get("/health/detailed").json()["checks"]["storage"]["ok"] is False


def test_ready_is_503_naming_the_database_when_it_is_unreachable(env, monkeypatch):
    with api_client(embedded_workers=False) as client:
        from paperclerk.core import db

        monkeypatch.setenv("PAPERCLERK_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
        db.reset()
        error = assert_error(client.get("/health/ready"), 503, "NOT_READY")
        assert "database" in error["details"]["failing"]


def test_ready_names_the_broker_when_it_is_down(env, monkeypatch):
    activate(monkeypatch, env, PAPERCLERK_BROKER_URL="redis://127.0.0.1:1/0")
    with api_client(embedded_workers=False) as client:
        error = assert_error(client.get("/health/ready"), 503, "NOT_READY")
        assert error["details"]["failing"] == ["broker"]


def test_detailed_health_shows_queues_documents_and_workers(env):
    with api_client() as client:
        upload_and_wait(client, ("a.txt", b"hello detailed health"))
        body = client.get("/health/detailed").json()
    assert body["status"] == "ready"
    assert body["mode"] == {"database": "sqlite", "jobs": "embedded", "storage": "local"}
    assert body["queues"] == {"default": 0, "ocr": 0}
    assert body["documents"] == {"processed": 1}
    assert body["workers"] and all(worker["alive"] for worker in body["workers"])


def test_detailed_health_counts_documents_only_for_an_organisations_administrators(env):
    with api_client(organization="other") as other:
        upload_and_wait(other, ("b.txt", b"another organisation's document"))
    with api_client() as client:
        upload_and_wait(client, ("a.txt", b"hello detailed health"))
        assert client.get("/health/detailed").json()["documents"] == {"processed": 1}  # its own organisation only
        client.headers["X-API-Key"] = api_key(role="approver")
        assert "documents" not in client.get("/health/detailed").json()
        client.headers.pop("X-API-Key")
        anonymous = client.get("/health/detailed").json()
    assert "documents" not in anonymous and anonymous["status"] == "ready" and "queues" in anonymous


def test_metrics_in_prometheus_format(env):
    with api_client() as client:
        upload_and_wait(client, ("m.txt", b"customer feedback: the staff was friendly, recommend"))
        client.get("/api/v1/documents")
        text = client.get("/metrics").text
    labels = f'kind="feedback",organization="{organization_id()}",outcome="processed"'
    assert f"paperclerk_documents_processed_total{{{labels}}}" in text
    assert 'paperclerk_pipeline_stage_duration_seconds_bucket{le="0.005",stage="extract"}' in text
    assert 'paperclerk_http_request_duration_seconds_count{method="GET",route="/api/v1/documents",status="200"}' in text
    assert 'paperclerk_queue_depth{queue="ocr"} 0.0' in text


def test_invented_methods_and_paths_add_no_metrics_series(env):
    with api_client(embedded_workers=False) as client:
        client.headers.pop("X-API-Key")
        for number in range(5):
            client.request(f"PROBE{number}", "/api/v1/documents")
            client.get(f"/no/such/path/{number}")
        text = client.get("/metrics").text
    assert "PROBE" not in text and "/no/such/path" not in text
    assert 'method="OTHER",route="/api/v1/documents"' in text
    assert 'paperclerk_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}' in text


def test_every_request_is_logged_as_json_with_request_id_and_latency(env, caplog):
    caplog.set_level(logging.INFO, logger="paperclerk.http")
    with api_client() as client:
        response = client.get("/health/live", headers={"X-Request-ID": "req-123"})
        generated = client.get("/health/live").headers["x-request-id"]
    assert response.headers["x-request-id"] == "req-123"
    assert len(generated) == 32
    records = [r for r in caplog.records if r.name == "paperclerk.http"]
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["request_id"] == "req-123"
    assert line["route"] == "/health/live" and line["status"] == 200
    assert isinstance(line["latency_ms"], float)
    assert line["level"] == "info" and line["message"] == "request"


def test_bogus_request_ids_are_replaced(env):
    with api_client() as client:
        response = client.get("/health/live", headers={"X-Request-ID": "bad id\twith spaces" * 10})
    assert response.headers["x-request-id"] != "bad id\twith spaces" * 10
