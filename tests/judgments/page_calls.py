"""The judgment assistant's rows of the page access matrix: the requests and the new-request form, a request's
page, a section edit and the outcome decision."""

from __future__ import annotations

from typing import Any

from tests.judgments.cases import TENANCY_FACTS
from tests.judgments.world import drafted_request
from tests.page_matrix import PageCall, PageWorld


def prepare(world: PageWorld) -> None:
    world.extra["judgment"] = drafted_request(world.acme)


def _new(world: PageWorld) -> tuple[str, dict[str, Any]]:
    return "/judgments", {"data": {"title": "Matrix", "jurisdiction": "INDIA"},
                          "files": {"files": ("facts.txt", TENANCY_FACTS.encode(), "text/plain")}}


PAGE_CALLS = [
    PageCall("GET", "/judgments", lambda w: ("/judgments", {})),
    PageCall("POST", "/judgments", _new, allowed=303),
    PageCall("GET", "/judgments/{request_id}", lambda w: (f"/judgments/{w.extra['judgment']}", {})),
    PageCall("POST", "/judgments/{request_id}/sections/{index}",
             lambda w: (f"/judgments/{w.extra['judgment']}/sections/1", {"data": {"text": "matrix"}}), allowed=303),
    PageCall("POST", "/judgments/{request_id}/outcome",
             lambda w: (f"/judgments/{w.extra['judgment']}/outcome", {"data": {}}), allowed=303),
]
