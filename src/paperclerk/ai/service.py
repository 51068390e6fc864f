"""What every product line calls: chat, structured answers, streams and embeddings for an organisation.

Each call to a remote model is checked against the organisation's monthly token budget, counted in
``ai_usage`` and (chat answers) kept in ``ai_cache`` under the hash of everything that determines it, so asking
the same again costs nothing. Like every service these take the caller's session and never commit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import jsonschema
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from paperclerk.ai.errors import BadModelOutput, BudgetExceeded, LLMNotConfigured
from paperclerk.ai.local import LocalEmbeddings
from paperclerk.ai.models import AICacheEntry, AIUsage
from paperclerk.ai.openai_compat import OpenAICompatible
from paperclerk.ai.providers import ChatProvider, ChatReply, EmbeddingProvider, Embeddings, Message
from paperclerk.config import Settings, get_settings
from paperclerk.core.db import utcnow

#: Times a structured answer is asked for in all (the first ask and the re-asks after a schema failure).
STRUCTURED_ATTEMPTS = 3


# -- providers -----------------------------------------------------------------------------------------------

def llm_configured(settings: Settings | None = None) -> bool:
    settings = settings or get_settings()
    return bool(settings.llm_url and settings.llm_model)


def chat_provider(settings: Settings | None = None) -> ChatProvider:
    """The configured chat model; :class:`LLMNotConfigured` when there is none (paperclerk ships no chat model)."""
    settings = settings or get_settings()
    if not llm_configured(settings):
        raise LLMNotConfigured("No language model is configured: set PAPERCLERK_LLM_URL and PAPERCLERK_LLM_MODEL.")
    return _remote(settings.llm_url, settings.llm_model, settings.llm_api_key.get_secret_value(),
                   settings.llm_timeout_seconds, settings.llm_retries, settings.llm_retry_base_seconds)


def embedding_provider(settings: Settings | None = None) -> EmbeddingProvider:
    """The configured embedding endpoint, else the offline model shipped with paperclerk."""
    settings = settings or get_settings()
    if settings.embedding_url and settings.embedding_model:
        return _remote(settings.embedding_url, settings.embedding_model,
                       settings.embedding_api_key.get_secret_value(), settings.llm_timeout_seconds,
                       settings.llm_retries, settings.llm_retry_base_seconds)
    return _local()


@lru_cache(maxsize=8)
def _remote(url: str, model: str, key: str, timeout: float, retries: int, base: float) -> OpenAICompatible:
    return OpenAICompatible(url, model, api_key=key, timeout=timeout, retries=retries, retry_base_seconds=base)


@lru_cache(maxsize=1)
def _local() -> LocalEmbeddings:
    return LocalEmbeddings()


# -- budget and accounting -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Usage:
    month: str
    calls: int
    cached_calls: int
    tokens: int
    #: 0 means no limit.
    budget: int

    @property
    def remaining(self) -> int | None:
        return None if not self.budget else max(0, self.budget - self.tokens)


def _month_start(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def usage(session: Session, organization_id: str, *, now: datetime | None = None,
          settings: Settings | None = None) -> Usage:
    """The organisation's spending this calendar month (UTC)."""
    settings = settings or get_settings()
    start = _month_start(now or utcnow())
    row = session.execute(
        select(func.count(AIUsage.id),
               func.count(AIUsage.id).filter(AIUsage.cached.is_(True)),
               func.coalesce(func.sum(AIUsage.prompt_tokens + AIUsage.completion_tokens), 0))
        .where(AIUsage.organization_id == organization_id, AIUsage.created_at >= start)
    ).one()
    return Usage(month=start.strftime("%Y-%m"), calls=int(row[0]), cached_calls=int(row[1]), tokens=int(row[2]),
                 budget=settings.ai_monthly_token_budget)


def check_budget(session: Session, organization_id: str, *, settings: Settings | None = None) -> None:
    """Refuse a call to a remote model once the organisation has spent its month's tokens."""
    spent = usage(session, organization_id, settings=settings)
    if spent.budget and spent.tokens >= spent.budget:
        raise BudgetExceeded(
            f"This organisation has used its {spent.budget} AI tokens for {spent.month}; "
            "calls to language models resume next month or when the budget is raised.",
            details={"month": spent.month, "budget": spent.budget, "used": spent.tokens})


def record_usage(session: Session, organization_id: str, *, purpose: str, model: str, prompt_tokens: int,
                 completion_tokens: int = 0, cached: bool = False) -> None:
    session.add(AIUsage(organization_id=organization_id, purpose=purpose[:60], model=model[:200],
                        prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, cached=cached))


# -- chat ------------------------------------------------------------------------------------------------------

def complete(session: Session, organization_id: str, messages: Sequence[Message], *, purpose: str = "chat",
             temperature: float = 0.0, max_tokens: int | None = None) -> ChatReply:
    """One answer from the configured chat model (from the cache when the same was asked before)."""
    provider = chat_provider()
    key = _cache_key(organization_id, provider.model, messages, temperature=temperature, max_tokens=max_tokens)
    cached = _cached(session, key, organization_id, purpose)
    if cached is not None:
        return cached
    check_budget(session, organization_id)
    reply = provider.complete(messages, temperature=temperature, max_tokens=max_tokens)
    _account(session, organization_id, purpose, reply)
    _store(session, key, organization_id, reply)
    return reply


def structured(session: Session, organization_id: str, messages: Sequence[Message], schema: dict[str, Any], *,
               purpose: str = "structured", temperature: float = 0.0) -> Any:
    """An answer as JSON matching ``schema`` (JSON Schema), validated with jsonschema.

    The model is asked with the schema as its response format; an answer that is not JSON or does not match
    is sent back with the validation error, up to :data:`STRUCTURED_ATTEMPTS` asks in all, then refused with
    :class:`BadModelOutput`. Only a valid answer is cached.
    """
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    provider = chat_provider()
    key = _cache_key(organization_id, provider.model, messages, schema=schema, temperature=temperature)
    cached = _cached(session, key, organization_id, purpose)
    if cached is not None:
        return json.loads(_unfenced(cached.text))
    conversation = list(messages)
    problem = ""
    for _ in range(STRUCTURED_ATTEMPTS):
        check_budget(session, organization_id)
        reply = provider.complete(conversation, json_schema=schema, temperature=temperature)
        _account(session, organization_id, purpose, reply)
        try:
            value = json.loads(_unfenced(reply.text))
            validator.validate(value)
        except json.JSONDecodeError as exc:
            problem = f"the answer is not JSON ({exc.msg} at character {exc.pos})"
        except jsonschema.ValidationError as exc:
            problem = f"the answer does not match the schema at {exc.json_path}: {exc.message}"
        else:
            _store(session, key, organization_id, reply)
            return value
        conversation += [{"role": "assistant", "content": reply.text},
                         {"role": "user", "content": f"That is not valid: {problem}. "
                                                     "Answer again with JSON that matches the schema, nothing else."}]
    raise BadModelOutput(f"The model gave no answer matching the requested form: {problem}.",
                         details={"model": provider.model, "attempts": STRUCTURED_ATTEMPTS})


def stream(session: Session, organization_id: str, messages: Sequence[Message], *, purpose: str = "stream",
           temperature: float = 0.0, max_tokens: int | None = None) -> Iterator[str]:
    """The answer as text pieces while the model writes it. Configuration, budget and the connection are checked
    before this returns (so a route can still answer with an error); the usage is recorded and the whole
    answer cached when the stream ends. The session must stay open while the pieces are read."""
    provider = chat_provider()
    key = _cache_key(organization_id, provider.model, messages, temperature=temperature, max_tokens=max_tokens)
    cached = _cached(session, key, organization_id, purpose)
    if cached is not None:
        return iter([cached.text])
    check_budget(session, organization_id)
    deltas = provider.stream(messages, temperature=temperature, max_tokens=max_tokens)
    first = next(deltas)  # opens the connection: ML_001 is raised here, not halfway through a response

    def pieces() -> Iterator[str]:
        parts: list[str] = []
        delta = first
        while True:
            if delta.done:
                reply = ChatReply("".join(parts), provider.model, delta.prompt_tokens, delta.completion_tokens)
                _account(session, organization_id, purpose, reply)
                _store(session, key, organization_id, reply)
                return
            parts.append(delta.text)
            yield delta.text
            delta = next(deltas)

    return pieces()


# -- embeddings ------------------------------------------------------------------------------------------------

def embed(session: Session, organization_id: str, texts: Sequence[str], *, purpose: str = "embed") -> Embeddings:
    """Vectors for ``texts`` from the configured embedding provider; a remote one's tokens are budgeted."""
    provider = embedding_provider()
    if not provider.remote:
        return provider.embed(texts)
    check_budget(session, organization_id)
    result = provider.embed(texts)
    record_usage(session, organization_id, purpose=purpose, model=result.model, prompt_tokens=result.tokens)
    return result


# -- cache -----------------------------------------------------------------------------------------------------

def _cache_key(organization_id: str, model: str, messages: Sequence[Message], **options: Any) -> str:
    material = json.dumps({"organization": organization_id, "model": model, "messages": list(messages), **options},
                          sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(material.encode()).hexdigest()


def _cached(session: Session, key: str, organization_id: str, purpose: str) -> ChatReply | None:
    entry = session.get(AICacheEntry, key)
    if entry is None or entry.organization_id != organization_id:
        return None
    record_usage(session, organization_id, purpose=purpose, model=entry.model, prompt_tokens=0, cached=True)
    return ChatReply(entry.text, entry.model, entry.prompt_tokens, entry.completion_tokens)


def _store(session: Session, key: str, organization_id: str, reply: ChatReply) -> None:
    values = {"key": key, "organization_id": organization_id, "model": reply.model[:200], "text": reply.text,
              "prompt_tokens": reply.prompt_tokens, "completion_tokens": reply.completion_tokens,
              "created_at": utcnow()}
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(AICacheEntry).values(**values).on_conflict_do_nothing(index_elements=["key"]))


def _account(session: Session, organization_id: str, purpose: str, reply: ChatReply) -> None:
    record_usage(session, organization_id, purpose=purpose, model=reply.model, prompt_tokens=reply.prompt_tokens,
                 completion_tokens=reply.completion_tokens)


def _unfenced(text: str) -> str:
    """The JSON inside a Markdown code fence, which some servers add even when asked for JSON."""
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else ""
        stripped = stripped.rsplit("```", 1)[0]
    return stripped.strip()
