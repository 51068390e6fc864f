"""Accounts and web logins for the page tests: real users, the real login form, the real CSRF tokens."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from paperclerk.app import create_app
from tests.conftest import Env
from tests.helpers import api_key

PASSWORD = "Correct-Horse-42-battery"
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    role: str
    organization: str  # slug
    organization_name: str
    organization_id: str


def create_account(email: str, role: str = "admin", organization: str = "acme") -> Account:
    """A user of ``role`` in ``organization`` (created with the organisation if need be)."""
    from paperclerk.auth import service as accounts
    from paperclerk.auth.models import Organization
    from paperclerk.core.db import session_scope

    with session_scope() as session:
        org = session.scalars(select(Organization).where(Organization.slug == organization)).first()
        if org is None:
            org = accounts.create_organization(session, f"{organization.title()} Ltd", slug=organization)
        accounts.create_user(session, email, PASSWORD, organization_id=org.id, role=role)
        return Account(email, PASSWORD, role, org.slug, org.name, org.id)


def form_token(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    match = FORM_TOKEN.search(page.text)
    assert match, page.text
    return match.group(1)


def page_token(client: TestClient, path: str = "/") -> str:
    """The CSRF token a page hands its script (``<meta name="csrf-token">``)."""
    page = client.get(path)
    match = META_TOKEN.search(page.text)
    assert match and match.group(1), page.text
    return match.group(1)


def web_login(client: TestClient, account: Account, next_path: str = "/") -> str:
    """Log in through the login form, as a browser does; returns where the login sent us."""
    token = form_token(client)
    response = client.post("/login", data={"csrf_token": token, "email": account.email,
                                           "password": account.password, "next": next_path},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    assert client.cookies.get("paperclerk_session")
    return response.headers["location"]


def upload(client: TestClient, name: str, data: bytes, media_type: str = "application/octet-stream") -> str:
    """Upload as the inbox's script does: the session cookie plus the page's token in X-CSRF-Token."""
    response = client.post("/api/v1/documents", files=[("files", (name, data, media_type))],
                           headers={"X-CSRF-Token": page_token(client)})
    assert response.status_code == 202, response.text
    return str(response.json()["documents"][0]["id"])


@pytest.fixture
def make_client(env: Env) -> Iterator[Callable[[], TestClient]]:
    """Anonymous browsers of one app with embedded workers (each keeps its own cookies)."""
    app = create_app(embedded_workers=True)
    clients: list[TestClient] = []

    def make() -> TestClient:
        client = TestClient(app, raise_server_exceptions=False)
        if not clients:
            client.__enter__()  # the first one runs the app's lifespan (the workers)
        clients.append(client)
        return client

    yield make
    if clients:
        clients[0].__exit__(None, None, None)


@pytest.fixture
def admin(env: Env) -> Account:
    return create_account("admin@acme.example", "admin")


@pytest.fixture
def client(make_client: Callable[[], TestClient], admin: Account) -> TestClient:
    """A browser logged in as an admin of Acme."""
    browser = make_client()
    web_login(browser, admin)
    return browser


Browser = Callable[[str], TestClient]


@pytest.fixture
def browse(env: Env) -> Iterator[Browser]:
    """``browse(role)``: a browser logged in as a new Acme user of ``role`` (one app, embedded workers)."""
    app = create_app(embedded_workers=True)
    clients: list[TestClient] = []

    def make(role: str, organization: str = "acme") -> TestClient:
        client = TestClient(app, raise_server_exceptions=False)
        if not clients:
            client.__enter__()  # the first one runs the app's lifespan (the workers)
        clients.append(client)
        if role == "api":
            client.headers["X-API-Key"] = api_key("acme", "admin")
        else:
            web_login(client, create_account(f"{role}-{len(clients)}@{organization}.example", role, organization))
        return client

    yield make
    if clients:
        clients[0].__exit__(None, None, None)
