"""Where backups live: a local directory or an S3 bucket (prefix), with one interface for both.

A backup is a folder (or key prefix) named ``paperclerk-<UTC time>-<random>``; its ``backup.json`` is written last,
so a backup without one is incomplete (interrupted) and is never listed as restorable.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import urlparse

from paperclerk.config import Settings
from paperclerk.core.errors import PaperclerkError

HEADER = "backup.json"
NAME_PREFIX = "paperclerk-"


class BackupTargetError(PaperclerkError):
    code = "BACKUP_TARGET_UNAVAILABLE"
    http_status = 503


class Target(Protocol):
    def location(self, name: str) -> str: ...
    def put_file(self, name: str, relative: str, source: Path) -> None: ...
    def put_bytes(self, name: str, relative: str, data: bytes) -> None: ...
    def read_bytes(self, name: str, relative: str) -> bytes: ...
    def download(self, name: str, relative: str, destination: Path) -> None: ...
    def size(self, name: str, relative: str) -> int | None: ...
    def names(self) -> list[str]: ...
    def has_header(self, name: str) -> bool: ...
    def delete(self, name: str) -> None: ...


class DirectoryTarget:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, name: str, relative: str) -> Path:
        return self.root / name / relative

    def location(self, name: str) -> str:
        return str((self.root / name).resolve())

    def put_file(self, name: str, relative: str, source: Path) -> None:
        target = self._path(name, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(source, target)

    def put_bytes(self, name: str, relative: str, data: bytes) -> None:
        target = self._path(name, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        with partial.open("wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(partial, target)

    def read_bytes(self, name: str, relative: str) -> bytes:
        try:
            return self._path(name, relative).read_bytes()
        except FileNotFoundError as exc:
            raise MissingFile(relative) from exc

    def download(self, name: str, relative: str, destination: Path) -> None:
        try:
            shutil.copyfile(self._path(name, relative), destination)
        except FileNotFoundError as exc:
            raise MissingFile(relative) from exc

    def size(self, name: str, relative: str) -> int | None:
        path = self._path(name, relative)
        return path.stat().st_size if path.is_file() else None

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(path.name for path in self.root.iterdir() if path.is_dir() and path.name.startswith(NAME_PREFIX))

    def has_header(self, name: str) -> bool:
        return self._path(name, HEADER).is_file()

    def delete(self, name: str) -> None:
        shutil.rmtree(self.root / name, ignore_errors=True)


class S3Target:
    def __init__(self, bucket: str, prefix: str, *, endpoint_url: str | None, region: str) -> None:
        import boto3

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = boto3.session.Session().client("s3", endpoint_url=endpoint_url or None, region_name=region)

    def _key(self, name: str, relative: str) -> str:
        return f"{self.prefix}{name}/{relative}"

    def location(self, name: str) -> str:
        return f"s3://{self.bucket}/{self.prefix}{name}"

    def put_file(self, name: str, relative: str, source: Path) -> None:
        with _s3_errors("write the backup"):
            self.client.upload_file(str(source), self.bucket, self._key(name, relative))
        source.unlink()

    def put_bytes(self, name: str, relative: str, data: bytes) -> None:
        with _s3_errors("write the backup"):
            self.client.put_object(Bucket=self.bucket, Key=self._key(name, relative), Body=data)

    def read_bytes(self, name: str, relative: str) -> bytes:
        with _s3_errors("read the backup", missing=relative):
            body: BinaryIO = self.client.get_object(Bucket=self.bucket, Key=self._key(name, relative))["Body"]
            return body.read()

    def download(self, name: str, relative: str, destination: Path) -> None:
        with _s3_errors("read the backup", missing=relative):
            self.client.download_file(self.bucket, self._key(name, relative), str(destination))

    def size(self, name: str, relative: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=self._key(name, relative))["ContentLength"])
        except ClientError:
            return None

    def names(self) -> list[str]:
        found: set[str] = set()
        with _s3_errors("list the backups"):
            for page in self.client.get_paginator("list_objects_v2").paginate(
                    Bucket=self.bucket, Prefix=f"{self.prefix}{NAME_PREFIX}", Delimiter="/"):
                for common in page.get("CommonPrefixes", []):
                    found.add(common["Prefix"][len(self.prefix):].rstrip("/"))
        return sorted(found)

    def has_header(self, name: str) -> bool:
        return self.size(name, HEADER) is not None

    def delete(self, name: str) -> None:
        with _s3_errors("delete the backup"):
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self._key(name, "")):
                keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
                if keys:
                    self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})


class MissingFile(PaperclerkError):
    code = "BACKUP_INCOMPLETE"
    http_status = 422

    def __init__(self, relative: str) -> None:
        super().__init__(f"The backup has no {relative}.", details={"file": relative})


@contextmanager
def _s3_errors(action: str, *, missing: str | None = None) -> Iterator[None]:
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        if missing and exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
            raise MissingFile(missing) from exc
        raise BackupTargetError(f"Could not {action}: {exc}") from exc
    except (BotoCoreError, Boto3Error) as exc:
        raise BackupTargetError(f"Could not {action}: {exc}") from exc


def open_target(location: str, settings: Settings) -> Target:
    """The target named by a directory path or an ``s3://bucket[/prefix]`` URL."""
    if location.startswith("s3://"):
        parsed = urlparse(location)
        if not parsed.netloc:
            raise BackupTargetError(f"{location!r} names no bucket: use s3://bucket[/prefix].",
                                    code="BACKUP_TARGET_INVALID", http_status=400)
        return S3Target(parsed.netloc, parsed.path, region=settings.s3_region,
                        endpoint_url=settings.backup_s3_endpoint_url or settings.s3_endpoint_url or None)
    return DirectoryTarget(Path(location).expanduser())


def default_location(settings: Settings) -> str:
    return settings.backup_target or str(settings.data_dir / "backups")


def split_location(path: str) -> tuple[str, str]:
    """A backup's own location → (its target's location, its name)."""
    trimmed = path.rstrip("/")
    parent, _, name = trimmed.rpartition("/")
    if not name.startswith(NAME_PREFIX):
        raise BackupTargetError(f"{path!r} is not a backup (its last part should start with {NAME_PREFIX!r}).",
                                code="BACKUP_NOT_FOUND", http_status=404)
    return (parent or "."), name
