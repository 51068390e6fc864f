"""The users and API-keys pages: the same service functions and rules as the API, CSRF, secrets shown once."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from paperclerk.auth import service as accounts
from paperclerk.core.audit import list_audit
from paperclerk.core.db import session_scope
from tests.web.conftest import PASSWORD, Account, create_account, form_token, web_login


def _post(client: TestClient, path: str, page: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": form_token(client, page), **data}, follow_redirects=False)


def _row(html: str, email: str) -> str:
    match = re.search(rf'<tr data-user-id="[^"]+" data-email="{re.escape(email)}">.*?</tr>', html, re.S)
    assert match, html
    return match.group(0)


def _user_id(html: str, email: str) -> str:
    match = re.search(r'data-user-id="([^"]+)"', _row(html, email))
    assert match
    return match.group(1)


def test_add_change_role_disable_enable_and_reset_a_user(client: TestClient, make_client, admin: Account) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/users")
    assert page.status_code == 200 and admin.email in page.text and 'href="/users"' in page.text
    added = _post(client, "/users", "/users", email="Clerk@Acme.example", role="reviewer")
    assert added.status_code == 200 and "shown this once" in added.text
    password = re.search(r'data-secret>([^<]+)<', added.text).group(1)  # type: ignore[union-attr]
    user_id = _user_id(added.text, "clerk@acme.example")
    assert 'value="reviewer" selected' in _row(added.text, "clerk@acme.example")

    clerk = make_client()
    web_login(clerk, Account("clerk@acme.example", password, "reviewer", "acme", "", ""))
    assert clerk.get("/users").status_code == 403  # a reviewer cannot manage users

    changed = _post(client, f"/users/{user_id}/role", "/users", role="approver")
    assert changed.status_code == 303 and changed.headers["location"] == "/users?done=role"
    assert 'value="approver" selected' in _row(client.get("/users").text, "clerk@acme.example")
    assert _post(client, f"/users/{user_id}/disable", "/users").status_code == 303
    assert "Disabled" in _row(client.get("/users").text, "clerk@acme.example")
    assert clerk.get("/", follow_redirects=False).headers["location"].startswith("/login")  # logged out everywhere
    assert _post(client, f"/users/{user_id}/enable", "/users").status_code == 303
    reset = _post(client, f"/users/{user_id}/reset-password", "/users")
    assert reset.status_code == 200 and "Password for clerk@acme.example" in reset.text

    with session_scope(readonly=True) as session:
        actions = [entry.action for entry in list_audit(session, admin.organization_id)[0]]
    assert {"user.add", "user.set_role", "user.disable", "user.enable", "user.reset_password"} <= set(actions)
    assert password not in str(actions)


def test_refusals_show_the_reason_and_other_organisations_are_not_found(client: TestClient, admin: Account) -> None:
    me = _user_id(client.get("/users").text, admin.email)
    refused = _post(client, f"/users/{me}/disable", "/users")
    assert refused.status_code == 400 and "You cannot disable your own account" in refused.text
    weak = _post(client, "/users", "/users", email="weak@acme.example", password="short")
    assert weak.status_code == 400 and "data-admin-error" in weak.text and 'value="weak@acme.example"' in weak.text

    # A member who administers another organisation: acme's admin may not take the account over.
    beta_admin = create_account("boss@beta.example", "admin", "beta")
    with session_scope() as session:
        user = accounts.find_user_by_email(session, beta_admin.email)
        accounts.add_membership(session, user.id, admin.organization_id, "viewer")
        user_id = user.id
    for action in ("reset-password", "disable"):
        shared = _post(client, f"/users/{user_id}/{action}", "/users")
        assert shared.status_code == 403 and "also belongs to an organisation you do not administer" in shared.text

    stranger = create_account("lonely@gamma.example", "viewer", "gamma")
    with session_scope() as session:
        stranger_id = accounts.find_user_by_email(session, stranger.email).id
    for action, data in (("role", {"role": "admin"}), ("disable", {}), ("enable", {}), ("reset-password", {})):
        response = _post(client, f"/users/{stranger_id}/{action}", "/users", **data)
        assert response.status_code == 404 and "There is no such user in this organisation" in response.text


def test_forms_without_the_csrf_token_are_refused(client: TestClient) -> None:
    response = client.post("/users", data={"email": "x@acme.example"}, follow_redirects=False)
    assert response.status_code == 403
    assert "x@acme.example" not in client.get("/users").text


def test_create_and_revoke_an_api_key(client: TestClient, make_client) -> None:  # type: ignore[no-untyped-def]
    created = _post(client, "/apikeys", "/apikeys", name="ERP export", role="viewer")
    assert created.status_code == 200 and "shown this once" in created.text
    secret = re.search(r'data-secret>(pck_[^<]+)<', created.text).group(1)  # type: ignore[union-attr]
    key_id = re.search(r'<tr data-key-id="([^"]+)" data-name="ERP export">', created.text).group(1)  # type: ignore[union-attr]
    assert secret not in client.get("/apikeys").text  # never again
    robot = make_client()
    robot.headers["X-API-Key"] = secret
    assert robot.get("/api/v1/documents").status_code == 200
    revoked = _post(client, f"/apikeys/{key_id}/revoke", "/apikeys")
    assert revoked.status_code == 303 and revoked.headers["location"] == "/apikeys?done=revoked"
    assert robot.get("/api/v1/documents").status_code == 401
    assert "Revoked" in client.get("/apikeys").text
    nameless = _post(client, "/apikeys", "/apikeys", name=" ", role="viewer")
    assert nameless.status_code == 400 and "data-admin-error" in nameless.text
    assert _post(client, "/apikeys/no-such-key/revoke", "/apikeys").status_code == 404
    assert PASSWORD not in created.text


def test_adding_an_address_with_an_account_elsewhere_shows_a_password_like_a_new_one(client: TestClient) -> None:
    """An empty password field: the page shows a generated password for a known address too (it applies only to a
    new account), so the page does not tell which addresses have an account in another organisation."""
    create_account("known@beta.example", "admin", organization="beta")
    pages = {email: _post(client, "/users", "/users", email=email, role="viewer")
             for email in ("known@beta.example", "fresh@acme.example")}
    shown = {}
    for email, page in pages.items():
        assert page.status_code == 200 and "shown this once" in page.text and "data-shown-password" in page.text
        shown[email] = re.search(r'data-secret>([^<]+)<', page.text).group(1)  # type: ignore[union-attr]
        assert page.text.count("already had a paperclerk account") == 1
    assert len(shown["known@beta.example"]) == len(shown["fresh@acme.example"])
