"""The one settings object: every knob has a default that works offline (env prefix PAPERCLERK_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAPERCLERK_", env_file=None, extra="ignore")

    env: str = "development"
    data_dir: Path = Path("./data")
    #: SQLAlchemy URL; empty means a SQLite file under data_dir.
    database_url: str = ""
    #: Celery broker (redis://…); empty means in-process workers fed from the database.
    broker_url: str = ""
    #: ``s3://bucket[/prefix]``; empty means a content-addressed directory under data_dir.
    storage_url: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"

    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    log_json: bool = True

    max_upload_mb: int = Field(default=50, ge=1)
    #: Worker threads inside ``paperclerk serve`` (quick jobs / OCR jobs).
    workers: int = Field(default=2, ge=0)
    ocr_workers: int = Field(default=1, ge=0)
    #: A running job renews its lease; a job whose lease ran out belongs to a dead worker.
    job_lease_seconds: float = Field(default=30.0, gt=0)
    job_max_attempts: int = Field(default=3, ge=1)
    job_retry_base_seconds: float = Field(default=5.0, ge=0)
    job_time_limit_seconds: int = Field(default=300, ge=1)
    #: Redis visibility timeout for unacknowledged Celery messages (redelivery after a crash).
    broker_visibility_timeout: int = Field(default=3600, ge=1)

    sqlite_busy_timeout_ms: int = 10_000

    # Limits on untrusted content.
    max_pages: int = Field(default=2000, ge=1)
    max_image_pixels: int = Field(default=100_000_000, ge=1)
    max_archive_ratio: int = Field(default=200, ge=1)
    max_unpacked_mb: int = Field(default=500, ge=1)
    ocr_dpi: int = Field(default=200, ge=72, le=600)

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
