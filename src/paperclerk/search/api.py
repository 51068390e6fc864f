"""Search routes: documents by full text; passages by full text and meaning (hybrid); similar passages and
documents. Every one is scoped to the caller's organisation."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from paperclerk.api_errors import error_responses
from paperclerk.auth.dependencies import require
from paperclerk.auth.principal import Principal
from paperclerk.core.db import read_session
from paperclerk.documents.api import document_filter
from paperclerk.documents.filters import DocumentFilter
from paperclerk.search import hybrid, index

router = APIRouter(prefix="/api/v1/search", tags=["search"])


class SearchResults(BaseModel):
    query: str
    total: int
    limit: int
    offset: int
    took_ms: float
    items: list[index.SearchHit]


@router.get("", response_model=SearchResults, summary="Full-text search over the organisation's documents",
            dependencies=[Depends(require("search:read"))], responses=error_responses(400, 401, 403, 422, 429))
def search(
    session: Annotated[Session, Depends(read_session)],
    filters: Annotated[DocumentFilter, Depends(document_filter)],
    q: Annotated[str, Query(min_length=1, max_length=500, description='words, "a phrase", OR, -exclude')],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> SearchResults:
    started = time.perf_counter()
    hits, total = index.search(session, q, filters=filters, limit=limit, offset=offset)
    return SearchResults(query=q, total=total, limit=limit, offset=offset,
                         took_ms=round((time.perf_counter() - started) * 1000, 2),
                         items=hits)


class PassageResults(BaseModel):
    query: str
    mode: hybrid.Mode
    took_ms: float
    items: list[hybrid.PassageHit]


class SimilarPassages(BaseModel):
    passage_id: int
    items: list[hybrid.PassageHit]


class SimilarDocuments(BaseModel):
    document_id: str
    items: list[hybrid.SimilarDocument]


@router.get("/passages", response_model=PassageResults,
            summary="Paragraph-level search: full text and meaning fused by reciprocal rank",
            dependencies=[Depends(require("search:read"))], responses=error_responses(400, 401, 403, 422, 429, 503))
def search_passages(
    session: Annotated[Session, Depends(read_session)],
    filters: Annotated[DocumentFilter, Depends(document_filter)],
    q: Annotated[str, Query(min_length=1, max_length=500, description='words, "a phrase", OR, -exclude')],
    mode: Annotated[hybrid.Mode, Query(description="hybrid (default), fulltext or semantic")] = hybrid.Mode.HYBRID,
    filter: Annotated[list[str], Query(description="a product line's filter, name:value (repeatable)")
                      ] = [],  # noqa: B006
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> PassageResults:
    started = time.perf_counter()
    conditions = hybrid.line_conditions(filter, filters.organization_id)
    hits = hybrid.search(session, q, filters=filters, conditions=conditions, mode=mode, limit=limit)
    return PassageResults(query=q, mode=mode, took_ms=round((time.perf_counter() - started) * 1000, 2), items=hits)


@router.get("/passages/{passage_id}/similar", response_model=SimilarPassages,
            summary="Passages of other documents nearest in meaning to this one (similar clauses)",
            responses=error_responses(401, 403, 404, 409, 422, 429))
def similar_passages(session: Annotated[Session, Depends(read_session)],
                     principal: Annotated[Principal, Depends(require("search:read"))],
                     passage_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
                     limit: Annotated[int, Query(ge=1, le=50)] = 10) -> SimilarPassages:
    hits = hybrid.similar_passages(session, passage_id, organization_id=principal.tenant, limit=limit)
    return SimilarPassages(passage_id=passage_id, items=hits)


@router.get("/documents/{document_id}/similar", response_model=SimilarDocuments,
            summary="Documents nearest in meaning to this one",
            responses=error_responses(401, 403, 404, 409, 422, 429))
def similar_documents(session: Annotated[Session, Depends(read_session)],
                      principal: Annotated[Principal, Depends(require("search:read"))],
                      document_id: str, limit: Annotated[int, Query(ge=1, le=50)] = 10) -> SimilarDocuments:
    items = hybrid.similar_documents(session, document_id, organization_id=principal.tenant, limit=limit)
    return SimilarDocuments(document_id=document_id, items=items)
