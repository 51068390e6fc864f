"""Legal search: the hybrid passage search narrowed by the line's filters (case, type, party, clause, date), similar
clauses, saved searches run in the background that record legal.search_complete; and the model features over a
case — answers that cite the passages they rest on (an answer citing none is withheld), summaries, explanations —
with the offline path when no model is configured."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select

from paperclerk.core.db import session_scope
from paperclerk.core.events import Event
from tests.ai.llm_server import use_llm_server
from tests.conftest import wait_until_final
from tests.helpers import api_client, assert_error
from tests.legal.conftest import CONTRACT_V1, MOTION


@pytest.fixture
def filed(env, legal_analyzer) -> dict[str, str]:
    """Case S-1 holds the contract and the motion; case S-2 a letter."""
    with api_client() as client:
        ids: dict[str, str] = {}
        for number, parties in (("S-1", [{"name": "Acme Corp", "role": "plaintiff"}]), ("S-2", [])):
            ids[number] = client.post("/api/v1/legal/cases", json={"number": number, "title": f"Case {number}",
                                                                   "parties": parties}).json()["id"]
        for case, name, text in (("S-1", "msa.txt", CONTRACT_V1), ("S-1", "motion.txt", MOTION),
                                 ("S-2", "letter.txt", "Dear Counsel,\n\nWe write about the governing law of the "
                                                       "lease and the notice you sent.\n\nYours sincerely,\nGamma")):
            response = client.post(f"/api/v1/legal/cases/{ids[case]}/documents",
                                   files={"file": (name, text.encode(), "text/plain")})
            ids[name] = response.json()["documents"][0]["id"]
        wait_until_final([ids["msa.txt"], ids["motion.txt"], ids["letter.txt"]])
        return ids


def _files(client, q: str, *filters: str, **params: str) -> list[str]:
    response = client.get("/api/v1/legal/search", params={"q": q, "filter": list(filters), **params})
    assert response.status_code == 200, response.text
    return [hit["filename"] for hit in response.json()["items"]]


def test_filters_narrow_legal_search(filed) -> None:
    with api_client() as client:
        assert {"msa.txt", "letter.txt"} <= set(_files(client, "governing law"))
        in_case = _files(client, "governing law", "case:S-1")
        assert in_case[0] == "msa.txt" and set(in_case) <= {"msa.txt", "motion.txt"}
        assert _files(client, "governing law", "case:S-9") == []
        assert set(_files(client, "Defendant", "type:motion")) == {"motion.txt"}
        assert "motion.txt" not in _files(client, "Defendant", "type:services")
        assert "letter.txt" not in _files(client, "governing law", "party:beta services")
        assert _files(client, "Acme", "party:acme corp", "case:S-2") == []
        hits = client.get("/api/v1/legal/search", params={"q": "agreement", "filter": "clause:governing law"}).json()
        assert [hit["filename"] for hit in hits["items"]] == ["msa.txt"]
        (hit,) = hits["items"]
        assert "governed by the laws" in hit["text"] and "<mark>Agreement</mark>" in hit["text"]
        assert _files(client, "governing law", after="2999-01-01") == []
        assert_error(client.get("/api/v1/legal/search", params={"q": "law", "filter": "type:memo"}), 400,
                     "SEARCH_FILTER_INVALID")
        assert_error(client.get("/api/v1/legal/search", params={"q": "law", "filter": "color:red"}), 400,
                     "SEARCH_FILTER_UNKNOWN")
        core = client.get("/api/v1/search/passages", params={"q": "governing law", "filter": "case:S-2"}).json()
        assert [hit["filename"] for hit in core["items"]] == ["letter.txt"]  # the core search takes them too
        clause = next(item for item in client.get(f"/api/v1/legal/documents/{filed['msa.txt']}/analysis")
                      .json()["clauses"] if item["label"] == "Governing Law")
        similar = client.get(f"/api/v1/legal/clauses/{clause['id']}/similar")
        assert similar.status_code == 200 and all(hit["filename"] != "msa.txt" for hit in similar.json()["items"])
    with api_client(organization="rival") as rival:
        assert _files(rival, "governing law") == []
        assert_error(rival.get(f"/api/v1/legal/clauses/{clause['id']}/similar"), 404, "CLAUSE_NOT_FOUND")


def test_saved_search_runs_in_the_background_and_says_so(filed) -> None:
    with api_client() as client:
        assert_error(client.post("/api/v1/legal/searches", json={"name": "bad", "query": "law",
                                                                 "filters": ["nope:1"]}), 400, "SEARCH_FILTER_UNKNOWN")
        saved = client.post("/api/v1/legal/searches", json={"name": "Law", "query": "governing law",
                                                            "filters": ["case:S-1"]})
        assert saved.status_code == 201, saved.text
        search_id = saved.json()["id"]
        deadline = time.monotonic() + 60
        while (item := client.get(f"/api/v1/legal/searches/{search_id}").json())["last_run_at"] is None:
            assert time.monotonic() < deadline, "the saved search never ran"
            time.sleep(0.1)
        names = [hit["filename"] for hit in item["last_results"]]
        assert names[0] == "msa.txt" and set(names) <= {"msa.txt", "motion.txt"}
        assert client.post(f"/api/v1/legal/searches/{search_id}/run").status_code == 202
    with session_scope(readonly=True) as session:
        payload = session.scalars(select(Event.payload).where(Event.name == "legal.search_complete")).first()
        assert payload["name"] == "Law" and payload["hits"] == len(names)


def test_answers_cite_the_case_passages_or_are_withheld(filed, llm_server, monkeypatch) -> None:
    with api_client() as client:
        offline = client.post(f"/api/v1/legal/cases/{filed['S-1']}/ask", json={"question": "Which law governs?"})
        body = offline.json()
        assert body["answer"] is None and "No language model" in body["note"] and body["passages"]
        assert client.post(f"/api/v1/legal/cases/{filed['S-1']}/summary").json()["text"] is None
        use_llm_server(monkeypatch, llm_server)
        llm_server.replies = [json.dumps({"answer": "New York law governs the agreement.", "citations": [1, 1, 9]}),
                              json.dumps({"answer": "It is probably Delaware.", "citations": []}),
                              "Acme sues Beta over the services agreement.", "The clause picks New York law."]
        answered = client.post(f"/api/v1/legal/cases/{filed['S-1']}/ask", json={"question": "Which law governs?"})
        assert answered.status_code == 200, answered.text
        body = answered.json()
        assert body["answer"] == "New York law governs the agreement." and len(body["citations"]) == 1
        assert body["citations"][0]["filename"] == "msa.txt" and "governed by the laws" in body["citations"][0]["text"]
        prompt = llm_server.chat_requests()[-1].body["messages"][-1]["content"]
        assert "[1] (msa.txt, page 1)" in prompt and "letter.txt" not in prompt
        withheld = client.post(f"/api/v1/legal/cases/{filed['S-1']}/ask", json={"question": "Which state law?"})
        assert withheld.json()["answer"] is None and "cited none" in withheld.json()["note"]
        summary = client.post(f"/api/v1/legal/cases/{filed['S-1']}/summary").json()
        assert summary["text"] == "Acme sues Beta over the services agreement."
        clause = client.get(f"/api/v1/legal/documents/{filed['msa.txt']}/analysis").json()["clauses"][0]
        assert client.post(f"/api/v1/legal/clauses/{clause['id']}/explain").json()["text"] == \
            "The clause picks New York law."
        again = client.post(f"/api/v1/legal/clauses/{clause['id']}/explain").json()  # the cache answers
        assert again["text"] == "The clause picks New York law." and len(llm_server.chat_requests()) == 4
        llm_server.fail(10, 500)
        assert_error(client.post(f"/api/v1/legal/documents/{filed['msa.txt']}/summary"), 503, "ML_001")
        assert_error(client.post(f"/api/v1/legal/cases/{filed['S-1']}/ask", json={"question": "?"}), 422,
                     "VALIDATION_ERROR")
