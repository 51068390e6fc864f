"""Web login: the session cookie, CSRF on every form post, logout, and no open redirects."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from paperclerk.auth.web import CSRF_COOKIE, safe_next
from tests.auth.conftest import Account
from tests.helpers import assert_error

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _form_token(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    assert page.status_code == 200
    match = TOKEN.search(page.text)
    assert match, page.text
    return match.group(1)


def _web_login(client: TestClient, account: Account, next_path: str = "/") -> None:
    token = _form_token(client)
    response = client.post("/login", data={"email": account.email, "password": account.password, "next": next_path,
                                           "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text


def test_login_page_renders_with_the_product_layout_and_a_pre_session(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Log in to paperclerk" in page.text and 'class="topbar"' in page.text  # base.html from web/
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"{CSRF_COOKIE}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie


def test_login_page_looks_like_the_site_and_hands_scripts_the_same_token(client: TestClient) -> None:
    page = client.get("/login")
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    form = TOKEN.search(page.text)
    assert meta and form and meta.group(1) == form.group(1)
    assert '<link rel="stylesheet" href="/static/app.css' in page.text and 'class="card login"' in page.text
    assert not re.search(r"\sstyle=|<style\b|<script(?![^>]*\bsrc=)|\son[a-z]+=", page.text)


def test_login_sets_a_secure_session_cookie_that_authenticates(client: TestClient, admin: Account) -> None:
    token = _form_token(client)
    response = client.post("/login", data={"email": admin.email, "password": admin.password,
                                           "next": "/search?q=x", "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/search?q=x"
    cookie = next(value for value in response.headers.get_list("set-cookie") if value.startswith("paperclerk_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie and "Max-Age=43200" in cookie
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["label"] == admin.email


def test_session_cookie_is_secure_over_https(make_client, admin: Account) -> None:  # type: ignore[no-untyped-def]
    client = make_client("https://testserver")
    token = _form_token(client)
    response = client.post("/login", data={"email": admin.email, "password": admin.password, "csrf_token": token},
                           follow_redirects=False)
    cookies = response.headers.get_list("set-cookie")
    assert any(value.startswith("paperclerk_session=") and "Secure" in value for value in cookies)


@pytest.mark.parametrize("token", [None, "", "forged-token", "wrong"])
def test_login_form_without_a_valid_token_is_refused(client: TestClient, admin: Account, token: str | None) -> None:
    real = _form_token(client)
    data = {"email": admin.email, "password": admin.password}
    if token is not None:
        data["csrf_token"] = token if token != "wrong" else real[:-2] + ("AA" if not real.endswith("AA") else "BB")
    response = client.post("/login", data=data, follow_redirects=False)
    assert_error(response, 403, "CSRF_FAILED")
    assert "paperclerk_session" not in response.headers.get("set-cookie", "")


def test_a_token_from_another_visitor_does_not_work(make_client, admin: Account) -> None:  # type: ignore[no-untyped-def]
    attacker, victim = make_client(), make_client()
    stolen = _form_token(attacker)
    victim.get("/login")
    response = victim.post("/login", data={"email": admin.email, "password": admin.password, "csrf_token": stolen})
    assert_error(response, 403, "CSRF_FAILED")


def test_cookie_authenticated_posts_need_the_token(client: TestClient, admin: Account) -> None:
    _web_login(client, admin)
    assert_error(client.post("/logout", follow_redirects=False), 403, "CSRF_FAILED")
    assert_error(client.post("/api/v1/apikeys", json={"name": "from a form"}), 403, "CSRF_FAILED")
    assert_error(client.post("/api/v1/apikeys", json={"name": "x"}, headers={"X-CSRF-Token": "nope"}), 403,
                 "CSRF_FAILED")
    token = _form_token(client)  # now bound to the session, not to the pre-session
    created = client.post("/api/v1/apikeys", json={"name": "from a script"}, headers={"X-CSRF-Token": token})
    assert created.status_code == 201, created.text
    # A multipart form whose first field is the token passes the check (then the route answers as usual).
    multipart = client.post("/api/v1/apikeys", files={"csrf_token": (None, token), "name": (None, "x")})
    assert multipart.status_code == 422
    assert_error(client.post("/api/v1/apikeys", files={"name": (None, "x"), "csrf_token": (None, token)}), 403,
                 "CSRF_FAILED")
    # Bearer tokens and API keys are not sent by browsers on their own: no CSRF check for them.
    key = created.json()["key"]
    assert client.post("/api/v1/auth/logout", headers={"X-API-Key": key}).status_code == 401


def test_web_logout_ends_the_session(client: TestClient, admin: Account) -> None:
    _web_login(client, admin)
    token = _form_token(client)
    cookie = client.cookies.get("paperclerk_session")
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.cookies.get("paperclerk_session") is None
    client.cookies.set("paperclerk_session", cookie)  # a copy kept by someone else is dead too
    assert_error(client.get("/api/v1/auth/me"), 401, "TOKEN_REVOKED")


def test_failed_web_login_shows_the_error_and_keeps_no_password(client: TestClient, admin: Account) -> None:
    token = _form_token(client)
    response = client.post("/login", data={"email": admin.email, "password": "Wrong-password-99", "csrf_token": token})
    assert response.status_code == 401 and 'data-login-error="CREDENTIALS_INVALID"' in response.text
    assert "The e-mail address or the password is wrong" in response.text
    assert "CREDENTIALS_INVALID" not in re.sub(r"<[^>]*>", "", response.text)  # no raw code for people
    assert admin.email in response.text and "Wrong-password-99" not in response.text
    for _ in range(4):
        response = client.post("/login", data={"email": admin.email, "password": "Wrong-password-99",
                                               "csrf_token": token})
    assert response.status_code == 429 and int(response.headers["retry-after"]) > 0
    assert 'data-login-error="ACCOUNT_LOCKED"' in response.text
    assert "Please try again in 15 minutes" in response.text
    assert "ACCOUNT_LOCKED" not in re.sub(r"<[^>]*>", "", response.text)


@pytest.mark.parametrize(("value", "expected"), [
    ("/documents/1", "/documents/1"), ("/search?q=a", "/search?q=a"), ("//evil.example/", "/"),
    ("https://evil.example/", "/"), ("/\\evil.example", "/"), ("javascript:alert(1)", "/"), ("", "/"),
    (None, "/"), ("/ok\r\nSet-Cookie: x", "/"),
])
def test_only_local_paths_are_followed_after_login(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


def test_open_redirect_is_not_followed(client: TestClient, admin: Account) -> None:
    token = _form_token(client)
    response = client.post("/login", data={"email": admin.email, "password": admin.password,
                                           "next": "//evil.example/x", "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
