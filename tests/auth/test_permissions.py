"""The role → permission table and ``require(...)`` on routes: 401 without credentials, 403 without the right."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient

from paperclerk.auth.dependencies import require
from paperclerk.auth.permissions import (
    CORE_PERMISSIONS,
    PERMISSIONS,
    ROLE_PERMISSIONS,
    check_permission_name,
    role_allows,
)
from paperclerk.auth.principal import Principal
from tests.auth.conftest import Account, bearer, build_app, login
from tests.helpers import assert_error

EXPECTED = {
    # permission: lowest role that has it
    "documents:read": "viewer", "search:read": "viewer",
    "documents:upload": "reviewer", "documents:retry": "reviewer", "documents:correct": "reviewer",
    "documents:dismiss": "reviewer",
    "documents:approve": "approver", "documents:reject": "approver", "documents:export": "approver",
    "documents:delete": "admin", "users:manage": "admin", "apikeys:manage": "admin", "rules:manage": "admin",
    "settings:manage": "admin", "audit:read": "admin",
}
ORDER = ["viewer", "reviewer", "approver", "admin"]


@pytest.mark.parametrize("permission", sorted(EXPECTED))
def test_permission_table(permission: str) -> None:
    lowest = ORDER.index(EXPECTED[permission])
    for index, role in enumerate(ORDER):
        assert role_allows(role, permission) is (index >= lowest), (role, permission)


def test_table_has_no_unlisted_permission_and_unknown_roles_have_none() -> None:
    assert {permission.name: permission.lowest_role for permission in CORE_PERMISSIONS} == EXPECTED
    assert set().union(*ROLE_PERMISSIONS.values()) == set(PERMISSIONS)  # the core's and every line's
    assert not role_allows("owner", "documents:read")
    with pytest.raises(ValueError, match="unknown permission"):
        check_permission_name("documents:raed")
    with pytest.raises(ValueError):
        require("documents:raed")


@pytest.fixture
def guarded(env: object) -> TestClient:
    app = build_app()

    @app.post("/api/v1/test/approve")
    def approve(principal: Annotated[Principal, Depends(require("documents:approve"))]) -> dict[str, str]:
        return {"by": principal.label}

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(("role", "allowed"), [("viewer", False), ("reviewer", False), ("approver", True),
                                               ("admin", True)])
def test_require_on_a_route(guarded: TestClient, make_user: Callable[..., Account], role: str, allowed: bool) -> None:
    user = make_user(f"{role}@acme.example", role)
    response = guarded.post("/api/v1/test/approve", headers=bearer(login(guarded, user)["access_token"]))
    if allowed:
        assert response.status_code == 200 and response.json() == {"by": user.email}
    else:
        error = assert_error(response, 403, "FORBIDDEN")
        assert error["details"] == {"permission": "documents:approve", "role": role}
    assert_error(guarded.post("/api/v1/test/approve"), 401, "AUTH_REQUIRED")


ADMIN_ROUTES = [
    ("GET", "/api/v1/users", None), ("POST", "/api/v1/users", {"email": "x@acme.example"}),
    ("POST", "/api/v1/users/{id}/disable", None), ("POST", "/api/v1/users/{id}/reset-password", None),
    ("POST", "/api/v1/users/{id}/role", {"role": "admin"}),
    ("GET", "/api/v1/apikeys", None), ("POST", "/api/v1/apikeys", {"name": "k"}),
    ("DELETE", "/api/v1/apikeys/some-id", None), ("GET", "/api/v1/audit", None),
]


@pytest.mark.parametrize("role", ["viewer", "reviewer", "approver"])
def test_admin_routes_refuse_other_roles(client: TestClient, make_user: Callable[..., Account], role: str) -> None:
    user = make_user(f"{role}@acme.example", role)
    headers = bearer(login(client, user)["access_token"])
    for method, path, body in ADMIN_ROUTES:
        response = client.request(method, path.format(id=user.id), json=body, headers=headers)
        assert_error(response, 403, "FORBIDDEN")
        response = client.request(method, path.format(id=user.id), json=body)
        assert_error(response, 401, "AUTH_REQUIRED")
