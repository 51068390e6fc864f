"""``paperclerk passages``: documents processed before passage search (or embedded by another model) get their
passages and vectors from their stored pages."""

from __future__ import annotations

from sqlalchemy import delete, func, select, text, update
from typer.testing import CliRunner

from paperclerk.cli import app
from paperclerk.core.db import session_scope
from paperclerk.search.models import Passage
from tests.ai.llm_server import use_llm_server
from tests.helpers import api_client, upload_and_wait
from tests.search.test_hybrid import CORPUS

runner = CliRunner()


def _count(**where) -> int:
    with session_scope(readonly=True) as session:
        return session.scalar(select(func.count(Passage.id)).filter_by(**where)) or 0


def test_documents_without_passages_get_them_and_a_second_run_has_nothing_to_do(env):
    with api_client() as client:
        documents = upload_and_wait(client, *CORPUS)
    before = _count()
    with session_scope() as session:  # as after the upgrade that brought passage search
        session.execute(delete(Passage))
        session.execute(text("DELETE FROM passage_index"))
    result = runner.invoke(app, ["passages"])
    assert result.exit_code == 0, result.output
    assert f"{len(documents)} document(s), {before} passage(s)" in result.output
    assert _count(model="all-MiniLM-L6-v2-int8") == before
    with api_client() as client:
        assert client.get("/api/v1/search/passages", params={"q": "rent", "mode": "fulltext"}).json()["items"]
    again = runner.invoke(app, ["passages"])
    assert "0 document(s), 0 passage(s)" in again.output


def test_all_re_embeds_what_another_model_embedded_and_a_down_model_fails_the_command(env, llm_server, monkeypatch):
    with api_client() as client:
        upload_and_wait(client, *CORPUS)
    with session_scope() as session:
        session.execute(update(Passage).values(model="an-older-model"))
    assert "0 document(s)" in runner.invoke(app, ["passages"]).output
    assert runner.invoke(app, ["passages", "--all"]).exit_code == 0
    assert _count(model="an-older-model") == 0
    use_llm_server(monkeypatch, llm_server, embeddings=True, llm_retries="0")
    llm_server.fail(10, status=503)
    failed = runner.invoke(app, ["passages", "--all"])
    assert failed.exit_code == 1 and "7 passage(s), 7 without vectors" in failed.output
