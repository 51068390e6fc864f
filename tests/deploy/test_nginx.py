"""The TLS proxy for real: Debian's nginx with deploy/nginx/paperclerk.conf in front of `paperclerk serve`
processes on loopback — login, upload, download, headers, limits, whose forwarded address is believed, and a
rolling restart under uploads that loses no request."""

from __future__ import annotations

import signal
import ssl
import threading
import time
import warnings
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from paperclerk.config import Settings
from paperclerk.core.schema import upgrade
from paperclerk.ops.middleware import MULTIPART_OVERHEAD
from tests.conftest import Env, reset_caches, wait_until_final
from tests.deploy.stack import NGINX_CONF, PROXY_ADDRESS, Instance, Nginx

PASSWORD = "a long and unguessable passphrase 42"


def _variables(env: Env, **extra: str) -> dict[str, str]:
    return {**env.variables, "PAPERCLERK_TRUSTED_PROXIES": f"{PROXY_ADDRESS}/32", "PAPERCLERK_WORKERS": "1",
            "PAPERCLERK_OCR_WORKERS": "0", "PAPERCLERK_LOG_LEVEL": "WARNING", **extra}


def _admin() -> None:
    from paperclerk.auth import service as accounts
    from paperclerk.core.db import session_scope

    with session_scope() as session:
        organization = accounts.create_organization(session, "Proxy Test", slug="proxy")
        accounts.create_user(session, "admin@proxy.example", PASSWORD, organization_id=organization.id, role="admin")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Nginx, list[Instance]]]:
    """nginx in front of two instances sharing one data dir; the tests of this module share them."""
    directory = tmp_path_factory.mktemp("proxy-stack")
    env = Env(data_dir=directory / "data", database_url="")
    variables = _variables(env, PAPERCLERK_RATE_LIMIT_ENABLED="true", PAPERCLERK_RATE_LIMIT_PER_MINUTE="100000",
                           PAPERCLERK_UPLOAD_RATE_LIMIT_PER_MINUTE="100000")
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.variables.items():
            patch.setenv(key, value)
        reset_caches()
        upgrade()
        _admin()
        instances = [Instance(variables, directory / f"serve-{index}.log") for index in range(2)]
        (directory / "nginx").mkdir()
        proxy = Nginx(directory / "nginx", [instance.port for instance in instances])
        try:
            for instance in instances:
                instance.start()
            proxy.start()
            yield proxy, instances
        finally:
            proxy.stop()
            for instance in instances:
                instance.stop()
            reset_caches()


def _login(client: httpx.Client) -> str:
    response = client.post("/api/v1/auth/login", json={"email": "admin@proxy.example", "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _failed_login_sources() -> set[str]:
    from paperclerk.auth.models import LoginAttempt
    from paperclerk.core.db import session_scope

    with session_scope(readonly=True) as session:
        return set(session.scalars(select(LoginAttempt.key).where(LoginAttempt.kind == "ip")))


def test_login_upload_and_download_through_the_tls_proxy(stack):
    proxy, _ = stack
    with proxy.client() as client:
        token = _login(client)
        headers = {"Authorization": f"Bearer {token}"}
        content = b"Invoice 2026-117 from the proxy test\nTotal 12.50 EUR\n" * 20
        uploaded = client.post("/api/v1/documents", headers=headers,
                               files=[("files", ("through-proxy.txt", content, "text/plain"))])
        assert uploaded.status_code == 202, uploaded.text
        assert uploaded.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"
        assert uploaded.headers.get_list("x-content-type-options") == ["nosniff"]
        assert uploaded.headers.get_list("x-frame-options") == ["DENY"]
        assert "content-security-policy" in uploaded.headers
        assert "server" not in uploaded.headers or "nginx/" not in uploaded.headers["server"]
        document_id = uploaded.json()["documents"][0]["id"]
        wait_until_final([document_id])
        downloaded = client.get(f"/api/v1/documents/{document_id}/file", headers=headers)
        assert downloaded.status_code == 200 and downloaded.content == content

        schema = client.get("/openapi.json", headers={"Accept-Encoding": "gzip"})
        assert schema.status_code == 200 and schema.headers.get("content-encoding") == "gzip"
        static = client.get("/static/app.css")
        assert static.status_code == 200 and "max-age=31536000" in static.headers["cache-control"]
        assert static.headers["strict-transport-security"]
        assert client.get("/metrics").status_code == 404
        assert client.get("/health/detailed").status_code == 404
        assert client.get("/health/ready").status_code == 200

        too_large = client.post("/api/v1/documents", headers=headers, files=[
            ("files", ("big.bin", b"\0" * (Settings().max_upload_bytes + 300 * 1024), "application/octet-stream"))])
        assert too_large.status_code == 413 and too_large.json()["error"] == {
            "code": "FILE_TOO_LARGE", "message": "The upload is larger than the 50 MB limit.",
            "details": {"max_upload_mb": 50}}

    plain = httpx.get(f"http://127.0.0.1:{proxy.http_port}/login", follow_redirects=False)
    assert plain.status_code == 301 and plain.headers["location"].startswith("https://")


def test_only_tls_1_2_and_1_3(stack):
    proxy, _ = stack
    with proxy.client() as client:
        assert client.get("/health/live").status_code == 200
    with proxy.client(maximum=ssl.TLSVersion.TLSv1_2) as client:
        assert client.get("/health/live").status_code == 200
    context = ssl.create_default_context(cafile=str(proxy.certificate))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.set_ciphers("ALL:@SECLEVEL=0")
    with pytest.raises((ssl.SSLError, httpx.ConnectError)), \
            httpx.Client(transport=httpx.HTTPTransport(verify=context)) as old:
        old.get(f"{proxy.url}/health/live")


def test_forwarded_addresses_are_believed_only_from_the_proxy(stack):
    proxy, instances = stack
    wrong = {"email": "admin@proxy.example", "password": "not the password at all"}
    with proxy.client(source="127.0.0.3") as client:  # a client forging a hop: nginx replaces the header
        client.post("/api/v1/auth/login", json=wrong, headers={"X-Forwarded-For": "203.0.113.7"})
    with proxy.client(source="127.0.0.4") as client:
        client.post("/api/v1/auth/login", json=wrong)
    direct = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.5"))
    direct.post(f"http://127.0.0.1:{instances[0].port}/api/v1/auth/login", json=wrong,
                headers={"X-Forwarded-For": "198.51.100.9", "X-Forwarded-Proto": "https"})
    sources = _failed_login_sources()
    assert sources == {"127.0.0.3", "127.0.0.4", "127.0.0.5"}, sources
    # X-Forwarded-Proto: https from the proxy marks the session cookie Secure; from anyone else it does not.
    for source, port, secure in ((PROXY_ADDRESS, instances[0].port, True), ("127.0.0.5", instances[0].port, False)):
        with httpx.Client(transport=httpx.HTTPTransport(local_address=source)) as peer:
            page = peer.get(f"http://127.0.0.1:{port}/login", headers={"X-Forwarded-Proto": "https"})
            cookies = page.headers.get_list("set-cookie")
            assert cookies and all(("secure" in cookie.lower()) is secure for cookie in cookies), cookies


def test_a_rolling_restart_under_uploads_loses_no_request(stack):
    proxy, instances = stack
    results: list[tuple[int, str]] = []
    total = 80

    def upload_continuously() -> None:
        with proxy.client() as client:
            headers = {"Authorization": f"Bearer {_login(client)}"}
            for index in range(total):
                try:
                    response = client.post("/api/v1/documents", headers=headers, files=[
                        ("files", (f"rolling-{index}.txt", f"rolling upload {index} {time.time()}".encode(),
                                   "text/plain"))])
                    results.append((response.status_code, response.text))
                except httpx.HTTPError as exc:
                    results.append((0, repr(exc)))

    uploader = threading.Thread(target=upload_continuously)
    uploader.start()
    while len(results) < 10:
        time.sleep(0.05)
    for instance in instances:  # one at a time, as an orchestrator rolls a deployment
        assert instance.stop() in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once it has shut down
        instance.start()
    uploader.join(timeout=300)
    assert not uploader.is_alive()
    failures = [result for result in results if result[0] != 202]
    assert len(results) == total and not failures, failures[:3]
    import json

    ids = [json.loads(text)["documents"][0]["id"] for _, text in results]
    assert len(set(ids)) == total
    statuses = wait_until_final(ids, timeout=120)
    assert set(statuses.values()) == {"processed"}

    from paperclerk.core.db import session_scope
    from paperclerk.core.events import Event

    with session_scope(readonly=True) as session:
        names = list(session.scalars(select(Event.name).where(Event.name.like("system.%"))))
    assert names.count("system.startup") == 4 and names.count("system.shutdown") == 2, names


def test_the_committed_configuration_passes_nginx_t(tmp_path):
    proxy = Nginx(tmp_path, [1, 2])
    checked = proxy.check()
    assert checked.returncode == 0, checked.stderr
    text = NGINX_CONF.read_text()
    for directive in ("ssl_protocols TLSv1.2 TLSv1.3;", "proxy_request_buffering off;", "gzip on;",
                      "expires 1y;", "add_header Strict-Transport-Security"):
        assert directive in text
    limit_kib = (Settings().max_upload_bytes + MULTIPART_OVERHEAD) // 1024
    assert f"client_max_body_size {limit_kib}k;" in text, \
        "nginx's body limit must be paperclerk's: PAPERCLERK_MAX_UPLOAD_MB's default plus the multipart envelope"
    assert f'"max_upload_mb": {Settings().max_upload_mb}' in text
