"""Backups: restore into an empty instance brings back identical rows and byte-identical files (SQLite and
PostgreSQL, a few thousand documents, invoices and users); damage and tampering fail ``verify``; encryption; the
refusal to overwrite; the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from paperclerk.config import get_settings
from paperclerk.ops.backup import service
from paperclerk.ops.backup.targets import HEADER
from tests.conftest import Env, activate, reset_caches
from tests.helpers import api_client, upload_and_wait
from tests.ops.bulk import all_blobs, all_rows, populate

KEY = "correct horse battery staple, but longer"


@pytest.fixture
def empty_database(any_env: Env) -> str:
    """A second, empty database of the same kind as ``any_env``'s: where the backup is restored."""
    if not any_env.database_url:
        yield ""
        return
    admin = create_engine(make_url(any_env.database_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = f"paperclerk_restore_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(any_env.database_url).set(database=name).render_as_string(hide_password=False)
    reset_caches()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _switch(monkeypatch: pytest.MonkeyPatch, data_dir: Path, database_url: str, **extra: str) -> Env:
    """Point the configuration at another (fresh, migrated) instance."""
    return activate(monkeypatch, Env(data_dir=data_dir, database_url=database_url), **extra)


def test_restore_into_an_empty_instance_is_identical(any_env, empty_database, tmp_path, monkeypatch):
    with api_client() as client:  # a few documents through the real pipeline: pages, history, index, events
        upload_and_wait(client, ("note.txt", b"Quarterly lease review for the Rotterdam office"),
                        ("memo.txt", b"Payment terms: thirty days net, penalty after sixty"))
    counts = populate(documents=2000, users=300)
    assert counts["invoices"] == 1000
    rows, blobs = all_rows(), all_blobs()
    assert len(rows["documents"]) == 2002 and len(rows["users"]) >= 300 and len(blobs) == 1002

    report = service.create(get_settings(), to=str(tmp_path / "backups"))
    assert report.header.blobs == 1002 and report.header.rows == sum(len(r) for name, r in rows.items()
                                                                       if name not in ("search_index",
                                                                                       "alembic_version"))
    service.verify(get_settings(), report.location)

    _switch(monkeypatch, tmp_path / "restored", empty_database)
    assert all_blobs() == {}
    restored = service.restore(get_settings(), report.location)
    assert restored.tables == report.tables
    assert all_rows() == rows
    assert all_blobs() == blobs


def test_encrypted_backup_round_trip_and_keys(env, tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERCLERK_BACKUP_ENCRYPTION_KEY", KEY)
    reset_caches()
    populate(documents=20, users=3)
    rows, blobs = all_rows(), all_blobs()
    report = service.create(get_settings(), to=str(tmp_path / "backups"))
    backup = Path(report.location)
    assert report.header.encrypted
    stored = [path for path in (backup / "blobs").rglob("*") if path.is_file()]
    assert len(stored) == len(blobs) == 10
    assert not {path.name for path in stored} & set(blobs), "encrypted blobs must not be named by their hash"
    assert all(content not in path.read_bytes() for path in stored for content in blobs.values())
    assert not (backup / "manifest.json").exists()

    monkeypatch.setenv("PAPERCLERK_BACKUP_ENCRYPTION_KEY", "not the key")
    reset_caches()
    with pytest.raises(service.BackupCorrupt, match="decrypt"):
        service.verify(get_settings(), report.location)
    monkeypatch.delenv("PAPERCLERK_BACKUP_ENCRYPTION_KEY")
    reset_caches()
    with pytest.raises(service.BackupKeyRequired):
        service.verify(get_settings(), report.location)

    key_file = tmp_path / "backup.key"
    key_file.write_text(KEY + "\n")
    _switch(monkeypatch, tmp_path / "restored", "", PAPERCLERK_BACKUP_ENCRYPTION_KEY_FILE=str(key_file))
    service.restore(get_settings(), report.location)
    assert all_rows() == rows and all_blobs() == blobs


def _tamper_blob(backup: Path) -> str:
    blob = sorted(path for path in (backup / "blobs").rglob("*") if path.is_file())[0]
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0x01
    blob.write_bytes(bytes(data))
    return str(blob.relative_to(backup))


@pytest.mark.parametrize("encrypted", [False, True])
def test_a_tampered_file_fails_verify_and_restore_changes_nothing(env, tmp_path, monkeypatch, encrypted):
    if encrypted:
        monkeypatch.setenv("PAPERCLERK_BACKUP_ENCRYPTION_KEY", KEY)
        reset_caches()
    populate(documents=10, users=2)
    report = service.create(get_settings(), to=str(tmp_path / "backups"))
    damaged = _tamper_blob(Path(report.location))
    with pytest.raises(service.BackupCorrupt) as caught:
        service.verify(get_settings(), report.location)
    assert caught.value.code == "BACKUP_CORRUPT"
    assert any(problem.startswith(damaged) for problem in caught.value.details["problems"])

    _switch(monkeypatch, tmp_path / "restored", "",
            **({"PAPERCLERK_BACKUP_ENCRYPTION_KEY": KEY} if encrypted else {}))
    with pytest.raises(service.BackupCorrupt):
        service.restore(get_settings(), report.location)
    assert service.occupied(get_settings()) == {}, "a refused restore must not leave rows behind"
    Path(report.location, damaged).unlink()  # the operator drops the damaged file: the others restore
    with pytest.raises(service.BackupCorrupt, match="has no"):
        service.restore(get_settings(), report.location)


def test_a_changed_database_dump_or_manifest_fails_verify(env, tmp_path):
    populate(documents=5, users=1)
    first = Path(service.create(get_settings(), to=str(tmp_path / "a")).location)
    dump = first / "database.sqlite"
    dump.write_bytes(dump.read_bytes()[:-4096] + b"\0" * 4096)
    with pytest.raises(service.BackupCorrupt, match=r"database\.sqlite"):
        service.verify(get_settings(), str(first))

    second = Path(service.create(get_settings(), to=str(tmp_path / "b")).location)
    manifest = json.loads((second / "manifest.json").read_text())
    manifest["tables"]["documents"] += 1
    (second / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(service.BackupCorrupt, match="manifest"):
        service.verify(get_settings(), str(second))

    third = Path(service.create(get_settings(), to=str(tmp_path / "c")).location)
    next((third / "blobs").rglob("*/*")).unlink()
    with pytest.raises(service.BackupCorrupt, match="has no blobs/"):
        service.verify(get_settings(), str(third))


def test_restore_refuses_a_non_empty_instance_unless_forced(env, tmp_path):
    populate(documents=4, users=1)
    rows = all_rows()
    report = service.create(get_settings(), to=str(tmp_path / "backups"))
    with pytest.raises(service.InstanceNotEmpty) as caught:
        service.restore(get_settings(), report.location)
    assert caught.value.details["holds"]["documents"] == 4
    populate(documents=0, users=2, organizations=1)  # changes made after the backup …
    service.restore(get_settings(), report.location, force=True)
    assert all_rows() == rows  # … are gone


def test_an_interrupted_backup_is_listed_incomplete_and_cannot_be_restored(env, tmp_path):
    populate(documents=2, users=1)
    report = service.create(get_settings(), to=str(tmp_path / "backups"))
    (Path(report.location) / HEADER).unlink()
    complete = service.create(get_settings(), to=str(tmp_path / "backups"))
    listed = service.list_backups(get_settings(), str(tmp_path / "backups"))
    assert {item.name: item.header is not None for item in listed} == {
        Path(report.location).name: False, Path(complete.location).name: True}
    with pytest.raises(service.BackupCorrupt) as caught:
        service.verify(get_settings(), report.location)
    assert caught.value.code == "BACKUP_INCOMPLETE"
    with pytest.raises(service.PaperclerkError) as missing:
        service.verify(get_settings(), str(tmp_path / "backups" / "paperclerk-20200101T000000Z-000000"))
    assert missing.value.code == "BACKUP_NOT_FOUND"


def test_backup_create_records_the_event_behind_the_backup_age_alert(env, tmp_path):
    from paperclerk.core.db import session_scope
    from paperclerk.core.events import Event

    report = service.create(get_settings(), to=str(tmp_path / "backups"))
    with session_scope(readonly=True) as session:
        event = session.query(Event).filter(Event.name == "backup.created").one()
    assert event.payload["location"] == report.location


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "paperclerk.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **env, "COLUMNS": "200"}, timeout=120, check=False)


def test_the_command_line(env, tmp_path):
    populate(documents=3, users=1)
    variables = env.variables
    created = _cli("backup", "create", "--to", str(tmp_path / "backups"), env=variables)
    assert created.returncode == 0, created.stderr
    path = created.stdout.strip().splitlines()[-1]
    assert Path(path).is_dir() and Path(path).parent == (tmp_path / "backups").resolve()
    refused = _cli("backup", "restore", path, env=variables)
    assert refused.returncode == 1 and "INSTANCE_NOT_EMPTY" in refused.stderr
    restored = _cli("backup", "restore", path, env={**variables, "PAPERCLERK_DATA_DIR": str(tmp_path / "fresh")})
    assert restored.returncode == 0, restored.stderr
    assert "restored" in restored.stdout
    _tamper_blob(Path(path))
    damaged = _cli("backup", "verify", path, env=variables)
    assert damaged.returncode == 1 and "BACKUP_CORRUPT" in damaged.stderr


def test_no_file_descriptor_is_left_open(env, tmp_path, monkeypatch):
    """Restoring 10,000 files once ran out of descriptors: each temporary file's descriptor stayed open."""
    populate(documents=80, users=1)
    before = len(os.listdir("/proc/self/fd"))
    report = service.create(get_settings(), to=str(tmp_path / "backups"))
    service.verify(get_settings(), report.location)
    _switch(monkeypatch, tmp_path / "restored", "")
    service.restore(get_settings(), report.location)
    assert len(os.listdir("/proc/self/fd")) - before < 20  # 40 files fetched, staged and restored: 120 if leaked
