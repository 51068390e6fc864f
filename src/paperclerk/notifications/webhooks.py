"""An organisation's webhooks: which events go where, how each call is signed, and the calls themselves.

Each call is a ``POST`` of JSON with these headers:

* ``X-Paperclerk-Event``: the event's name; ``X-Paperclerk-Delivery``: the delivery's id (the same on every retry of
  one delivery, so a receiver can drop repeats);
* ``X-Paperclerk-Timestamp``: Unix seconds when this attempt was signed;
* ``X-Paperclerk-Signature``: ``sha256=`` + hex HMAC-SHA256 of ``"<timestamp>.<body>"`` keyed with the webhook's
  secret. A receiver recomputes it over the raw body and refuses stale timestamps.

A call succeeds on any 2xx answer; redirects are not followed. Unless the setting allows it, a URL whose host
resolves to a loopback, private or link-local address is refused (no requests into the server's own network).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from paperclerk import __version__
from paperclerk.auth.principal import Principal
from paperclerk.config import Settings
from paperclerk.core import events
from paperclerk.core.audit import record_audit
from paperclerk.core.db import utcnow
from paperclerk.core.errors import InvalidRequest, NotFound
from paperclerk.notifications.models import Channel, Delivery, Webhook

ALL_EVENTS = "*"
SIGNATURE_HEADER = "X-Paperclerk-Signature"
TIMESTAMP_HEADER = "X-Paperclerk-Timestamp"
MAX_ERROR = 500


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The value of ``X-Paperclerk-Signature`` for ``body`` signed at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def check_url(url: str) -> str:
    """A URL a webhook may have: http(s), a host, no credentials in it."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidRequest("A webhook URL starts with http:// or https:// and names a host.", code="WEBHOOK_URL",
                             details={"url": url})
    if parts.username or parts.password:
        raise InvalidRequest("Put no user name or password in a webhook URL; the signature proves the sender.",
                             code="WEBHOOK_URL", details={"url": url})
    return url.strip()


def check_event_names(names: Sequence[str]) -> list[str]:
    declared = events.declared()
    cleaned = sorted({name.strip() for name in names if name.strip()})
    if not cleaned:
        raise InvalidRequest("Choose at least one event (or '*' for all).", code="WEBHOOK_EVENTS")
    unknown = [name for name in cleaned if name != ALL_EVENTS and name not in declared]
    if unknown:
        raise InvalidRequest(f"Unknown event {unknown[0]!r}.", code="UNKNOWN_EVENT", details={"event": unknown[0]})
    return cleaned


def wants(webhook: Webhook, event_name: str) -> bool:
    return webhook.active and (ALL_EVENTS in webhook.event_names or event_name in webhook.event_names)


def _snapshot(webhook: Webhook) -> dict[str, Any]:
    return {"url": webhook.url, "description": webhook.description, "events": list(webhook.event_names),
            "active": webhook.active}


def list_webhooks(session: Session, organization_id: str) -> Sequence[Webhook]:
    return session.scalars(select(Webhook).where(Webhook.organization_id == organization_id)
                           .order_by(Webhook.created_at, Webhook.id)).all()


def get_webhook(session: Session, organization_id: str, webhook_id: str) -> Webhook:
    webhook = session.get(Webhook, webhook_id)
    if webhook is None or webhook.organization_id != organization_id:
        raise NotFound("No such webhook.", code="WEBHOOK_NOT_FOUND")
    return webhook


def create_webhook(session: Session, principal: Principal, *, url: str, event_names: Sequence[str],
                   description: str = "", secret: str | None = None, ip: str | None = None) -> Webhook:
    if secret is not None and len(secret) < 16:
        raise InvalidRequest("A webhook secret has at least 16 characters.", code="WEBHOOK_SECRET")
    webhook = Webhook(organization_id=principal.tenant, url=check_url(url), event_names=check_event_names(event_names),
                      description=description.strip(), secret=secret or new_secret(), active=True)
    session.add(webhook)
    session.flush()
    record_audit(session, principal, "webhook.create", ("webhook", webhook.id), after=_snapshot(webhook), ip=ip)
    return webhook


def update_webhook(session: Session, principal: Principal, webhook_id: str, *, url: str | None = None,
                   event_names: Sequence[str] | None = None, description: str | None = None,
                   active: bool | None = None, new_secret_value: bool = False, ip: str | None = None) -> Webhook:
    """Change a webhook; turning it on again forgets its failures."""
    webhook = get_webhook(session, principal.tenant, webhook_id)
    before = _snapshot(webhook)
    if url is not None:
        webhook.url = check_url(url)
    if event_names is not None:
        webhook.event_names = check_event_names(event_names)
    if description is not None:
        webhook.description = description.strip()
    if active is not None and active != webhook.active:
        webhook.active = active
        webhook.consecutive_failures = 0
        webhook.disabled_at = None if active else utcnow()
        webhook.disabled_reason = None if active else f"turned off by {principal.label}"
    if new_secret_value:
        webhook.secret = new_secret()
    after = _snapshot(webhook)
    if new_secret_value:
        before["secret"], after["secret"] = "(old)", "(new)"
    if after != before:
        record_audit(session, principal, "webhook.update", ("webhook", webhook.id), before=before, after=after, ip=ip)
    return webhook


def delete_webhook(session: Session, principal: Principal, webhook_id: str, *, ip: str | None = None) -> None:
    webhook = get_webhook(session, principal.tenant, webhook_id)
    record_audit(session, principal, "webhook.delete", ("webhook", webhook.id), before=_snapshot(webhook), ip=ip)
    session.delete(webhook)


def deliveries(session: Session, organization_id: str, webhook_id: str, *, limit: int = 50,
               offset: int = 0) -> Sequence[Delivery]:
    """The webhook's delivery log, newest first."""
    get_webhook(session, organization_id, webhook_id)
    return session.scalars(select(Delivery).where(Delivery.organization_id == organization_id,
                                                  Delivery.channel == Channel.WEBHOOK,
                                                  Delivery.webhook_id == webhook_id)
                           .order_by(Delivery.created_at.desc(), Delivery.id).limit(limit).offset(offset)).all()


def masked(secret: str) -> str:
    return f"{secret[:6]}…{secret[-4:]}"


# -- the call --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None
    error: str | None
    ms: int


def _refused_address(url: str, settings: Settings) -> str | None:
    if settings.webhook_allow_private_networks:
        return None
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as exc:
        return f"cannot resolve {host}: {exc}"
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            return (f"{host} resolves to {address}, a non-public address "
                    "(PAPERCLERK_WEBHOOK_ALLOW_PRIVATE_NETWORKS allows it)")
    return None


def call(webhook_url: str, secret: str, *, body: dict[str, Any], event_name: str, delivery_id: str,
         settings: Settings) -> Outcome:
    """Post one signed delivery; never raises for the receiver's failures."""
    started = time.monotonic()
    refused = _refused_address(webhook_url, settings)
    if refused:
        return Outcome(False, None, refused, 0)
    raw = json.dumps(body, separators=(",", ":"), sort_keys=True, default=str).encode()
    timestamp = int(time.time())
    headers = {"Content-Type": "application/json", "User-Agent": f"paperclerk-webhooks/{__version__}",
               "X-Paperclerk-Event": event_name, "X-Paperclerk-Delivery": delivery_id,
               TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature(secret, timestamp, raw)}
    try:
        response = httpx.post(webhook_url, content=raw, headers=headers, timeout=settings.webhook_timeout_seconds,
                              follow_redirects=False)
    except httpx.HTTPError as exc:
        return Outcome(False, None, f"{type(exc).__name__}: {exc}"[:MAX_ERROR],
                          int((time.monotonic() - started) * 1000))
    ms = int((time.monotonic() - started) * 1000)
    if 200 <= response.status_code < 300:
        return Outcome(True, response.status_code, None, ms)
    return Outcome(False, response.status_code, f"HTTP {response.status_code}: {response.text[:200]}", ms)
