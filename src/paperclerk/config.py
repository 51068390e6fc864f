"""The one settings object: every knob has a default that works offline (env prefix PAPERCLERK_)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from paperclerk.ops.secret_files import SecretFilesSource

#: A comma-separated list in the environment.
Csv = Annotated[list[str], NoDecode]
PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAPERCLERK_", env_file=None, extra="ignore")

    #: ``production`` refuses to start without a real secret key; anything else is a development setup.
    env: str = "development"
    #: The SQLite file, local blobs and scratch space live here.
    data_dir: Path = Path("./data")
    #: SQLAlchemy URL; empty means a SQLite file under data_dir.
    database_url: str = ""
    #: Celery broker (redis://…); empty means in-process workers fed from the database.
    broker_url: str = ""
    #: ``s3://bucket[/prefix]``; empty means a content-addressed directory under data_dir.
    storage_url: str = ""
    #: S3-compatible endpoint (MinIO, say); empty means AWS.
    s3_endpoint_url: str = ""
    #: Region of the S3 bucket.
    s3_region: str = "us-east-1"

    #: Address ``paperclerk serve`` listens on (0.0.0.0 in a container).
    host: str = "127.0.0.1"
    #: Port ``paperclerk serve`` listens on.
    port: int = 8000
    #: DEBUG, INFO, WARNING or ERROR.
    log_level: str = "INFO"
    #: Logs as JSON lines (true) or plain text (false).
    log_json: bool = True

    #: Request body limit; larger uploads get 413 before being read (the TLS proxy allows a little more).
    max_upload_mb: int = Field(default=50, ge=1)
    #: Worker threads inside ``paperclerk serve`` for quick jobs.
    workers: int = Field(default=2, ge=0)
    #: Worker threads inside ``paperclerk serve`` for OCR jobs.
    ocr_workers: int = Field(default=1, ge=0)
    #: A running job renews its lease; a job whose lease ran out belongs to a dead worker.
    job_lease_seconds: float = Field(default=30.0, gt=0)
    #: Attempts, with exponential back-off, for transient failures.
    job_max_attempts: int = Field(default=3, ge=1)
    #: The first retry waits this long; each further one twice as long.
    job_retry_base_seconds: float = Field(default=5.0, ge=0)
    #: Per-job time limit (Celery).
    job_time_limit_seconds: int = Field(default=300, ge=1)
    #: Redis visibility timeout for unacknowledged Celery messages (redelivery after a crash).
    broker_visibility_timeout: int = Field(default=3600, ge=1)

    #: How long a SQLite writer waits for the write lock.
    sqlite_busy_timeout_ms: int = 10_000

    # Limits on untrusted content.
    #: Documents with more pages fail FILE_TOO_COMPLEX.
    max_pages: int = Field(default=2000, ge=1)
    #: Images with more pixels fail FILE_TOO_COMPLEX (decompression bombs).
    max_image_pixels: int = Field(default=100_000_000, ge=1)
    #: Archives (DOCX, e-mail attachments) that unpack to more than this many times their size fail.
    max_archive_ratio: int = Field(default=200, ge=1)
    #: Archives that unpack to more than this fail.
    max_unpacked_mb: int = Field(default=500, ge=1)
    #: Resolution scans are rendered at for OCR.
    ocr_dpi: int = Field(default=200, ge=72, le=600)
    #: auto: tesseract when its language models are installed (scripts/ensure-ocr.sh; faster and more accurate as
    #: measured), else RapidOCR (pip-only, the models are inside the wheel).
    ocr_engine: Literal["auto", "rapidocr", "tesseract"] = "auto"
    #: Files are read in child processes that are killed past these limits (the document fails FILE_TOO_COMPLEX)
    #: or when they crash (PARSER_CRASHED); false reads them in-process.
    parse_in_subprocess: bool = True
    #: Time limit of one file's reading process.
    parse_time_limit_seconds: float = Field(default=120.0, gt=0)
    #: Memory limit of one file's reading process; it leaves room for the OCR model (~1 GB at peak).
    parse_memory_limit_mb: int = Field(default=2048, ge=64)
    #: Modules imported where files are read, before the first one: extractor plugins register themselves there.
    parse_extractor_modules: Csv = Field(default_factory=list)
    #: Product lines beyond the built-in ones: their ``plugin`` modules (see ``paperclerk.plugins``).
    extra_lines: Csv = Field(default_factory=list)

    # Identity and hardening. The signing key: PAPERCLERK_SECRET_KEY_FILE (a Docker/Kubernetes secret) wins
    # over PAPERCLERK_SECRET_KEY; see paperclerk.auth.settings.
    #: Signs tokens, sessions and CSRF tokens; empty means one generated into the data dir (not in production).
    secret_key: SecretStr = SecretStr("")
    #: A file holding the secret key (a Docker or Kubernetes secret); wins over PAPERCLERK_SECRET_KEY.
    secret_key_file: Path | None = None
    #: Lifetime of an access token from the login API.
    access_token_minutes: int = Field(default=60, ge=1)
    #: Lifetime of a refresh token (it rotates on every use).
    refresh_token_days: int = Field(default=7, ge=1)
    #: Lifetime of a web session.
    session_hours: int = Field(default=12, ge=1)
    #: Failed logins before an account is locked.
    lockout_attempts: int = Field(default=5, ge=1)
    #: How long a locked account (or source IP) stays locked.
    lockout_minutes: int = Field(default=15, ge=1)
    #: Failed logins before a source IP is locked; empty means the same as PAPERCLERK_LOCKOUT_ATTEMPTS.
    ip_lockout_attempts: int | None = Field(default=None, ge=1)
    #: Requests per window per client IP, all requests.
    rate_limit_per_minute: int = Field(default=100, ge=1)
    #: Logins per window per client IP.
    login_rate_limit_per_minute: int = Field(default=10, ge=1)
    #: Uploads per window per client IP.
    upload_rate_limit_per_minute: int = Field(default=30, ge=1)
    #: The rate limits' window.
    rate_limit_window_seconds: float = Field(default=60.0, gt=0)
    #: false turns the rate limits off.
    rate_limit_enabled: bool = True
    #: Shared rate-limit counters; empty means the broker when it is Redis, else in-process counters.
    redis_url: str = ""
    #: Origins allowed to call the API from a browser; empty means CORS is closed.
    cors_origins: Csv = Field(default_factory=list)
    #: Proxies (addresses or networks) whose X-Forwarded-For / X-Forwarded-Proto are believed.
    trusted_proxies: Csv = Field(default_factory=list)
    #: Argon2 password hashing: iterations.
    password_time_cost: int = Field(default=3, ge=1)
    #: Argon2 password hashing: memory per hash.
    password_memory_kib: int = Field(default=65536, ge=8)
    #: Argon2 password hashing: lanes.
    password_parallelism: int = Field(default=4, ge=1)

    # Operations.
    #: ``paperclerk serve`` applies pending migrations before it starts; turn off where a migration job runs them
    #: before a rollout (Kubernetes), so that old and new pods never race to migrate.
    migrate_on_start: bool = True
    #: Where ``paperclerk backup create`` writes without ``--to``: a directory or ``s3://bucket[/prefix]``; empty
    #: means ``<data dir>/backups``.
    backup_target: str = ""
    #: Encrypts backups (AES-256-GCM; the key is derived from this passphrase with scrypt); empty means backups are
    #: written unencrypted. Keep it outside the backups: without it they cannot be restored.
    backup_encryption_key: SecretStr = SecretStr("")
    #: ``paperclerk backup prune`` keeps the newest backup of each of the last N days that have one.
    backup_keep_daily: int = Field(default=30, ge=0)
    #: … and of each of the last N weeks that have one.
    backup_keep_weekly: int = Field(default=0, ge=0)
    #: … and of each of the last N months that have one.
    backup_keep_monthly: int = Field(default=0, ge=0)
    #: S3-compatible endpoint of an ``s3://`` backup target; empty means ``PAPERCLERK_S3_ENDPOINT_URL``.
    backup_s3_endpoint_url: str = ""
    #: PEM certificates whose expiry ``/metrics`` reports (the TLS proxy's), comma-separated.
    tls_certificate_files: Csv = Field(default_factory=list)
    #: Sentry DSN: unexpected errors are reported there when set (needs the ``observability`` extra).
    sentry_dsn: SecretStr = SecretStr("")

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        # PAPERCLERK_<NAME>_FILE (a mounted secret) wins over PAPERCLERK_<NAME>.
        return (init_settings, SecretFilesSource(settings_cls, "PAPERCLERK_"), env_settings, dotenv_settings,
                file_secret_settings)

    @field_validator("cors_origins", "trusted_proxies", "parse_extractor_modules", "extra_lines",
                     "tls_certificate_files", mode="before")
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

    @property
    def trusted_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [ipaddress.ip_network(item, strict=False) for item in self.trusted_proxies]

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'paperclerk.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024


@lru_cache
def get_settings() -> Settings:
    return Settings()
