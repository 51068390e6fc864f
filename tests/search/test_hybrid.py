"""Paragraph-level hybrid search through the API: passages stored at index time with their spans and vectors,
full text and meaning fused, filters, highlighting, similar passages and documents, tenancy."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from paperclerk.core.db import session_scope
from paperclerk.documents.models import Document, ProcessingEvent
from paperclerk.search import hybrid
from paperclerk.search.models import Passage
from tests.ai.llm_server import use_llm_server
from tests.helpers import api_client, assert_error, upload_and_wait

LEASE = (b"LEASE AGREEMENT between Harbor Properties LLC and Mint Bakery Inc.\n\n"
         b"The Tenant shall pay a monthly rent of 4,000 dollars on the first day of each month.\n\n"
         b"This Agreement shall be governed by and construed in accordance with the laws of the State of New York.\n\n"
         b"Either party may end this lease for convenience with ninety days written notice to the other party.")
SUPPLY = (b"SUPPLY AGREEMENT between Acme Widgets and Beta Retail.\n\n"
          b"The Supplier shall deliver the widgets to the warehouse of the Buyer within ten business days.\n\n"
          b"This contract is subject to the law of the State of Delaware, which shall apply to all disputes.")
LETTER = (b"Dear Ms. Rivera, thank you for visiting our bakery last Tuesday. We hope you enjoyed the croissants "
          b"and will come back soon for our new seasonal cakes.")
CORPUS = [("lease.txt", LEASE), ("supply.txt", SUPPLY), ("letter.txt", LETTER)]


@pytest.fixture
def corpus(any_env):
    with api_client() as client:
        documents = {doc["filename"]: doc for doc in upload_and_wait(client, *CORPUS)}
        yield client, documents


def _search(client, q: str, **params) -> list[dict]:
    response = client.get("/api/v1/search/passages", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_passages_are_stored_with_page_span_and_vector(corpus):
    _, documents = corpus
    with session_scope(readonly=True) as session:
        passages = session.scalars(select(Passage).where(Passage.document_id == documents["lease.txt"]["id"])
                                   .order_by(Passage.ordinal)).all()
        page_text = session.get(Document, documents["lease.txt"]["id"]).pages[0].text
        history = session.scalars(select(ProcessingEvent.message).where(
            ProcessingEvent.document_id == documents["lease.txt"]["id"], ProcessingEvent.stage == "passages")).all()
    assert len(passages) == 4
    assert all(page_text[p.start:p.end] == p.text and p.page == 1 for p in passages)
    assert all(p.model == "all-MiniLM-L6-v2-int8" and len(p.embedding) == 384 * 4 for p in passages)
    assert history == ["4 passage(s), all-MiniLM-L6-v2-int8"]


def test_meaning_finds_the_paragraph_that_words_alone_miss(corpus):
    client, _ = corpus
    question = "which state jurisdiction applies"
    assert _search(client, question, mode="fulltext") == []
    hits = _search(client, question, limit=3)
    assert {hit["filename"] for hit in hits[:2]} == {"lease.txt", "supply.txt"}
    assert "Delaware" in hits[0]["text"] or "New York" in hits[0]["text"]
    assert hits[0]["semantic_rank"] == 1 and hits[0]["fulltext_rank"] is None


def test_hybrid_ranks_a_paragraph_found_both_ways_first_and_highlights_the_words(corpus):
    client, documents = corpus
    hits = _search(client, "lease notice convenience")
    first = hits[0]
    assert first["document_id"] == documents["lease.txt"]["id"]
    assert first["fulltext_rank"] == 1 and first["semantic_rank"] is not None
    assert "<mark>convenience</mark>" in first["text"] and "<mark>notice</mark>" in first["text"]
    assert first["page"] == 1 and first["end"] > first["start"]
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores, reverse=True)


def test_passage_text_is_escaped(any_env):
    with api_client() as client:
        upload_and_wait(client, ("markup.txt", b"The <b>bold</b> clause about escrow & deposits of the Tenant."))
        hit = _search(client, "escrow")[0]
    assert hit["text"] == "The &lt;b&gt;bold&lt;/b&gt; clause about <mark>escrow</mark> &amp; deposits of the Tenant."


def test_document_and_line_filters_narrow_both_rankings(corpus, monkeypatch):
    client, _ = corpus
    assert {hit["filename"] for hit in _search(client, "bakery", kind="nonexistent-kind")} == set()
    monkeypatch.setitem(hybrid._line_filters, "file",
                        lambda value, organization_id: Document.filename == value)
    for mode in ("hybrid", "semantic", "fulltext"):
        hits = _search(client, "state law", mode=mode, filter="file:supply.txt")
        assert hits and {hit["filename"] for hit in hits} == {"supply.txt"}
    response = client.get("/api/v1/search/passages", params={"q": "law", "filter": "colour:7"})
    assert_error(response, 400, "SEARCH_FILTER_UNKNOWN")


def test_similar_passages_and_documents(corpus):
    client, documents = corpus
    governing = _search(client, "governed construed laws New York", mode="fulltext")[0]
    similar = client.get(f"/api/v1/search/passages/{governing['passage_id']}/similar", params={"limit": 2}).json()
    assert similar["items"][0]["filename"] == "supply.txt"
    assert "Delaware" in similar["items"][0]["text"]
    assert all(item["document_id"] != governing["document_id"] for item in similar["items"])
    nearest = client.get(f"/api/v1/search/documents/{documents['lease.txt']['id']}/similar").json()["items"]
    assert [item["filename"] for item in nearest][:1] == ["supply.txt"]
    assert {item["filename"] for item in nearest} <= {"supply.txt", "letter.txt"}


def test_another_organisation_sees_nothing(corpus):
    client, documents = corpus
    passage = _search(client, "rent")[0]
    with api_client(organization="rival") as rival:
        assert _search(rival, "rent") == [] and _search(rival, "monthly payment of rent", mode="semantic") == []
        assert_error(rival.get(f"/api/v1/search/passages/{passage['passage_id']}/similar"), 404, "PASSAGE_NOT_FOUND")
        assert_error(rival.get(f"/api/v1/search/documents/{documents['lease.txt']['id']}/similar"), 404,
                     "DOCUMENT_NOT_FOUND")


def test_new_documents_join_the_vector_search_of_a_running_process(corpus):
    client, _ = corpus
    assert all(hit["filename"] != "nda.txt" for hit in _search(client, "keep secrets private", mode="semantic"))
    upload_and_wait(client, ("nda.txt", b"The Recipient shall hold all Confidential Information in strict "
                                        b"confidence and shall not disclose it to any third party."))
    assert _search(client, "keep secrets private", mode="semantic")[0]["filename"] == "nda.txt"


def test_a_down_embedding_model_leaves_passages_findable_by_words(env, llm_server, monkeypatch):
    use_llm_server(monkeypatch, llm_server, embeddings=True, llm_retries="0")
    llm_server.fail(10, status=503)
    with api_client() as client:
        [document] = upload_and_wait(client, ("lease.txt", LEASE))
        assert document["status"] == "processed"
        assert _search(client, "rent monthly", mode="fulltext")[0]["document_id"] == document["id"]
    with session_scope(readonly=True) as session:
        note = session.scalar(select(ProcessingEvent.message).where(ProcessingEvent.stage == "passages"))
        assert session.scalars(select(Passage.embedding)).all() == [None] * 4
    assert note == "4 passage(s), no vectors (ML_001): found by words only"


def test_remote_embeddings_are_used_and_counted(env, llm_server, monkeypatch):
    use_llm_server(monkeypatch, llm_server, embeddings=True)
    with api_client() as client:
        upload_and_wait(client, ("lease.txt", LEASE))
        hits = _search(client, "rent month", mode="semantic")
        status = client.get("/api/v1/ai/status").json()
    assert hits and "rent" in hits[0]["text"]
    assert status["embeddings"] == {"configured": True, "model": "test-embeddings", "remote": True}
    assert status["usage"]["calls"] == 2 and status["usage"]["tokens"] > 0  # the document's passages and the query


def test_bad_queries_are_clear_errors(corpus):
    client, _ = corpus
    assert_error(client.get("/api/v1/search/passages", params={"q": "-only"}), 400, "QUERY_EMPTY")
    assert client.get("/api/v1/search/passages", params={"q": "law", "mode": "psychic"}).status_code == 422
    assert client.get("/api/v1/search/passages/99999999999/similar").status_code == 422


def test_replaced_passages_never_leave_stale_vectors_in_a_running_process(env):
    from paperclerk.ai import service as ai
    from paperclerk.search import passages

    with api_client() as client:
        [document] = upload_and_wait(client, ("lease.txt", LEASE))
        old = {hit["passage_id"] for hit in _search(client, "rent", mode="semantic")}
        spans = passages.split([(1, "Payment of the rent is due every week, in cash, at the landlord's office.")])
        with session_scope() as session:  # the document's passages replaced, as a reprocessing does
            organization_id = session.get(Document, document["id"]).organization_id
            passages.replace(session, document_id=document["id"], organization_id=organization_id, spans=spans,
                             vectors=ai.embedding_provider().embed([s.text for s in spans]).vectors,
                             model=ai.embedding_provider().model)
        hits = _search(client, "rent", mode="semantic")
    assert [hit["text"] for hit in hits] == [
        "Payment of the <mark>rent</mark> is due every week, in cash, at the landlord&#x27;s office."]
    assert not old & {hit["passage_id"] for hit in hits}


def test_meaning_does_not_drag_in_unrelated_paragraphs(corpus):
    client, _ = corpus
    assert _search(client, "zebra stripes on the savanna", mode="semantic") == []
    assert {hit["filename"] for hit in _search(client, "croissants and cakes")} == {"letter.txt"}
