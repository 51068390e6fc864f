"""An S3-compatible server on loopback for tests: moto's standalone server in a subprocess."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

#: moto accepts any credentials; boto3 only needs some to sign requests.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                     "AWS_DEFAULT_REGION": "us-east-1"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, *, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {timeout} s")


class MotoServer:
    """``moto_server`` on 127.0.0.1 and a free port; :meth:`stop` makes the endpoint refuse connections."""

    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> MotoServer:
        script = Path(sys.executable).with_name("moto_server")
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen([str(script), "-H", "127.0.0.1", "-p", str(self.port)],
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                            env={**os.environ, **DUMMY_CREDENTIALS})
        try:
            wait_for_port(self.port, timeout=30, process=self.process)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def client(self):  # type: ignore[no-untyped-def]
        import boto3

        return boto3.session.Session(**{key.lower(): value for key, value in DUMMY_CREDENTIALS.items()
                                        if key != "AWS_DEFAULT_REGION"}).client(
            "s3", endpoint_url=self.url, region_name="us-east-1")

    def new_bucket(self) -> str:
        name = f"paperclerk-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name
