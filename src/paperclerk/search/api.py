"""Search route: ranked full-text results with highlighted snippets and the document filters."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from paperclerk.api_errors import error_responses
from paperclerk.auth.dependencies import require
from paperclerk.core.db import read_session
from paperclerk.documents.api import document_filter
from paperclerk.documents.filters import DocumentFilter
from paperclerk.search import index

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
