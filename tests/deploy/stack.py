"""Real processes on loopback for the deployment tests: `paperclerk serve` instances and Debian's nginx with the
committed TLS configuration in front of them, on free ports and in a temp dir; everything is stopped afterwards."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import IN_CI
from tests.s3_server import free_port, wait_for_port

REPO = Path(__file__).resolve().parents[2]
NGINX_CONF = REPO / "deploy" / "nginx" / "paperclerk.conf"
#: nginx talks to the instances from this address, the clients from others: so the tests see whose
#: X-Forwarded-For paperclerk believes.
PROXY_ADDRESS = "127.0.0.2"


def require_tool(name: str, installer: str) -> str:
    path = shutil.which(name) or next((candidate for candidate in (f"/usr/sbin/{name}", f"/usr/bin/{name}")
                                       if Path(candidate).exists()), None)
    if path:
        return path
    message = f"{name} is not installed ({installer} installs it as root)"
    if IN_CI:
        pytest.fail(f"CI must run this test: {message}", pytrace=False)
    pytest.skip(message)


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
    cert, private = directory / "tls.crt", directory / "tls.key"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return cert, private


class Instance:
    """One `paperclerk serve` process."""

    def __init__(self, variables: dict[str, str], log_path: Path) -> None:
        self.variables = variables
        self.port = free_port()
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Instance:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "paperclerk.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env={**os.environ, **self.variables}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        wait_for_port(self.port, timeout=timeout, process=self.process)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"instance on {self.port} not ready; see {self.log_path}")

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM, as an orchestrator stops a container: in-flight requests finish first."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            return self.process.wait(10)


class Nginx:
    """Debian's nginx running deploy/nginx/paperclerk.conf, with only addresses, ports and certificates changed."""

    def __init__(self, directory: Path, upstreams: list[int]) -> None:
        self.binary = require_tool("nginx", "scripts/ensure-ops-tools.sh")
        self.directory = directory
        self.https_port, self.http_port = free_port(), free_port()
        self.certificate, key = self_signed_certificate(directory)
        for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (directory / temp).mkdir(exist_ok=True)
        site = render_site(NGINX_CONF.read_text(), upstreams=upstreams, https_port=self.https_port,
                           http_port=self.http_port, certificate=self.certificate, key=key)
        (directory / "paperclerk.conf").write_text(site)
        user = "user root;\n" if os.geteuid() == 0 else ""
        (directory / "nginx.conf").write_text(f"""{user}daemon off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log info;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {directory}/access.log;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    proxy_bind {PROXY_ADDRESS};
    include {directory}/paperclerk.conf;
}}
""")
        self.process: subprocess.Popen[bytes] | None = None

    def check(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run([self.binary, "-t", "-c", str(self.directory / "nginx.conf")], capture_output=True,
                              text=True, check=False)

    def start(self) -> Nginx:
        checked = self.check()
        assert checked.returncode == 0, checked.stderr
        self.process = subprocess.Popen([self.binary, "-c", str(self.directory / "nginx.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_for_port(self.https_port, timeout=20, process=self.process)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)

    @property
    def url(self) -> str:
        return f"https://localhost:{self.https_port}"

    def client(self, source: str = "127.0.0.3", *, maximum: ssl.TLSVersion | None = None) -> httpx.Client:
        context = ssl.create_default_context(cafile=str(self.certificate))
        if maximum is not None:
            context.maximum_version = maximum
        transport = httpx.HTTPTransport(local_address=source, verify=context)
        return httpx.Client(base_url=self.url, transport=transport, timeout=60)


def render_site(text: str, *, upstreams: list[int], https_port: int, http_port: int, certificate: Path,
                key: Path) -> str:
    """The committed site configuration with loopback addresses, free ports and the test certificate."""
    server_line = re.search(r"^\s*server api:8000 (.*);$", text, flags=re.MULTILINE)
    assert server_line, "the upstream block names `api:8000`"
    servers = "\n".join(f"    server 127.0.0.1:{port} {server_line.group(1)};" for port in upstreams)
    replacements = [
        (server_line.group(0), servers),
        ("    listen 80;\n    listen [::]:80;", f"    listen 127.0.0.1:{http_port};"),
        ("    listen 443 ssl http2;\n    listen [::]:443 ssl http2;", f"    listen 127.0.0.1:{https_port} ssl http2;"),
        ("/etc/nginx/tls/tls.crt", str(certificate)),
        ("/etc/nginx/tls/tls.key", str(key)),
    ]
    for old, new in replacements:
        assert old in text, f"deploy/nginx/paperclerk.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text
