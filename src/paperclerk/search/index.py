"""The full-text index: one row per document, ranked search with highlighted snippets.

SQLite keeps it in an FTS5 table (bm25 ranking, ``snippet()``); PostgreSQL in a table with a
generated, weighted ``tsvector`` column under a GIN index (``ts_rank_cd``, ``ts_headline``).
Both are created by the migrations; both read the same query syntax (:mod:`.query`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, column, delete, func, insert, literal_column, select, table, text
from sqlalchemy.orm import Session

from paperclerk.documents.filters import DocumentFilter
from paperclerk.documents.models import Document
from paperclerk.search.query import to_fts5, validate

#: Index at most this much of a document's text (PostgreSQL caps a tsvector at 1 MB).
MAX_INDEXED_CHARS = 300_000
#: ts_headline re-parses the text it highlights; a bounded prefix keeps it fast.
HEADLINE_CHARS = 50_000
_START, _STOP = "\x02", "\x03"

search_index = table("search_index", column("document_id"), column("title"), column("body"), column("tenant"))
#: SQLite only: FTS5 finds a row fast by rowid alone, so each document's index rowid is kept here.
search_rowids = table("search_rowids", column("rowid"), column("document_id"))


@dataclass(frozen=True)
class SearchHit:
    document_id: str
    filename: str
    kind: str | None
    status: str
    created_at: datetime
    score: float
    #: HTML-escaped text around the matches, matches wrapped in ``<mark>``.
    snippet: str


def upsert(session: Session, *, document_id: str, organization_id: str, title: str, body: str) -> None:
    values = {"document_id": document_id, "title": title, "body": body[:MAX_INDEXED_CHARS]}
    if _is_postgres(session):  # the organisation comes from the documents table there
        session.execute(delete(search_index).where(search_index.c.document_id == document_id))
        session.execute(insert(search_index).values(**values))
        return
    values["tenant"] = _tenant_token(organization_id)
    rowid = session.scalar(select(search_rowids.c.rowid).where(search_rowids.c.document_id == document_id))
    if rowid is None:
        inserted = cast(CursorResult[Any], session.execute(insert(search_rowids).values(document_id=document_id)))
        rowid = inserted.lastrowid
    else:
        session.execute(text("DELETE FROM search_index WHERE rowid = :rowid"), {"rowid": rowid})
    session.execute(text("INSERT INTO search_index (rowid, document_id, title, body, tenant) "
                         "VALUES (:rowid, :document_id, :title, :body, :tenant)"), {"rowid": rowid, **values})


def remove(session: Session, document_id: str) -> None:
    """Take a document out of the index (it was deleted)."""
    if _is_postgres(session):
        session.execute(delete(search_index).where(search_index.c.document_id == document_id))
        return
    rowid = session.scalar(select(search_rowids.c.rowid).where(search_rowids.c.document_id == document_id))
    if rowid is not None:
        session.execute(text("DELETE FROM search_index WHERE rowid = :rowid"), {"rowid": rowid})
        session.execute(delete(search_rowids).where(search_rowids.c.rowid == rowid))


def _tenant_token(organization_id: str) -> str:
    return "o" + organization_id.replace("-", "")


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def search(session: Session, query: str, *, filters: DocumentFilter, limit: int, offset: int
           ) -> tuple[list[SearchHit], int]:
    if _is_postgres(session):
        return _search_postgres(session, validate(query), filters, limit, offset)
    return _search_sqlite(session, to_fts5(query), filters, limit, offset)


def _search_sqlite(session: Session, expression: str, filters: DocumentFilter, limit: int, offset: int
                   ) -> tuple[list[SearchHit], int]:
    """Rank, count and page inside FTS5 (scoped by the tenant token); join documents only for the page.

    Status, kind and date filters live on the documents table: only they need the join for every match.
    """
    scoped = f'tenant : "{_tenant_token(filters.organization_id)}" AND {{title body}} : ({expression})'
    match = text("search_index MATCH :expression").bindparams(expression=scoped)
    rank: ColumnElement[float] = literal_column("bm25(search_index, 0.0, 4.0, 1.0, 0.0)")
    rowid: ColumnElement[int] = literal_column("search_index.rowid")
    joined = search_index.join(Document, Document.id == search_index.c.document_id)
    source, narrowing = (joined, filters.clauses()) if filters.narrows_organization else (search_index, [])
    page = session.execute(select(rowid.label("rowid"), rank.label("rank")).select_from(source)
                           .where(match, *narrowing).order_by(rank).limit(limit).offset(offset)).all()
    total = session.scalar(select(func.count()).select_from(source).where(match, *narrowing)) or 0
    if not page:
        return [], total
    snippet: ColumnElement[str] = literal_column(f"snippet(search_index, 2, '{_START}', '{_STOP}', '…', 16)")
    rows = session.execute(
        select(rowid.label("rowid"), Document.id, Document.filename, Document.kind, Document.status,
               Document.created_at, snippet.label("snippet"))
        .select_from(joined).where(match, rowid.in_([row.rowid for row in page]), *filters.clauses())
    ).all()
    by_rowid = {row.rowid: row for row in rows}
    return [_hit(by_rowid[hit.rowid], score=-hit.rank) for hit in page if hit.rowid in by_rowid], total


def _search_postgres(session: Session, query: str, filters: DocumentFilter, limit: int, offset: int
                     ) -> tuple[list[SearchHit], int]:
    tsquery = func.websearch_to_tsquery(literal_column("'simple'"), query)
    tsv: ColumnElement[Any] = literal_column("search_index.tsv")
    joined = search_index.join(Document, Document.id == search_index.c.document_id)
    matches = tsv.op("@@")(tsquery)
    rank = func.ts_rank_cd(tsv, tsquery)
    headline = func.ts_headline(
        literal_column("'simple'"), func.left(search_index.c.body, HEADLINE_CHARS), tsquery,
        f"StartSel={_START}, StopSel={_STOP}, MaxWords=24, MinWords=10, MaxFragments=2, FragmentDelimiter=' … '",
    )
    rows = session.execute(
        select(Document.id, Document.filename, Document.kind, Document.status, Document.created_at,
               rank.label("rank"), headline.label("snippet"))
        .select_from(joined).where(matches, *filters.clauses())
        .order_by(rank.desc(), Document.created_at.desc()).limit(limit).offset(offset)
    ).all()
    total = session.scalar(select(func.count()).select_from(joined).where(matches, *filters.clauses())) or 0
    return [_hit(row, score=float(row.rank)) for row in rows], total


def _hit(row: object, *, score: float) -> SearchHit:
    return SearchHit(
        document_id=row.id, filename=row.filename, kind=row.kind, status=row.status,  # type: ignore[attr-defined]
        created_at=row.created_at, score=round(score, 4),  # type: ignore[attr-defined]
        snippet=highlight(row.snippet or ""),  # type: ignore[attr-defined]
    )


def highlight(raw: str) -> str:
    """HTML-escape the document's text and turn the backend's markers into ``<mark>`` tags."""
    return html.escape(raw).replace(_START, "<mark>").replace(_STOP, "</mark>")
