"""Content-addressed blob storage: a local directory (embedded) or an S3-compatible bucket.

Blobs are named by their sha256, so storing the same bytes twice is a no-op and a stored blob
never changes.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlparse

from paperclerk.config import Settings, get_settings
from paperclerk.core import processes
from paperclerk.core.errors import TransientError

CHUNK = 1024 * 1024
#: Folders paperclerk creates for documents and their data: the owner only (files inside are 0600).
PRIVATE_DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents readable by the owner only; existing folders keep their mode."""
    missing: list[Path] = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:  # another process made it first
            continue
        folder.chmod(PRIVATE_DIR_MODE)  # whatever the umask
    return path


#: What scratch files (uploads being received, blobs fetched from S3) are called: the kind, then the pid space and
#: the pid of the process writing them, so that a killed process's files are known for orphans.
_SCRATCH_NAME = re.compile(r"^(upload|blob)-(?P<namespace>[0-9a-f]+)-(?P<pid>\d+)-")


def scratch_prefix(kind: str) -> str:
    return f"{kind}-{processes.PID_NAMESPACE}-{os.getpid()}-"


def clean_scratch(directory: Path) -> int:
    """Remove the scratch files of processes that are gone (a server or worker killed mid-upload)."""
    removed = 0
    for path in directory.glob("*-*-*-*") if directory.is_dir() else ():
        match = _SCRATCH_NAME.match(path.name)
        if match and processes.gone(int(match["pid"]), namespace=match["namespace"]):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = private_dir(root)

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, sha256: str, source: Path) -> None:
        target = self._path(sha256)
        if target.exists():
            os.utime(target)  # in use again: not an orphan for the sweep's grace period
            return
        private_dir(target.parent)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
            with source.open("rb") as src:
                shutil.copyfileobj(src, tmp, CHUNK)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp.name, target)

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).exists()

    def open(self, sha256: str) -> BinaryIO:
        return self._path(sha256).open("rb")

    @contextmanager
    def local_path(self, sha256: str) -> Iterator[Path]:
        yield self._path(sha256)

    def iter_blobs(self) -> Iterator[tuple[str, int]]:
        """Every stored blob as (sha256, size), in no particular order (backups walk the whole store)."""
        for path in self.root.glob("??/??/*"):
            if _is_blob_name(path.name) and path.is_file():
                yield path.name, path.stat().st_size

    def stored_before(self, cutoff: float) -> Iterator[str]:
        """Blobs last stored (or stored again) before ``cutoff`` (Unix time)."""
        for path in self.root.glob("??/??/*"):
            if _is_blob_name(path.name) and path.stat().st_mtime < cutoff:
                yield path.name

    def delete(self, sha256: str) -> None:
        self._path(sha256).unlink(missing_ok=True)

    def check(self) -> None:
        """Prove the store takes writes; each call its own probe file, so concurrent checks never collide."""
        with tempfile.NamedTemporaryFile(dir=self.root, prefix=".ready-"):
            pass


class S3BlobStore:
    def __init__(self, bucket: str, prefix: str, *, endpoint_url: str | None, region: str,
                 scratch: Path) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.scratch = scratch
        # A session of its own: boto3's shared default session is not safe to create clients from
        # in several threads at once (request threads and worker threads may build the store together).
        self.client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url or None, region_name=region,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=60),
        )

    def _key(self, sha256: str) -> str:
        return f"{self.prefix}blobs/{sha256[:2]}/{sha256}"

    def put(self, sha256: str, source: Path) -> None:
        if self.exists(sha256):
            with _transient("store the file"):  # in use again: copying it onto itself renews its LastModified
                self.client.copy_object(Bucket=self.bucket, Key=self._key(sha256), MetadataDirective="REPLACE",
                                        CopySource={"Bucket": self.bucket, "Key": self._key(sha256)})
            return
        with _transient("store the file"):
            self.client.upload_file(str(source), self.bucket, self._key(sha256))

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            with _transient("look up the file"):
                self.client.head_object(Bucket=self.bucket, Key=self._key(sha256))
        except TransientError as exc:
            cause = exc.__cause__
            if isinstance(cause, ClientError) and cause.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                return False
            raise
        return True

    def open(self, sha256: str) -> BinaryIO:
        with _transient("read the file"):
            return self.client.get_object(Bucket=self.bucket, Key=self._key(sha256))["Body"]  # type: ignore[no-any-return]

    @contextmanager
    def local_path(self, sha256: str) -> Iterator[Path]:
        private_dir(self.scratch)
        fd, name = tempfile.mkstemp(dir=self.scratch, prefix=scratch_prefix("blob"))
        os.close(fd)
        try:
            with _transient("read the file"):
                self.client.download_file(self.bucket, self._key(sha256), name)
            yield Path(name)
        finally:
            os.unlink(name)

    def iter_blobs(self) -> Iterator[tuple[str, int]]:
        """Every stored blob as (sha256, size), listed page by page."""
        with _transient("list the files"):
            for page in self.client.get_paginator("list_objects_v2").paginate(
                    Bucket=self.bucket, Prefix=f"{self.prefix}blobs/"):
                for item in page.get("Contents", []):
                    name = item["Key"].rsplit("/", 1)[-1]
                    if _is_blob_name(name):
                        yield name, int(item["Size"])

    def stored_before(self, cutoff: float) -> Iterator[str]:
        """Blobs last stored (or stored again) before ``cutoff`` (Unix time)."""
        with _transient("list the files"):
            for page in self.client.get_paginator("list_objects_v2").paginate(
                    Bucket=self.bucket, Prefix=f"{self.prefix}blobs/"):
                for item in page.get("Contents", []):
                    name = item["Key"].rsplit("/", 1)[-1]
                    if _is_blob_name(name) and item["LastModified"].timestamp() < cutoff:
                        yield name

    def delete(self, sha256: str) -> None:
        with _transient("delete the file"):
            self.client.delete_object(Bucket=self.bucket, Key=self._key(sha256))

    def check(self) -> None:
        with _transient("reach the bucket"):
            self.client.head_bucket(Bucket=self.bucket)


def _is_blob_name(name: str) -> bool:
    return len(name) == 64 and all(char in "0123456789abcdef" for char in name)


@contextmanager
def _transient(action: str) -> Iterator[None]:
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError, Boto3Error) as exc:  # upload_file wraps errors in S3UploadFailedError
        raise TransientError(f"Storage could not {action}: {exc}", code="STORAGE_UNAVAILABLE") from exc


def make_store(settings: Settings) -> LocalBlobStore | S3BlobStore:
    if not settings.storage_url:
        return LocalBlobStore(settings.data_dir / "blobs")
    parsed = urlparse(settings.storage_url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ValueError(f"PAPERCLERK_STORAGE_URL must look like s3://bucket[/prefix], got {settings.storage_url!r}")
    return S3BlobStore(parsed.netloc, parsed.path, endpoint_url=settings.s3_endpoint_url or None,
                       region=settings.s3_region, scratch=settings.data_dir / "tmp")


@lru_cache
def get_store() -> LocalBlobStore | S3BlobStore:
    return make_store(get_settings())
