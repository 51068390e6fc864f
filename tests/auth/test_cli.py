"""``paperclerk users|orgs|apikeys`` and the demo bootstrap."""

from __future__ import annotations

import re

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from paperclerk.auth import service
from paperclerk.auth.cli import DEMO_ADMIN, apikeys_app, bootstrap_demo, orgs_app, users_app
from paperclerk.core.audit import AuditEntry
from paperclerk.core.db import session_scope
from tests.auth.conftest import PASSWORD
from tests.conftest import Env

app = typer.Typer()
app.add_typer(users_app, name="users")
app.add_typer(orgs_app, name="orgs")
app.add_typer(apikeys_app, name="apikeys")
runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_organisations_users_and_keys_from_the_command_line(env: Env, client: TestClient) -> None:
    assert "created organisation acme-corp" in run("orgs", "create", "Acme Corp")
    assert "acme-corp" in run("orgs", "list")
    assert "ORGANIZATION_EXISTS" in run("orgs", "create", "Acme Corp", code=1)

    output = run("users", "create", "Boss@Acme.example", "--org", "acme-corp", "--role", "admin")
    generated = re.search(r"password \(shown once\): (\S+)", output)
    assert generated, output
    assert "WEAK_PASSWORD" in run("users", "create", "weak@acme.example", "--org", "acme-corp", "--password",
                                  "password", code=1)
    run("users", "create", "clerk@acme.example", "--org", "acme-corp", "--password", PASSWORD)
    listing = run("users", "list", "--org", "acme-corp")
    assert "boss@acme.example" in listing and "admin" in listing and "clerk@acme.example" in listing

    login = client.post("/api/v1/auth/login", json={"email": "boss@acme.example", "password": generated.group(1)})
    assert login.status_code == 200, login.text

    reset = run("users", "reset-password", "clerk@acme.example")
    new_password = re.search(r"password \(shown once\): (\S+)", reset)
    assert new_password
    assert client.post("/api/v1/auth/login", json={"email": "clerk@acme.example",
                                                   "password": new_password.group(1)}).status_code == 200
    run("users", "disable", "clerk@acme.example")
    assert "no" in run("users", "list", "--org", "acme-corp")
    assert client.post("/api/v1/auth/login", json={"email": "clerk@acme.example",
                                                   "password": new_password.group(1)}).status_code == 401
    assert "USER_NOT_FOUND" in run("users", "disable", "ghost@acme.example", code=1)

    created = run("apikeys", "create", "importer", "--org", "acme-corp", "--role", "reviewer")
    key = re.search(r"key \(shown once\): (\S+)", created)
    assert key
    assert client.get("/api/v1/auth/me", headers={"X-API-Key": key.group(1)}).status_code == 200
    prefix = key.group(1)[:12]
    assert f"revoked API key {prefix}" in run("apikeys", "revoke", prefix)
    assert client.get("/api/v1/auth/me", headers={"X-API-Key": key.group(1)}).status_code == 401

    with session_scope(readonly=True) as session:
        entries = session.query(AuditEntry).filter(AuditEntry.actor_label == "cli").all()
    assert {entry.action for entry in entries} >= {"organization.create", "user.create", "user.reset_password",
                                                   "user.disable", "apikey.create", "apikey.revoke"}


def test_bootstrap_demo_once(env: Env, client: TestClient) -> None:
    credentials = bootstrap_demo()
    assert credentials is not None and credentials.email == DEMO_ADMIN and credentials.organization == "demo"
    assert len(credentials.password) >= 24
    response = client.post("/api/v1/auth/login", json={"email": credentials.email, "password": credentials.password})
    assert response.status_code == 200 and response.json()["role"] == "admin"
    assert bootstrap_demo() is None
    with session_scope(readonly=True) as session:
        assert [organization.slug for organization in service.list_organizations(session)] == ["demo"]
