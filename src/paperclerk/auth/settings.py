"""Settings of identity and hardening (env prefix ``PAPERCLERK_``), beside the core ``Settings``.

The signing key comes from ``PAPERCLERK_SECRET_KEY_FILE`` (a Docker/Kubernetes secret), else
``PAPERCLERK_SECRET_KEY``. Outside production a missing key is generated once and kept in
``<data_dir>/secret_key`` (mode 0600) so that sessions survive restarts; in production
:func:`check_production_secrets` refuses to start without a real one.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from paperclerk.auth.errors import InsecureConfiguration

#: Values that appear in examples and tutorials: never a production key.
DEFAULT_SECRETS = frozenset({
    "", "secret", "changeme", "change-me", "change_me", "changeit", "development", "dev", "test", "insecure",
    "paperclerk", "secret-key", "secret_key", "your-secret-key", "please-change-me", "default",
})
MIN_SECRET_LENGTH = 32
PRODUCTION = "production"

Csv = Annotated[list[str], NoDecode]


class AuthSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAPERCLERK_", env_file=None, extra="ignore")

    env: str = "development"
    data_dir: Path = Path("./data")
    secret_key: SecretStr = SecretStr("")
    secret_key_file: Path | None = None

    access_token_minutes: int = Field(default=60, ge=1)
    refresh_token_days: int = Field(default=7, ge=1)
    #: Lifetime of a web session cookie.
    session_hours: int = Field(default=12, ge=1)

    #: Failed logins for one e-mail address (known or not) before it is locked for ``lockout_minutes``.
    lockout_attempts: int = Field(default=5, ge=1)
    lockout_minutes: int = Field(default=15, ge=1)
    #: Failed logins from one client address within ``lockout_minutes``; defaults to ``lockout_attempts``.
    ip_lockout_attempts: int | None = Field(default=None, ge=1)

    #: Requests per window and client address: everything, logins, uploads.
    rate_limit_per_minute: int = Field(default=100, ge=1)
    login_rate_limit_per_minute: int = Field(default=10, ge=1)
    upload_rate_limit_per_minute: int = Field(default=30, ge=1)
    #: The window the limits count over (60 = per minute; tests shrink it).
    rate_limit_window_seconds: float = Field(default=60.0, gt=0)
    rate_limit_enabled: bool = True
    #: Redis for shared rate-limit counters; empty means the broker when it is Redis, else in-process.
    redis_url: str = ""
    broker_url: str = ""

    #: Origins allowed to call the API from a browser; empty means no cross-origin access at all.
    cors_origins: Csv = Field(default_factory=list)
    #: Reverse proxies (addresses or networks) whose X-Forwarded-For / X-Forwarded-Proto are believed.
    trusted_proxies: Csv = Field(default_factory=list)

    #: argon2id cost; raising them makes old hashes rehash at the next successful login.
    password_time_cost: int = Field(default=3, ge=1)
    password_memory_kib: int = Field(default=65536, ge=8)
    password_parallelism: int = Field(default=4, ge=1)

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            ipaddress.ip_network(item, strict=False)  # raises ValueError with the bad entry
        return value

    @property
    def is_production(self) -> bool:
        return self.env.strip().lower() == PRODUCTION

    @property
    def resolved_redis_url(self) -> str:
        if self.redis_url:
            return self.redis_url
        if self.broker_url.startswith(("redis://", "rediss://")):
            return self.broker_url
        return ""

    @property
    def effective_ip_lockout_attempts(self) -> int:
        return self.ip_lockout_attempts or self.lockout_attempts

    def configured_secret(self) -> str:
        """The key from the file or the variable, without generating one ('' when none is set)."""
        if self.secret_key_file is not None:
            try:
                return self.secret_key_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise InsecureConfiguration(
                    f"PAPERCLERK_SECRET_KEY_FILE={self.secret_key_file} cannot be read: {exc.strerror or exc}.",
                    code="SECRET_KEY_FILE_UNREADABLE") from exc
        return self.secret_key.get_secret_value().strip()

    @property
    def trusted_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [ipaddress.ip_network(item, strict=False) for item in self.trusted_proxies]


def check_production_secrets(settings: AuthSettings) -> None:
    """Refuse a production start with a missing, default or short secret key (clear message, no key shown)."""
    if not settings.is_production:
        return
    secret = settings.configured_secret()
    source = (f"the file PAPERCLERK_SECRET_KEY_FILE={settings.secret_key_file}" if settings.secret_key_file
              else "PAPERCLERK_SECRET_KEY")
    if not secret:
        problem = "is not set"
    elif secret.lower() in DEFAULT_SECRETS:
        problem = "is a well-known default value"
    elif len(secret) < MIN_SECRET_LENGTH:
        problem = f"is shorter than {MIN_SECRET_LENGTH} characters"
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
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


@lru_cache
def get_auth_settings() -> AuthSettings:
    return AuthSettings()


@lru_cache
def signing_key() -> str:
    """The HS256 key for tokens, session cookies and CSRF tokens (checked for production first)."""
    settings = get_auth_settings()
    check_production_secrets(settings)
    configured = settings.configured_secret()
    if configured:
        return configured
    try:
        return _development_secret(settings.data_dir)
    except FileExistsError:  # another process wrote it between our read and our create
        return _development_secret(settings.data_dir)


def reset() -> None:
    """Forget cached settings and key (tests, and the core's ``db.reset()`` callers)."""
    get_auth_settings.cache_clear()
    signing_key.cache_clear()
