"""How far a document's processing has got, shown live: ``documents.progress`` while it runs.

The extractor, in its sandbox process, writes "pages done, pages in all" to a scratch file as it reads
(``extraction.base.report_pages``); a thread of the worker copies changes into the document row every
``INTERVAL`` seconds, in small transactions of its own, and the final transaction clears it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import update

from paperclerk.core.db import session_scope
from paperclerk.documents.models import Document, DocumentStatus

INTERVAL = 0.5


def save(document_id: str, progress: dict[str, Any]) -> None:
    """Record progress on a document that is still processing (never on one that reached its final state)."""
    with session_scope() as session:
        session.execute(update(Document).where(Document.id == document_id,
                                               Document.status == DocumentStatus.PROCESSING)
                        .values(progress=progress))


def read(path: Path) -> tuple[int, int] | None:
    try:
        done, total = path.read_text().split()
        return int(done), int(total)
    except (OSError, ValueError):
        return None


@contextmanager
def pages_read(document_id: str, path: Path) -> Iterator[None]:
    """While the body runs, copy the page count written to ``path`` into the document's progress."""
    stop = threading.Event()

    def watch() -> None:
        shown = None
        while not stop.wait(INTERVAL):
            pages = read(path)
            if pages is not None and pages != shown:
                with contextlib.suppress(Exception):  # progress is a courtesy: never fail the job over it
                    save(document_id, {"stage": "extract", "page": pages[0], "pages": pages[1]})
                shown = pages

    watcher = threading.Thread(target=watch, name="progress", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()
        path.unlink(missing_ok=True)
