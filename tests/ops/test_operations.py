"""Operations around the core: readiness waits for every migration head, system events, the operators' gauges on
/metrics, settings from secret files, the generated .env.example, Sentry."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text

from paperclerk.config import Settings, get_settings
from paperclerk.core.db import get_engine, session_scope, utcnow
from paperclerk.core.events import Event
from paperclerk.core.schema import alembic_config
from paperclerk.ops import system_events, tracing
from paperclerk.ops.env_example import render
from paperclerk.ops.schema_state import pending_heads
from tests.conftest import reset_caches
from tests.core.test_product_line_is_additive import CORE_HEAD
from tests.helpers import api_client, assert_error

REPO = Path(__file__).resolve().parents[2]


def test_readiness_stays_red_until_every_head_is_applied(env):
    config = alembic_config()
    with get_engine().begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "-1")
    with api_client(embedded_workers=False) as client:
        error = assert_error(client.get("/health/ready"), 503, "NOT_READY")
        assert error["details"]["failing"] == ["database"]
        assert "pending" in error["details"]["checks"]["database"]["error"]
        assert client.get("/health/live").status_code == 200
        with get_engine().begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
        assert client.get("/health/ready").status_code == 200


def test_a_schema_migrated_by_a_newer_release_keeps_old_processes_ready(env):
    with get_engine().begin() as connection:  # the core's head replaced by one this release does not know
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_next_release' "
                                "WHERE version_num = :head"), {"head": CORE_HEAD})
    assert pending_heads() == []
    with api_client(embedded_workers=False) as client:
        assert client.get("/health/ready").status_code == 200


def _events(name: str) -> list[Event]:
    with session_scope(readonly=True) as session:
        return list(session.scalars(select(Event).where(Event.name == name).order_by(Event.id)))


def test_an_unexpected_error_is_recorded_once_per_minute_and_answers_500(env, monkeypatch):
    from paperclerk.documents import service

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the disk caught fire")

    system_events.forget_throttle()
    monkeypatch.setattr(service, "list_documents", broken)
    with api_client(embedded_workers=False) as client:
        for _ in range(3):
            assert_error(client.get("/api/v1/documents", headers={"X-Request-ID": "req-fire"}), 500,
                         "INTERNAL_ERROR")
    recorded = _events(system_events.ERROR)
    assert len(recorded) == 1
    assert recorded[0].payload["message"] == "the disk caught fire"
    assert recorded[0].payload["where"] == "GET /api/v1/documents"
    assert recorded[0].payload["request_id"] == "req-fire"
    assert "RuntimeError" in recorded[0].payload["traceback"]


def test_startup_and_shutdown_events(env):
    assert system_events.startup("serve", address="127.0.0.1:1")
    assert system_events.shutdown("serve")
    started, stopped = _events(system_events.STARTUP), _events(system_events.SHUTDOWN)
    assert started[0].payload["process"] == "serve" and started[0].subject_type == "system"
    assert stopped[0].subject_id == started[0].subject_id == system_events.instance()


def _self_signed(path: Path, days: int) -> dt.datetime:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "paperclerk.test")])
    not_after = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=days)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).not_valid_after(not_after)
                   .sign(key, hashes.SHA256()))
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return not_after


def test_operations_gauges_on_metrics(env, tmp_path, monkeypatch):
    from paperclerk.core.jobs import Job
    from paperclerk.ops.backup import service

    not_after = _self_signed(tmp_path / "proxy.pem", days=20)
    monkeypatch.setenv("PAPERCLERK_TLS_CERTIFICATE_FILES", f"{tmp_path / 'proxy.pem'},{tmp_path / 'missing.pem'}")
    reset_caches()
    service.create(get_settings(), to=str(tmp_path / "backups"))
    with session_scope() as session:
        session.add(Job(task="pipeline.process", subject_id="x", queue="ocr", status="queued",
                        run_after=utcnow() - dt.timedelta(minutes=5)))
    with api_client(embedded_workers=False) as client:
        body = client.get("/metrics").text
    values = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in body.splitlines()
              if line and not line.startswith("#")}
    now = dt.datetime.now(dt.UTC).timestamp()
    assert now - 120 < values["paperclerk_backup_last_success_timestamp_seconds"] <= now
    assert 290 < values['paperclerk_queue_oldest_job_age_seconds{queue="ocr"}'] < 900
    assert values['paperclerk_queue_oldest_job_age_seconds{queue="default"}'] < 60  # backup.created's delivery job
    assert values["paperclerk_database_size_bytes"] > 10_000
    assert 0 < values["paperclerk_data_dir_free_bytes"] < values["paperclerk_data_dir_size_bytes"]
    expiry = [value for name, value in values.items()
              if name.startswith("paperclerk_tls_certificate_expiry_timestamp_seconds")]
    assert expiry == [not_after.timestamp()]


def test_settings_read_from_secret_files(tmp_path, monkeypatch):
    (tmp_path / "database_url").write_text("postgresql+psycopg://app:s3cret@db/paperclerk\n")
    (tmp_path / "key").write_text("passphrase-from-a-file")
    monkeypatch.setenv("PAPERCLERK_DATABASE_URL", "sqlite:///ignored.db")
    monkeypatch.setenv("PAPERCLERK_DATABASE_URL_FILE", str(tmp_path / "database_url"))
    monkeypatch.setenv("PAPERCLERK_BACKUP_ENCRYPTION_KEY_FILE", str(tmp_path / "key"))
    monkeypatch.setenv("PAPERCLERK_MAX_UPLOAD_MB_FILE", str(tmp_path / "key"))
    with pytest.raises(ValueError, match="max_upload_mb"):
        Settings()
    monkeypatch.delenv("PAPERCLERK_MAX_UPLOAD_MB_FILE")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://app:s3cret@db/paperclerk"
    assert settings.backup_encryption_key.get_secret_value() == "passphrase-from-a-file"
    monkeypatch.setenv("PAPERCLERK_BROKER_URL_FILE", str(tmp_path / "absent"))
    with pytest.raises(ValueError, match=r"PAPERCLERK_BROKER_URL_FILE names .*absent"):
        Settings()


def test_env_example_is_generated_from_the_settings():
    committed = (REPO / ".env.example").read_text(encoding="utf-8")
    assert committed == render(), "run `paperclerk config env-example -o .env.example` after changing a setting"
    for name in Settings.model_fields:
        assert f"# PAPERCLERK_{name.upper()}=" in committed


class _SentryReceiver(BaseHTTPRequestHandler):
    """Sentry's ingestion endpoint as the SDK speaks to it: envelopes POSTed to /api/<project>/envelope/."""

    envelopes: list[list[dict[str, object]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            import gzip

            body = gzip.decompress(body)
        items = []
        for line in body.split(b"\n"):
            try:
                items.append(json.loads(line))
            except ValueError:
                continue
        type(self).envelopes.append(items)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        return None


def test_unexpected_errors_go_to_sentry_when_a_dsn_is_set(env, monkeypatch):
    import sentry_sdk

    from paperclerk.documents import service

    server = ThreadingHTTPServer(("127.0.0.1", 0), _SentryReceiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("PAPERCLERK_SENTRY_DSN", f"http://publickey@127.0.0.1:{server.server_port}/42")
    reset_caches()
    system_events.forget_throttle()

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError("sentry should hear about this")

    monkeypatch.setattr(service, "list_documents", broken)
    try:
        with api_client(embedded_workers=False) as client:
            assert client.get("/api/v1/documents").status_code == 500
        sentry_sdk.flush(5)
    finally:
        sentry_sdk.init(dsn=None)
        monkeypatch.setattr(tracing, "_sentry", False)
        server.shutdown()
    events = [item for envelope in _SentryReceiver.envelopes for item in envelope
              if isinstance(item.get("exception"), dict)]
    assert events, _SentryReceiver.envelopes
    exception = events[0]["exception"]["values"][-1]  # type: ignore[index]
    assert exception["type"] == "ValueError" and exception["value"] == "sentry should hear about this"
