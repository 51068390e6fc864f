"""Where recordings wait for their retention to end: a blob store of their own (``<data dir>/feedback-voice`` or the
``feedback-voice/`` prefix of the S3 bucket), so that the core's orphan sweep, which knows only documents, never
sees them, and the retention job deletes them on time."""

from __future__ import annotations

from urllib.parse import urlparse

from paperclerk.config import get_settings
from paperclerk.core.storage import LocalBlobStore, S3BlobStore


def voice_store() -> LocalBlobStore | S3BlobStore:
    settings = get_settings()
    if not settings.storage_url:
        return LocalBlobStore(settings.data_dir / "feedback-voice")
    parsed = urlparse(settings.storage_url)
    return S3BlobStore(parsed.netloc, f"{parsed.path.strip('/')}/feedback-voice",
                       endpoint_url=settings.s3_endpoint_url or None, region=settings.s3_region,
                       scratch=settings.data_dir / "tmp")
