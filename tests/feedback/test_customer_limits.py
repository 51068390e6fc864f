"""The customer side's own rate limit (per client, on top of the global limits), and the retention command."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from paperclerk.app import create_app
from paperclerk.cli import app as cli
from tests.conftest import Env


def test_customer_pages_have_their_own_limit(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    from paperclerk.config import get_settings

    monkeypatch.setenv("PAPERCLERK_RATE_LIMIT_ENABLED", "true")
    monkeypatch.setenv("PAPERCLERK_RATE_LIMIT_PER_MINUTE", "1000")
    monkeypatch.setenv("PAPERCLERK_FEEDBACK_CUSTOMER_RATE_LIMIT", "3")
    get_settings.cache_clear()
    with TestClient(create_app(embedded_workers=False), raise_server_exceptions=False) as client:
        assert [client.get("/f/me").status_code for _ in range(3)] == [200, 200, 200]
        refused = client.get("/f/no-such-store")
        assert refused.status_code == 429
        body = refused.json()["error"]
        assert body["code"] == "RATE_LIMITED" and body["details"]["group"] == "feedback-customer"
        assert client.get("/health/live").status_code == 200  # the rest of the site is not affected


def test_retention_command(env: Env) -> None:
    result = CliRunner().invoke(cli, ["feedback", "retention"])
    assert result.exit_code == 0, result.output
    assert "recordings deleted: 0" in result.output
