"""A document's passages: its paragraphs with page and character span, stored with their embedding and kept in
the lexical passage index (FTS5 on SQLite, the generated tsvector on PostgreSQL).

Paragraphs are split at blank lines (and at runs of three or more spaces, which is how flattened layouts separate
them); a heading or other fragment shorter than :data:`MIN_CHARS` joins the paragraph after it; a paragraph longer
than :data:`MAX_CHARS` is cut at sentence ends into pieces of at most that length. Spans always index the page's
stored text: ``pages.text[start:end]``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import case, delete, insert, select, text
from sqlalchemy.orm import Session

from paperclerk.search.models import Passage, PassageGeneration

MIN_CHARS = 60
MAX_CHARS = 1200
_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*| {3,}")
_SENTENCE_END = re.compile(r"[.;:!?][\"')\]]?\s+")
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class PassageSpan:
    page: int
    start: int
    end: int
    text: str


def split(pages: Sequence[tuple[int, str]]) -> list[PassageSpan]:
    """``pages`` as (page number, page text) → passages in reading order."""
    found: list[PassageSpan] = []
    for number, page_text in pages:
        pending: tuple[int, int] | None = None  # a short block waiting to join the next one on its page
        for start, end in _blocks(page_text):
            if pending is not None:
                start = pending[0]
                pending = None
            if end - start < MIN_CHARS:
                pending = (start, end)
                continue
            found.extend(_pieces(number, page_text, start, end))
        if pending is not None and len(_WORD.findall(page_text[pending[0]:pending[1]])) >= 2:
            found.extend(_pieces(number, page_text, *pending))
    return found


def _blocks(page_text: str) -> list[tuple[int, int]]:
    blocks, position = [], 0
    for separator in [*_BREAK.finditer(page_text), None]:
        stop = separator.start() if separator is not None else len(page_text)
        start, end = _trim(page_text, position, stop)
        if end > start and _WORD.search(page_text, start, end):
            blocks.append((start, end))
        position = separator.end() if separator is not None else stop
    return blocks


def _trim(page_text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and page_text[start].isspace():
        start += 1
    while end > start and page_text[end - 1].isspace():
        end -= 1
    return start, end


def _pieces(number: int, page_text: str, start: int, end: int) -> list[PassageSpan]:
    """The block itself, or, when it is too long, consecutive pieces cut at sentence ends (else at spaces)."""
    pieces = []
    while end - start > MAX_CHARS:
        window = page_text[start:start + MAX_CHARS]
        cuts = [match.end() for match in _SENTENCE_END.finditer(window) if match.end() >= MAX_CHARS // 3]
        cut = cuts[-1] if cuts else (window.rfind(" ") + 1 or MAX_CHARS)
        piece_start, piece_end = _trim(page_text, start, start + cut)
        pieces.append(PassageSpan(number, piece_start, piece_end, page_text[piece_start:piece_end]))
        start, end = _trim(page_text, start + cut, end)
    if end > start:
        pieces.append(PassageSpan(number, start, end, page_text[start:end]))
    return pieces


def tenant_token(organization_id: str) -> str:
    return "o" + organization_id.replace("-", "")


def replace(session: Session, *, document_id: str, organization_id: str, spans: Sequence[PassageSpan],
            vectors: np.ndarray | None, model: str) -> None:
    """Store ``spans`` (with ``vectors``, one row each, or none) as the document's passages, replacing earlier
    ones, and keep the lexical passage index in step."""
    postgres = session.get_bind().dialect.name == "postgresql"
    old = session.scalars(select(Passage.id).where(Passage.document_id == document_id)).all()
    if old and not postgres:
        session.execute(text("DELETE FROM passage_index WHERE rowid IN (SELECT value FROM json_each(:ids))"),
                        {"ids": "[" + ",".join(map(str, old)) + "]"})
    session.execute(delete(Passage).where(Passage.document_id == document_id))
    if old:
        _bump_generation(session, organization_id, postgres)
    if not spans:
        return
    rows = [{"document_id": document_id, "organization_id": organization_id, "ordinal": ordinal, "page": span.page,
             "start": span.start, "end": span.end, "text": span.text,
             "model": model if vectors is not None else "",
             "embedding": vectors[ordinal].astype("<f4").tobytes() if vectors is not None else None}
            for ordinal, span in enumerate(spans)]
    ids = session.scalars(insert(Passage).returning(Passage.id, sort_by_parameter_order=True), rows).all()
    if postgres:
        from paperclerk.search import vectors as vector_index

        if vectors is not None and vector_index.pgvector_enabled(session):
            session.execute(text("UPDATE passages SET vec = CAST(:vec AS vector) WHERE id = :id"),
                            [{"id": id_, "vec": vector_index.pg_literal(vectors[i])} for i, id_ in enumerate(ids)])
        return
    token = tenant_token(organization_id)
    session.execute(text("INSERT INTO passage_index (rowid, text, tenant) VALUES (:id, :text, :tenant)"),
                    [{"id": id_, "text": span.text, "tenant": token} for id_, span in zip(ids, spans, strict=True)])


@dataclass
class Passages:
    """What the pipeline's passage stage hands to the final transaction."""

    spans: list[PassageSpan]
    vectors: np.ndarray | None
    model: str
    #: Tokens a remote embedding model counted (recorded against the organisation with the document).
    tokens: int = 0
    #: Why the passages have no vectors (the embedding model's error code), for the processing history.
    missing_vectors: str | None = None


def prepare(pages: Sequence[tuple[int, str]], organization_id: str) -> Passages:
    """Split the pages and embed the passages (no database write). A model that is down or over budget leaves
    the passages without vectors: they are still found by words, and the history says why."""
    from paperclerk.ai import service as ai
    from paperclerk.core.db import session_scope
    from paperclerk.core.errors import PaperclerkError

    spans = split(pages)
    provider = ai.embedding_provider()
    if not spans:
        return Passages(spans, None, provider.model)
    try:
        if provider.remote:
            with session_scope(readonly=True) as session:
                ai.check_budget(session, organization_id)
        embeddings = provider.embed([span.text for span in spans])
    except PaperclerkError as exc:
        return Passages(spans, None, provider.model, missing_vectors=exc.code)
    return Passages(spans, embeddings.vectors, embeddings.model, tokens=embeddings.tokens if provider.remote else 0)


def _bump_generation(session: Session, organization_id: str, postgres: bool) -> None:
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    upsert = (pg_insert if postgres else sqlite_insert)(PassageGeneration).values(organization_id=organization_id,
                                                                                  generation=1)
    session.execute(upsert.on_conflict_do_update(index_elements=["organization_id"],
                                                 set_={"generation": PassageGeneration.generation + 1}))


def lacking(session: Session, organization_id: str, *, model: str, everything: bool = False) -> list[str]:
    """Processed documents whose passages are missing, or (``everything``) not all embedded by ``model``: those
    from before passage search, or from before a change of embedding model."""
    from sqlalchemy import func

    from paperclerk.documents.models import Document, DocumentStatus

    final = (DocumentStatus.PROCESSED, DocumentStatus.NEEDS_REVIEW)
    current = select(Passage.document_id).where(Passage.organization_id == organization_id)
    if everything:
        current = current.group_by(Passage.document_id).having(
            func.sum(case((Passage.model == model, 0), else_=1)) == 0)
    return list(session.scalars(select(Document.id).where(
        Document.organization_id == organization_id, Document.status.in_(final), Document.deleted_at.is_(None),
        Document.id.not_in(current))
        .order_by(Document.created_at)))


def rebuild(session: Session, document_id: str, organization_id: str) -> Passages:
    """Split and embed a processed document's stored pages again and store the passages (a remote model's tokens
    are recorded against the organisation)."""
    from paperclerk.ai import service as ai
    from paperclerk.documents.models import Page

    pages = session.execute(select(Page.number, Page.text).where(Page.document_id == document_id)
                            .order_by(Page.number)).all()
    found = prepare([(page.number, page.text) for page in pages], organization_id)
    replace(session, document_id=document_id, organization_id=organization_id, spans=found.spans,
            vectors=found.vectors, model=found.model)
    if found.tokens:
        ai.record_usage(session, organization_id, purpose="index", model=found.model, prompt_tokens=found.tokens)
    return found
