"""Files are read in child processes: same results as in-process, and a hanging, ballooning or crashing file
costs only its child while the next file is read as usual."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from paperclerk import samples
from paperclerk.config import Settings
from paperclerk.core.errors import ExtractionError
from paperclerk.extraction import sandbox
from paperclerk.extraction.base import TEXT, Extraction, Limits, NeedsOCR
from paperclerk.extraction.extract import extract
from paperclerk.extraction.sandbox import Sandbox
from paperclerk.extraction.sniff import detect_media_type
from tests.conftest import Env, activate
from tests.helpers import api_client, upload_and_wait

#: An extractor plugin only the child imports: a text file starting with one of these words misbehaves that way.
PLUGIN = "paperclerk_test_hostile_plugin"
PLUGIN_SOURCE = '''
import ctypes
import os
import time

from paperclerk.extraction import text
from paperclerk.extraction.base import TEXT
from paperclerk.extraction.registry import register


class Unsendable(Exception):
    def __init__(self, message, extra):
        super().__init__(message)
        self.extra = extra


@register(TEXT)
def hostile_text(path, *, allow_ocr, limits):
    head = path.read_bytes()[:16]
    if head.startswith(b"HANG"):
        while True:
            pass
    if head.startswith(b"BALLOON"):
        hoard = []
        for _ in range(256):  # 4 GB at most, should the limit fail
            hoard.append(b"x" * (16 << 20))
        time.sleep(60)
    if head.startswith(b"CRASH"):
        ctypes.string_at(0)
    if head.startswith(b"EXIT"):
        os._exit(3)
    if head.startswith(b"ODD"):
        raise Unsendable("odd failure", extra=1)
    extraction = text.extract_text(path, allow_ocr=allow_ocr, limits=limits)
    extraction.metadata["pid"] = os.getpid()
    return extraction
'''
TIME_LIMIT = 2.0
LIMITS = Limits()


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    directory = tmp_path_factory.mktemp("plugin")
    (directory / f"{PLUGIN}.py").write_text(textwrap.dedent(PLUGIN_SOURCE))
    sys.path.insert(0, str(directory))  # children copy the parent's sys.path when they start
    yield directory
    sys.path.remove(str(directory))


@pytest.fixture(scope="module")
def box(plugin_dir: Path) -> Iterator[Sandbox]:
    sandbox = Sandbox((PLUGIN,))
    yield sandbox
    sandbox.close()


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    def write_file(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write_file


def read(box: Sandbox, path: Path, *, allow_ocr: bool = False, media_type: str | None = None,
         time_limit: float = TIME_LIMIT, memory_limit_mb: int = 2048) -> Extraction:
    return box.extract(path, media_type or detect_media_type(path), allow_ocr=allow_ocr, limits=LIMITS,
                       time_limit=time_limit, memory_limit_mb=memory_limit_mb)


def gone(pid: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:  # no such process (any more)
            return True
        if state in {"Z", "X"}:
            return True
        time.sleep(0.05)
    return False


def still_reads(box: Sandbox, write) -> int:  # type: ignore[no-untyped-def]
    """The sandbox reads a normal file; returns the pid of the child that read it."""
    extraction = read(box, write("fine.txt", b"PID a normal letter"))
    assert extraction.text == "PID a normal letter"
    return int(extraction.metadata["pid"])


@pytest.mark.parametrize(("name", "data", "allow_ocr"), [
    ("two.pdf", samples.text_pdf(["Invoice 2024-17\nTotal 1,234.50 EUR", "Page two\nThank you"]), False),
    ("note.txt", samples.plain_text("Grüße aus Köln\fzweite Seite", encoding="cp1252"), False),
    ("letter.docx", samples.docx(["Dear Sir", "Your order"], table=[["Item", "Price"], ["Tea", "4.20"]]), False),
    ("page.html", samples.html("Receipt", ["Paid in full", "Thanks"]), False),
    ("mail.eml", samples.email("Invoice", "See attached.", [("a.txt", b"attached text")]), False),
    ("scan.png", samples.scan_image("Invoice 42 total 99.00"), True),
])
def test_sandbox_reads_like_in_process(write, name: str, data: bytes, allow_ocr: bool) -> None:
    path = write(name, data)
    media_type = detect_media_type(path)
    expected = extract(path, media_type, allow_ocr=allow_ocr, limits=LIMITS)
    plain = Sandbox()
    try:
        got = read(plain, path, allow_ocr=allow_ocr, time_limit=60)  # loading the OCR model takes seconds
    finally:
        plain.close()
    assert got == expected  # pages (text, method, sizes, segments, confidence), attachments, metadata
    assert got.text.strip()


def test_needs_ocr_crosses_to_the_caller(box: Sandbox, write) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NeedsOCR):
        read(box, write("scan.pdf", samples.scanned_pdf(["A scanned page"])))


@pytest.mark.parametrize("data", [samples.encrypted_pdf(), samples.truncated_pdf(), samples.image_bomb()],
                         ids=["encrypted", "truncated", "bomb"])
def test_extraction_errors_keep_code_message_and_details(box: Sandbox, write, data: bytes) -> None:  # type: ignore[no-untyped-def]
    path = write("bad", data)
    with pytest.raises(ExtractionError) as expected:
        extract(path, detect_media_type(path), allow_ocr=True, limits=LIMITS)
    with pytest.raises(ExtractionError) as got:
        read(box, path, allow_ocr=True)
    assert (got.value.code, got.value.message, got.value.details, got.value.http_status) == (
        expected.value.code, expected.value.message, expected.value.details, expected.value.http_status)


def test_error_that_cannot_cross_arrives_named(box: Sandbox, write) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError, match=f"{PLUGIN}.Unsendable: odd failure"):
        read(box, write("odd.txt", b"ODD file"))
    still_reads(box, write)


def test_hang_is_stopped_at_the_time_limit(box: Sandbox, write) -> None:  # type: ignore[no-untyped-def]
    before = still_reads(box, write)
    started = time.monotonic()
    with pytest.raises(ExtractionError) as error:
        read(box, write("hang.txt", b"HANG forever"))
    assert time.monotonic() - started < TIME_LIMIT + 2
    assert error.value.code == "FILE_TOO_COMPLEX"
    assert "took longer than 2 s" in error.value.message
    assert error.value.details == {"time_limit_seconds": TIME_LIMIT}
    assert gone(before)
    assert still_reads(box, write) != before


def test_memory_balloon_is_stopped_at_the_memory_limit(plugin_dir: Path, write) -> None:  # type: ignore[no-untyped-def]
    fresh = Sandbox((PLUGIN,))
    try:
        with pytest.raises(ExtractionError) as error:
            read(fresh, write("balloon.txt", b"BALLOON"), memory_limit_mb=400)
        assert error.value.code == "FILE_TOO_COMPLEX"
        assert "needed more than 400 MB" in error.value.message
        assert error.value.details == {"memory_limit_mb": 400}
        still_reads(fresh, write)
    finally:
        fresh.close()


def test_segfault_is_reported_and_the_next_file_is_read(box: Sandbox, write) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ExtractionError) as error:
        read(box, write("crash.txt", b"CRASH"))
    assert error.value.code == "PARSER_CRASHED"
    assert error.value.details == {"signal": "SIGSEGV"}
    still_reads(box, write)


def test_parser_that_exits_is_reported(box: Sandbox, write) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ExtractionError) as error:
        read(box, write("exit.txt", b"EXIT"))
    assert error.value.code == "PARSER_CRASHED"
    assert error.value.details == {"exit_code": 3}
    still_reads(box, write)


def test_child_killed_while_idle_is_replaced(box: Sandbox, write) -> None:  # type: ignore[no-untyped-def]
    pid = still_reads(box, write)
    os.kill(pid, signal.SIGKILL)
    assert gone(pid)
    assert still_reads(box, write) != pid


def test_child_exits_with_the_thread_that_used_it(plugin_dir: Path, write) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(parse_extractor_modules=[PLUGIN])
    path = write("fine.txt", b"PID in a thread")
    pids: list[int] = []
    worker = threading.Thread(target=lambda: pids.append(
        sandbox.extract(path, TEXT, allow_ocr=False, limits=LIMITS, settings=settings).metadata["pid"]))
    worker.start()
    worker.join()
    assert pids and pids[0] != os.getpid()
    assert gone(pids[0])


def test_child_dies_with_a_killed_parent_even_mid_file(plugin_dir: Path, write) -> None:  # type: ignore[no-untyped-def]
    hang = write("hang.txt", b"HANG")
    script = f"""
import sys, threading, time
sys.path.insert(0, {str(plugin_dir)!r})
from paperclerk.extraction.base import TEXT, Limits
from paperclerk.extraction.sandbox import Sandbox
box = Sandbox(({PLUGIN!r},))
threading.Thread(target=box.extract, args=({str(hang)!r}, TEXT), daemon=True,
                 kwargs=dict(allow_ocr=False, limits=Limits(), time_limit=60, memory_limit_mb=2048)).start()
while box.pid is None:
    time.sleep(0.01)
print(box.pid, flush=True)
time.sleep(60)
"""
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())  # type: ignore[union-attr]
        time.sleep(0.3)  # the child is now spinning in the extractor
        assert not gone(child, timeout=0)
    finally:
        parent.kill()
        parent.wait()
        parent.stdout.close()  # type: ignore[union-attr]
    assert gone(child)


@pytest.mark.timeout(90)
def test_hostile_uploads_fail_with_their_code_and_the_worker_goes_on(env: Env, plugin_dir: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    activate(monkeypatch, env, PAPERCLERK_PARSE_TIME_LIMIT_SECONDS=str(TIME_LIMIT),
             PAPERCLERK_PARSE_EXTRACTOR_MODULES=PLUGIN)
    with api_client() as client:
        hang, crash = upload_and_wait(client, ("hang.txt", b"HANG"), ("crash.txt", b"CRASH"), timeout=30)
        assert (hang["status"], hang["error"]["code"]) == ("failed", "FILE_TOO_COMPLEX")
        assert "took longer than 2 s" in hang["error"]["message"]
        assert (crash["status"], crash["error"]["code"]) == ("failed", "PARSER_CRASHED")
        assert "SIGSEGV" in crash["error"]["message"]
        assert [entry["stage"] for entry in crash["history"] if entry["outcome"] == "failed"] == ["extract"]

        [after] = upload_and_wait(client, ("after.txt", b"PID read after the crash"), timeout=30)
        assert after["status"] in {"processed", "needs_review"}, after
        assert after["pages"][0]["text"] == "PID read after the crash"
        child = after["file_metadata"]["pid"]
        assert child != os.getpid()  # the product path reads files in a child process
    assert gone(child)  # stopping the workers stopped their children
