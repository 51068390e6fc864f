"""Security headers on API and page responses, HSTS only over HTTPS, docs CSP, CORS closed by default."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from paperclerk.ops.security import DEFAULT_CSP

BASE = {"x-content-type-options": "nosniff", "x-frame-options": "DENY",
        "referrer-policy": "strict-origin-when-cross-origin"}


def _assert_base(response) -> None:  # type: ignore[no-untyped-def]
    for name, value in BASE.items():
        assert response.headers[name] == value, (response.request.url, name)


@pytest.mark.parametrize("path", ["/api/v1/documents", "/", "/login", "/api/v1/auth/me", "/no/such/page",
                                  "/static/app.css", "/health/live"])
def test_headers_on_every_kind_of_response(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"} if not path.startswith("/api") else {})
    _assert_base(response)
    assert response.headers["content-security-policy"] == DEFAULT_CSP
    assert "default-src 'self'" in DEFAULT_CSP and "frame-ancestors 'none'" in DEFAULT_CSP
    assert "strict-transport-security" not in response.headers


def test_docs_pages_work_offline_with_assets_from_this_server(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        response = client.get(path)
        assert response.status_code == 200
        _assert_base(response)
        policy = response.headers["content-security-policy"]
        assert "http" not in policy and "frame-ancestors 'none'" in policy  # no other host may be reached
        assert not re.search(r"(?:https?:)?//(?!testserver)", response.text), "the page names another host"
        assets = re.findall(r"""(?:src|href|spec-url)\s*[=:]\s*['"]([^'"]+)['"]""", response.text)
        assets += re.findall(r"""url\s*:\s*['"]([^'"]+)['"]""", response.text)  # the OpenAPI document
        scripts = [asset for asset in assets if asset.endswith(".js")]
        assert scripts and "/openapi.json" in assets, response.text
        for asset in assets:
            assert asset.startswith("/"), asset
            assert client.get(asset).status_code == 200, asset
    assert client.get("/openapi.json").headers["content-security-policy"] == DEFAULT_CSP


def test_hsts_only_over_https(make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch) -> None:
    https = make_client("https://testserver")
    assert https.get("/health/live").headers["strict-transport-security"].startswith("max-age=31536000")
    plain = make_client()
    forwarded = {"X-Forwarded-Proto": "https"}
    assert "strict-transport-security" not in plain.get("/health/live", headers=forwarded).headers  # untrusted peer
    monkeypatch.setenv("PAPERCLERK_TRUSTED_PROXIES", "0.0.0.0/0")
    # TestClient's peer is the host name "testclient", which is no address: not a trusted proxy either.
    behind_proxy = make_client()
    assert "strict-transport-security" not in behind_proxy.get("/health/live", headers=forwarded).headers


def test_hsts_from_a_trusted_proxy() -> None:
    from paperclerk.ops.security import is_https

    scope = {"scheme": "http", "client": ("10.0.0.5", 1234), "headers": [(b"x-forwarded-proto", b"https")]}
    import ipaddress

    assert is_https(scope, [ipaddress.ip_network("10.0.0.0/8")])
    assert not is_https(scope, [ipaddress.ip_network("192.168.0.0/16")])
    assert not is_https({**scope, "headers": [(b"x-forwarded-proto", b"http")]}, [ipaddress.ip_network("10.0.0.0/8")])


def test_cors_is_closed_by_default_and_opens_for_listed_origins(make_client: Callable[..., TestClient],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    preflight = {"Origin": "https://app.example", "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "Authorization"}
    closed = make_client()
    assert "access-control-allow-origin" not in closed.options("/api/v1/documents", headers=preflight).headers
    assert "access-control-allow-origin" not in closed.get("/api/v1/documents",
                                                           headers={"Origin": "https://app.example"}).headers
    monkeypatch.setenv("PAPERCLERK_CORS_ORIGINS", "https://app.example, https://admin.example")
    opened = make_client()
    answer = opened.options("/api/v1/documents", headers=preflight)
    assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-credentials" not in answer.headers
    other = opened.options("/api/v1/documents", headers={**preflight, "Origin": "https://evil.example"})
    assert other.headers.get("access-control-allow-origin") != "https://evil.example"
