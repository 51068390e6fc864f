"""Backup create, list, verify, restore and prune: the operations behind ``paperclerk backup``.

Files are content-addressed and never change once stored, so a snapshot of the database followed by a copy of every
stored file is consistent: each file a row of the snapshot names was stored before the row was committed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, BinaryIO

from paperclerk import __version__
from paperclerk.config import Settings
from paperclerk.core.errors import PaperclerkError
from paperclerk.core.storage import make_store
from paperclerk.ops.backup import database, retention
from paperclerk.ops.backup.crypto import BackupCipher, DecryptionFailed, KdfParams
from paperclerk.ops.backup.manifest import FileEntry, Header, Manifest, sha256_hex
from paperclerk.ops.backup.targets import HEADER, BackupTargetError, Target, open_target, split_location

log = logging.getLogger(__name__)
COPY_CHUNK = 1024 * 1024
#: Files are copied, hashed and encrypted this many at a time (I/O bound, on local disks and S3 alike).
PARALLEL_FILES = 8
#: An incomplete backup younger than this may still be being written; prune leaves it alone.
INCOMPLETE_GRACE = timedelta(days=1)
Progress = Callable[[str, int, int], None]


class BackupCorrupt(PaperclerkError):
    code = "BACKUP_CORRUPT"
    http_status = 422


class BackupKeyRequired(PaperclerkError):
    code = "BACKUP_KEY_REQUIRED"
    http_status = 400


class InstanceNotEmpty(PaperclerkError):
    code = "INSTANCE_NOT_EMPTY"
    http_status = 409


@dataclass(frozen=True)
class Listed:
    name: str
    location: str
    header: Header | None  # None: incomplete (interrupted, or being written)


@dataclass
class Report:
    location: str
    header: Header
    files_checked: int = 0
    seconds: float = 0.0
    tables: dict[str, int] = field(default_factory=dict)


def _quiet(_stage: str, _done: int, _total: int) -> None:
    return None


# --- create -----------------------------------------------------------------------------------------------------


def create(settings: Settings, *, to: str | None = None, progress: Progress = _quiet) -> Report:
    """Write one backup of the configured instance; returns where it is."""
    from paperclerk.ops.backup.targets import default_location

    started = time.perf_counter()
    target = open_target(to or default_location(settings), settings)
    now = datetime.now(UTC).replace(microsecond=0)
    name = f"paperclerk-{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
    key = settings.backup_encryption_key.get_secret_value()
    kdf = KdfParams.new() if key else None
    cipher = BackupCipher(key, kdf) if key and kdf else None
    with _scratch(settings) as scratch:
        progress("database", 0, 1)
        dump = scratch / "dump"
        snapshot = database.snapshot(settings, dump)
        database_entry = _put(target, name, database.dump_name(snapshot.dialect), dump, cipher, scratch)
        progress("database", 1, 1)
        blobs = _copy_blobs(settings, target, name, cipher, scratch, progress)
    manifest = Manifest(dialect=snapshot.dialect, revisions=snapshot.revisions, tables=snapshot.tables,
                        database=database_entry, blobs=blobs)
    plain = manifest.to_json()
    stored = cipher.seal(plain, label=name) if cipher else plain
    header = Header(name=name, created_at=now, paperclerk_version=__version__, dialect=snapshot.dialect,
                    encrypted=cipher is not None, kdf=kdf.to_dict() if kdf else None,
                    manifest_sha256=sha256_hex(stored), rows=sum(snapshot.tables.values()), blobs=len(blobs),
                    blob_bytes=sum(blob.size for blob in blobs))
    target.put_bytes(name, header.manifest_path, stored)
    target.put_bytes(name, HEADER, header.to_json())  # last: its presence marks the backup complete
    report = Report(location=target.location(name), header=header, files_checked=len(blobs) + 1,
                    seconds=time.perf_counter() - started, tables=snapshot.tables)
    _record_created(report)
    return report


def _blob_path(sha256: str, cipher: BackupCipher | None) -> str:
    name = cipher.blob_name(sha256) if cipher else sha256
    return f"blobs/{name[:2]}/{name}"


def _copy_blobs(settings: Settings, target: Target, name: str, cipher: BackupCipher | None, scratch: Path,
                progress: Progress) -> list[FileEntry]:
    store = make_store(settings)
    listed = sorted(store.iter_blobs())
    done = 0

    def copy(item: tuple[str, int]) -> FileEntry:
        sha256, _ = item
        with store.local_path(sha256) as source:
            entry = _put(target, name, _blob_path(sha256, cipher), source, cipher, scratch, keep_source=True)
        if entry.sha256 != sha256:
            raise BackupCorrupt(f"The stored file {sha256} does not match its hash: the file store is damaged.",
                                code="STORAGE_CORRUPT", details={"sha256": sha256, "actual": entry.sha256})
        return entry

    entries: list[FileEntry] = []
    with ThreadPoolExecutor(PARALLEL_FILES, thread_name_prefix="backup") as pool:
        for entry in pool.map(copy, listed):
            entries.append(entry)
            done += 1
            if done % 200 == 0 or done == len(listed):
                progress("files", done, len(listed))
    return entries


def _put(target: Target, name: str, relative: str, source: Path, cipher: BackupCipher | None, scratch: Path,
         *, keep_source: bool = False) -> FileEntry:
    """Hash ``source`` and hand it (encrypted when there is a key) to the target as ``relative``."""
    digest = hashlib.sha256()
    size = 0
    staged = _temp_file(scratch, "stage-")
    with source.open("rb") as plain, staged.open("wb") as out:
        reader = _HashingReader(plain, digest)
        if cipher:
            cipher.encrypt(reader, out, label=f"{name}/{relative}")
        else:
            shutil.copyfileobj(reader, out, COPY_CHUNK)
        size = reader.size
    if not keep_source:
        source.unlink()
    target.put_file(name, relative, staged)
    return FileEntry(path=relative, sha256=digest.hexdigest(), size=size)


class _HashingReader:
    def __init__(self, stream: BinaryIO, digest: hashlib._Hash) -> None:
        self.stream, self.digest, self.size = stream, digest, 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _record_created(report: Report) -> None:
    """The event behind the ``backup older than 26 h`` alert; a backup stays good if it cannot be recorded."""
    from paperclerk.core import events
    from paperclerk.core.db import session_scope

    try:
        with session_scope() as session:
            events.record(session, "backup.created", organization_id=None, subject_type="backup",
                          subject_id=report.header.name[:36],
                          payload={"location": report.location, "seconds": round(report.seconds, 2),
                                   "rows": report.header.rows, "files": report.header.blobs,
                                   "bytes": report.header.blob_bytes, "encrypted": report.header.encrypted})
    except Exception:
        log.warning("the backup is written but could not be recorded in the database", exc_info=True)


# --- list -------------------------------------------------------------------------------------------------------


def list_backups(settings: Settings, location: str) -> list[Listed]:
    target = open_target(location, settings)
    listed: list[Listed] = []
    for name in target.names():
        header = None
        if target.has_header(name):
            try:
                header = Header.from_json(target.read_bytes(name, HEADER))
            except (ValueError, KeyError, TypeError):
                header = None
        listed.append(Listed(name=name, location=target.location(name), header=header))
    return listed


# --- verify -----------------------------------------------------------------------------------------------------


@dataclass
class _Opened:
    target: Target
    name: str
    header: Header
    manifest: Manifest
    cipher: BackupCipher | None


def _open(settings: Settings, path: str) -> _Opened:
    parent, name = split_location(path)
    target = open_target(parent, settings)
    if not target.has_header(name):
        if name in target.names():
            raise BackupCorrupt(f"{path} is incomplete: it has no {HEADER} (it was interrupted or is being "
                                "written).", code="BACKUP_INCOMPLETE")
        raise BackupTargetError(f"There is no backup at {path}.", code="BACKUP_NOT_FOUND", http_status=404)
    try:
        header = Header.from_json(target.read_bytes(name, HEADER))
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupCorrupt(f"The header of {path} is damaged: {exc}") from exc
    cipher = None
    if header.encrypted:
        key = settings.backup_encryption_key.get_secret_value()
        if not key:
            raise BackupKeyRequired("This backup is encrypted: set PAPERCLERK_BACKUP_ENCRYPTION_KEY (or _FILE) to "
                                    "the key it was written with.")
        cipher = BackupCipher(key, KdfParams.from_dict(header.kdf or {}))
    stored = target.read_bytes(name, header.manifest_path)
    if sha256_hex(stored) != header.manifest_sha256:
        raise BackupCorrupt("The manifest does not match the hash in the header: the backup was changed.",
                            details={"file": header.manifest_path})
    try:
        plain = cipher.open(stored, label=name) if cipher else stored
        manifest = Manifest.from_json(plain)
    except DecryptionFailed as exc:
        raise BackupCorrupt(f"The manifest does not decrypt: {exc}. Is this the key the backup was written with?",
                            details={"file": header.manifest_path}) from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupCorrupt(f"The manifest is damaged: {exc}", details={"file": header.manifest_path}) from exc
    return _Opened(target, name, header, manifest, cipher)


def _fetch(opened: _Opened, entry: FileEntry, scratch: Path, keep: bool) -> tuple[Path | None, str | None]:
    """Read one file of the backup (decrypting it) and check it against the manifest: (plain copy, problem)."""
    stored = _temp_file(scratch, "fetch-")
    plain_path = _temp_file(scratch, "plain-") if keep else None
    try:
        opened.target.download(opened.name, entry.path, stored)
        digest = hashlib.sha256()
        sink = _HashingWriter(digest, plain_path.open("wb") if plain_path else None)
        try:
            with stored.open("rb") as source:
                if opened.cipher:
                    opened.cipher.decrypt(source, sink, label=f"{opened.name}/{entry.path}")
                else:
                    shutil.copyfileobj(source, sink, COPY_CHUNK)
        finally:
            sink.close()
        if digest.hexdigest() != entry.sha256 or sink.size != entry.size:
            problem = f"{entry.path}: content does not match the manifest (changed or damaged)"
        else:
            problem = None
    except DecryptionFailed as exc:
        problem = f"{entry.path}: {exc}"
    except PaperclerkError as exc:
        problem = f"{entry.path}: {exc.message}"
    finally:
        stored.unlink(missing_ok=True)
    if problem and plain_path:
        plain_path.unlink(missing_ok=True)
        plain_path = None
    return plain_path, problem


class _HashingWriter:
    def __init__(self, digest: hashlib._Hash, out: IO[bytes] | None) -> None:
        self.digest, self.out, self.size = digest, out, 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        if self.out is not None:
            self.out.write(data)
        return len(data)

    def close(self) -> None:
        if self.out is not None:
            self.out.close()


def verify(settings: Settings, path: str, *, progress: Progress = _quiet) -> Report:
    """Read every file of the backup and check it against the manifest; raises BACKUP_CORRUPT naming the damage."""
    started = time.perf_counter()
    opened = _open(settings, path)
    problems: list[str] = []
    with _scratch(settings) as scratch:
        dump, problem = _fetch(opened, opened.manifest.database, scratch, keep=True)
        if problem:
            problems.append(problem)
        elif dump is not None:
            try:
                database.check_dump(opened.manifest.dialect, dump)
            except PaperclerkError as exc:
                problems.append(f"{opened.manifest.database.path}: {exc.message}")
        total = len(opened.manifest.blobs)
        with ThreadPoolExecutor(PARALLEL_FILES, thread_name_prefix="verify") as pool:
            for done, (_, problem) in enumerate(pool.map(
                    lambda entry: _fetch(opened, entry, scratch, keep=False), opened.manifest.blobs), start=1):
                if problem:
                    problems.append(problem)
                if done % 200 == 0 or done == total:
                    progress("files", done, total)
        problems.extend(_unnamed_blob_problems(opened))
    if problems:
        raise BackupCorrupt(f"The backup at {path} is damaged: {len(problems)} problem(s), first: {problems[0]}",
                            details={"problems": problems[:100], "count": len(problems)})
    return Report(location=opened.target.location(opened.name), header=opened.header, files_checked=total + 1,
                  seconds=time.perf_counter() - started, tables=opened.manifest.tables)


def _unnamed_blob_problems(opened: _Opened) -> list[str]:
    """An unencrypted blob is named by its hash: a manifest entry whose name and hash disagree was edited."""
    if opened.cipher:
        return []
    return [f"{entry.path}: its name and its recorded hash disagree" for entry in opened.manifest.blobs
            if entry.path.rsplit("/", 1)[-1] != entry.sha256]


# --- restore ----------------------------------------------------------------------------------------------------


def occupied(settings: Settings) -> dict[str, int]:
    """Rows per non-empty table of the configured instance. Stored files alone do not count: without rows naming
    them they are orphans, and a restore writes the same bytes under the same names (as a refused one may have)."""
    return {table: rows for table, rows in _counts_or_empty(settings).items() if rows}


def _counts_or_empty(settings: Settings) -> dict[str, int]:
    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        return database.current_counts(settings)
    except (OperationalError, ProgrammingError):  # no database yet: nothing in it
        return {}


def restore(settings: Settings, path: str, *, force: bool = False, progress: Progress = _quiet) -> Report:
    """Bring the backup back into the configured instance, which must be empty unless ``force``.

    Every file is checked against the manifest before anything is changed in the database; files go first (they
    are harmless until rows name them), then the database, then pending migrations.
    """
    from paperclerk.core.schema import upgrade

    started = time.perf_counter()
    opened = _open(settings, path)
    if not force:
        content = occupied(settings)
        if content:
            raise InstanceNotEmpty("The instance is not empty: restoring would replace its data. Restore into an "
                                   "empty instance, or pass --force to replace it.", details={"holds": content})
    store = make_store(settings)
    with _scratch(settings) as scratch:
        dump, problem = _fetch(opened, opened.manifest.database, scratch, keep=True)
        if problem or dump is None:
            raise BackupCorrupt(f"The backup at {path} is damaged: {problem}", details={"problems": [problem]})
        database.check_dump(opened.manifest.dialect, dump)

        def put(entry: FileEntry) -> str | None:
            plain, problem = _fetch(opened, entry, scratch, keep=True)
            if plain is None:
                return problem
            try:
                store.put(entry.sha256, plain)
            finally:
                plain.unlink(missing_ok=True)
            return None

        problems: list[str] = []
        total = len(opened.manifest.blobs)
        with ThreadPoolExecutor(PARALLEL_FILES, thread_name_prefix="restore") as pool:
            for done, problem in enumerate(pool.map(put, opened.manifest.blobs), start=1):
                if problem:
                    problems.append(problem)
                if done % 200 == 0 or done == total:
                    progress("files", done, total)
        if problems:
            raise BackupCorrupt(f"The backup at {path} is damaged ({len(problems)} file(s)); the database was not "
                                f"touched. First: {problems[0]}", details={"problems": problems[:100]})
        progress("database", 0, 1)
        database.restore(settings, opened.manifest.dialect, dump)
    restored = database.current_counts(settings)
    if restored != opened.manifest.tables:
        raise BackupCorrupt("The restored database does not hold the rows the manifest lists.",
                            code="BACKUP_RESTORE_MISMATCH",
                            details={"expected": opened.manifest.tables, "restored": restored})
    upgrade()
    progress("database", 1, 1)
    return Report(location=opened.target.location(opened.name), header=opened.header, files_checked=total + 1,
                  seconds=time.perf_counter() - started, tables=restored)


# --- prune ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pruned:
    kept: list[Listed]
    deleted: list[Listed]


def prune(settings: Settings, location: str, *, dry_run: bool = False, now: datetime | None = None) -> Pruned:
    """Delete the backups the retention policy does not keep, and incomplete ones older than a day."""
    listed = list_backups(settings, location)
    complete = [item for item in listed if item.header is not None]
    policy = retention.Policy(daily=settings.backup_keep_daily, weekly=settings.backup_keep_weekly,
                              monthly=settings.backup_keep_monthly)
    keep = retention.keep([item.header.created_at for item in complete if item.header], policy)
    kept = [item for index, item in enumerate(complete) if index in keep]
    deleted = [item for index, item in enumerate(complete) if index not in keep]
    moment = now or datetime.now(UTC)
    for item in listed:
        if item.header is None:
            (deleted if _started_at(item.name) < moment - INCOMPLETE_GRACE else kept).append(item)
    if not dry_run:
        target = open_target(location, settings)
        for item in deleted:
            target.delete(item.name)
    return Pruned(kept=kept, deleted=deleted)


def _started_at(name: str) -> datetime:
    try:
        return datetime.strptime(name.split("-")[1], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except (IndexError, ValueError):
        return datetime.max.replace(tzinfo=UTC)  # not ours to judge: keep


def _temp_file(scratch: Path, prefix: str) -> Path:
    descriptor, name = tempfile.mkstemp(dir=scratch, prefix=prefix)
    os.close(descriptor)  # only the name is wanted; an open descriptor per file would run out over 10,000 files
    return Path(name)


@contextmanager
def _scratch(settings: Settings) -> Iterator[Path]:
    base = settings.data_dir / "tmp"
    base.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="backup-", dir=base))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
