"""API keys: shown once, stored hashed, usable as X-API-Key, last use noted, revocation immediate."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, text

from paperclerk.auth import service
from paperclerk.auth.models import ApiKey
from paperclerk.core.db import session_scope, utcnow
from tests.auth.conftest import Account, bearer, login
from tests.helpers import assert_error


def test_api_key_lifecycle(client: TestClient, admin: Account) -> None:
    admin_headers = bearer(login(client, admin)["access_token"])
    created = client.post("/api/v1/apikeys", json={"name": "scanner", "role": "reviewer"}, headers=admin_headers)
    assert created.status_code == 201, created.text
    body = created.json()
    secret, shown = body["key"], body["api_key"]
    assert secret.startswith(shown["prefix"] + "_") and shown["prefix"].startswith("pck_")
    assert shown["last_used_at"] is None and shown["created_by"] == admin.id

    # Stored as a SHA-256 only; the list never shows the secret again.
    with session_scope(readonly=True) as session:
        row = session.get(ApiKey, shown["id"])
        assert row is not None and row.key_hash == hashlib.sha256(secret.encode()).hexdigest()
        dump = " ".join(str(value) for value in session.execute(text("SELECT * FROM api_keys")).one())
        assert secret not in dump and secret.split("_", 2)[2] not in dump
    listed = client.get("/api/v1/apikeys", headers=admin_headers).json()
    assert [item["prefix"] for item in listed] == [shown["prefix"]] and secret not in str(listed)

    me = client.get("/api/v1/auth/me", headers={"X-API-Key": secret})
    assert me.status_code == 200, me.text
    assert me.json()["actor_type"] == "api_key" and me.json()["role"] == "reviewer"
    assert me.json()["label"] == f"api key scanner ({shown['prefix']})"
    with session_scope(readonly=True) as session:
        used = session.get(ApiKey, shown["id"])
        assert used is not None and used.last_used_at is not None

    # A reviewer key cannot manage keys.
    assert_error(client.get("/api/v1/apikeys", headers={"X-API-Key": secret}), 403, "FORBIDDEN")

    revoked = client.delete(f"/api/v1/apikeys/{shown['id']}", headers=admin_headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert_error(client.get("/api/v1/auth/me", headers={"X-API-Key": secret}), 401, "API_KEY_REVOKED")


def test_wrong_keys_are_401(client: TestClient, admin: Account) -> None:
    with session_scope() as session:
        _, secret = service.create_api_key(session, admin.org.id, "viewer", "ci")
    prefix = secret.rsplit("_", 1)[0]
    for bad in ("", "nonsense", f"{prefix}_wrong-secret", "pck_00000000_" + "x" * 43, secret[:-1]):
        assert_error(client.get("/api/v1/auth/me", headers={"X-API-Key": bad}), 401, "API_KEY_INVALID")
    assert client.get("/api/v1/auth/me", headers={"X-API-Key": secret}).status_code == 200


def test_last_used_is_written_at_most_once_a_minute(admin: Account) -> None:
    start = utcnow()
    with session_scope() as session:
        key, secret = service.create_api_key(session, admin.org.id, "viewer", "poller", now=start)
        key_id = key.id
    for offset, expected in ((0, 0), (30, 0), (61, 61), (90, 61)):
        now = start + timedelta(seconds=offset)
        with session_scope(readonly=True) as session:
            resolved = service.resolve_api_key(session, secret, now=now)
        if resolved.touch_due:
            with session_scope() as session:
                service.touch_api_key(session, resolved.principal.id, now=now)
        with session_scope(readonly=True) as session:
            last = session.scalar(select(ApiKey.last_used_at).where(ApiKey.id == key_id))
        assert last == start + timedelta(seconds=expected)


def test_keys_are_scoped_to_their_organisation(client: TestClient, admin: Account, make_user) -> None:  # type: ignore[no-untyped-def]
    with session_scope() as session:
        other = service.create_organization(session, "Other Org")
        foreign, _ = service.create_api_key(session, other.id, "admin", "theirs")
        foreign_id = foreign.id
    headers = bearer(login(client, admin)["access_token"])
    assert client.get("/api/v1/apikeys", headers=headers).json() == []
    assert_error(client.delete(f"/api/v1/apikeys/{foreign_id}", headers=headers), 404, "API_KEY_NOT_FOUND")
