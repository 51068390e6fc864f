"""The AI layer's tables: what each organisation spent on remote models, and answers kept by content hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from paperclerk.core.db import Base, UTCDateTime, utcnow


class AIUsage(Base):
    """One row per call to a remote model (a cached answer is a row with no tokens): the budget sums these."""

    __tablename__ = "ai_usage"
    __table_args__ = (Index("ix_ai_usage_organization_id_created_at", "organization_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"))
    #: What asked: ``chat``, ``structured``, ``stream``, ``embed`` (a line may pass its own, e.g. ``legal.summary``).
    purpose: Mapped[str] = mapped_column(String(60))
    model: Mapped[str] = mapped_column(String(200))
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cached: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AICacheEntry(Base):
    """A model's answer under the hash of everything that determines it (organisation, model, messages, schema)."""

    __tablename__ = "ai_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    model: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
