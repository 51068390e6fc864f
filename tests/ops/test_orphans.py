"""What a process killed mid-upload leaves behind (issue 8, reliability 4): its spool file is removed when a server
or worker starts, and a stored blob that no document names is deleted after the grace period (local and S3)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paperclerk.config import get_settings
from paperclerk.core.storage import get_store, scratch_prefix
from paperclerk.ops.blob_sweep import sweep_orphan_blobs
from tests.conftest import Env, activate
from tests.helpers import api_client, upload_and_wait
from tests.s3_server import MotoServer


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_spool_files_of_dead_processes_are_removed_at_start(env: Env) -> None:
    scratch = env.data_dir / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    live_prefix = scratch_prefix("upload")
    dead_prefix = live_prefix.replace(f"-{os.getpid()}-", f"-{dead_pid()}-")
    dead_upload = scratch / f"{dead_prefix}abc123"
    dead_blob = scratch / f"{dead_prefix.replace('upload', 'blob', 1)}def456"
    live = scratch / f"{live_prefix}ghi789"  # an upload this process is still receiving
    other_machine = scratch / f"upload-ffffffff-{dead_pid()}-jkl012"
    unrelated = scratch / "restore-work"  # backups keep their own scratch here
    for path in (dead_upload, dead_blob, live, other_machine, unrelated):
        path.write_bytes(b"partial")

    with api_client(embedded_workers=False) as client:
        assert client.get("/health/live").status_code == 200

    assert not dead_upload.exists() and not dead_blob.exists()
    assert live.exists() and other_machine.exists() and unrelated.exists()


def store_orphan(data: bytes, tmp_path: Path) -> str:
    """What a server killed after storing a file but before its row committed leaves behind."""
    sha256 = hashlib.sha256(data).hexdigest()
    source = tmp_path / "orphan"
    source.write_bytes(data)
    get_store().put(sha256, source)
    return sha256


def check_sweep(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with api_client() as client:
        [kept] = upload_and_wait(client, ("kept.txt", b"a document that stays"))
    orphan = store_orphan(b"bytes whose document never committed", tmp_path)

    assert sweep_orphan_blobs(get_settings()) == 0  # younger than the grace period (a day): an upload in flight
    assert get_store().exists(orphan)

    monkeypatch.setenv("PAPERCLERK_BLOB_ORPHAN_GRACE_SECONDS", "0.5")
    get_settings.cache_clear()
    time.sleep(1.5)  # S3's LastModified has whole seconds
    assert sweep_orphan_blobs(get_settings()) == 1
    assert not get_store().exists(orphan)
    assert get_store().exists(kept["sha256"])


def test_orphan_blobs_are_swept_after_the_grace_period_locally(env: Env, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    check_sweep(tmp_path, monkeypatch)


@pytest.mark.s3
def test_orphan_objects_are_swept_after_the_grace_period_on_s3(env: Env, tmp_path: Path, s3_server: MotoServer,
                                                               aws_credentials: None,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    activate(monkeypatch, Env(env.data_dir, env.database_url, storage_url=f"s3://{s3_server.new_bucket()}/pc"),
             PAPERCLERK_S3_ENDPOINT_URL=s3_server.url)
    check_sweep(tmp_path, monkeypatch)


def test_storing_the_same_bytes_again_renews_the_blob(env: Env, tmp_path: Path) -> None:
    sha256 = store_orphan(b"uploaded again later", tmp_path)
    path = next((env.data_dir / "blobs").glob(f"??/??/{sha256}"))
    os.utime(path, (0, 0))
    store_orphan(b"uploaded again later", tmp_path)
    assert path.stat().st_mtime > time.time() - 60
    assert list(get_store().stored_before(time.time() - 60)) == []
