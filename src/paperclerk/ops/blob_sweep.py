"""Blobs nothing refers to, and scratch files nobody will finish.

A file is stored before its document row commits (so that no lock is held while bytes are copied); a process
killed in between leaves a blob (local or S3) that no document names, and a killed upload leaves its spool file.
At start each server and worker removes the scratch files of processes that are gone, and every
``blob_sweep_interval_seconds`` deletes the blobs that no document names and that were last stored more than
``blob_orphan_grace_seconds`` ago (storing the same bytes again renews a blob, so an upload in progress keeps its
blob; the window left is the few milliseconds between the sweep's reference check and its delete).
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import select

from paperclerk.config import Settings
from paperclerk.core.db import session_scope
from paperclerk.core.storage import clean_scratch, get_store
from paperclerk.documents.models import Document

log = logging.getLogger(__name__)
BATCH = 500


def sweep_orphan_blobs(settings: Settings) -> int:
    """Delete unreferenced blobs older than the grace period; returns how many."""
    store = get_store()
    candidates = list(store.stored_before(time.time() - settings.blob_orphan_grace_seconds))
    removed = 0
    for start in range(0, len(candidates), BATCH):
        batch = candidates[start:start + BATCH]
        with session_scope(readonly=True) as session:
            referenced = set(session.scalars(select(Document.sha256).where(Document.sha256.in_(batch))))
        for sha256 in batch:
            if sha256 not in referenced:
                store.delete(sha256)
                removed += 1
    if removed:
        log.info("deleted blobs no document refers to", extra={"count": removed})
    return removed


def start_housekeeping(settings: Settings) -> threading.Thread:
    """Clean this machine's dead scratch files now, then sweep orphan blobs now and periodically."""
    removed = clean_scratch(settings.data_dir / "tmp")
    if removed:
        log.info("removed scratch files of processes that are gone", extra={"count": removed})

    def loop() -> None:
        while True:
            try:
                sweep_orphan_blobs(settings)
            except Exception:
                log.warning("orphan blob sweep failed", exc_info=True)
            threading.Event().wait(settings.blob_sweep_interval_seconds)

    thread = threading.Thread(target=loop, name="blob-sweeper", daemon=True)
    thread.start()
    return thread
