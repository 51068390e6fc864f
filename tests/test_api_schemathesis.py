"""Every API operation, fed generated requests, keeps to its own OpenAPI schema and never fails with a 5xx.

schemathesis drives the real app in-process (ASGI) as an administrator, one test per operation, in one
data dir for the module with a few real documents, a user and an API key in place, so that routes on one
object sometimes find it (and sometimes do not).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from paperclerk import samples
from paperclerk.app import create_app
from tests.conftest import Env, activate, reset_caches
from tests.helpers import api_client, api_key, organization_id, upload_and_wait
from tests.judgments.world import drafted_request

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@dataclass(frozen=True)
class Api:
    """The app under test, the administrator's key the run calls with, and real ids per path parameter."""

    app: FastAPI
    key: str
    ids: dict[str, list[str]]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """Like the ``env`` fixture, but one data dir for the module's tests (the setup runs the pipeline)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        activate(monkeypatch, Env(data_dir=tmp_path_factory.mktemp("schemathesis") / "data", database_url=""))
        with api_client() as client:  # embedded workers: one processed and one failed document (retry can work)
            documents = upload_and_wait(client, ("notes.txt", samples.plain_text("Quarterly notes on paper supply.")),
                                        ("cut.pdf", samples.truncated_pdf()))
            assert {document["status"] for document in documents} == {"processed", "failed"}
            user = client.post("/api/v1/users", json={"email": "target@acme.example", "role": "viewer"})
            key = client.post("/api/v1/apikeys", json={"name": "target", "role": "viewer"})
            assert user.status_code == key.status_code == 201, (user.text, key.text)
        judgment_id = drafted_request(organization_id("acme"))
        app = create_app(embedded_workers=True)
        # Its lifespan runs the workers, so what the run uploads is consumed: detailed health would rightly say
        # "degraded" (503) about a queue with work and no worker.
        with TestClient(app, raise_server_exceptions=False):
            yield Api(app=app,
                      key=api_key("acme", "admin"),  # its own, so that the run never revokes the key it calls with
                      ids={"document_id": [document["id"] for document in documents],
                           "user_id": [user.json()["user"]["id"]], "key_id": [key.json()["api_key"]["id"]],
                           "request_id": [judgment_id]})
        reset_caches()


# Read at import (pytest makes one test per operation from it): the routes only, no data dir is touched.
# schemathesis.pytest.from_fixture would defer this, but it fails on pytest >= 9.2 (it sets Node._nodeid).
schema = schemathesis.openapi.from_dict(create_app().openapi())


@schema.parametrize()
@schema.given(data=st.data())
@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
def test_operation_keeps_to_its_schema(case: schemathesis.Case, data: st.DataObject, api: Api) -> None:
    for name, ids in api.ids.items():
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = data.draw(st.sampled_from([case.path_parameters[name], *ids]), label=name)
    case.call_and_validate(headers={"X-API-Key": api.key}, checks=CHECKS, app=api.app)
