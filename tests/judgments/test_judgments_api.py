"""The judgment API: a request, its case file, the drafting job, review with versions and audit, exports, the
LLM engine checked against the file and the precedent store."""

from __future__ import annotations

import io
import json
import time
from typing import Any

import pytest
from docx import Document as DocxDocument
from fastapi.testclient import TestClient
from sqlalchemy import select

from paperclerk.config import get_settings
from paperclerk.core.audit import AuditEntry
from paperclerk.core.db import session_scope
from paperclerk.judgments import precedents
from tests.ai.llm_server import LLMServer, use_llm_server
from tests.helpers import api_client, assert_error
from tests.judgments.cases import TENANCY_ARGUMENTS, TENANCY_FACTS

BASE = "/api/v1/judgments"


def _docx(text: str) -> bytes:
    document = DocxDocument()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def wait_drafted(client: TestClient, request_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(f"{BASE}/{request_id}").json()
        if body["status"] in ("drafted", "failed"):
            return body
        time.sleep(0.1)
    raise AssertionError(f"request {request_id} not drafted in {timeout} s")


def open_case(client: TestClient, **extra: Any) -> str:
    response = client.post(BASE, json={"title": "Sharma v. Gupta", "questions": ["Is eviction justified?"],
                                       **extra})
    assert response.status_code == 201, response.text
    request_id: str = response.json()["id"]
    for name, data in (("facts.txt", TENANCY_FACTS.encode()), ("submissions.docx", _docx(TENANCY_ARGUMENTS))):
        added = client.put(f"{BASE}/{request_id}/files/{name}", content=data)
        assert added.status_code == 201, added.text
    return request_id


def test_request_draft_review_versions_and_exports(env: object) -> None:
    with api_client() as client:
        request_id = open_case(client)
        broken = client.put(f"{BASE}/{request_id}/files/exhibit.pdf", content=b"%PDF-1.4 not really")
        assert broken.status_code == 201
        assert_error(client.put(f"{BASE}/{request_id}/files/facts.txt", content=b"again"), 409, "JUDGMENT_FILE_EXISTS")
        queued = client.post(f"{BASE}/{request_id}/draft")
        assert queued.status_code == 202 and queued.json()["status"] in ("queued", "running", "drafted")
        body = wait_drafted(client, request_id)
        assert body["status"] == "drafted", body
        draft = body["draft"]
        assert set(draft) == {"case", "jurisdiction", "engine", "outcome", "sections", "precedents",
                              "unsupported_removed"}
        assert draft["engine"] == "precedent" and draft["outcome"]["label"] in ("accepted", "rejected")
        assert {f["filename"]: (f["error"] or {}).get("code") for f in body["files"]} == {
            "facts.txt": None, "submissions.docx": None, "exhibit.pdf": "FILE_CORRUPT"}
        assert all(p["citation"] in precedents.shipped().by_citation for p in draft["precedents"])

        edited = client.put(f"{BASE}/{request_id}/sections/1", json={"text": "The tenancy began in 2015.",
                                                                     "note": "shorter"})
        assert edited.status_code == 200 and edited.json()["draft_version"] == 2
        assert edited.json()["draft"]["sections"][1]["text"] == "The tenancy began in 2015."
        assert client.get(f"{BASE}/{request_id}").json()["draft_version"] == 2  # never the cached version 1
        predicted = draft["outcome"]["label"]
        other = "rejected" if predicted == "accepted" else "accepted"
        assert_error(client.post(f"{BASE}/{request_id}/outcome", json={"label": other}), 400,
                     "JUDGMENT_REASONS_REQUIRED")
        assert_error(client.post(f"{BASE}/{request_id}/outcome", json={"label": "violation", "reasons": "x"}), 400,
                     "JUDGMENT_BAD_OUTCOME")
        decided = client.post(f"{BASE}/{request_id}/outcome", json={"label": other, "reasons": "Alternative "
                                                                    "accommodation was proved."})
        assert decided.status_code == 200
        assert decided.json()["outcome_decision"] == "overridden"
        assert decided.json()["draft"]["review"]["outcome"] == other
        versions = client.get(f"{BASE}/{request_id}/versions").json()
        assert [(v["number"], v["change"]) for v in versions] == [(1, "engine:precedent"), (2, "edit"),
                                                                 (3, "outcome")]
        first = client.get(f"{BASE}/{request_id}/versions/1").json()
        assert first["content"]["sections"][1]["text"] != "The tenancy began in 2015."

        docx = client.get(f"{BASE}/{request_id}/export", params={"format": "docx"})
        assert docx.status_code == 200
        text = "\n".join(p.text for p in DocxDocument(io.BytesIO(docx.content)).paragraphs)
        assert "The tenancy began in 2015." in text and "overridden" in text
        assert_error(client.put(f"{BASE}/{request_id}/sections/2", json={"text": "Issue\x00 one\x07."}), 400,
                     "JUDGMENT_TEXT_INVALID")
        pdf = client.get(f"{BASE}/{request_id}/export", params={"format": "pdf"})
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert_error(client.put(f"{BASE}/{request_id}/files/late.txt", content=b"late evidence"), 409,
                     "JUDGMENT_NOT_OPEN")

    with session_scope(readonly=True) as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == request_id)).all()
    assert sorted(actions) == sorted(["judgments.request.opened", "judgments.file.added", "judgments.file.added",
                                      "judgments.file.added", "judgments.draft.requested",
                                      "judgments.section.edited", "judgments.outcome.overridden"])
    with api_client(organization="globex") as other_org:
        assert_error(other_org.get(f"{BASE}/{request_id}"), 404, "JUDGMENT_NOT_FOUND")
        assert_error(other_org.put(f"{BASE}/{request_id}/sections/1", json={"text": "x"}), 404,
                     "JUDGMENT_NOT_FOUND")


def test_bad_input_is_refused_clearly(env: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERCLERK_JUDGMENT_MAX_FILE_MB", "1")
    get_settings.cache_clear()
    with api_client() as client:
        assert_error(client.post(BASE, json={"title": "x", "jurisdiction": "MARS"}), 400, "JUDGMENT_BAD_JURISDICTION")
        assert_error(client.post(BASE, json={"title": "x", "engine": "llm"}), 400, "LLM_NOT_CONFIGURED")
        request_id = client.post(BASE, json={"title": "x"}).json()["id"]
        assert_error(client.post(f"{BASE}/{request_id}/draft"), 400, "JUDGMENT_NO_FILES")
        too_big = client.put(f"{BASE}/{request_id}/files/big.txt", content=b"x" * (1024 * 1024 + 1))
        assert_error(too_big, 413, "FILE_TOO_LARGE")
        assert_error(client.put(f"{BASE}/{request_id}/files/empty.txt", content=b""), 400, "FILE_EMPTY")
        assert client.get(f"{BASE}/{request_id}").json()["files"] == []
        assert_error(client.put(f"{BASE}/{request_id}/sections/0", json={"text": "x"}), 409,
                     "JUDGMENT_NOT_DRAFTED")
        unreadable = client.put(f"{BASE}/{request_id}/files/scan.pdf", content=b"%PDF-1.4 garbage")
        assert unreadable.status_code == 201
        client.post(f"{BASE}/{request_id}/draft")
        failed = wait_drafted(client, request_id)
        assert failed["status"] == "failed" and failed["error"].startswith("JUDGMENT_NO_READABLE_FILE")


def test_a_request_about_a_case_of_the_legal_registry(env: object) -> None:
    from paperclerk.core.db import session_scope
    from paperclerk.legal.cases import CaseValues, create_case
    from tests.helpers import organization_id
    from tests.judgments.world import ScriptActor

    with api_client() as client, api_client(organization="globex") as other:
        with session_scope() as session:
            acme = organization_id("acme")
            case_id = create_case(session, acme, CaseValues(number="2026-117", title="Sharma v. Gupta"),
                                  actor=ScriptActor(acme)).id
        opened = client.post(BASE, json={"title": "Sharma v. Gupta", "legal_case_id": case_id})
        assert opened.status_code == 201 and opened.json()["legal_case_id"] == case_id
        assert_error(other.post(BASE, json={"title": "x", "legal_case_id": case_id}), 404, "CASE_NOT_FOUND")


def _section(text: str, passages: list[str], citations: list[str]) -> str:
    return json.dumps({"text": text, "passages": passages, "citations": citations})


def test_llm_engine_removes_what_the_file_and_store_do_not_support(env: object, llm_server: LLMServer,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    use_llm_server(monkeypatch, llm_server)
    real = precedents.shipped().precedents[0].citation
    fabricated = "Imaginary Builders v. State of Goa (2031) 4 SCC 99"
    llm_server.replies = [
        _section("The appellant was a tenant under a lease deed dated 12 March 2015.", ["P1"], []),
        _section("Whether the landlord proved a bona fide requirement.", ["P1", "P99"], []),
        _section('The tenant said "the respondent owned other suitable accommodation".', ["P1"], []),
        _section(f"Section 14 applies; see {fabricated} and {real}.", ["P1"], [fabricated, real]),
        _section('As the court said, "a landlord must always lose", the requirement fails.', ["P1"], [real]),
        json.dumps({"text": "The appeal is allowed.", "passages": ["P1"], "citations": [], "label": "accepted",
                    "probability": 0.7, "would_change": "Proof of other accommodation owned by the landlord."}),
    ]
    with api_client() as client:
        request_id = open_case(client, engine="llm")
        client.post(f"{BASE}/{request_id}/draft")
        body = wait_drafted(client, request_id)
    assert body["status"] == "drafted", body
    draft = body["draft"]
    assert draft["engine"] == "llm" and draft["outcome"] == {"label": "accepted", "probability": 0.7}
    # P99 (no such passage), the fabricated citation, the invented quotation
    assert draft["unsupported_removed"] == 3
    text = json.dumps(draft)
    assert fabricated not in text and "a landlord must always lose" not in text
    law = next(s for s in draft["sections"] if s["title"] == "Applicable law and precedents")
    assert [s.get("precedent") for s in law["sources"] if "precedent" in s] == [real]
    arguments = next(s for s in draft["sections"] if s["title"] == "Arguments of the parties")
    assert "the respondent owned other suitable accommodation" in arguments["text"]  # printed in the file: kept
    assert body["tokens"] > 0
    assert len(llm_server.chat_requests()) == 6
    prompt = llm_server.chat_requests()[0].body["messages"][1]["content"]
    assert "[P1]" in prompt and "lease deed dated 12 March 2015" in prompt


def test_the_same_case_twice_is_drafted_once(env: object, llm_server: LLMServer,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    use_llm_server(monkeypatch, llm_server)
    llm_server.replies = [_section("Facts.", [], [])] * 5 + [json.dumps(
        {"text": "Dismissed.", "passages": [], "citations": [], "label": "rejected", "probability": 0.6,
         "would_change": "More evidence."})]
    with api_client() as client:
        first = open_case(client, engine="llm")
        client.post(f"{BASE}/{first}/draft")
        assert wait_drafted(client, first)["status"] == "drafted"
        asked = len(llm_server.chat_requests())
        second = open_case(client, engine="llm")
        client.post(f"{BASE}/{second}/draft")
        again = wait_drafted(client, second)
    assert again["status"] == "drafted" and again["draft"]["outcome"]["label"] == "rejected"
    assert len(llm_server.chat_requests()) == asked and again["tokens"] == 0
