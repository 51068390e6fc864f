"""Periodic work: the one mechanism every worker process runs (embedded worker threads and Celery workers alike).

A chore is a plain function taking a session and returning how many rows it touched; it runs once when the
worker starts and then every ``every(settings)`` seconds, in its own transaction (work that must follow the commit,
such as sending to a broker, goes through ``core.db.after_commit``). Chores are idempotent, so several workers
running the same one only repeat harmless work. ``CHORES`` (the core's) and each product line's
(``ProductLine.chores``) run in every worker; Celery workers add the stale-job resend
(``core.celery_app.RESEND_STALE_JOBS``).
"""

from __future__ import annotations

import logging
import os
import threading
import time

from paperclerk.config import Settings
from paperclerk.core.db import session_scope
from paperclerk.core.lines import Chore

log = logging.getLogger(__name__)

#: Held while a chore runs and across every fork of this process, so that no process is forked mid-chore: a Celery
#: pool process that replaces a dead one is forked from the worker's main process, where the maintenance thread
#: runs, and would inherit the locks the chore held at that instant (a storage client's, a connection pool's) —
#: held forever in the child, which then hangs on its first job.
_chore_running = threading.RLock()


def _before_fork() -> None:
    _chore_running.acquire()


def _after_fork_in_parent() -> None:
    _chore_running.release()


def _after_fork_in_child() -> None:
    global _chore_running
    _chore_running = threading.RLock()


os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent, after_in_child=_after_fork_in_child)

#: How often, at most, the maintenance thread looks for a due chore (sooner when a chore is due more often).
TICK_SECONDS = 30.0


CHORES = (
    # Failed-login counters that neither lock nor count any more; without this the table grows forever.
    Chore("prune_login_attempts", "paperclerk.auth.service:prune_login_attempts",
          every=lambda settings: settings.lockout_minutes * 60),
    # Blobs stored by an upload whose process was killed before its document row committed.
    Chore("sweep_orphan_blobs", "paperclerk.ops.blob_sweep:sweep_orphan_blobs",
          every=lambda settings: settings.blob_sweep_interval_seconds),
)


def all_chores() -> tuple[Chore, ...]:
    """The core's chores, then every product line's (``ProductLine.chores``)."""
    from paperclerk.plugins import lines

    return (*CHORES, *(chore for line in lines() for chore in line.chores))


class Maintenance:
    """Runs the due chores on a daemon thread until stopped."""

    def __init__(self, settings: Settings, chores: tuple[Chore, ...] | None = None) -> None:
        self.settings = settings
        self.chores = all_chores() if chores is None else chores
        self._last_run: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_due(self) -> dict[str, int]:
        """Run every chore whose interval has passed (all of them the first time); returns their counts."""
        done: dict[str, int] = {}
        for chore in self.chores:
            last = self._last_run.get(chore.name)
            if last is not None and time.monotonic() - last < chore.every(self.settings):
                continue
            self._last_run[chore.name] = time.monotonic()
            try:
                with _chore_running, session_scope() as session:
                    done[chore.name] = chore.run(session)
            except Exception:
                log.warning("maintenance chore failed", extra={"chore": chore.name}, exc_info=True)
                continue
            if done[chore.name]:
                log.info("maintenance chore done", extra={"chore": chore.name, "count": done[chore.name]})
        return done

    def start(self) -> Maintenance:
        self._thread = threading.Thread(target=self._loop, name="maintenance", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        tick = min([TICK_SECONDS, *(chore.every(self.settings) for chore in self.chores)])
        while not self._stop.is_set():
            self.run_due()
            self._stop.wait(tick)
