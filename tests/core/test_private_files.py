"""The embedded data dir is the owner's only: the SQLite file 0600, folders 0700, blobs 0600, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Env
from tests.helpers import api_client, upload_and_wait


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # the usual default: files 0644, folders 0755
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_database_blobs_and_spool_are_private(open_umask: None, env: Env) -> None:
    with api_client() as client:
        upload_and_wait(client, ("private.txt", b"a document nobody else on this machine may read"))
    database = env.data_dir / "paperclerk.db"
    assert _mode(env.data_dir) == 0o700
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        assert path.exists() and _mode(path) == 0o600, path
    blobs = [path for path in (env.data_dir / "blobs").rglob("*")]
    assert any(path.is_file() for path in blobs)
    for path in [env.data_dir / "blobs", env.data_dir / "tmp", *blobs]:
        assert _mode(path) == (0o700 if path.is_dir() else 0o600), path
