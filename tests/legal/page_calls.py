"""The legal document line's rows of the page access matrix: cases, a case and its forms, the registry, a
document's analysis, statistics, legal search and saved searches."""

from __future__ import annotations

import uuid
from typing import Any

from tests.legal.support import analysed, filed_entry, saved_search, stored_case
from tests.page_matrix import PageCall, PageWorld


def prepare(world: PageWorld) -> None:
    case_id = stored_case(world.acme)
    entry_id = filed_entry(world.acme, case_id)
    from paperclerk.core.db import session_scope
    from paperclerk.legal.models import DocumentVersion

    with session_scope(readonly=True) as session:
        document_id = session.query(DocumentVersion.document_id).filter(DocumentVersion.entry_id == entry_id,
                                                                        DocumentVersion.version == 2).scalar()
    world.extra["legal"] = {"case": case_id, "entry": entry_id, "document": document_id,
                            "clause": analysed(document_id), "search": saved_search(world.acme)}


def _legal(world: PageWorld, key: str) -> str:
    return str(world.extra["legal"][key])


def _post(url: str, form: dict[str, Any] | None = None, **files: Any) -> tuple[str, dict[str, Any]]:
    return url, {"data": form or {}, **({"files": files} if files else {})}


def _case(w: PageWorld, tail: str = "") -> str:
    return f"/legal/cases/{_legal(w, 'case')}{tail}"


def _document(w: PageWorld, tail: str = "") -> str:
    return f"/legal/documents/{_legal(w, 'document')}{tail}"


PAGE_CALLS = [
    PageCall("GET", "/legal/cases", lambda w: ("/legal/cases", {})),
    PageCall("POST", "/legal/cases", lambda w: _post("/legal/cases", {"number": f"N-{uuid.uuid4().hex[:8]}",
                                                                       "title": "New"}), allowed=303),
    PageCall("POST", "/legal/cases/import",
             lambda w: ("/legal/cases/import", {"data": {}, "files": {"file": (
                 "cases.csv", f"number,title\nI-{uuid.uuid4().hex[:8]},Imported\n".encode(), "text/csv")}})),
    PageCall("GET", "/legal/cases/{case_id}", lambda w: (_case(w), {})),
    PageCall("GET", "/legal/cases/{case_id}/edit", lambda w: (_case(w, "/edit"), {})),
    PageCall("POST", "/legal/cases/{case_id}/edit", lambda w: _post(_case(w, "/edit"), {"title": "Matrix v. Rival"}),
             allowed=303),
    PageCall("POST", "/legal/cases/{case_id}/documents",
             lambda w: (_case(w, "/documents"), {"data": {"folder": "/matrix"}, "files": {"file": (
                 "matrix.txt", f"Matrix letter {uuid.uuid4()}".encode(), "text/plain")}}), allowed=303),
    PageCall("POST", "/legal/cases/{case_id}/summary", lambda w: _post(_case(w, "/summary"))),
    PageCall("POST", "/legal/cases/{case_id}/ask", lambda w: _post(_case(w, "/ask"), {"question": "Which law?"})),
    PageCall("GET", "/legal/registry/{entry_id}", lambda w: (f"/legal/registry/{_legal(w, 'entry')}", {})),
    PageCall("POST", "/legal/registry/{entry_id}/move",
             lambda w: _post(f"/legal/registry/{_legal(w, 'entry')}/move", {"folder": "/contracts"}), allowed=303),
    PageCall("GET", "/legal/registry/{entry_id}/diff",
             lambda w: (f"/legal/registry/{_legal(w, 'entry')}/diff?from=1&to=2", {})),
    PageCall("GET", "/legal/documents/{document_id}", lambda w: (_document(w), {})),
    PageCall("POST", "/legal/documents/{document_id}/summary", lambda w: _post(_document(w, "/summary"))),
    PageCall("POST", "/legal/documents/{document_id}/clauses/{finding_id}/explain",
             lambda w: _post(_document(w, f"/clauses/{_legal(w, 'clause')}/explain"))),
    PageCall("GET", "/legal/documents/{document_id}/similar", lambda w: (_document(w, "/similar"), {})),
    PageCall("GET", "/legal/clauses/{finding_id}/similar",
             lambda w: (f"/legal/clauses/{_legal(w, 'clause')}/similar", {})),
    PageCall("GET", "/legal/statistics", lambda w: ("/legal/statistics", {})),
    PageCall("GET", "/legal/search", lambda w: ("/legal/search?q=governing+law&clause=Governing+Law", {})),
    PageCall("POST", "/legal/searches", lambda w: _post("/legal/searches", {"name": "Matrix", "q": "law"}),
             allowed=303),
    PageCall("GET", "/legal/searches/{search_id}", lambda w: (f"/legal/searches/{_legal(w, 'search')}", {})),
    PageCall("POST", "/legal/searches/{search_id}/run",
             lambda w: _post(f"/legal/searches/{_legal(w, 'search')}/run"), allowed=303),
]
