"""Extraction in long-lived child processes under a time and a memory limit, so that a hostile file that hangs,
balloons or crashes a C library costs only its child (one per calling thread, replaced after a kill).

Everything that parses or renders an uploaded file runs here: :func:`extract` (the pipeline's reading) and
:func:`run` for any other module-level function of a file (rendering page images, looking inside a PDF for an
attached e-invoice). Arguments and results cross the pipe pickled.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import os
import pickle
import signal
import sys
import threading
import time
import traceback
import weakref
from collections.abc import Callable, Sequence
from multiprocessing import forkserver
from multiprocessing.connection import Connection, Pipe, wait
from pathlib import Path
from typing import Any, TypeVar

from paperclerk.config import Settings
from paperclerk.core.errors import ExtractionError, PaperclerkError
from paperclerk.extraction.base import Extraction, Limits, NeedsOCR
from paperclerk.extraction.extract import extract as extract_in_process

#: How often the parent checks the child's resident memory while it works.
POLL_SECONDS = 0.05
_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
_PR_SET_PDEATHSIG = 1
_server_lock = threading.Lock()


Result = TypeVar("Result")


def extract(path: Path, media_type: str, *, allow_ocr: bool, limits: Limits, settings: Settings) -> Extraction:
    """``extraction.extract.extract`` in this thread's sandbox child (in-process when ``parse_in_subprocess`` is off).

    Raises what the extractor raised (``ExtractionError``, ``NeedsOCR`` …), or ``ExtractionError``
    FILE_TOO_COMPLEX when the child ran out of time or memory and PARSER_CRASHED when it died.
    """
    return run(extract_in_process, Path(path).absolute(), media_type, settings=settings, allow_ocr=allow_ocr,
               limits=limits)


def run(function: Callable[..., Result], *args: Any, settings: Settings, **kwargs: Any) -> Result:
    """``function(*args, **kwargs)`` in this thread's sandbox child, under the parse time and memory limits
    (in-process when ``parse_in_subprocess`` is off). ``function`` is a module-level function (it crosses the
    pipe by name); its errors cross as in :func:`extract`."""
    modules = tuple(settings.parse_extractor_modules)
    if not settings.parse_in_subprocess:
        _import(modules)
        return function(*args, **kwargs)
    sandbox: Sandbox | None = getattr(_local, "sandbox", None)
    if sandbox is None or sandbox.modules != modules:
        if sandbox is not None:
            sandbox.close()
        sandbox = _local.sandbox = Sandbox(modules)
    return sandbox.call(function, *args, time_limit=settings.parse_time_limit_seconds,
                        memory_limit_mb=settings.parse_memory_limit_mb, **kwargs)


_local = threading.local()


def _forget_after_fork() -> None:
    # A forked process (a Celery pool process) must not talk to its parent's children.
    global _local
    _local = threading.local()


os.register_at_fork(after_in_child=_forget_after_fork)


class Sandbox:
    """One child process that extracts files on request; used by one thread at a time."""

    def __init__(self, modules: Sequence[str] = ()) -> None:
        #: Modules the child imports first (extractor plugins register themselves there).
        self.modules = tuple(modules)
        self._child: _Child | None = None
        self._finalizer: weakref.finalize | None = None

    @property
    def pid(self) -> int | None:
        """The current child's pid, while it runs."""
        return self._child.pid if self._child is not None and self._child.poll() is None else None

    def extract(self, path: Path, media_type: str, *, allow_ocr: bool, limits: Limits, time_limit: float,
                memory_limit_mb: int) -> Extraction:
        return self.call(extract_in_process, Path(path).absolute(), media_type, allow_ocr=allow_ocr, limits=limits,
                         time_limit=time_limit, memory_limit_mb=memory_limit_mb)

    def call(self, function: Callable[..., Result], *args: Any, time_limit: float, memory_limit_mb: int,
             **kwargs: Any) -> Result:
        """``function(*args, **kwargs)`` in the child: its result, or its error raised here."""
        child = self._running()
        try:
            child.connection.send((function, args, kwargs))
            ok, result = self._wait(child, time_limit, memory_limit_mb)
        except BaseException:
            # Whatever interrupted us (Celery's soft time limit included), the child may still be working on
            # this file and would answer the next request with this one's result.
            self.close()
            raise
        if ok:
            return result  # type: ignore[return-value]
        raise result  # type: ignore[misc]

    def _wait(self, child: _Child, time_limit: float, memory_limit_mb: int) -> tuple[bool, object]:
        deadline = time.monotonic() + time_limit
        while not child.connection.poll(min(POLL_SECONDS, max(deadline - time.monotonic(), 0))):
            if time.monotonic() >= deadline:
                self.close()
                raise ExtractionError(f"Reading the file took longer than {time_limit:g} s; it was stopped.",
                                      code="FILE_TOO_COMPLEX", details={"time_limit_seconds": time_limit})
            if _resident_mb(child.pid) > memory_limit_mb:
                self.close()
                raise ExtractionError(f"Reading the file needed more than {memory_limit_mb} MB of memory; "
                                      "it was stopped.", code="FILE_TOO_COMPLEX",
                                      details={"memory_limit_mb": memory_limit_mb})
        try:
            return pickle.loads(child.connection.recv_bytes())  # type: ignore[no-any-return]
        except (EOFError, OSError):
            code = child.wait(5)
            self.close()
            raise _crashed(code) from None

    def _running(self) -> _Child:
        if self._child is not None and self._child.poll() is not None:
            self.close()  # died while idle (the OOM killer, an operator): not this file's fault
        if self._child is None:
            self._child = _Child(self.modules)
            self._finalizer = weakref.finalize(self, self._child.stop)
        return self._child

    def close(self) -> None:
        """Stop the child (the next request starts a fresh one)."""
        if self._finalizer is not None:
            self._finalizer()
        self._child = self._finalizer = None


def _crashed(code: int | None) -> ExtractionError:
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        return ExtractionError(f"The parser crashed on this file ({name}).", code="PARSER_CRASHED",
                               details={"signal": name})
    return ExtractionError("The parser stopped on this file without an answer.", code="PARSER_CRASHED",
                           details={"exit_code": code})


class _Child:
    """A process forked from multiprocessing's fork server, which has imported every extractor once (a new child
    starts in milliseconds and does not re-run the caller's ``__main__``).

    Started without ``multiprocessing.Process``: that refuses children to Celery's (daemonic) pool processes and
    cannot pickle their billiard authentication key. This child's lifetime is managed here and in
    ``_die_with_parent``.
    """

    def __init__(self, modules: tuple[str, ...]) -> None:
        _start_server()
        self.connection, child_end = Pipe()
        try:
            self._sentinel, writer = forkserver.connect_to_new_process([child_end.fileno()])
        finally:
            child_end.close()
        with open(writer, "wb", closefd=True) as stream:
            # What multiprocessing.spawn in the forked child reads: preparation data, then an object to _bootstrap.
            pickle.dump({"sys_path": sys.path}, stream)
            pickle.dump(_Serve(modules, os.getpid()), stream)
        self.pid: int = forkserver.read_signed(self._sentinel)
        self.returncode: int | None = None

    def poll(self) -> int | None:
        return self.wait(0)

    def wait(self, timeout: float | None = None) -> int | None:
        """The exit code (negative: killed by that signal) once the child has ended, else None after ``timeout``."""
        if self.returncode is None and wait([self._sentinel], timeout):
            try:
                self.returncode = forkserver.read_signed(self._sentinel)  # the fork server reaped it
            except (OSError, EOFError):
                self.returncode = 255  # the fork server itself is gone
        return self.returncode

    def stop(self) -> None:
        self.connection.close()  # an idle child reads EOF and exits
        if self.wait(0.5) is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self.wait()
        os.close(self._sentinel)


def _start_server() -> None:
    with _server_lock:
        # Only the first call matters: the preload list is read when the fork server starts.
        forkserver.set_forkserver_preload([__name__])
        forkserver.ensure_running()


def _resident_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * _PAGE_BYTES / (1024 * 1024)
    except (OSError, IndexError, ValueError):
        return 0.0  # exited between two polls: the pipe says so next


def _import(modules: Sequence[str]) -> None:
    for module in modules:
        importlib.import_module(module)


class _Serve:
    """The child's program, sent pickled through the fork server."""

    def __init__(self, modules: tuple[str, ...], owner: int) -> None:
        self.modules = modules
        self.owner = owner

    def _bootstrap(self, parent_sentinel: int) -> int:  # the name multiprocessing.spawn calls
        os.close(parent_sentinel)
        [fd] = forkserver.get_inherited_fds()
        _die_with_parent(self.owner)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group; the parent decides
        _import(self.modules)
        _serve(Connection(fd))
        return 0


def _serve(connection: Connection) -> None:
    """One request (function, args, kwargs) in, one pickled (ok, result) out, until EOF."""
    while True:
        try:
            function, args, kwargs = connection.recv()
        except EOFError:
            return
        try:
            reply = pickle.dumps((True, function(*args, **kwargs)))
        except Exception as exc:
            reply = pickle.dumps((False, _portable(exc)))
        connection.send_bytes(reply)


def _portable(exc: Exception) -> Exception:
    """``exc`` if it survives pickling, else a plain error naming it; unexpected ones carry the child's traceback."""
    if not isinstance(exc, PaperclerkError | NeedsOCR):
        exc.add_note("In the extraction child process:\n" + "".join(traceback.format_exception(exc)).rstrip())
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}")


def _die_with_parent(owner: int) -> None:
    """Be killed by the kernel when the fork server exits, which it does once the process that started it died.

    A child stuck in C code could not notice its parent's death by itself. The fork server gives each child a copy
    of its "a client is alive" pipe, which would keep the server (and so this child) alive forever: close it.
    """
    alive = getattr(forkserver._forkserver, "_forkserver_alive_fd", None)
    if alive is not None:
        os.close(alive)
        forkserver._forkserver._forkserver_alive_fd = None
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    try:
        os.kill(owner, 0)
    except ProcessLookupError:  # gone before the kernel was told
        os._exit(0)
