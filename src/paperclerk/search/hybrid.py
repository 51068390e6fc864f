"""Paragraph-level search: the lexical passage index and the embeddings, fused by reciprocal rank.

Each ranking brings its best :data:`CANDIDATES` passages; a passage's fused score is the sum of
``1 / (RRF_K + rank)`` over the rankings that found it. Filters are the documents' (kind, status, dates) plus any
product line's (:func:`register_filter`: a case, a party, a clause category …), applied inside both rankings.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from paperclerk.ai import service as ai
from paperclerk.core.errors import Conflict, InvalidRequest, NotFound
from paperclerk.documents.filters import DocumentFilter
from paperclerk.documents.models import Document
from paperclerk.search import vectors
from paperclerk.search.models import Passage
from paperclerk.search.passages import tenant_token
from paperclerk.search.query import to_fts5, validate

RRF_K = 60
#: Passages each ranking contributes to the fusion.
CANDIDATES = 100

passage_index = table("passage_index", column("rowid"), column("text"), column("tenant"))
_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)
#: Words too common to be worth a highlight (they still count in the search).
_UNMARKED = frozenset({"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on",
                       "or", "that", "the", "this", "to", "was", "with"})


class Mode(StrEnum):
    HYBRID = "hybrid"
    FULLTEXT = "fulltext"
    SEMANTIC = "semantic"


@dataclass(frozen=True)
class PassageHit:
    passage_id: int
    document_id: str
    filename: str
    kind: str | None
    page: int
    start: int
    end: int
    score: float
    #: HTML-escaped passage text, the query's words wrapped in ``<mark>``.
    text: str
    #: 1-based rank in the full-text and in the embedding ranking (``None``: not among its candidates).
    fulltext_rank: int | None = None
    semantic_rank: int | None = None


@dataclass(frozen=True)
class SimilarDocument:
    document_id: str
    filename: str
    kind: str | None
    score: float
    #: The passage of that document nearest to this document.
    passage: PassageHit


# -- filters of product lines -----------------------------------------------------------------------------------

#: ``name`` → builds a condition on passages/documents from the request's value and the organisation.
LineFilter = Callable[[str, str], ColumnElement[bool]]
_line_filters: dict[str, LineFilter] = {}


def register_filter(name: str, build: LineFilter) -> None:
    """Let searches narrow by ``name:value`` (e.g. ``case:2024-117``); ``build(value, organization_id)`` returns a
    condition on ``Passage`` and/or ``Document`` columns (a subquery on the line's own tables, say)."""
    if name in _line_filters and _line_filters[name] is not build:
        raise ValueError(f"search filter {name!r} is registered twice")
    _line_filters[name] = build


def line_conditions(filters: Sequence[str], organization_id: str) -> list[ColumnElement[bool]]:
    """``["case:2024-117", …]`` → conditions; an unknown name or a missing value is a clear 400."""
    conditions = []
    for item in filters:
        name, _, value = item.partition(":")
        if name not in _line_filters or not value.strip():
            raise InvalidRequest(
                f"Unknown search filter {item!r}: use name:value with one of {', '.join(sorted(_line_filters))}."
                if _line_filters else f"Unknown search filter {item!r}: no filters are registered.",
                code="SEARCH_FILTER_UNKNOWN", details={"filter": item, "known": sorted(_line_filters)})
        conditions.append(_line_filters[name](value.strip(), organization_id))
    return conditions


# -- search -------------------------------------------------------------------------------------------------------

def search(session: Session, query: str, *, filters: DocumentFilter, conditions: Sequence[ColumnElement[bool]] = (),
           mode: Mode = Mode.HYBRID, limit: int = 20) -> list[PassageHit]:
    query = validate(query)
    to_fts5(query)  # one rule on both backends: a query needs a word that is not excluded (QUERY_EMPTY)
    organization_id = filters.organization_id
    narrowing = [*filters.clauses()[1:], *conditions]
    fulltext: list[int] = []
    semantic: list[tuple[int, float]] = []
    if mode != Mode.SEMANTIC:
        fulltext = _fulltext(session, query, organization_id, narrowing)
    if mode != Mode.FULLTEXT:
        words = " ".join(_positive_words(query))
        if words:
            provider = ai.embedding_provider()
            vector = ai.embed(session, organization_id, [words], purpose="search").vectors[0]
            semantic = vectors.nearest(session, organization_id, provider.model, vector, limit=CANDIDATES,
                                       allowed=narrowing, above=provider.min_similarity)
    scores: dict[int, float] = {}
    fulltext_rank = {passage_id: rank for rank, passage_id in enumerate(fulltext, 1)}
    semantic_rank = {passage_id: rank for rank, (passage_id, _) in enumerate(semantic, 1)}
    for ranks in (fulltext_rank, semantic_rank):
        for passage_id, rank in ranks.items():
            scores[passage_id] = scores.get(passage_id, 0.0) + 1.0 / (RRF_K + rank)
    best = sorted(scores, key=lambda passage_id: (-scores[passage_id], passage_id))[:limit]
    return _hits(session, organization_id, best, scores, _positive_words(query), fulltext_rank, semantic_rank)


def _fulltext(session: Session, query: str, organization_id: str, narrowing: Sequence[ColumnElement[bool]]
              ) -> list[int]:
    if session.get_bind().dialect.name == "postgresql":
        tsquery = func.websearch_to_tsquery(literal_column("'simple'"), query)
        tsv: ColumnElement[Any] = literal_column("passages.tsv")
        statement = (select(Passage.id).join(Document, Document.id == Passage.document_id)
                     .where(Passage.organization_id == organization_id, tsv.op("@@")(tsquery), *narrowing)
                     .order_by(func.ts_rank_cd(tsv, tsquery).desc(), Passage.id).limit(CANDIDATES))
        return list(session.scalars(statement))
    scoped = f'tenant : "{tenant_token(organization_id)}" AND text : ({to_fts5(query)})'
    match = text("passage_index MATCH :expression").bindparams(expression=scoped)
    rank: ColumnElement[float] = literal_column("bm25(passage_index)")
    rowid: ColumnElement[int] = literal_column("passage_index.rowid")
    statement = select(rowid).select_from(passage_index).where(match)
    if narrowing:
        statement = (statement.join(Passage, Passage.id == rowid).join(Document, Document.id == Passage.document_id)
                     .where(*narrowing))
    return list(session.scalars(statement.order_by(rank).limit(CANDIDATES)))


def _positive_words(query: str) -> list[str]:
    words: list[str] = []
    for negate, phrase, bare in _TERM.findall(query):
        term = phrase or bare
        if negate or (bare.startswith("-") and len(bare) > 1) or bare.upper() == "OR":
            continue
        words += _WORD.findall(term)
    return words


# -- similar ----------------------------------------------------------------------------------------------------

def similar_passages(session: Session, passage_id: int, *, organization_id: str, limit: int = 10,
                     other_documents: bool = True) -> list[PassageHit]:
    """The passages nearest in meaning to one passage (by default only in other documents: similar clauses)."""
    passage = _passage(session, passage_id, organization_id)
    vector = _vector_of(passage)
    allowed = [Passage.document_id != passage.document_id] if other_documents else [Passage.id != passage.id]
    nearest = vectors.nearest(session, organization_id, passage.model, vector, limit=limit, allowed=allowed,
                              above=_floor(passage.model))
    return _hits(session, organization_id, [i for i, _ in nearest], dict(nearest), [], {},
                 {i: rank for rank, (i, _) in enumerate(nearest, 1)})


def similar_documents(session: Session, document_id: str, *, organization_id: str, limit: int = 10
                      ) -> list[SimilarDocument]:
    """Documents nearest in meaning: the document's mean passage vector against every other document's passages,
    each document scored by its nearest passage."""
    document = session.scalar(select(Document).where(Document.id == document_id,
                                                     Document.organization_id == organization_id))
    if document is None:
        raise NotFound("No such document.", code="DOCUMENT_NOT_FOUND")
    rows = session.execute(select(Passage.model, Passage.embedding).where(
        Passage.document_id == document_id, Passage.embedding.is_not(None))).all()
    if not rows:
        raise Conflict("This document has no passages with embeddings yet.", code="DOCUMENT_NOT_EMBEDDED")
    mean = np.mean([np.frombuffer(row.embedding, dtype="<f4") for row in rows], axis=0)
    mean = mean / max(float(np.linalg.norm(mean)), 1e-12)
    nearest = vectors.nearest(session, organization_id, rows[0].model, mean, limit=max(limit * 20, CANDIDATES),
                              allowed=[Passage.document_id != document_id], above=_floor(rows[0].model))
    hits = _hits(session, organization_id, [i for i, _ in nearest], dict(nearest), [], {}, {})
    best: dict[str, PassageHit] = {}
    for hit in hits:
        best.setdefault(hit.document_id, hit)
    return [SimilarDocument(hit.document_id, hit.filename, hit.kind, hit.score, hit)
            for hit in list(best.values())[:limit]]


def _floor(model: str) -> float:
    """The similarity below which the model's matches are unrelated (none known for another model's vectors)."""
    provider = ai.embedding_provider()
    return provider.min_similarity if provider.model == model else -1.0


def _passage(session: Session, passage_id: int, organization_id: str) -> Passage:
    passage = session.scalar(select(Passage).where(Passage.id == passage_id,
                                                   Passage.organization_id == organization_id))
    if passage is None:
        raise NotFound("No such passage.", code="PASSAGE_NOT_FOUND")
    return passage


def _vector_of(passage: Passage) -> np.ndarray:
    if passage.embedding is None:
        raise Conflict("This passage has no embedding yet.", code="PASSAGE_NOT_EMBEDDED")
    return np.frombuffer(passage.embedding, dtype="<f4")


# -- hits -------------------------------------------------------------------------------------------------------

def _hits(session: Session, organization_id: str, ids: Sequence[int], scores: dict[int, float], words: list[str],
          fulltext_rank: dict[int, int], semantic_rank: dict[int, int]) -> list[PassageHit]:
    if not ids:
        return []
    rows = session.execute(
        select(Passage.id, Passage.document_id, Passage.page, Passage.start, Passage.end, Passage.text,
               Document.filename, Document.kind)
        .join(Document, Document.id == Passage.document_id)
        .where(Passage.id.in_(list(ids)), Passage.organization_id == organization_id)).all()
    by_id = {row.id: row for row in rows}
    return [PassageHit(passage_id=row.id, document_id=row.document_id, filename=row.filename, kind=row.kind,
                       page=row.page, start=row.start, end=row.end, score=round(scores[row.id], 6),
                       text=highlight(row.text, words), fulltext_rank=fulltext_rank.get(row.id),
                       semantic_rank=semantic_rank.get(row.id))
            for row in (by_id.get(passage_id) for passage_id in ids) if row is not None]


def highlight(passage: str, words: Sequence[str]) -> str:
    """HTML-escape the passage and wrap each whole-word occurrence of ``words`` (but the commonest) in ``<mark>``."""
    marked = {re.escape(word) for word in words if word.lower() not in _UNMARKED}
    if not marked:
        return html.escape(passage)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(sorted(marked, key=len, reverse=True))
                         + r")(?!\w)", re.IGNORECASE)
    parts, position = [], 0
    for match in pattern.finditer(passage):
        parts += [html.escape(passage[position:match.start()]), "<mark>", html.escape(match.group()), "</mark>"]
        position = match.end()
    parts.append(html.escape(passage[position:]))
    return "".join(parts)
