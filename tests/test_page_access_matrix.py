"""Who may see which page: every page route for anonymous visitors, every role, and another organisation.

A page route declares its permission beside itself (``Depends(page_require("documents:read"))``); this test
reads those declarations from the app. Each test package adds its rows in ``page_calls.py`` (``PAGE_CALLS``,
see ``tests/page_matrix.py``); the first test fails, naming the route, until a route has its row.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

import tests
from paperclerk.app import create_app, page_routers
from paperclerk.auth.permissions import ROLES, role_allows
from tests.conftest import Env, activate, reset_caches
from tests.helpers import api_key, organization_id
from tests.page_matrix import PageCall, PageWorld, stored_document

#: Pages anybody may open: they are how one logs in and out.
PUBLIC = {("GET", "/login"), ("POST", "/login"), ("POST", "/logout")}


def _row_modules() -> list[ModuleType]:
    packages = [info.name for info in pkgutil.iter_modules(tests.__path__) if info.ispkg]
    return [importlib.import_module(f"tests.{name}.page_calls") for name in sorted(packages)
            if (Path(tests.__path__[0]) / name / "page_calls.py").exists()]


ROW_MODULES = _row_modules()
#: A line's pages for people without an account (a customer's feedback pages) are listed in its ``PUBLIC``.
PUBLIC |= {route for module in ROW_MODULES for route in getattr(module, "PUBLIC", set())}
CALLS: dict[tuple[str, str], PageCall] = {}
for _module in ROW_MODULES:
    for _call in _module.PAGE_CALLS:
        assert _call.route not in CALLS, f"{_call.route} has two rows ({_module.__name__})"
        CALLS[_call.route] = _call


def _declared(route: APIRoute) -> set[str]:
    found: set[str] = set()
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        if permission := getattr(dependant.call, "permission", None):
            found.add(permission)
        pending.extend(dependant.dependencies)
    return found


PAGE_ROUTES = [route for router in page_routers() for route in router.routes if isinstance(route, APIRoute)]
PERMISSIONS = {(method, route.path): _declared(route) for route in PAGE_ROUTES for method in route.methods}
ROUTES = sorted(route for route in PERMISSIONS if route not in PUBLIC)


def test_every_page_route_is_in_the_matrix_and_declares_its_permission() -> None:
    missing = [route for route in ROUTES if route not in CALLS]
    assert not missing, f"add rows for these page routes to the page_calls.py of their line's tests: {missing}"
    assert not set(CALLS) - set(ROUTES), f"rows name page routes that no longer exist: {set(CALLS) - set(ROUTES)}"
    undeclared = [route for route in ROUTES if len(PERMISSIONS[route]) != 1]
    assert not undeclared, f"these page routes declare no permission with page_require(...): {undeclared}"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageWorld]:
    """One paperclerk for the whole matrix (the rows make fresh objects where a call changes something)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        activate(monkeypatch, Env(data_dir=tmp_path_factory.mktemp("pages") / "data", database_url=""))
        api_key("acme", "admin"), api_key("rival", "admin")  # the two organisations
        acme = organization_id("acme")
        built = PageWorld(acme=acme, rival=organization_id("rival"), document_id=stored_document(acme),
                          failed_document_id=stored_document(acme, status="failed"))
        for module in ROW_MODULES:
            prepare: Callable[[PageWorld], None] | None = getattr(module, "prepare", None)
            if prepare is not None:
                prepare(built)
        yield built
        reset_caches()


@pytest.fixture(scope="module")
def keys(world: PageWorld) -> dict[str, str]:
    return {role: api_key("acme", role) for role in ROLES} | {"rival": api_key("rival", "admin")}


@pytest.fixture(scope="module")
def client(world: PageWorld) -> Iterator[TestClient]:
    with TestClient(create_app(embedded_workers=False), raise_server_exceptions=False) as browser:
        yield browser


def _call(client: TestClient, row: PageCall, world: PageWorld, headers: dict[str, str]) -> Any:
    url, kwargs = row.call(world)
    return client.request(row.method, url, headers={"Accept": "text/html", **headers}, follow_redirects=False,
                          **kwargs)


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route[0]} {route[1]}")
def test_each_role_gets_exactly_its_page_access(world: PageWorld, keys: dict[str, str], client: TestClient,
                                                route: tuple[str, str]) -> None:
    row = CALLS[route]
    (permission,) = PERMISSIONS[route]
    anonymous = _call(client, row, world, {})
    assert anonymous.status_code == 303, anonymous.text
    location = urlsplit(anonymous.headers["location"])
    assert location.path == "/login" and parse_qs(location.query)["next"][0].startswith("/")
    for role in ROLES:
        response = _call(client, row, world, {"X-API-Key": keys[role]})
        if role_allows(role, permission):
            assert response.status_code == row.allowed, f"{role}: {response.status_code} {response.text[:2000]}"
        else:
            assert response.status_code == 403, f"{role}: {response.status_code} {response.text[:2000]}"
            assert "text/html" in response.headers["content-type"] and permission in response.text


OBJECT_ROUTES = [route for route in ROUTES if "{" in route[1]]


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda route: f"{route[0]} {route[1]}")
def test_another_organisations_pages_are_not_found(world: PageWorld, keys: dict[str, str], client: TestClient,
                                                   route: tuple[str, str]) -> None:
    response = _call(client, CALLS[route], world, {"X-API-Key": keys["rival"]})
    assert response.status_code == 404, response.text[:2000]
    assert "text/html" in response.headers["content-type"]
