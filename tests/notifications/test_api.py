"""The notifications API as people and administrators use it: the list with its unread count, marking read,
choices, webhooks with their secrets and delivery logs, audit entries, and other organisations' objects."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from paperclerk.app import create_app
from paperclerk.core import events
from paperclerk.core.audit import AuditEntry
from paperclerk.core.db import session_scope
from tests.helpers import api_key, assert_error, organization_id
from tests.notifications.support import PASSWORD, drain, person, stored_webhook


@pytest.fixture
def app_client(env) -> Iterator[TestClient]:
    with TestClient(create_app(embedded_workers=False), raise_server_exceptions=False) as client:
        yield client


def login(client: TestClient, email: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def flag(subject_id: str, organization: str = "acme") -> None:
    with session_scope() as session:
        events.record(session, "invoice.flagged", organization_id=organization_id(organization),
                      subject_type="invoice", subject_id=subject_id, payload={"findings": ["INV-TOTAL-001"]})


def test_the_list_its_unread_count_and_marking_read(app_client: TestClient) -> None:
    person("viewer@acme.example")
    person("other@acme.example")
    for number in range(3):
        flag(f"inv-{number}")
    drain()
    me = login(app_client, "viewer@acme.example")
    listing = app_client.get("/api/v1/notifications", headers=me).json()
    assert listing["total"] == 3 and listing["unread"] == 3
    newest = listing["items"][0]
    assert newest["event"] == "invoice.flagged" and newest["link"] == "/invoices/inv-2" and newest["read_at"] is None

    read = app_client.post(f"/api/v1/notifications/{newest['id']}/read", headers=me)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert app_client.get("/api/v1/notifications?unread=true", headers=me).json()["total"] == 2
    other = login(app_client, "other@acme.example")
    assert_error(app_client.post(f"/api/v1/notifications/{newest['id']}/read", headers=other), 404,
                 "NOTIFICATION_NOT_FOUND")  # someone else's list
    assert app_client.post("/api/v1/notifications/read-all", headers=me).json() == {"marked_read": 2}
    assert app_client.get("/api/v1/notifications", headers=me).json()["unread"] == 0
    assert app_client.get("/api/v1/notifications", headers=other).json()["unread"] == 3
    with session_scope(readonly=True) as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.action.startswith("notification"))).all()
    assert sorted(actions) == ["notification.read", "notifications.read_all"]


def test_choices_through_the_api(app_client: TestClient) -> None:
    person("viewer@acme.example")
    me = login(app_client, "viewer@acme.example")
    choices = {item["event"]: item for item in app_client.get("/api/v1/notifications/preferences", headers=me).json()}
    assert choices["invoice.flagged"] == {"event": "invoice.flagged", "description": "An invoice needs review",
                                          "in_app": True, "email": False}
    assert "system.error" not in choices and "webhook.disabled" not in choices  # for administrators only
    changed = app_client.patch("/api/v1/notifications/preferences", headers=me,
                               json={"preferences": {"invoice.flagged": {"in_app": False, "email": True}}})
    assert changed.status_code == 200, changed.text
    flagged = next(item for item in changed.json() if item["event"] == "invoice.flagged")
    assert flagged["in_app"] is False and flagged["email"] is True
    assert_error(app_client.patch("/api/v1/notifications/preferences", headers=me,
                                  json={"preferences": {"invoice.unknown": {"email": True}}}), 400, "UNKNOWN_EVENT")
    assert_error(app_client.patch("/api/v1/notifications/preferences", headers={"X-API-Key": api_key("acme", "viewer")},
                                  json={"preferences": {"invoice.flagged": {"email": True}}}),
                 400, "NOTIFICATIONS_NEED_A_USER")
    flag("inv-1")
    drain()
    assert app_client.get("/api/v1/notifications", headers=me).json()["total"] == 0


def test_webhooks_secrets_audit_and_other_organisations(app_client: TestClient) -> None:
    admin = {"X-API-Key": api_key("acme", "admin")}
    created = app_client.post("/api/v1/webhooks", headers=admin, json={
        "url": "https://hooks.acme.example/in", "events": ["invoice.flagged", "webhook.disabled"],
        "description": "ERP"})
    assert created.status_code == 201, created.text
    hook = created.json()
    assert hook["secret"].startswith("whsec_") and hook["secret_hint"].endswith(hook["secret"][-4:])
    shown = app_client.get(f"/api/v1/webhooks/{hook['id']}", headers=admin).json()
    assert "secret" not in shown and shown["events"] == ["invoice.flagged", "webhook.disabled"]
    rotated = app_client.post(f"/api/v1/webhooks/{hook['id']}/rotate-secret", headers=admin).json()
    assert rotated["secret"] != hook["secret"]
    off = app_client.patch(f"/api/v1/webhooks/{hook['id']}", headers=admin, json={"active": False}).json()
    assert off["active"] is False and off["disabled_reason"].startswith("turned off by")

    for body, code in (({"url": "ftp://hooks.acme.example", "events": ["*"]}, "WEBHOOK_URL"),
                       ({"url": "https://user:pw@hooks.acme.example", "events": ["*"]}, "WEBHOOK_URL"),
                       ({"url": "https://hooks.acme.example", "events": ["invoice.nope"]}, "UNKNOWN_EVENT"),
                       ({"url": "https://hooks.acme.example", "events": []}, "WEBHOOK_EVENTS")):
        assert_error(app_client.post("/api/v1/webhooks", headers=admin, json=body), 400, code)

    rival = {"X-API-Key": api_key("rival", "admin")}
    assert app_client.get("/api/v1/webhooks", headers=rival).json() == []
    for method, path in (("GET", ""), ("PATCH", ""), ("DELETE", ""), ("GET", "/deliveries")):
        kwargs = {"json": {"active": True}} if method == "PATCH" else {}
        assert_error(app_client.request(method, f"/api/v1/webhooks/{hook['id']}{path}", headers=rival, **kwargs),
                     404, "WEBHOOK_NOT_FOUND")
    assert app_client.delete(f"/api/v1/webhooks/{hook['id']}", headers=admin).status_code == 204
    assert app_client.get("/api/v1/webhooks", headers=admin).json() == []
    with session_scope(readonly=True) as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == hook["id"])
                                  .order_by(AuditEntry.created_at)).all()
    assert actions == ["webhook.create", "webhook.update", "webhook.update", "webhook.delete"]


def test_the_delivery_log_through_the_api(app_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = {"X-API-Key": api_key("acme", "admin")}
    hook = stored_webhook(organization_id("acme"), "http://127.0.0.1:9/closed")  # nothing listens on port 9
    monkeypatch.setenv("PAPERCLERK_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true")
    monkeypatch.setenv("PAPERCLERK_DELIVERY_MAX_ATTEMPTS", "1")
    from paperclerk.config import get_settings

    get_settings.cache_clear()
    flag("inv-1")
    drain()
    (logged,) = app_client.get(f"/api/v1/webhooks/{hook}/deliveries", headers=admin).json()
    assert logged["event"] == "invoice.flagged" and logged["status"] == "failed" and logged["attempts"] == 1
    assert logged["attempt_log"][0]["outcome"] == "failed" and "ConnectError" in logged["attempt_log"][0]["error"]
