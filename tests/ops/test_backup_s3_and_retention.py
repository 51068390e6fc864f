"""Backups of files kept in S3, written to an S3 bucket (the moto server on loopback), restored into a fresh bucket;
the retention policy; prune."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from paperclerk.config import get_settings
from paperclerk.ops.backup import retention, service
from paperclerk.ops.backup.manifest import Header
from paperclerk.ops.backup.targets import HEADER, DirectoryTarget
from tests.conftest import Env, activate
from tests.ops.bulk import all_blobs, all_rows, populate
from tests.s3_server import DUMMY_CREDENTIALS, MotoServer


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    server = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log").start()
    yield server
    server.stop()


@pytest.mark.s3
def test_files_in_s3_backed_up_to_s3_and_restored_into_a_new_bucket(tmp_path, monkeypatch, s3):
    for key, value in DUMMY_CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    documents, backups, fresh = s3.new_bucket(), s3.new_bucket(), s3.new_bucket()
    activate(monkeypatch, Env(data_dir=tmp_path / "a", database_url="", storage_url=f"s3://{documents}/files"),
             PAPERCLERK_S3_ENDPOINT_URL=s3.url, PAPERCLERK_BACKUP_ENCRYPTION_KEY="s3 backups are encrypted too")
    populate(documents=60, users=5)
    rows, blobs = all_rows(), all_blobs()
    assert len(blobs) == 30

    report = service.create(get_settings(), to=f"s3://{backups}/nightly")
    assert report.location.startswith(f"s3://{backups}/nightly/paperclerk-")
    listed = service.list_backups(get_settings(), f"s3://{backups}/nightly")
    assert [item.location for item in listed] == [report.location] and listed[0].header is not None
    service.verify(get_settings(), report.location)

    activate(monkeypatch, Env(data_dir=tmp_path / "b", database_url="", storage_url=f"s3://{fresh}"),
             PAPERCLERK_S3_ENDPOINT_URL=s3.url, PAPERCLERK_BACKUP_ENCRYPTION_KEY="s3 backups are encrypted too")
    service.restore(get_settings(), report.location)
    assert all_rows() == rows and all_blobs() == blobs

    client = s3.client()
    key = next(item["Key"] for item in client.list_objects_v2(Bucket=backups, Prefix="nightly/")["Contents"]
               if "/blobs/" in item["Key"])
    body = bytearray(client.get_object(Bucket=backups, Key=key)["Body"].read())
    body[-1] ^= 0xFF
    client.put_object(Bucket=backups, Key=key, Body=bytes(body))
    with pytest.raises(service.BackupCorrupt):
        service.verify(get_settings(), report.location)
    pruned = service.prune(get_settings().model_copy(update={"backup_keep_daily": 0}),
                           f"s3://{backups}/nightly")
    assert [item.name for item in pruned.kept] == [listed[0].name], "the newest backup is always kept"


def _at(day: int, hour: int = 3) -> datetime:
    return datetime(2026, 1, 1, hour, tzinfo=UTC) + timedelta(days=day)


def test_retention_keeps_the_newest_of_each_day_week_and_month():
    created = [_at(day, hour) for day in range(120) for hour in (3, 15)]  # two backups a day for 120 days
    kept = {created[index] for index in retention.keep(created, retention.Policy(daily=7, weekly=4, monthly=3))}
    # 2026-04-30 (a Thursday) is the last day: 7 days, 4 ISO weeks (their Sundays before this one), 3 months.
    days = {datetime(2026, 4, day, 15, tzinfo=UTC) for day in range(24, 31)}
    weeks = {datetime(2026, 4, day, 15, tzinfo=UTC) for day in (30, 26, 19, 12)}
    months = {datetime(2026, 4, 30, 15, tzinfo=UTC), datetime(2026, 3, 31, 15, tzinfo=UTC),
              datetime(2026, 2, 28, 15, tzinfo=UTC)}
    assert kept == days | weeks | months
    assert len(kept) == 11
    assert retention.keep([], retention.Policy()) == set()
    assert retention.keep([_at(0)], retention.Policy(daily=0)) == {0}


def test_the_default_keeps_thirty_days():
    created = [_at(day) for day in range(45)]
    kept = retention.keep(created, retention.Policy())
    assert sorted(kept) == list(range(15, 45))


def _fake_backup(root: Path, moment: datetime, *, complete: bool = True) -> str:
    name = f"paperclerk-{moment:%Y%m%dT%H%M%SZ}-abcdef"
    (root / name).mkdir(parents=True)
    if complete:
        header = Header(name=name, created_at=moment, paperclerk_version="0", dialect="sqlite", encrypted=False,
                        kdf=None, manifest_sha256="0" * 64, rows=0, blobs=0, blob_bytes=0)
        (root / name / HEADER).write_bytes(header.to_json())
    return name


def test_prune_deletes_what_the_policy_does_not_keep_and_old_incomplete_backups(env, tmp_path, monkeypatch):
    root = tmp_path / "backups"
    now = datetime.now(UTC).replace(microsecond=0)
    names = [_fake_backup(root, now - timedelta(days=day)) for day in range(5)]
    stale = _fake_backup(root, now - timedelta(days=3, hours=1), complete=False)
    running = _fake_backup(root, now - timedelta(minutes=5), complete=False)
    monkeypatch.setenv("PAPERCLERK_BACKUP_KEEP_DAILY", "2")
    from tests.conftest import reset_caches

    reset_caches()
    dry = service.prune(get_settings(), str(root), dry_run=True)
    assert {item.name for item in dry.deleted} == {*names[2:], stale}
    assert sorted(path.name for path in root.iterdir()) == sorted([*names, stale, running])
    service.prune(get_settings(), str(root))
    assert sorted(DirectoryTarget(root).names()) == sorted([names[0], names[1], running])
