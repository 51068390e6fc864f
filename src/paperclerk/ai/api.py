"""The AI layer's route: which models are configured and what the organisation has spent this month."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from paperclerk.ai import service
from paperclerk.api_errors import error_responses
from paperclerk.auth.dependencies import require
from paperclerk.auth.principal import Principal
from paperclerk.config import get_settings
from paperclerk.core.db import read_session

router = APIRouter(prefix="/api/v1/ai", tags=["ai"], responses=error_responses(401, 403, 422, 429))


class ModelStatus(BaseModel):
    configured: bool
    model: str = Field(description="empty when no model is configured")
    remote: bool


class UsageStatus(BaseModel):
    month: str = Field(description="YYYY-MM, UTC")
    calls: int
    cached_calls: int
    tokens: int
    budget: int = Field(description="tokens per month; 0 means no limit")
    remaining: int | None


class AIStatus(BaseModel):
    chat: ModelStatus
    embeddings: ModelStatus
    usage: UsageStatus


@router.get("/status", response_model=AIStatus, summary="Configured models and this month's token use")
def ai_status(session: Annotated[Session, Depends(read_session)],
              principal: Annotated[Principal, Depends(require("documents:read"))]) -> AIStatus:
    settings = get_settings()
    embeddings = service.embedding_provider(settings)
    spent = service.usage(session, principal.tenant, settings=settings)
    return AIStatus(
        chat=ModelStatus(configured=service.llm_configured(settings), model=settings.llm_model if
                         service.llm_configured(settings) else "", remote=True),
        embeddings=ModelStatus(configured=True, model=embeddings.model, remote=embeddings.remote),
        usage=UsageStatus(month=spent.month, calls=spent.calls, cached_calls=spent.cached_calls, tokens=spent.tokens,
                          budget=spent.budget, remaining=spent.remaining))
