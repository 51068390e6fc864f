"""Security headers on every response, the client's address and scheme behind trusted proxies, and CORS.

Content-Security-Policy is ``default-src 'self'`` everywhere (the pages use no inline script or
style), except the interactive API docs at ``/docs`` and ``/redoc``: Swagger UI and ReDoc are served
from this server (no CDN: ``make run`` needs no network), but start with a small inline script and
inline styles, so those pages (and only those) allow inline code. They show no user content.

HSTS is sent only to requests that arrived over HTTPS: the ASGI scheme, or ``X-Forwarded-Proto``
when the direct peer is one of ``PAPERCLERK_TRUSTED_PROXIES``.

Wiring (app factory): ``app.add_middleware(SecurityHeadersMiddleware)`` and ``setup_cors(app)``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperclerk.config import Settings, get_settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_CSP = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
               "form-action 'self'; frame-ancestors 'none'")
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "font-src 'self'; img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; "
            "base-uri 'self'; frame-ancestors 'none'")
DOCS_PATHS = ("/docs", "/redoc")
HSTS = "max-age=31536000; includeSubDomains"
BASE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _trusted(address: str | None, networks: Sequence[Network]) -> bool:
    if not address or not networks:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(scope: Scope, networks: Sequence[Network] | None = None) -> str:
    """The client's address: the rightmost X-Forwarded-For hop that is not a trusted proxy, when the
    direct peer is a trusted proxy; the direct peer otherwise."""
    if networks is None:
        networks = get_settings().trusted_networks
    peer = (scope.get("client") or ("", 0))[0] or "unknown"
    if not _trusted(peer, networks):
        return peer
    forwarded = header(scope, b"x-forwarded-for")
    if not forwarded:
        return peer
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop
    return hops[0] if hops else peer


def is_https(scope: Scope, networks: Sequence[Network] | None = None) -> bool:
    if scope.get("scheme") in ("https", "wss"):
        return True
    if networks is None:
        networks = get_settings().trusted_networks
    peer = (scope.get("client") or ("", 0))[0]
    proto = header(scope, b"x-forwarded-proto")
    return bool(proto) and _trusted(peer, networks) and proto.split(",")[0].strip().lower() == "https"


def is_docs_path(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in DOCS_PATHS)


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response (a header the route already set is kept)."""

    def __init__(self, app: ASGIApp, *, trusted_proxies: Iterable[str] | None = None) -> None:
        self.app = app
        self.networks: list[Network] | None = (
            [ipaddress.ip_network(item, strict=False) for item in trusted_proxies]
            if trusted_proxies is not None else None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        networks = self.networks if self.networks is not None else get_settings().trusted_networks
        extra = list(BASE_HEADERS)
        extra.append((b"content-security-policy",
                      (DOCS_CSP if is_docs_path(scope["path"]) else DEFAULT_CSP).encode()))
        if is_https(scope, networks):
            extra.append((b"strict-transport-security", HSTS.encode()))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {key.lower() for key, _ in headers}
                headers.extend((key, value) for key, value in extra if key not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def setup_cors(app: FastAPI, settings: Settings | None = None) -> bool:
    """Allow the configured origins (``PAPERCLERK_CORS_ORIGINS``) to call the API; none means closed.

    Credentials (cookies) are never allowed cross-origin: other origins use bearer tokens or API keys.
    Returns whether CORS was enabled.
    """
    settings = settings or get_settings()
    origins = [origin.rstrip("/") for origin in settings.cors_origins]
    if not origins:
        return False
    app.add_middleware(CORSMiddleware, allow_origins=origins, allow_credentials=False,
                       allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                       allow_headers=["Authorization", "X-API-Key", "Content-Type", "X-Request-ID"],
                       expose_headers=["X-Request-ID", "Retry-After"], max_age=600)
    return True
