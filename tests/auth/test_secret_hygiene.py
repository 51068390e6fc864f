"""Secrets never leave through logs or error responses, and clients never see a stack trace."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from paperclerk.auth.settings import signing_key
from paperclerk.ops.logging import JsonFormatter
from tests.auth.conftest import Account, login


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def test_passwords_tokens_and_keys_are_never_logged_nor_echoed(client: TestClient, admin: Account,
                                                               everything_logged: pytest.LogCaptureFixture) -> None:
    bodies: list[str] = []
    wrong = client.post("/api/v1/auth/login", json={"email": admin.email, "password": "Wrong-Password-123!"})
    bodies.append(wrong.text)
    malformed = client.post("/api/v1/auth/login", json={"email": admin.email, "password": ["Not-A-String-42!"]})
    assert malformed.status_code == 422
    bodies.append(malformed.text)
    tokens = login(client, admin)
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    created = client.post("/api/v1/apikeys", json={"name": "ci", "role": "viewer"}, headers=bearer)
    api_key = created.json()["key"]
    bodies.append(client.get("/api/v1/documents/missing", headers={"X-API-Key": api_key}).text)
    bodies.append(client.get("/api/v1/documents", headers={"X-API-Key": api_key + "x"}).text)
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    reused = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    bodies.append(reused.text)
    secrets = [admin.password, "Wrong-Password-123!", "Not-A-String-42!", tokens["access_token"],
               tokens["refresh_token"], refreshed.json()["refresh_token"], api_key, signing_key()]
    logged = "\n".join(JsonFormatter().format(record) for record in everything_logged.records)
    assert logged, "the requests above must have been logged"
    for secret in secrets:
        assert secret not in logged
        assert all(secret not in body for body in bodies)


def test_unexpected_errors_show_no_stack_trace(make_client) -> None:
    client = make_client()

    @client.app.get("/api/v1/explode")  # type: ignore[attr-defined]
    def explode() -> None:
        raise RuntimeError("internal detail: password=hunter2 at /srv/paperclerk/app.py line 42")

    response = client.get("/api/v1/explode")
    assert response.status_code == 500
    assert response.json() == {"error": {"code": "INTERNAL_ERROR",
                                         "message": "Something went wrong on our side; it has been logged.",
                                         "details": {}}}
    assert "Traceback" not in response.text and "hunter2" not in response.text
