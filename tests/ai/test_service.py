"""The AI layer against a real OpenAI-compatible HTTP server: answers, retries, ML_001, structured output,
streaming, the cache and the monthly budget."""

from __future__ import annotations

import socket

import numpy as np
import pytest
from sqlalchemy import func, select

from paperclerk.ai import service
from paperclerk.ai.errors import BadModelOutput, BudgetExceeded, LLMNotConfigured, ModelUnavailable
from paperclerk.ai.models import AICacheEntry, AIUsage
from paperclerk.auth import service as accounts
from paperclerk.core.db import session_scope
from tests.ai.llm_server import use_llm_server
from tests.helpers import organization_id

QUESTION = [{"role": "user", "content": "Which law governs the lease?"}]
SCHEMA = {"type": "object", "required": ["law"], "additionalProperties": False,
          "properties": {"law": {"type": "string"}}}


@pytest.fixture
def org(env) -> str:
    with session_scope() as session:
        accounts.create_organization(session, "Rival", slug="rival")
        return accounts.create_organization(session, "Acme", slug="acme").id


def test_an_answer_is_counted_and_the_same_question_comes_from_the_cache(env, org, llm_server, monkeypatch):
    use_llm_server(monkeypatch, llm_server)
    llm_server.replies = ["New York law."]
    with session_scope() as session:
        first = service.complete(session, org, QUESTION)
    with session_scope() as session:
        again = service.complete(session, org, QUESTION)
        spent = service.usage(session, org)
    assert first.text == again.text == "New York law."
    assert len(llm_server.chat_requests()) == 1
    assert llm_server.chat_requests()[0].body["model"] == "test-model"
    assert (spent.calls, spent.cached_calls) == (2, 1)
    assert spent.tokens == first.prompt_tokens + first.completion_tokens > 0


def test_the_cache_is_per_organisation(env, org, llm_server, monkeypatch):
    use_llm_server(monkeypatch, llm_server)
    with session_scope() as session:
        service.complete(session, org, QUESTION)
        service.complete(session, organization_id("rival"), QUESTION)
    assert len(llm_server.chat_requests()) == 2


def test_transient_failures_are_retried_with_back_off(env, org, llm_server, monkeypatch):
    use_llm_server(monkeypatch, llm_server)
    llm_server.fail(3, status=503)
    with session_scope() as session:
        reply = service.complete(session, org, QUESTION)
    assert reply.text.startswith("echo:")
    assert len(llm_server.chat_requests()) == 4  # the first try and three retries


def test_a_model_that_stays_down_is_ml_001(env, org, llm_server, monkeypatch):
    use_llm_server(monkeypatch, llm_server)
    llm_server.fail(4, status=500)
    with session_scope() as session, pytest.raises(ModelUnavailable) as raised:
        service.complete(session, org, QUESTION)
    assert raised.value.code == "ML_001" and raised.value.details["status"] == 500
    with session_scope() as session:
        assert session.scalar(select(func.count(AIUsage.id))) == 0


def test_a_refused_key_is_ml_001_at_once(env, org, llm_server, monkeypatch):
    llm_server.api_key = "right"
    use_llm_server(monkeypatch, llm_server, llm_api_key="wrong")
    with session_scope() as session, pytest.raises(ModelUnavailable) as raised:
        service.complete(session, org, QUESTION)
    assert raised.value.details["status"] == 401
    assert len(llm_server.chat_requests()) == 1


def test_the_key_is_sent_as_a_bearer_token_read_from_a_file(env, org, llm_server, monkeypatch, tmp_path):
    llm_server.api_key = "s3cret"
    (tmp_path / "key").write_text("s3cret\n")
    use_llm_server(monkeypatch, llm_server, llm_api_key_file=str(tmp_path / "key"))
    with session_scope() as session:
        assert service.complete(session, org, QUESTION).text.startswith("echo:")


def test_an_unreachable_endpoint_is_ml_001(env, org, llm_server, monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    llm_server.url = f"http://127.0.0.1:{port}/v1"  # nothing listens there
    use_llm_server(monkeypatch, llm_server, llm_retries="1")
    with session_scope() as session, pytest.raises(ModelUnavailable, match="ConnectError"):
        service.complete(session, org, QUESTION)


def test_a_slow_model_times_out(env, org, llm_server, monkeypatch):
    llm_server.delay = 1.0
    use_llm_server(monkeypatch, llm_server, llm_timeout_seconds="0.2", llm_retries="0")
    with session_scope() as session, pytest.raises(ModelUnavailable, match="Timeout"):
        service.complete(session, org, QUESTION)


def test_no_configured_model_is_a_clear_error(env, org):
    with session_scope() as session, pytest.raises(LLMNotConfigured) as raised:
        service.complete(session, org, QUESTION)
    assert raised.value.code == "LLM_NOT_CONFIGURED"


def test_a_structured_answer_is_asked_again_until_it_matches_the_schema(env, org, llm_server, monkeypatch):
    use_llm_server(monkeypatch, llm_server)
    llm_server.replies = ["New York", '{"law": 7}', '```json\n{"law": "New York"}\n```']
    with session_scope() as session:
        assert service.structured(session, org, QUESTION, SCHEMA) == {"law": "New York"}
    asks = llm_server.chat_requests()
    assert len(asks) == 3
    assert asks[0].body["response_format"]["json_schema"]["schema"] == SCHEMA
    assert "not JSON" in asks[1].body["messages"][-1]["content"]
    assert "$.law" in asks[2].body["messages"][-1]["content"]
    with session_scope() as session:  # the valid answer is cached, and three asks were counted
        assert service.structured(session, org, QUESTION, SCHEMA) == {"law": "New York"}
        assert service.usage(session, org).calls == 4
    assert len(llm_server.chat_requests()) == 3


def test_a_structured_answer_that_never_matches_is_refused(env, org, llm_server, monkeypatch):
    use_llm_server(monkeypatch, llm_server)
    llm_server.replies = ["{}", "{}", "{}"]
    with session_scope() as session, pytest.raises(BadModelOutput) as raised:
        service.structured(session, org, QUESTION, SCHEMA)
    assert raised.value.code == "LLM_BAD_OUTPUT"
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(AICacheEntry)) == 0


def test_a_streamed_answer_arrives_in_pieces_and_is_counted(env, org, llm_server, monkeypatch):
    use_llm_server(monkeypatch, llm_server)
    llm_server.replies = ["The lease is governed by the laws of Delaware."]
    with session_scope() as session:
        pieces = list(service.stream(session, org, QUESTION))
    assert len(pieces) > 3 and "".join(pieces) == "The lease is governed by the laws of Delaware."
    request = llm_server.chat_requests()[0].body
    assert request["stream"] is True and request["stream_options"] == {"include_usage": True}
    with session_scope() as session:
        usage = session.scalars(select(AIUsage)).one()
        assert (usage.purpose, usage.completion_tokens) == ("stream", 10)
        assert list(service.stream(session, org, QUESTION)) == ["The lease is governed by the laws of Delaware."]
    assert len(llm_server.chat_requests()) == 1


def test_a_stream_from_a_server_without_usage_is_estimated(env, org, llm_server, monkeypatch):
    use_llm_server(monkeypatch, llm_server)
    llm_server.report_usage = False
    with session_scope() as session:
        "".join(service.stream(session, org, QUESTION))
        assert service.usage(session, org).tokens > 0


def test_a_stream_that_cannot_start_fails_before_the_first_piece(env, org, llm_server, monkeypatch):
    use_llm_server(monkeypatch, llm_server, llm_retries="0")
    llm_server.fail(1, status=502)
    with session_scope() as session, pytest.raises(ModelUnavailable):
        service.stream(session, org, QUESTION)


def test_the_monthly_budget_refuses_calls_past_it(env, org, llm_server, monkeypatch):
    use_llm_server(monkeypatch, llm_server, ai_monthly_token_budget="20")
    with session_scope() as session:
        service.complete(session, org, [{"role": "user", "content": "one two three four five six seven eight"}])
        service.complete(session, org, [{"role": "user", "content": "nine ten"}])
    with session_scope() as session, pytest.raises(BudgetExceeded) as raised:
        service.complete(session, org, [{"role": "user", "content": "eleven"}])
    assert raised.value.code == "AI_BUDGET_EXCEEDED" and raised.value.http_status == 429
    assert raised.value.details["used"] >= 20
    with session_scope() as session:  # a cached answer costs nothing and is still given; others still may ask
        assert service.complete(session, org, [{"role": "user", "content": "nine ten"}]).text == "echo: nine ten"
        service.complete(session, organization_id("rival"), [{"role": "user", "content": "eleven"}])
    assert len(llm_server.chat_requests()) == 3


def test_remote_embeddings_are_normalised_and_budgeted(env, org, llm_server, monkeypatch):
    use_llm_server(monkeypatch, llm_server, embeddings=True)
    with session_scope() as session:
        result = service.embed(session, org, ["governing law", "law governing this", "apples"])
        assert service.usage(session, org).tokens == 6
    assert result.model == "test-embeddings" and result.vectors.shape == (3, 64)
    assert np.allclose(np.linalg.norm(result.vectors, axis=1), 1.0)
    similarity = result.vectors @ result.vectors.T
    assert similarity[0, 1] > similarity[0, 2]


def test_the_offline_embedding_model_places_paraphrases_together(env, org):
    with session_scope() as session:
        result = service.embed(session, org, [
            "This Agreement shall be governed by the laws of the State of New York.",
            "New York law applies to this contract.",
            "The supplier shall deliver the goods within ten days."])
        assert service.usage(session, org).calls == 0  # offline: nothing to count
    assert result.vectors.shape == (3, 384) and not service.embedding_provider().remote
    similarity = result.vectors @ result.vectors.T
    assert similarity[0, 1] > 0.6 > similarity[0, 2]
