"""Backup and restore of 10,000 documents (with their pages, files, invoices and users) on the embedded setup:
`backup create`, `backup verify` and `backup restore` into an empty instance, against the seeds' RTO of 15 minutes.

Runs as a child process (its own data dir). The documents are inserted in bulk (tests/ops/bulk.py): the pipeline
is measured elsewhere; here only the amount of rows and files matters.
"""

from __future__ import annotations

import os
import time

from benchmarks.common import Row, SectionResult, temp_dir

SECTION = "7 backup"
RTO_SECONDS = 15 * 60


def run(quick: bool) -> SectionResult:
    from tests.conftest import reset_caches
    from tests.ops.bulk import populate

    from paperclerk.config import get_settings
    from paperclerk.core.schema import upgrade
    from paperclerk.ops.backup import service

    documents = 2_000 if quick else 10_000
    upgrade()
    started = time.perf_counter()
    counts = populate(documents=documents, users=500)
    filled = time.perf_counter() - started
    target = temp_dir("backup-target")
    encrypted = {"PAPERCLERK_BACKUP_ENCRYPTION_KEY": "benchmark passphrase of reasonable length"}
    os.environ.update(encrypted)
    reset_caches()
    created = service.create(get_settings(), to=str(target))
    verified = service.verify(get_settings(), created.location)
    os.environ["PAPERCLERK_DATA_DIR"] = str(temp_dir("backup-restored") / "data")
    reset_caches()
    upgrade()
    restored = service.restore(get_settings(), created.location)
    header = created.header
    note = (f"{counts['documents']:,} documents, {counts['invoices']:,} invoices, {counts['users']} users: "
            f"{header.rows:,} rows, {header.blobs:,} files ({header.blob_bytes / 1e6:.1f} MB), encrypted; "
            f"SQLite + local files")
    return SectionResult(rows=[
        Row(SECTION, f"restore {documents:,} documents into an empty instance (verify, files, database, migrations)",
            restored.seconds, "s", RTO_SECONDS, "RTO 15 min", "max", note),
        Row(SECTION, "backup create (snapshot, files, manifest, encryption)", created.seconds, "s", note=note),
        Row(SECTION, "backup verify (every file decrypted and hashed)", verified.seconds, "s"),
        Row(SECTION, "bulk insert of the test data (not part of the backup)", filled, "s"),
    ])
