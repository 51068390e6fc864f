"""What a backup holds, written beside it: ``backup.json`` (a plain header, written last) and the manifest of every
file with its SHA-256 and size (sealed with the backup key when the backup is encrypted)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

FORMAT = "paperclerk-backup/1"
MANIFEST = "manifest.json"
SEALED_MANIFEST = "manifest.json.enc"


@dataclass(frozen=True)
class FileEntry:
    """One file of the backup: where it is inside the backup and what its content (before encryption) hashes to."""

    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    dialect: str
    revisions: list[str]
    tables: dict[str, int]
    database: FileEntry
    blobs: list[FileEntry] = field(default_factory=list)

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        raw: dict[str, Any] = json.loads(data)
        return cls(dialect=raw["dialect"], revisions=list(raw["revisions"]), tables=dict(raw["tables"]),
                   database=FileEntry(**raw["database"]), blobs=[FileEntry(**blob) for blob in raw["blobs"]])


@dataclass(frozen=True)
class Header:
    """The plain part: enough to list, prune and open the backup."""

    name: str
    created_at: datetime
    paperclerk_version: str
    dialect: str
    encrypted: bool
    #: scrypt parameters (salt included) when encrypted.
    kdf: dict[str, Any] | None
    #: SHA-256 of the manifest file as stored (sealed or plain).
    manifest_sha256: str
    rows: int
    blobs: int
    blob_bytes: int
    format: str = FORMAT

    @property
    def manifest_path(self) -> str:
        return SEALED_MANIFEST if self.encrypted else MANIFEST

    def to_json(self) -> bytes:
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        return json.dumps(data, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Header:
        raw: dict[str, Any] = json.loads(data)
        if raw.get("format") != FORMAT:
            raise ValueError(f"unknown backup format {raw.get('format')!r}")
        raw["created_at"] = datetime.fromisoformat(raw["created_at"])
        return cls(**raw)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
