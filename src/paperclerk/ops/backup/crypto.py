"""Backup encryption: AES-256-GCM over 1 MiB chunks, keys derived from ``PAPERCLERK_BACKUP_ENCRYPTION_KEY``.

The passphrase is stretched with scrypt (a fresh salt per backup); HKDF then gives one key per purpose. Each file
has a random nonce prefix; every chunk's nonce carries its index and its authenticated data the file's name and
whether it is the last chunk, so chunks cannot be swapped, reordered, dropped or moved to another file.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"PCBKENC1"
CHUNK = 1024 * 1024
_LENGTH = struct.Struct(">I")
#: scrypt cost: ~0.1 s and 16 MiB once per backup, so guessing passphrases offline is slow.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


class DecryptionFailed(Exception):
    """A file that does not decrypt: the wrong key, or bytes changed after the backup was written."""


@dataclass(frozen=True)
class KdfParams:
    salt: bytes
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P

    @classmethod
    def new(cls) -> KdfParams:
        return cls(salt=os.urandom(16))

    def to_dict(self) -> dict[str, object]:
        return {"name": "scrypt", "salt": self.salt.hex(), "n": self.n, "r": self.r, "p": self.p}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> KdfParams:
        if data.get("name") != "scrypt":
            raise ValueError(f"unknown key derivation {data.get('name')!r}")
        return cls(salt=bytes.fromhex(str(data["salt"])), n=int(str(data["n"])), r=int(str(data["r"])),
                   p=int(str(data["p"])))


class BackupCipher:
    """The keys of one backup, derived from the passphrase and the backup's salt."""

    def __init__(self, passphrase: str, params: KdfParams) -> None:
        master = Scrypt(salt=params.salt, length=32, n=params.n, r=params.r, p=params.p).derive(passphrase.encode())
        self._aead = AESGCM(_subkey(master, b"paperclerk backup files"))
        self._names = _subkey(master, b"paperclerk backup names")

    def blob_name(self, sha256: str) -> str:
        """The file name of a stored blob inside an encrypted backup: its hash would reveal which file it is."""
        return hmac.new(self._names, sha256.encode(), hashlib.sha256).hexdigest()

    def encrypt(self, source: Readable, target: Writable, *, label: str) -> None:
        prefix = os.urandom(8)
        target.write(MAGIC + prefix)
        index = 0
        chunk = source.read(CHUNK)
        while True:
            following = source.read(CHUNK) if chunk else b""
            last = not following
            sealed = self._aead.encrypt(_nonce(prefix, index), chunk, _aad(label, last))
            target.write(_LENGTH.pack(len(sealed)) + sealed)
            if last:
                return
            chunk, index = following, index + 1

    def decrypt(self, source: Readable, target: Writable, *, label: str) -> None:
        header = source.read(len(MAGIC) + 8)
        if len(header) != len(MAGIC) + 8 or not header.startswith(MAGIC):
            raise DecryptionFailed(f"{label} is not an encrypted backup file")
        prefix = header[len(MAGIC):]
        index = 0
        while True:
            length = source.read(_LENGTH.size)
            if len(length) != _LENGTH.size:
                raise DecryptionFailed(f"{label} is truncated")
            (size,) = _LENGTH.unpack(length)
            if size > CHUNK + 16:
                raise DecryptionFailed(f"{label} has a damaged chunk header")
            sealed = source.read(size)
            for last in (False, True):
                try:
                    target.write(self._aead.decrypt(_nonce(prefix, index), sealed, _aad(label, last)))
                    break
                except InvalidTag:
                    continue
            else:
                raise DecryptionFailed(f"{label} does not decrypt (wrong key, or changed after it was written)")
            if last:
                if source.read(1):
                    raise DecryptionFailed(f"{label} has bytes after its last chunk")
                return
            index += 1

    def seal(self, data: bytes, *, label: str) -> bytes:
        nonce = os.urandom(12)
        return MAGIC + nonce + self._aead.encrypt(nonce, data, label.encode())

    def open(self, sealed: bytes, *, label: str) -> bytes:
        if not sealed.startswith(MAGIC):
            raise DecryptionFailed(f"{label} is not sealed")
        nonce, body = sealed[len(MAGIC):len(MAGIC) + 12], sealed[len(MAGIC) + 12:]
        try:
            return self._aead.decrypt(nonce, body, label.encode())
        except InvalidTag as exc:
            raise DecryptionFailed(f"{label} does not decrypt (wrong key, or changed after it was written)") from exc


def _subkey(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def _aad(label: str, last: bool) -> bytes:
    return label.encode() + (b"\x01" if last else b"\x00")
