"""Test helpers shared across packages: an API client with embedded workers, uploads, waiting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from paperclerk.app import create_app
from tests.conftest import wait_until_final


def api_key(organization: str = "acme", role: str = "admin") -> str:
    """An API key of ``role`` in ``organization`` (created with the organisation if need be)."""
    from paperclerk.auth import service as accounts
    from paperclerk.auth.models import Organization
    from paperclerk.core.db import session_scope

    with session_scope() as session:
        org = session.scalars(select(Organization).where(Organization.slug == organization)).first()
        if org is None:
            org = accounts.create_organization(session, organization.title(), slug=organization)
        _, secret = accounts.create_api_key(session, org.id, role, f"tests {role}")
    return secret


def organization_id(slug: str = "acme") -> str:
    from paperclerk.auth.models import Organization
    from paperclerk.core.db import session_scope

    with session_scope(readonly=True) as session:
        return session.scalars(select(Organization.id).where(Organization.slug == slug)).one()


@contextmanager
def api_client(*, embedded_workers: bool = True, organization: str = "acme", role: str = "admin"
               ) -> Iterator[TestClient]:
    """A client of the real app, authenticated by an API key of ``role`` in ``organization``."""
    key = api_key(organization, role)
    with TestClient(create_app(embedded_workers=embedded_workers), raise_server_exceptions=False) as client:
        client.headers["X-API-Key"] = key
        yield client


def upload(client: TestClient, *files: tuple[str, bytes], expect: int = 202) -> dict[str, Any]:
    response = client.post("/api/v1/documents",
                           files=[("files", (name, data, "application/octet-stream")) for name, data in files])
    assert response.status_code == expect, response.text
    return response.json()  # type: ignore[no-any-return]


def upload_and_wait(client: TestClient, *files: tuple[str, bytes], timeout: float = 60) -> list[dict[str, Any]]:
    ids = [document["id"] for document in upload(client, *files)["documents"]]
    wait_until_final(ids, timeout=timeout)
    return [client.get(f"/api/v1/documents/{document_id}").json() for document_id in ids]


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    return body["error"]  # type: ignore[no-any-return]
