"""With a language model configured (through the shared AI layer; here the ``llm_server`` fixture speaking the
OpenAI wire format on loopback) its judgement is blended with the offline score and both are kept; a model that
fails leaves the offline score to decide."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from paperclerk.core.db import session_scope
from paperclerk.feedback.models import FeedbackSession
from paperclerk.feedback.quality import combine
from tests.ai.llm_server import LLMServer, use_llm_server
from tests.conftest import Env
from tests.feedback.support import business, submitted_feedback


def _only_session(session_id: str) -> FeedbackSession:
    with session_scope(readonly=True) as session:
        feedback = session.scalars(select(FeedbackSession).where(FeedbackSession.id == session_id)).one()
        session.expunge(feedback)
        return feedback


def test_model_judgement_is_blended_and_kept(env: Env, llm_server: LLMServer,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    use_llm_server(monkeypatch, llm_server)
    shop = business(sales=2)
    llm_server.replies = [json.dumps({"score": 90, "reasons": ["names the product and the time",
                                                               "says what to change"]})]
    sent = submitted_feedback(shop, 0, flagged=False)
    feedback = _only_session(sent.session_id)
    assert feedback.llm_score == 90 and feedback.offline_score is not None
    assert feedback.score == combine(feedback.offline_score, 90, 0.5)
    assert feedback.llm_reasons == ["names the product and the time", "says what to change"]
    asked = llm_server.requests[-1].body
    assert "Feedback:" in asked["messages"][-1]["content"] and "coffee" in asked["messages"][-1]["content"]


def test_a_failing_model_leaves_the_offline_score(env: Env, llm_server: LLMServer,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    use_llm_server(monkeypatch, llm_server)
    shop = business(sales=2)
    llm_server.fail(10, 500)
    sent = submitted_feedback(shop, 1, flagged=False)
    feedback = _only_session(sent.session_id)
    assert feedback.llm_score is None and feedback.score == feedback.offline_score
    assert feedback.llm_reasons and feedback.llm_reasons[0].startswith("model unavailable")
