"""The signing key of tokens, session cookies and CSRF tokens (its settings live in ``paperclerk.config``).

The signing key comes from ``PAPERCLERK_SECRET_KEY_FILE`` (a Docker/Kubernetes secret), else
``PAPERCLERK_SECRET_KEY``. Outside production a missing key is generated once and kept in
``<data_dir>/secret_key`` (mode 0600) so that sessions survive restarts; in production
:func:`check_production_secrets` refuses to start without a real one.
"""

from __future__ import annotations

import math
import os
import secrets
from collections import Counter
from functools import lru_cache
from pathlib import Path

from paperclerk.auth.errors import InsecureConfiguration
from paperclerk.config import Settings, get_settings
from paperclerk.core.storage import private_dir

#: Values that appear in examples and tutorials: never a production key.
DEFAULT_SECRETS = frozenset({
    "", "secret", "changeme", "change-me", "change_me", "changeit", "development", "dev", "test", "insecure",
    "paperclerk", "secret-key", "secret_key", "your-secret-key", "please-change-me", "default",
})
MIN_SECRET_LENGTH = 32
#: What a production key must carry by :func:`estimated_bits` (32 random hex digits measure ~120).
MIN_SECRET_BITS = 80


def estimated_bits(secret: str) -> float:
    """A cautious estimate of a key's randomness: the Shannon entropy of its characters, counted over one
    repetition of a repeating key only (``"password" * 4`` carries no more than ``"password"``)."""
    unit = next(secret[:period] for period in range(1, len(secret) + 1)
                if secret == (secret[:period] * (len(secret) // period + 1))[:len(secret)])
    counts = Counter(unit)
    return -sum(count * math.log2(count / len(unit)) for count in counts.values())


def configured_secret(settings: Settings) -> str:
    """The key from the file or the variable, without generating one ('' when none is set)."""
    if settings.secret_key_file is not None:
        try:
            return settings.secret_key_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise InsecureConfiguration(
                f"PAPERCLERK_SECRET_KEY_FILE={settings.secret_key_file} cannot be read: {exc.strerror or exc}.",
                code="SECRET_KEY_FILE_UNREADABLE") from exc
    return settings.secret_key.get_secret_value().strip()


def check_production_secrets(settings: Settings) -> None:
    """Refuse a production start with a missing, default, short or low-entropy secret key (no key shown)."""
    if not settings.is_production:
        return
    secret = configured_secret(settings)
    source = (f"the file PAPERCLERK_SECRET_KEY_FILE={settings.secret_key_file}" if settings.secret_key_file
              else "PAPERCLERK_SECRET_KEY")
    if not secret:
        problem = "is not set"
    elif secret.lower() in DEFAULT_SECRETS:
        problem = "is a well-known default value"
    elif len(secret) < MIN_SECRET_LENGTH:
        problem = f"is shorter than {MIN_SECRET_LENGTH} characters"
    elif estimated_bits(secret) < MIN_SECRET_BITS:
        problem = "is not random enough (a repeated letter, word or pattern)"
    else:
        return
    raise InsecureConfiguration(
        f"PAPERCLERK_ENV=production but the secret key from {source} {problem}. Set PAPERCLERK_SECRET_KEY or "
        f"PAPERCLERK_SECRET_KEY_FILE to at least {MIN_SECRET_LENGTH} random characters, for example the output "
        "of `python -c 'import secrets; print(secrets.token_urlsafe(48))'`.",
        code="SECRET_KEY_MISSING", details={"problem": problem})


def _development_secret(data_dir: Path) -> str:
    path = data_dir / "secret_key"
    try:
        existing = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing
    private_dir(data_dir)
    key = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


@lru_cache
def signing_key() -> str:
    """The HS256 key for tokens, session cookies and CSRF tokens (checked for production first)."""
    settings = get_settings()
    check_production_secrets(settings)
    configured = configured_secret(settings)
    if configured:
        return configured
    try:
        return _development_secret(settings.data_dir)
    except FileExistsError:  # another process wrote it between our read and our create
        return _development_secret(settings.data_dir)


def reset() -> None:
    """Forget cached settings and key (tests, and the core's ``db.reset()`` callers)."""
    get_settings.cache_clear()
    signing_key.cache_clear()
