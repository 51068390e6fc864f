"""Access tokens (HS256 only, every kind of bad token → 401 with its code) and refresh-token rotation."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from paperclerk.auth import tokens
from paperclerk.auth.models import RefreshToken
from paperclerk.core.db import session_scope, utcnow
from tests.auth.conftest import Account, bearer, login
from tests.helpers import assert_error


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _claims(token: str) -> dict[str, object]:
    return jwt.decode(token, options={"verify_signature": False})  # type: ignore[no-any-return]


def test_access_token_claims(client: TestClient, admin: Account) -> None:
    claims = _claims(login(client, admin)["access_token"])
    assert set(claims) == {"sub", "org", "role", "type", "sid", "iat", "exp", "jti"}
    assert claims["sub"] == admin.id and claims["org"] == admin.org.id and claims["role"] == "admin"
    assert claims["type"] == "access" and claims["exp"] - claims["iat"] == 3600  # type: ignore[operator]
    assert jwt.get_unverified_header(login(client, admin)["access_token"])["alg"] == "HS256"


def test_bad_tokens_are_refused_with_distinct_codes(client: TestClient, admin: Account) -> None:
    good = login(client, admin)["access_token"]
    header, payload, signature = good.split(".")
    claims = _claims(good)
    tampered = ".".join([header, _b64({**claims, "role": "admin", "sub": "someone-else"}), signature])
    alg_none = ".".join([_b64({"alg": "none", "typ": "JWT"}), payload, ""])
    # RS/HS confusion: an "RS256" token signed with a (public) value used as an HMAC secret.
    rs_header = ".".join([_b64({"alg": "RS256", "typ": "JWT"}), payload, signature])
    wrong_key = jwt.encode(claims, "another-key-that-is-long-enough-for-hs256", algorithm="HS256")
    now = utcnow()
    expired = tokens.create_token(user_id=admin.id, organization_id=admin.org.id, role="admin",
                                  session_id=str(claims["sid"]), now=now - timedelta(hours=2)).token
    session_cookie = tokens.create_token(user_id=admin.id, organization_id=admin.org.id, role="admin",
                                         session_id=str(claims["sid"]), token_type=tokens.SESSION).token
    missing_claim = jwt.encode({key: value for key, value in claims.items() if key != "sid"},
                               _secret(), algorithm="HS256")
    cases = {
        "TOKEN_INVALID": [tampered, wrong_key, missing_claim],
        "TOKEN_ALGORITHM": [alg_none, rs_header],
        "TOKEN_EXPIRED": [expired],
        "TOKEN_WRONG_TYPE": [session_cookie],
        "TOKEN_MALFORMED": ["not-a-jwt", "a.b"],
    }
    for code, bad_tokens in cases.items():
        for token in bad_tokens:
            assert_error(client.get("/api/v1/auth/me", headers=bearer(token)), 401, code)
    assert client.get("/api/v1/auth/me", headers=bearer(good)).status_code == 200
    assert_error(client.get("/api/v1/auth/me"), 401, "AUTH_REQUIRED")
    assert_error(client.get("/api/v1/auth/me", headers={"Authorization": "Basic YTpi"}), 401, "AUTH_SCHEME")


def _secret() -> str:
    from paperclerk.auth.settings import signing_key

    return signing_key()


def test_refresh_rotates_and_the_new_pair_works(client: TestClient, admin: Account) -> None:
    first = login(client, admin)
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.text
    pair = second.json()
    assert pair["refresh_token"] != first["refresh_token"] and pair["access_token"] != first["access_token"]
    assert _claims(pair["access_token"])["sid"] == _claims(first["access_token"])["sid"]
    assert client.get("/api/v1/auth/me", headers=bearer(pair["access_token"])).status_code == 200
    third = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert third.status_code == 200
    with session_scope(readonly=True) as session:
        rows = session.scalars(select(RefreshToken).order_by(RefreshToken.issued_at)).all()
        assert len(rows) == 3 and len({row.family_id for row in rows}) == 1
        assert all(row.token_hash != first["refresh_token"] and len(row.token_hash) == 64 for row in rows)
        assert sum(row.used_at is None for row in rows) == 1


def test_reusing_a_spent_refresh_token_revokes_the_whole_family(client: TestClient, admin: Account) -> None:
    stolen = login(client, admin)
    other_login = login(client, admin)
    fresh = client.post("/api/v1/auth/refresh", json={"refresh_token": stolen["refresh_token"]}).json()
    reuse = client.post("/api/v1/auth/refresh", json={"refresh_token": stolen["refresh_token"]})
    assert_error(reuse, 401, "TOKEN_REUSED")
    # The legitimate successor and the access tokens of that login are dead too ...
    assert_error(client.post("/api/v1/auth/refresh", json={"refresh_token": fresh["refresh_token"]}), 401,
                 "TOKEN_REUSED")
    assert_error(client.get("/api/v1/auth/me", headers=bearer(fresh["access_token"])), 401, "TOKEN_REVOKED")
    # ... but another login of the same user is untouched.
    assert client.get("/api/v1/auth/me", headers=bearer(other_login["access_token"])).status_code == 200
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": other_login["refresh_token"]}).status_code == 200


def test_unknown_and_expired_refresh_tokens(client: TestClient, admin: Account) -> None:
    assert_error(client.post("/api/v1/auth/refresh", json={"refresh_token": "pcr_nope"}), 401, "TOKEN_INVALID")
    pair = login(client, admin)
    with session_scope() as session:
        row = session.scalar(select(RefreshToken).where(
            RefreshToken.token_hash == tokens.hash_token(pair["refresh_token"])))
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
    assert_error(client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}), 401,
                 "TOKEN_EXPIRED")


def test_logout_ends_the_session(client: TestClient, admin: Account) -> None:
    pair = login(client, admin)
    response = client.post("/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
    assert response.status_code == 204
    assert_error(client.get("/api/v1/auth/me", headers=bearer(pair["access_token"])), 401, "TOKEN_REVOKED")
    assert_error(client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}), 401,
                 "TOKEN_REUSED")
    # With only the access token of a session.
    other = login(client, admin)
    assert client.post("/api/v1/auth/logout", headers=bearer(other["access_token"])).status_code == 204
    assert_error(client.get("/api/v1/auth/me", headers=bearer(other["access_token"])), 401, "TOKEN_REVOKED")
    assert_error(client.post("/api/v1/auth/logout"), 401, "AUTH_REQUIRED")


def test_disabling_a_user_ends_their_tokens_at_once(client: TestClient, admin: Account,
                                                    make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("worker@acme.example", "reviewer")
    pair = login(client, user)
    admin_token = login(client, admin)["access_token"]
    assert client.post(f"/api/v1/users/{user.id}/disable", headers=bearer(admin_token)).status_code == 200
    assert_error(client.get("/api/v1/auth/me", headers=bearer(pair["access_token"])), 401, "TOKEN_REVOKED")
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 401


@pytest.mark.parametrize("role", ["viewer", "approver"])
def test_role_changes_apply_to_existing_tokens(client: TestClient, admin: Account, make_user, role: str) -> None:  # type: ignore[no-untyped-def]
    user = make_user("changer@acme.example", "reviewer")
    token = login(client, user)["access_token"]
    admin_token = login(client, admin)["access_token"]
    changed = client.post(f"/api/v1/users/{user.id}/role", json={"role": role}, headers=bearer(admin_token))
    assert changed.status_code == 200 and changed.json()["role"] == role
    assert client.get("/api/v1/auth/me", headers=bearer(token)).json()["role"] == role


def test_a_genuine_token_for_another_organisation_is_refused(client: TestClient, admin: Account) -> None:
    from paperclerk.auth import service

    claims = _claims(login(client, admin)["access_token"])
    with session_scope() as session:
        rival = service.create_organization(session, "Rival", slug="rival")
    # Correctly signed, live session, real user, but an organisation the user does not belong to.
    forged = tokens.create_token(user_id=admin.id, organization_id=rival.id, role="admin",
                                 session_id=str(claims["sid"])).token
    assert_error(client.get("/api/v1/auth/me", headers=bearer(forged)), 401, "TOKEN_REVOKED")
    assert_error(client.get("/api/v1/documents", headers=bearer(forged)), 401, "TOKEN_REVOKED")
