"""Fixtures of the identity tests: cheap argon2 parameters, a fresh key, and an app with auth wired in."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from paperclerk.app import create_app
from paperclerk.auth import service
from paperclerk.auth import settings as auth_settings
from paperclerk.core.db import session_scope

PASSWORD = "Correct-Horse-42-battery"


@pytest.fixture(autouse=True)
def auth_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Cheap argon2 (the policy, not the cost, is under test), a random key, no rate limit unless asked."""
    monkeypatch.setenv("PAPERCLERK_PASSWORD_TIME_COST", "1")
    monkeypatch.setenv("PAPERCLERK_PASSWORD_MEMORY_KIB", "1024")
    monkeypatch.setenv("PAPERCLERK_PASSWORD_PARALLELISM", "1")
    monkeypatch.setenv("PAPERCLERK_SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("PAPERCLERK_RATE_LIMIT_ENABLED", "false")
    for name in ("PAPERCLERK_ENV", "PAPERCLERK_SECRET_KEY_FILE", "PAPERCLERK_REDIS_URL", "PAPERCLERK_CORS_ORIGINS",
                 "PAPERCLERK_TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    auth_settings.reset()
    yield
    auth_settings.reset()


def build_app() -> FastAPI:
    return create_app()


@pytest.fixture
def make_client(env: object) -> Iterator[Callable[..., TestClient]]:
    """Build a client after the test set its environment (settings are read when the app is built)."""
    clients: list[TestClient] = []

    def make(base_url: str = "http://testserver") -> TestClient:
        auth_settings.reset()
        client = TestClient(build_app(), base_url=base_url, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


@dataclass
class Org:
    id: str
    slug: str


@dataclass
class Account:
    id: str
    email: str
    password: str
    org: Org


@pytest.fixture
def org(env: object) -> Org:
    with session_scope() as session:
        organization = service.create_organization(session, "Acme Ltd", slug="acme")
        return Org(organization.id, organization.slug)


@pytest.fixture
def make_user(org: Org) -> Callable[..., Account]:
    def make(email: str, role: str = "viewer", password: str = PASSWORD, organization: Org | None = None) -> Account:
        organization = organization or org
        with session_scope() as session:
            user = service.create_user(session, email, password, organization_id=organization.id, role=role)
            return Account(user.id, user.email, password, organization)

    return make


@pytest.fixture
def admin(make_user: Callable[..., Account]) -> Account:
    return make_user("admin@acme.example", "admin")


def login(client: TestClient, account: Account, **extra: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/login", json={"email": account.email, "password": account.password, **extra})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
