"""The core's rows of the page access matrix: inbox, document, retry, search, audit."""

from __future__ import annotations

from tests.page_matrix import PageCall, stored_document

PAGE_CALLS = [
    PageCall("GET", "/", lambda w: ("/", {})),
    PageCall("GET", "/documents/{document_id}", lambda w: (f"/documents/{w.document_id}", {})),
    PageCall("POST", "/documents/{document_id}/retry",
             lambda w: (f"/documents/{stored_document(w.acme, status='failed')}/retry", {}), allowed=303),
    PageCall("GET", "/search", lambda w: ("/search?q=matrix", {})),
    PageCall("GET", "/audit", lambda w: ("/audit", {})),
]
