"""Passages: each document's paragraphs with their page and character span, and their embedding.

The lexical index of passages is not a model: SQLite keeps it in the FTS5 table ``passage_index`` (rowid = the
passage's id), PostgreSQL in the generated ``tsv`` column of ``passages`` (and, where the pgvector extension
was installed when the migration ran, the ``vec`` column); the migration creates them.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from paperclerk.core.db import Base


class Passage(Base):
    __tablename__ = "passages"
    #: AUTOINCREMENT on SQLite too: ids are never reused, so (count, highest id) tells a vector cache what changed.
    __table_args__ = (Index("ix_passages_organization_id_model_id", "organization_id", "model", "id"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"))
    #: Position of the paragraph in the document (0, 1, …).
    ordinal: Mapped[int] = mapped_column(Integer)
    page: Mapped[int] = mapped_column(Integer)
    #: Character span in the page's text (``pages.text[start:end]`` is the passage's text).
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    #: The embedding model (its vector space); empty when the passage has no vector yet.
    model: Mapped[str] = mapped_column(String(200), default="")
    #: float32, L2-normalised, little-endian.
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
