"""Full-text search on SQLite FTS5 and PostgreSQL tsvector: ranking, snippets, filters, hostile queries."""

from __future__ import annotations

import pytest

from paperclerk import samples
from tests.helpers import api_client, assert_error, upload_and_wait

CORPUS = [
    ("contract.txt", b"This agreement between the parties covers confidentiality and termination of the lease."),
    ("invoice.pdf", samples.text_pdf(["INVOICE number 77\nLease of office space\nTotal due 1200.00 EUR\nVAT 21%"])),
    ("feedback.txt", b"Customer feedback: the staff was friendly, I recommend this office to everyone."),
    ("lease-notes.txt", b"lease lease lease: notes about the lease renewal and the lease deposit"),
]


@pytest.fixture
def indexed(any_env):
    with api_client() as client:
        docs = {doc["filename"]: doc for doc in upload_and_wait(client, *CORPUS)}
        yield client, docs


def test_ranked_results_with_highlighted_snippets(indexed):
    client, _ = indexed
    body = client.get("/api/v1/search", params={"q": "lease"}).json()
    assert body["total"] == 3
    names = [hit["filename"] for hit in body["items"]]
    assert names[0] == "lease-notes.txt"  # the document about leases ranks first
    assert set(names) == {"lease-notes.txt", "contract.txt", "invoice.pdf"}
    assert all("<mark>" in hit["snippet"].lower() for hit in body["items"])
    scores = [hit["score"] for hit in body["items"]]
    assert scores == sorted(scores, reverse=True)


def test_all_words_must_match_and_phrases_and_exclusion_work(indexed):
    client, _ = indexed
    def names(q: str) -> set[str]:
        return {hit["filename"] for hit in client.get("/api/v1/search", params={"q": q}).json()["items"]}

    assert names("office lease") == {"invoice.pdf"}
    assert names('"lease renewal"') == {"lease-notes.txt"}
    assert names("lease -invoice") == {"contract.txt", "lease-notes.txt"}
    assert names("confidentiality OR friendly") == {"contract.txt", "feedback.txt"}
    assert names("nonexistentword") == set()


def test_search_filters_by_kind_and_status(indexed):
    client, _ = indexed
    invoices = client.get("/api/v1/search", params={"q": "lease", "kind": "invoice"}).json()
    assert [hit["filename"] for hit in invoices["items"]] == ["invoice.pdf"]
    assert client.get("/api/v1/search", params={"q": "lease", "status": "failed"}).json()["total"] == 0
    assert client.get("/api/v1/search", params={"q": "lease", "created_after": "2999-01-01"}).json()["total"] == 0


def test_snippets_escape_document_html(any_env):
    with api_client() as client:
        upload_and_wait(client, ("xss.txt", b"marker <script>alert('boom')</script> 5 < 6 & 7 > 3 marker"))
        [hit] = client.get("/api/v1/search", params={"q": "marker"}).json()["items"]
    # FTS5 keeps the tag as text (escaped); PostgreSQL's headline drops tags: neither lets markup through.
    assert "<script>" not in hit["snippet"]
    assert "&lt; 6 &amp; 7 &gt;" in hit["snippet"]
    assert "<mark>marker</mark>" in hit["snippet"]


@pytest.mark.parametrize("query", ['"', '""', "*", "NEAR(a b)", "AND OR NOT", "a:b", "^start", "(((", "-", "🙂",
                                   "lease*", "col:lease", "'; DROP TABLE documents; --", "\\", "lease\x00"])
def test_hostile_queries_never_break_search(indexed, query):
    client, _ = indexed
    response = client.get("/api/v1/search", params={"q": query})
    assert response.status_code in (200, 400, 422), response.text
    if response.status_code != 200:
        assert response.json()["error"]["code"] in {"QUERY_EMPTY", "VALIDATION_ERROR"}


def test_empty_and_oversized_queries_are_clear_errors(env):
    with api_client() as client:
        assert_error(client.get("/api/v1/search", params={"q": "   "}), 400, "QUERY_EMPTY")
        assert_error(client.get("/api/v1/search", params={"q": "x" * 501}), 422, "VALIDATION_ERROR")
        assert_error(client.get("/api/v1/search"), 422, "VALIDATION_ERROR")


def test_reprocessing_replaces_the_index_entry(any_env):
    from paperclerk.core.db import session_scope
    from paperclerk.documents.filters import DocumentFilter
    from paperclerk.search import index
    from tests.helpers import organization_id

    with api_client() as client:
        [doc] = upload_and_wait(client, ("v.txt", b"first version oldword"))
    filters = DocumentFilter(organization_id=organization_id())
    with session_scope() as session:
        index.upsert(session, document_id=doc["id"], organization_id=organization_id(), title="v.txt",
                     body="second version newword")
    with session_scope(readonly=True) as session:
        assert index.search(session, "oldword", filters=filters, limit=5, offset=0)[1] == 0
        hits, total = index.search(session, "newword", filters=filters, limit=5, offset=0)
    assert total == 1 and hits[0].document_id == doc["id"]
