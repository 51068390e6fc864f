# ruff: noqa: RUF003
"""Shared pieces: result rows, synthetic text and PDFs, temp dirs and subprocesses that are always cleaned up."""

from __future__ import annotations

import atexit
import contextlib
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


# Result rows ----------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the results table.

    ``value`` and ``baseline`` are numbers in ``unit``. ``kind`` says how to read the ratio:
    ``floor`` (value / a baseline measured in this run), ``max`` (value / an upper-bound target),
    ``min`` (value / a lower-bound target) or ``info`` (no ratio).
    """

    section: str
    metric: str
    value: float | None
    unit: str = ""
    baseline: float | None = None
    baseline_label: str = ""
    kind: str = "info"
    note: str = ""
    #: For ``floor`` rows with a budget: the largest acceptable ratio (e.g. 3.0 for "≤ 3× the floor").
    ratio_max: float | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Row:
        return cls(**data)  # type: ignore[arg-type]


@dataclass
class SectionResult:
    rows: list[Row] = field(default_factory=list)
    extra: dict[str, object] = field(default_factory=dict)


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: list[float]) -> float:
    return statistics.median(values)


# Synthetic text -------------------------------------------------------------------------------------------

_COMMON = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "it",
    "as",
    "was",
    "with",
    "be",
    "by",
    "on",
    "not",
    "he",
    "this",
    "are",
    "or",
    "his",
    "from",
    "at",
    "which",
    "but",
    "have",
    "an",
    "they",
    "you",
    "were",
    "her",
    "she",
    "there",
    "been",
    "one",
    "all",
    "we",
    "their",
    "has",
    "would",
    "when",
    "if",
    "so",
    "no",
    "will",
    "more",
    "can",
    "who",
    "its",
    "only",
    "our",
    "other",
    "some",
    "these",
    "may",
    "than",
    "then",
    "into",
    "any",
    "also",
    "time",
    "after",
    "two",
    "first",
    "new",
    "made",
    "such",
    "should",
    "over",
    "under",
    "between",
    "each",
    "per",
    "within",
    "without",
    "upon",
    "before",
    "during",
    "about",
    "against",
]
_DOMAIN = [
    "invoice",
    "payment",
    "amount",
    "total",
    "due",
    "date",
    "customer",
    "supplier",
    "order",
    "delivery",
    "contract",
    "agreement",
    "party",
    "parties",
    "service",
    "services",
    "term",
    "termination",
    "notice",
    "liability",
    "court",
    "judgment",
    "plaintiff",
    "defendant",
    "claim",
    "damages",
    "account",
    "bank",
    "transfer",
    "tax",
    "vat",
    "subtotal",
    "receipt",
    "quantity",
    "price",
    "unit",
    "item",
    "goods",
    "shipment",
    "warehouse",
    "report",
    "review",
    "feedback",
    "complaint",
    "refund",
    "warranty",
    "insurance",
    "policy",
    "premium",
    "coverage",
    "employee",
    "salary",
    "office",
    "meeting",
    "minutes",
    "schedule",
    "project",
    "budget",
    "forecast",
    "revenue",
    "expense",
    "audit",
    "compliance",
    "regulation",
    "license",
    "property",
    "lease",
    "tenant",
    "landlord",
    "rent",
    "deposit",
    "maintenance",
    "repair",
    "inspection",
    "certificate",
    "approval",
    "signature",
    "confidential",
    "clause",
    "section",
    "article",
    "schedule",
    "annex",
    "exhibit",
    "appendix",
    "amendment",
    "renewal",
    "obligation",
    "breach",
    "remedy",
    "dispute",
    "arbitration",
    "jurisdiction",
    "governing",
    "law",
    "hereby",
    "whereas",
    "witness",
    "executed",
    "effective",
]
_NAMES = [
    "ACME",
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Wonka",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Bristol",
    "Leeds",
    "London",
    "Paris",
    "Berlin",
    "Madrid",
    "Rotterdam",
    "Lyon",
    "Hamburg",
    "Porto",
    "Gdansk",
    "Uppsala",
    "Helsinki",
    "Brno",
]
_SYLLABLES = [
    "ka",
    "ra",
    "lo",
    "mi",
    "ne",
    "ta",
    "vu",
    "sel",
    "dor",
    "fin",
    "gal",
    "hor",
    "ist",
    "jun",
    "kel",
    "lum",
    "mar",
    "nor",
    "pel",
    "quo",
    "ros",
    "sun",
    "tal",
    "ven",
    "wex",
    "yar",
    "zen",
    "bri",
    "cla",
    "dro",
    "fle",
    "gro",
    "pla",
    "sto",
    "tri",
]


def synthetic_words(count: int, rng: random.Random) -> list[str]:
    """``count`` distinct pronounceable made-up words (the vocabulary's long tail)."""
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


class TextMaker:
    """Varied English-like business prose with a Zipf-distributed vocabulary (common words are very common)."""

    def __init__(self, seed: int, tail_words: int = 20_000) -> None:
        self.rng = random.Random(seed)
        vocabulary = list(dict.fromkeys(_COMMON + _DOMAIN + [n.lower() for n in _NAMES]))
        vocabulary += [w for w in synthetic_words(tail_words, random.Random(seed + 1)) if w not in vocabulary]
        self.vocabulary = vocabulary
        weights = [1 / (rank + 1) ** 1.05 for rank in range(len(vocabulary))]
        total = 0.0
        self._cumulative = []
        for weight in weights:
            total += weight
            self._cumulative.append(total)

    def words(self, count: int) -> list[str]:
        return self.rng.choices(self.vocabulary, cum_weights=self._cumulative, k=count)

    def paragraph(self, words: int) -> str:
        out: list[str] = []
        chunk = self.words(words)
        position = 0
        while position < len(chunk):
            length = self.rng.randint(6, 18)
            sentence = chunk[position : position + length]
            position += length
            if self.rng.random() < 0.25:
                sentence.insert(self.rng.randrange(len(sentence) + 1), self._figure())
            out.append(sentence[0].capitalize() + " " + " ".join(sentence[1:]) + ".")
        return " ".join(out)

    def _figure(self) -> str:
        choice = self.rng.random()
        if choice < 0.4:
            return f"{self.rng.randint(1, 99_999)}.{self.rng.randint(0, 99):02d} EUR"
        if choice < 0.7:
            return f"{self.rng.randint(1, 28):02d}/{self.rng.randint(1, 12):02d}/20{self.rng.randint(10, 25)}"
        return self.rng.choice(_NAMES)

    def page(self, reference: str, chars: int) -> str:
        """About ``chars`` characters: a heading line, then paragraphs (fits one A4 page of the sample PDFs)."""
        genre = self.rng.choice(['Invoice', 'Agreement', 'Report', 'Letter', 'Notice', 'Minutes'])
        heading = f"{self.rng.choice(_NAMES)} {genre} {reference}"
        parts = [heading]
        size = len(heading)
        while size < chars:
            paragraph = self.paragraph(self.rng.randint(30, 80))
            parts.append(paragraph)
            size += len(paragraph) + 2
        return "\n\n".join(parts)[: chars + 200]


def make_pdf_corpus(
    directory: Path,
    count: int,
    *,
    seed: int,
    min_pages: int = 1,
    max_pages: int = 3,
    chars: tuple[int, int] = (1200, 2600),
    prefix: str = "doc",
) -> list[tuple[Path, int]]:
    """``count`` distinct text PDFs of ``min_pages``..``max_pages`` pages; returns (path, planned pages)."""
    from paperclerk import samples

    directory.mkdir(parents=True, exist_ok=True)
    maker = TextMaker(seed)
    out: list[tuple[Path, int]] = []
    for index in range(count):
        pages = maker.rng.randint(min_pages, max_pages)
        texts = [
            maker.page(f"{prefix.upper()}-{seed}-{index:05d}/{page + 1}", maker.rng.randint(*chars))
            for page in range(pages)
        ]
        path = directory / f"{prefix}-{index:05d}.pdf"
        path.write_bytes(samples.text_pdf(texts))
        out.append((path, pages))
    return out


def pdf_page_count(path: Path) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return len(document)
    finally:
        document.close()


# Temp dirs and subprocesses -------------------------------------------------------------------------------

_TEMP_DIRS: list[Path] = []
_PROCESSES: list[Proc] = []


def temp_dir(name: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=f"paperclerk-bench-{name}-"))
    _TEMP_DIRS.append(path)
    return path


def cleanup() -> None:
    for proc in list(_PROCESSES):
        with contextlib.suppress(Exception):
            proc.stop()
    for path in list(_TEMP_DIRS):
        shutil.rmtree(path, ignore_errors=True)
        _TEMP_DIRS.remove(path)


def install_cleanup() -> None:
    """Kill our subprocesses and remove temp dirs on normal exit, exceptions, Ctrl+C and SIGTERM."""
    atexit.register(cleanup)

    def on_signal(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)


def product_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """This environment without any PAPERCLERK_* setting, then a fresh embedded setup in ``data_dir``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PAPERCLERK_")}
    env.update(
        {
            "PAPERCLERK_DATA_DIR": str(data_dir),
            "PAPERCLERK_DATABASE_URL": "",
            "PAPERCLERK_BROKER_URL": "",
            "PAPERCLERK_STORAGE_URL": "",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def paperclerk_command() -> list[str]:
    script = Path(PYTHON).parent / "paperclerk"
    return [str(script)] if script.exists() else [PYTHON, "-m", "paperclerk.cli"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Proc:
    """A subprocess in its own process group, logged to a file, killed on exit; knows its peak RSS."""

    def __init__(self, command: list[str], *, env: dict[str, str], log: Path, cwd: Path = REPO) -> None:
        self.log = log
        self._log_file = log.open("wb")
        self.popen = subprocess.Popen(
            command,
            env=env,
            cwd=cwd,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.pid = self.popen.pid
        self.returncode: int | None = None
        self.max_rss_kb: int | None = None
        self._hwm_kb = 0
        _PROCESSES.append(self)

    def vm_hwm_kb(self) -> int:
        """Peak resident set so far (VmHWM), remembered across calls; 0 if the process is gone."""
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    self._hwm_kb = max(self._hwm_kb, int(line.split()[1]))
        except (OSError, ValueError):
            pass
        return self._hwm_kb

    def poll(self) -> int | None:
        if self.returncode is not None:
            return self.returncode
        try:
            pid, status, usage = os.wait4(self.pid, os.WNOHANG)
        except ChildProcessError:
            self.returncode = self.popen.poll() if self.popen.returncode is None else self.popen.returncode
            return self.returncode if self.returncode is not None else -1
        if pid == 0:
            return None
        self.returncode = os.waitstatus_to_exitcode(status)
        self.popen.returncode = self.returncode
        self.max_rss_kb = max(int(usage.ru_maxrss), self._hwm_kb)  # Linux: KiB
        self._finish()
        return self.returncode

    def wait(self, timeout: float) -> int | None:
        """Wait up to ``timeout`` seconds; None if still running (sampling VmHWM meanwhile)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.poll() is not None:
                return self.returncode
            self.vm_hwm_kb()
            time.sleep(0.05)
        return self.poll()

    def stop(self, grace: float = 15.0) -> None:
        if self.poll() is None:
            self.vm_hwm_kb()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGTERM)
            if self.wait(grace) is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)
                self.wait(5)
        else:  # the leader is gone; make sure nothing of its group survives
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
        self._finish()

    def _finish(self) -> None:
        with contextlib.suppress(Exception):
            self._log_file.close()
        if self in _PROCESSES:
            _PROCESSES.remove(self)

    def describe_exit(self) -> str:
        """'exit N', or 'CRASHED (SIGSEGV) in file:line function()' from faulthandler's dump in the log."""
        code = self.poll()
        if code is None:
            return "still running"
        if code >= 0:
            return f"exit {code}"
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        site = crash_site(self.log)
        return f"CRASHED ({name})" + (f" in {site}" if site else "")

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def crash_site(log: Path) -> str:
    """The innermost frame of the crashing thread from faulthandler's dump, e.g. 'pypdfium2/... get_page()'."""
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    for index, line in enumerate(lines):
        if line.startswith("Current thread") and index + 1 < len(lines):
            match = re.match(r'File "(.*)", line (\d+) in (\S+)', lines[index + 1].strip())
            if match:
                short = "/".join(match.group(1).split("/")[-3:])
                return f"{short}:{match.group(2)} {match.group(3)}()"
    return ""


def wait_http(url: str, proc: Proc, timeout: float = 90.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{proc.tail()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"server did not answer {url} within {timeout:.0f} s:\n{proc.tail()}")


#: One loopback client would hit the per-address rate limits (30 uploads/min): the limiter still runs, but
#: with limits that never bite, so the latency measured is the request path's.
SERVER_ENV = {
    "PYTHONFAULTHANDLER": "1",
    "PAPERCLERK_RATE_LIMIT_PER_MINUTE": "1000000",
    "PAPERCLERK_UPLOAD_RATE_LIMIT_PER_MINUTE": "1000000",
}


def start_server(data_dir: Path, log: Path, **extra_env: str) -> tuple[Proc, str]:
    """``paperclerk serve`` on a free loopback port with an embedded setup in ``data_dir``."""
    last_error: Exception | None = None
    for _ in range(3):  # a free port can be taken between probing and binding
        port = free_port()
        proc = Proc(
            [*paperclerk_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=product_env(data_dir, **{**SERVER_ENV, **extra_env}),
            log=log,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_http(f"{base}/health/live", proc)
            return proc, base
        except RuntimeError as exc:
            last_error = exc
            proc.stop()
    raise RuntimeError(f"could not start paperclerk serve: {last_error}")


def self_rss_kb() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in KiB."""
    rss = hwm = 0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
        elif line.startswith("VmHWM:"):
            hwm = int(line.split()[1])
    return rss, hwm


# Child processes of the benchmark runner ------------------------------------------------------------------


def run_child(name: str, *, quick: bool, data_dir: Path, timeout: float) -> SectionResult:
    """Run ``python -m benchmarks.run --child NAME`` with a fresh embedded setup in ``data_dir``."""
    import json

    data_dir.mkdir(parents=True, exist_ok=True)
    out = data_dir.parent / f"{name}-result.json"
    command = [PYTHON, "-m", "benchmarks.run", "--child", name, "--child-out", str(out)]
    if quick:
        command.append("--quick")
    proc = Proc(command, env=product_env(data_dir), log=data_dir.parent / f"{name}-child.log")
    code = proc.wait(timeout)
    if code is None:
        proc.stop()
        raise RuntimeError(f"child {name} did not finish within {timeout:.0f} s:\n{proc.tail()}")
    if code != 0 or not out.exists():
        raise RuntimeError(f"child {name} exited with {code}:\n{proc.tail(25)}")
    payload = json.loads(out.read_text())
    return SectionResult([Row.from_dict(row) for row in payload["rows"]], payload.get("extra", {}))


# Tenancy (organizations, API keys) when the product has it -----------------------------------------------


def has_tenancy() -> bool:
    import inspect

    from paperclerk.documents import service

    return "organization_id" in inspect.signature(service.receive).parameters


def bench_organization() -> str | None:
    """The id of a 'Benchmarks' organization in the configured database (created once); None before tenancy."""
    if not has_tenancy():
        return None
    from sqlalchemy import select

    from paperclerk.auth import service as auth
    from paperclerk.auth.models import Organization
    from paperclerk.core.db import session_scope

    with session_scope() as session:
        existing = session.scalar(select(Organization).where(Organization.slug == "bench"))
        if existing is not None:
            return str(existing.id)
        return str(auth.create_organization(session, "Benchmarks", slug="bench").id)


def bench_api_key(organization_id: str | None) -> str | None:
    """An admin API key of the benchmark organization (sent as X-API-Key); None before tenancy."""
    if organization_id is None:
        return None
    from paperclerk.auth import service as auth
    from paperclerk.core.db import session_scope

    with session_scope() as session:
        _, secret = auth.create_api_key(session, organization_id, "admin", "benchmarks")
    return secret


def org_kwargs(organization_id: str | None) -> dict[str, str]:
    return {"organization_id": organization_id} if organization_id is not None else {}


def auth_headers(api_key: str | None) -> dict[str, str]:
    return {"X-API-Key": api_key} if api_key else {}


def setup_auth() -> SectionResult:
    """Child: migrate the data dir and make an organization and API key for the HTTP benchmarks."""
    from paperclerk import plugins
    from paperclerk.core.schema import upgrade

    upgrade()
    plugins.load()
    organization_id = bench_organization()
    return SectionResult([], {"organization_id": organization_id, "api_key": bench_api_key(organization_id)})
