"""Accounts in several organisations: one organisation's admin cannot take over another's, nor learn who has
an account elsewhere."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from paperclerk.auth import service
from paperclerk.core.db import session_scope
from tests.auth.conftest import PASSWORD, Account, Org, bearer, login
from tests.helpers import assert_error


def _second_org(slug: str = "beta") -> Org:
    with session_scope() as session:
        organization = service.create_organization(session, slug.title(), slug=slug)
        return Org(organization.id, organization.slug)


def test_an_admin_cannot_reset_or_disable_an_account_shared_with_another_organisation(
        client: TestClient, admin: Account, make_user: Callable[..., Account]) -> None:
    beta = _second_org()
    # The victim administers beta and is a mere viewer in acme, whose admin wants beta.
    victim = make_user("victim@beta.example", "admin", organization=beta)
    with session_scope() as session:
        service.add_membership(session, victim.id, admin.org.id, "viewer")
    headers = bearer(login(client, admin)["access_token"])
    for action, body in (("reset-password", {"password": PASSWORD + "-taken"}), ("reset-password", None),
                         ("disable", None), ("enable", None)):
        response = client.post(f"/api/v1/users/{victim.id}/{action}", json=body, headers=headers)
        assert_error(response, 403, "ACCOUNT_SHARED")
    # Nothing changed: the victim still logs in with the old password, into beta.
    assert login(client, victim, organization="beta")["role"] == "admin"
    # The role in acme is acme's own business.
    assert client.post(f"/api/v1/users/{victim.id}/role", json={"role": "reviewer"}, headers=headers).status_code == 200


def test_an_admin_of_every_organisation_of_the_account_may_change_it(
        client: TestClient, admin: Account, make_user: Callable[..., Account]) -> None:
    beta = _second_org()
    shared = make_user("shared@acme.example", "viewer")
    with session_scope() as session:
        service.add_membership(session, shared.id, beta.id, "viewer")
        service.add_membership(session, admin.id, beta.id, "admin")
    headers = bearer(login(client, admin, organization="acme")["access_token"])
    assert client.post(f"/api/v1/users/{shared.id}/disable", headers=headers).json()["is_active"] is False
    assert client.post(f"/api/v1/users/{shared.id}/enable", headers=headers).json()["is_active"] is True
    reset = client.post(f"/api/v1/users/{shared.id}/reset-password", headers=headers)
    assert reset.status_code == 200 and reset.json()["password"]
    # An API key acts in its own organisation only, even one of admin role.
    with session_scope() as session:
        _, key = service.create_api_key(session, admin.org.id, "admin", "robot")
    assert_error(client.post(f"/api/v1/users/{shared.id}/disable", headers={"X-API-Key": key}), 403,
                 "ACCOUNT_SHARED")


def test_adding_an_address_with_an_account_elsewhere_answers_like_a_new_user(
        client: TestClient, admin: Account, make_user: Callable[..., Account]) -> None:
    beta = _second_org()
    elsewhere = make_user("known@beta.example", "admin", organization=beta)
    headers = bearer(login(client, admin)["access_token"])
    answers = {email: client.post("/api/v1/users", json={"email": email, "role": "reviewer",
                                                         "password": PASSWORD + "-chosen"}, headers=headers)
               for email in ("known@beta.example", "fresh@acme.example")}
    assert {response.status_code for response in answers.values()} == {201}
    known, fresh = (answers[email].json() for email in ("known@beta.example", "fresh@acme.example"))
    assert set(known) == set(fresh) and known["password"] is None is fresh["password"]
    assert known["user"]["role"] == "reviewer" == fresh["user"]["role"]
    # The account kept its own password (nobody here may set it); the new one has the chosen password.
    assert login(client, elsewhere, organization="acme")["role"] == "reviewer"
    assert login(client, Account(fresh["user"]["id"], "fresh@acme.example", PASSWORD + "-chosen", admin.org))
    # The organisation's trail reads alike for both, and says nothing of beta.
    trail = client.get("/api/v1/audit", params={"action": "user."}, headers=headers).json()["items"]
    entries = {entry["after"]["email"]: entry for entry in trail if entry["action"] == "user.add"}
    assert entries["known@beta.example"]["after"] == {"email": "known@beta.example", "role": "reviewer"}
    assert [entry["action"] for entry in trail].count("user.add") == 2
    assert not any(entry["action"] in ("user.create", "membership.create") for entry in trail)
    assert beta.id not in str(trail) and "beta" not in str(trail).replace("known@beta.example", "")
    # A member of this organisation already is a conflict (that is this organisation's own knowledge).
    again = client.post("/api/v1/users", json={"email": "known@beta.example"}, headers=headers)
    assert_error(again, 409, "MEMBERSHIP_EXISTS")


def test_inviting_with_an_empty_password_answers_alike_for_an_address_with_an_account_elsewhere(
        client: TestClient, admin: Account, make_user: Callable[..., Account]) -> None:
    """With no password given, both answers carry a generated password (it applies to the new account only): a
    null for the known address would tell the admin that it has an account in another organisation."""
    beta = _second_org()
    elsewhere = make_user("known@beta.example", "admin", organization=beta)
    headers = bearer(login(client, admin)["access_token"])
    answers = {email: client.post("/api/v1/users", json={"email": email, "role": "viewer"}, headers=headers)
               for email in ("known@beta.example", "fresh@acme.example")}
    assert {response.status_code for response in answers.values()} == {201}
    known, fresh = (answers[email].json() for email in ("known@beta.example", "fresh@acme.example"))
    assert set(known) == set(fresh) and set(known["user"]) == set(fresh["user"])
    assert isinstance(known["password"], str) and isinstance(fresh["password"], str)
    assert len(known["password"]) == len(fresh["password"]) and known["password"] != fresh["password"]
    # The account elsewhere kept its own password; the new account has the generated one.
    assert login(client, elsewhere, organization="acme")["role"] == "viewer"
    assert_error(client.post("/api/v1/auth/login", json={"email": "known@beta.example",
                                                         "password": known["password"]}), 401, "CREDENTIALS_INVALID")
    assert login(client, Account(fresh["user"]["id"], "fresh@acme.example", fresh["password"], admin.org))
