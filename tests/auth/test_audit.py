"""The audit trail: an entry per administrative change, filters, and a table that refuses UPDATE/DELETE."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

import paperclerk.auth.models  # noqa: F401  (registers the tables on Base.metadata)
from paperclerk.auth import service
from paperclerk.auth.principal import system_actor
from paperclerk.core.audit import AuditEntry
from paperclerk.core.db import session_scope, utcnow
from paperclerk.core.errors import PaperclerkError
from tests.auth.conftest import PASSWORD, Account, bearer, login
from tests.conftest import Env
from tests.helpers import assert_error


def test_every_admin_action_is_audited(client: TestClient, admin: Account, make_user) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(login(client, admin)["access_token"])
    created = client.post("/api/v1/users", json={"email": "New.Hire@acme.example", "role": "reviewer"},
                          headers=headers)
    assert created.status_code == 201, created.text
    user_id, generated = created.json()["user"]["id"], created.json()["password"]
    assert created.json()["user"]["email"] == "new.hire@acme.example" and len(generated) >= 12
    assert client.post(f"/api/v1/users/{user_id}/role", json={"role": "approver"}, headers=headers).status_code == 200
    reset = client.post(f"/api/v1/users/{user_id}/reset-password", json={"password": PASSWORD + "x"}, headers=headers)
    assert reset.status_code == 200 and reset.json()["password"] is None
    assert client.post(f"/api/v1/users/{user_id}/disable", headers=headers).status_code == 200
    key = client.post("/api/v1/apikeys", json={"name": "robot", "role": "viewer"}, headers=headers).json()
    assert client.delete(f"/api/v1/apikeys/{key['api_key']['id']}", headers=headers).status_code == 200

    page = client.get("/api/v1/audit", headers=headers).json()
    actions = [item["action"] for item in reversed(page["items"])]
    assert actions == ["auth.login", "user.add", "user.set_role", "user.reset_password",
                       "user.disable", "apikey.create", "apikey.revoke"]
    by_action = {item["action"]: item for item in page["items"]}
    for action in actions[1:]:
        entry = by_action[action]
        assert entry["actor_type"] == "user" and entry["actor_id"] == admin.id and entry["actor_label"] == admin.email
        assert entry["ip"] == "testclient"
    assert by_action["user.set_role"]["before"] == {"role": "reviewer"}
    assert by_action["user.set_role"]["after"] == {"role": "approver"}
    assert by_action["user.disable"]["subject_type"] == "user" and by_action["user.disable"]["subject_id"] == user_id
    assert by_action["apikey.create"]["after"]["prefix"] == key["api_key"]["prefix"]
    assert key["key"] not in str(page)
    assert PASSWORD not in str(page) and generated not in str(page)


def test_audit_filters_and_pages(client: TestClient, admin: Account) -> None:
    start = utcnow()
    with session_scope() as session:
        for number in range(7):
            service.record_audit(session, system_actor("cli"), f"rule.{'create' if number % 2 else 'delete'}",
                                 ("rule", f"r{number}"), organization_id=admin.org.id,
                                 now=start - timedelta(days=number))
        service.record_audit(session, system_actor("cli"), "rule.create", ("rule", "elsewhere"))
    headers = bearer(login(client, admin)["access_token"])

    def get(**params: object) -> dict:  # type: ignore[type-arg]
        response = client.get("/api/v1/audit", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    assert get(action="rule.")["total"] == 7
    assert get(action="rule.create")["total"] == 3
    assert get(action="rule")["total"] == 0
    assert [item["subject_id"] for item in get(subject="rule:r2")["items"]] == ["r2"]
    assert get(subject="rule")["total"] == 7
    assert get(actor="cli")["total"] == 7 and get(actor=admin.id)["total"] == 1
    assert get(since=(start - timedelta(days=2, hours=1)).isoformat(), action="rule.")["total"] == 3
    assert get(until=(start - timedelta(days=4, hours=1)).isoformat(), action="rule.")["total"] == 2
    first, second = get(action="rule.", limit=4), get(action="rule.", limit=4, offset=4)
    assert first["total"] == 7 and len(first["items"]) == 4 and len(second["items"]) == 3
    ids = [item["subject_id"] for item in first["items"] + second["items"]]
    assert ids == [f"r{number}" for number in range(7)]  # newest first
    assert_error(client.get("/api/v1/audit", params={"limit": 0}, headers=headers), 422, "VALIDATION_ERROR")


def test_audit_table_refuses_update_and_delete(any_env: Env) -> None:
    with session_scope() as session:
        entry = service.record_audit(session, system_actor("cli"), "test.append", ("thing", "1"), after={"a": 1})
        session.flush()
        entry_id = entry.id
    for statement in ("UPDATE audit_entries SET action = 'test.forged' WHERE id = :id",
                      "DELETE FROM audit_entries WHERE id = :id"):
        with pytest.raises(DBAPIError, match="append-only"), session_scope() as session:
            session.execute(text(statement), {"id": entry_id})
    with pytest.raises(DBAPIError, match="append-only"), session_scope() as session:
        stored = session.get(AuditEntry, entry_id)
        assert stored is not None
        stored.action = "test.forged"
    with session_scope(readonly=True) as session:
        stored = session.get(AuditEntry, entry_id)
        assert stored is not None and stored.action == "test.append" and stored.after == {"a": 1}
    assert not [name for name in dir(service) if name.startswith(("update_audit", "delete_audit"))]


def test_failed_logins_and_lockouts_are_audited_in_the_accounts_organisation(admin: Account) -> None:
    for _ in range(5):
        with pytest.raises(PaperclerkError), service.unit_of_work_keeping_failures() as session:
            service.authenticate(session, admin.email, "Wrong-password-99", ip="192.0.2.1")
    with pytest.raises(PaperclerkError), service.unit_of_work_keeping_failures() as session:
        service.authenticate(session, "nobody@acme.example", "Guess-password-77", ip="192.0.2.2")
    with session_scope(readonly=True) as session:
        entries = session.query(AuditEntry).filter(AuditEntry.action.startswith("auth.")).all()
    failed = [entry for entry in entries if entry.action == "auth.login_failed" and entry.subject_id == admin.id]
    locked = [entry for entry in entries if entry.action == "auth.lockout"]
    assert len(failed) == 4 and len(locked) == 1  # the fifth failure locks
    for entry in (*failed, *locked):
        assert entry.organization_id == admin.org.id and entry.ip == "192.0.2.1"
        assert entry.after == {"email": admin.email, "reason": "wrong_password"}
    [unknown] = [entry for entry in entries if entry.ip == "192.0.2.2"]
    assert unknown.organization_id is None and unknown.subject_id is None  # no organisation to tell
    assert unknown.after == {"email": "nobody@acme.example", "reason": "unknown_email"}
    assert "password-" not in str([(entry.before, entry.after) for entry in entries])


def test_failed_logins_show_in_the_audit_trail_over_the_api(client: TestClient, admin: Account) -> None:
    assert client.post("/api/v1/auth/login", json={"email": admin.email, "password": "Not-it-at-all-1"}
                       ).status_code == 401
    headers = bearer(login(client, admin)["access_token"])
    items = client.get("/api/v1/audit", params={"action": "auth.login_failed"}, headers=headers).json()["items"]
    assert [item["after"] for item in items] == [{"email": admin.email, "reason": "wrong_password"}]
    assert "Not-it-at-all-1" not in str(items)
