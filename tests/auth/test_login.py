"""Login: success, lockout per address and per client, no hint whether an account exists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from paperclerk.auth import passwords, service
from paperclerk.auth.errors import AccountLocked, Forbidden, Unauthorized
from paperclerk.auth.models import User
from paperclerk.core.db import session_scope, utcnow
from paperclerk.core.errors import InvalidRequest
from tests.auth.conftest import Account, Org, bearer, login
from tests.helpers import assert_error


def attempt(email: str, password: str, *, ip: str = "198.51.100.7", now=None, organization=None):  # type: ignore[no-untyped-def]
    """One login in its own unit of work, committing failure counts like the route does."""
    with service.unit_of_work_keeping_failures() as session:
        who = service.authenticate(session, email, password, ip=ip, now=now, organization=organization)
        return who.user.id


def test_login_over_the_api_returns_tokens_for_the_organisation(client: TestClient, admin: Account) -> None:
    body = login(client, admin)
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert body["organization"] == {"id": admin.org.id, "name": "Acme Ltd", "slug": "acme"}
    assert body["role"] == "admin" and body["refresh_token"].startswith("pcr_")
    me = client.get("/api/v1/auth/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200, me.text
    assert me.json()["label"] == admin.email and "users:manage" in me.json()["permissions"]
    with session_scope(readonly=True) as session:
        assert session.get(User, admin.id).last_login_at is not None  # type: ignore[union-attr]


def test_email_is_case_insensitive(make_user: Callable[..., Account]) -> None:
    account = make_user("Mixed.Case@Acme.example")
    assert account.email == "mixed.case@acme.example"
    assert attempt("  MIXED.case@acme.EXAMPLE ", account.password) == account.id


def test_wrong_password_and_unknown_user_answer_alike(client: TestClient, admin: Account) -> None:
    wrong = client.post("/api/v1/auth/login", json={"email": admin.email, "password": "Wrong-password-99"})
    unknown = client.post("/api/v1/auth/login", json={"email": "nobody@acme.example", "password": "Wrong-password-99"})
    first, second = assert_error(wrong, 401, "CREDENTIALS_INVALID"), assert_error(unknown, 401, "CREDENTIALS_INVALID")
    assert first == second


def test_unknown_user_still_costs_one_password_verification(admin: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = passwords.PasswordHasher.verify

    def counting(self, stored, password):  # type: ignore[no-untyped-def]
        calls.append(stored)
        return real(self, stored, password)

    monkeypatch.setattr(passwords.PasswordHasher, "verify", counting)
    with pytest.raises(Unauthorized):
        attempt("nobody@acme.example", "Wrong-password-99")
    with pytest.raises(Unauthorized):
        attempt(admin.email, "Wrong-password-99")
    assert len(calls) == 2 and all(stored.startswith("$argon2id$") for stored in calls)


def test_five_failures_lock_the_account_for_fifteen_minutes(admin: Account) -> None:
    start = utcnow()
    for number in range(4):
        with pytest.raises(Unauthorized) as caught:
            attempt(admin.email, "Wrong-password-99", now=start + timedelta(seconds=number), ip=f"203.0.113.{number}")
        assert caught.value.code == "CREDENTIALS_INVALID"
    with pytest.raises(AccountLocked) as locked:
        attempt(admin.email, "Wrong-password-99", now=start + timedelta(seconds=4), ip="203.0.113.4")
    assert locked.value.code == "ACCOUNT_LOCKED" and locked.value.http_status == 429
    assert locked.value.details["retry_after_seconds"] == 15 * 60
    # Locked: even the right password is refused, from a fresh address too, until the time is up.
    with pytest.raises(AccountLocked) as still:
        attempt(admin.email, admin.password, now=start + timedelta(minutes=10), ip="203.0.113.50")
    assert still.value.retry_after == 5 * 60 + 4
    assert attempt(admin.email, admin.password, now=start + timedelta(minutes=15, seconds=4),
                   ip="203.0.113.51") == admin.id
    with session_scope(readonly=True) as session:
        user = session.get(User, admin.id)
        assert user is not None and user.failed_logins == 0 and user.locked_until is None


def test_success_resets_the_count_and_old_failures_are_forgotten(admin: Account) -> None:
    start = utcnow()
    for number in range(4):
        with pytest.raises(Unauthorized):
            attempt(admin.email, "Wrong-password-99", now=start, ip=f"203.0.113.{number}")
    attempt(admin.email, admin.password, now=start, ip="203.0.113.9")
    for number in range(4):
        with pytest.raises(Unauthorized):
            attempt(admin.email, "Wrong-password-99", now=start, ip=f"203.0.113.{10 + number}")
    # Twenty minutes later the four failures above no longer count.
    later = start + timedelta(minutes=20)
    with pytest.raises(Unauthorized) as caught:
        attempt(admin.email, "Wrong-password-99", now=later, ip="203.0.113.20")
    assert caught.value.code == "CREDENTIALS_INVALID"


def test_unknown_addresses_lock_exactly_like_accounts(env: object) -> None:
    start = utcnow()
    for number in range(4):
        with pytest.raises(Unauthorized):
            attempt("ghost@acme.example", "Wrong-password-99", now=start, ip=f"203.0.113.{number}")
    with pytest.raises(AccountLocked) as locked:
        attempt("ghost@acme.example", "Wrong-password-99", now=start, ip="203.0.113.99")
    assert locked.value.retry_after == 15 * 60


def test_one_client_address_is_locked_after_five_failures_on_any_accounts(
        admin: Account, make_user: Callable[..., Account]) -> None:
    other = make_user("other@acme.example")
    start = utcnow()
    emails = ["a@acme.example", "b@acme.example", admin.email, "c@acme.example", other.email]
    for email in emails[:4]:
        with pytest.raises(Unauthorized):
            attempt(email, "Wrong-password-99", now=start, ip="192.0.2.66")
    with pytest.raises(AccountLocked):
        attempt(emails[4], "Wrong-password-99", now=start, ip="192.0.2.66")
    # The address is locked for everyone, even with right passwords and unknown users alike ...
    for email, password in ((other.email, other.password), ("new@acme.example", "Wrong-password-99")):
        with pytest.raises(AccountLocked):
            attempt(email, password, now=start + timedelta(minutes=1), ip="192.0.2.66")
    # ... but not the accounts themselves, from elsewhere.
    assert attempt(other.email, other.password, now=start + timedelta(minutes=1), ip="192.0.2.67") == other.id
    assert attempt(other.email, other.password, now=start + timedelta(minutes=16), ip="192.0.2.66") == other.id


def test_locked_login_over_the_api_is_429_with_retry_after(client: TestClient, admin: Account) -> None:
    for _ in range(4):
        response = client.post("/api/v1/auth/login", json={"email": admin.email, "password": "Wrong-password-99"})
        assert_error(response, 401, "CREDENTIALS_INVALID")
    response = client.post("/api/v1/auth/login", json={"email": admin.email, "password": admin.password})
    # Four failures lock nothing: the right password still works (it does not clear the client count).
    assert response.status_code == 200
    for _ in range(5):
        response = client.post("/api/v1/auth/login", json={"email": "ghost@acme.example", "password": "Nope-nope-123"})
    error = assert_error(response, 429, "ACCOUNT_LOCKED")
    assert int(response.headers["retry-after"]) == error["details"]["retry_after_seconds"] > 0


def test_disabled_account_cannot_log_in_and_looks_like_a_wrong_password(admin: Account,
                                                                        make_user: Callable[..., Account]) -> None:
    user = make_user("leaver@acme.example")
    with session_scope() as session:
        service.disable_user(session, user.id)
    with pytest.raises(Unauthorized) as caught:
        attempt(user.email, user.password)
    assert caught.value.code == "CREDENTIALS_INVALID"


def test_organisation_choice(make_user: Callable[..., Account], org: Org) -> None:
    user = make_user("multi@acme.example", "reviewer")
    with session_scope() as session:
        second = service.create_organization(session, "Beta GmbH")
        service.add_membership(session, user.id, second.id, "approver")
        lonely = service.create_user(session, "lonely@acme.example", user.password)
        lonely_email = lonely.email
    with pytest.raises(InvalidRequest) as caught:
        attempt(user.email, user.password)
    assert caught.value.code == "ORGANIZATION_REQUIRED"
    assert caught.value.details["organizations"] == ["acme", "beta-gmbh"]
    with session_scope() as session:
        who = service.authenticate(session, user.email, user.password, organization="beta-gmbh")
        assert who.membership.role == "approver" and who.organization.slug == "beta-gmbh"
        who = service.authenticate(session, user.email, user.password, organization=org.id)
        assert who.membership.role == "reviewer"
    with pytest.raises(Forbidden) as not_member:
        attempt(user.email, user.password, organization="nowhere")
    assert not_member.value.code == "NOT_A_MEMBER"
    with pytest.raises(Forbidden) as none:
        attempt(lonely_email, user.password)
    assert none.value.code == "NO_ORGANIZATION"


def test_login_rehashes_a_password_hashed_with_older_parameters(admin: Account,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from paperclerk.auth import settings as auth_settings

    monkeypatch.setenv("PAPERCLERK_PASSWORD_TIME_COST", "2")
    auth_settings.reset()
    attempt(admin.email, admin.password)
    with session_scope(readonly=True) as session:
        stored = session.scalar(select(User.password_hash).where(User.id == admin.id))
    assert stored is not None and "t=2" in stored
    assert attempt(admin.email, admin.password) == admin.id
