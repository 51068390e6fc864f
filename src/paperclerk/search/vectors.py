"""Nearest passages by embedding: pgvector on PostgreSQL when the extension was installed (the ``vec`` column
exists), else an exact search in process over a numpy matrix of the organisation's vectors.

The in-process matrix is loaded once per (organisation, model) and kept current by a cheap check per query
(count and highest id of the stored vectors): new passages are appended, anything else reloads it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Float, func, literal_column, select, text
from sqlalchemy.orm import Session

from paperclerk.search.models import Passage


@dataclass
class _Matrix:
    ids: np.ndarray
    vectors: np.ndarray
    count: int
    max_id: int


_matrices: dict[tuple[str, str, str], _Matrix] = {}
_lock = threading.Lock()
_pgvector: dict[str, bool] = {}


def pgvector_enabled(session: Session) -> bool:
    """Whether passages carry a pgvector column (the migration adds it where the extension is available)."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    key = str(bind.engine.url)
    if key not in _pgvector:
        _pgvector[key] = session.execute(text(
            "SELECT 1 FROM information_schema.columns WHERE table_name = 'passages' AND column_name = 'vec'"
        )).first() is not None
    return _pgvector[key]


def pg_literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{value:.7g}" for value in vector.tolist()) + "]"


def nearest(session: Session, organization_id: str, model: str, query: np.ndarray, *, limit: int,
            allowed: Sequence[ColumnElement[bool]] = (), above: float = -1.0) -> list[tuple[int, float]]:
    """(passage id, cosine similarity) of the ``limit`` passages nearest ``query`` with a similarity over
    ``above``; ``allowed`` are extra conditions on passages (and documents, joined) that a passage must meet."""
    if pgvector_enabled(session):
        found = _nearest_pgvector(session, organization_id, model, query, limit, allowed)
        return [(passage_id, score) for passage_id, score in found if score > above]
    matrix = _matrix(session, organization_id, model)
    if not len(matrix.ids):
        return []
    scores = matrix.vectors @ query.astype(np.float32)
    if allowed:
        from paperclerk.documents.models import Document

        permitted = np.fromiter(session.scalars(
            select(Passage.id).join(Document, Document.id == Passage.document_id)
            .where(Passage.organization_id == organization_id, Passage.model == model, *allowed)), dtype=np.int64)
        scores = np.where(np.isin(matrix.ids, permitted), scores, -np.inf)
    scores = np.where(scores > above, scores, -np.inf)
    count = min(limit, int(np.isfinite(scores).sum()))
    if count <= 0:
        return []
    top = np.argpartition(-scores, count - 1)[:count]
    top = top[np.argsort(-scores[top])]
    return [(int(matrix.ids[i]), float(scores[i])) for i in top]


def vectors_of(session: Session, passage_ids: Sequence[int]) -> dict[int, np.ndarray]:
    rows = session.execute(select(Passage.id, Passage.embedding).where(Passage.id.in_(list(passage_ids)),
                                                                       Passage.embedding.is_not(None))).all()
    return {row.id: np.frombuffer(row.embedding, dtype="<f4") for row in rows}


def _matrix(session: Session, organization_id: str, model: str) -> _Matrix:
    # a passage has a model exactly when it has a vector: the (organisation, model, id) index answers this alone
    scope = (Passage.organization_id == organization_id, Passage.model == model)
    count, max_id = session.execute(select(func.count(Passage.id), func.max(Passage.id)).where(*scope)).one()
    count, max_id = int(count or 0), int(max_id or 0)
    key = (str(session.get_bind().engine.url), organization_id, model)
    with _lock:
        cached = _matrices.get(key)
    if cached is not None and (cached.count, cached.max_id) == (count, max_id):
        return cached
    if cached is not None and cached.count and max_id > cached.max_id:
        ids, vectors = _load(session, *scope, Passage.id > cached.max_id)
        if cached.count + len(ids) == count:  # only appended since: keep what is loaded
            matrix = _Matrix(np.concatenate([cached.ids, ids]), np.concatenate([cached.vectors, vectors]),
                             count, max_id)
            with _lock:
                _matrices[key] = matrix
            return matrix
    ids, vectors = _load(session, *scope)
    matrix = _Matrix(ids, vectors, len(ids), int(ids.max()) if len(ids) else 0)
    with _lock:
        _matrices[key] = matrix
    return matrix


def _load(session: Session, *conditions: ColumnElement[bool]) -> tuple[np.ndarray, np.ndarray]:
    rows = session.execute(select(Passage.id, Passage.embedding).where(*conditions).order_by(Passage.id)).all()
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
    ids = np.fromiter((row.id for row in rows), dtype=np.int64, count=len(rows))
    vectors = np.frombuffer(b"".join(row.embedding for row in rows), dtype="<f4").reshape(len(rows), -1)
    return ids, vectors


def _nearest_pgvector(session: Session, organization_id: str, model: str, query: np.ndarray, limit: int,
                      allowed: Sequence[ColumnElement[bool]]) -> list[tuple[int, float]]:
    from paperclerk.documents.models import Document

    vector = text("CAST(:query AS vector)").bindparams(query=pg_literal(query))
    distance = literal_column("passages.vec").op("<=>", return_type=Float)(vector).label("distance")
    rows: Sequence[Any] = session.execute(
        select(Passage.id, distance).join(Document, Document.id == Passage.document_id)
        .where(Passage.organization_id == organization_id, Passage.model == model,
               literal_column("passages.vec").is_not(None), *allowed)
        .order_by(distance).limit(limit)).all()
    return [(int(row.id), 1.0 - float(row.distance)) for row in rows]
