"""Real ``paperclerk`` processes for tests: each in its own process group, logging to a file.

Every process started here is killed (its whole group) by :meth:`Processes.close`, which the
fixtures call even when a test fails; :meth:`Processes.logs` is printed on teardown so that a
failing test shows what the workers said.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PAPERCLERK = str(Path(sys.executable).with_name("paperclerk"))


@dataclass
class Proc:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill_group(self) -> None:
        """``kill -9`` the process and every child it forked (Celery's pool processes)."""
        if self.process.returncode is None:  # not reaped yet, so its pid/group id is still ours
            os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(10)


class Processes:
    def __init__(self, log_dir: Path, env: dict[str, str]) -> None:
        self.log_dir = log_dir
        self.env = env
        self.started: list[Proc] = []

    def start(self, name: str, *args: str) -> Proc:
        log_path = self.log_dir / f"{name}.log"
        with log_path.open("ab") as log:
            log.write(f"--- paperclerk {' '.join(args)}\n".encode())
            log.flush()
            process = subprocess.Popen([PAPERCLERK, *args], stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, env={**os.environ, **self.env},
                                       start_new_session=True)
        proc = Proc(name, process, log_path)
        self.started.append(proc)
        return proc

    def worker(self, name: str, *, queues: str = "default,ocr", concurrency: int = 2) -> Proc:
        return self.start(name, "worker", "--queues", queues, "--concurrency", str(concurrency))

    def close(self) -> None:
        """Kill every process group still running (tests need no graceful shutdown)."""
        for proc in self.started:
            if proc.process.returncode is None:  # not reaped yet, so its pid/group id is still ours
                proc.kill_group()

    def logs(self, tail_lines: int = 200) -> str:
        parts = []
        for proc in self.started:
            lines = proc.log_path.read_text(errors="replace").splitlines() if proc.log_path.exists() else []
            parts.append(f"===== {proc.name} (pid {proc.pid}, exit {proc.process.returncode}) {proc.log_path}\n"
                         + "\n".join(lines[-tail_lines:]))
        return "\n".join(parts)
