"""The core's rows of the page access matrix: inbox, document, retry, delete, deleted documents, restore, search,
audit, users, API keys."""

from __future__ import annotations

import uuid

from paperclerk.auth import service as accounts
from paperclerk.core.db import session_scope
from tests.page_matrix import PageCall, PageWorld, stored_document

PASSWORD = "Correct-Horse-42-battery"


def fresh_user(world: PageWorld) -> str:
    """A new member of acme (a call that changes a user gets its own)."""
    with session_scope() as session:
        return accounts.create_user(session, f"{uuid.uuid4().hex[:12]}@acme.example", PASSWORD,
                                    organization_id=world.acme, role="viewer").id


def fresh_key(world: PageWorld) -> str:
    with session_scope() as session:
        return accounts.create_api_key(session, world.acme, "viewer", f"matrix {uuid.uuid4().hex[:6]}")[0].id


def deleted_document(world: PageWorld) -> str:
    """A document of acme deleted already (restoring one is once only)."""
    from paperclerk.core.db import utcnow
    from paperclerk.documents.models import Document

    document_id = stored_document(world.acme)
    with session_scope() as session:
        document = session.get(Document, document_id)
        assert document is not None
        document.deleted_at, document.deleted_by, document.deletion_reason = utcnow(), "matrix", "matrix"
    return document_id


PAGE_CALLS = [
    PageCall("GET", "/", lambda w: ("/", {})),
    PageCall("GET", "/documents/{document_id}", lambda w: (f"/documents/{w.document_id}", {})),
    PageCall("POST", "/documents/{document_id}/retry",
             lambda w: (f"/documents/{stored_document(w.acme, status='failed')}/retry", {}), allowed=303),
    PageCall("POST", "/documents/{document_id}/delete",
             lambda w: (f"/documents/{stored_document(w.acme)}/delete", {"data": {"reason": "matrix"}}), allowed=303),
    PageCall("GET", "/documents/deleted", lambda w: ("/documents/deleted", {})),
    PageCall("POST", "/documents/{document_id}/restore",
             lambda w: (f"/documents/{deleted_document(w)}/restore", {}), allowed=303),
    PageCall("GET", "/search", lambda w: ("/search?q=matrix", {})),
    PageCall("GET", "/audit", lambda w: ("/audit", {})),
    PageCall("GET", "/users", lambda w: ("/users", {})),
    PageCall("POST", "/users", lambda w: ("/users", {"data": {"email": f"{uuid.uuid4().hex[:12]}@acme.example"}})),
    PageCall("POST", "/users/{user_id}/role",
             lambda w: (f"/users/{fresh_user(w)}/role", {"data": {"role": "reviewer"}}), allowed=303),
    PageCall("POST", "/users/{user_id}/disable", lambda w: (f"/users/{fresh_user(w)}/disable", {}), allowed=303),
    PageCall("POST", "/users/{user_id}/enable", lambda w: (f"/users/{fresh_user(w)}/enable", {}), allowed=303),
    PageCall("POST", "/users/{user_id}/reset-password", lambda w: (f"/users/{fresh_user(w)}/reset-password", {})),
    PageCall("GET", "/apikeys", lambda w: ("/apikeys", {})),
    PageCall("POST", "/apikeys", lambda w: ("/apikeys", {"data": {"name": "matrix", "role": "viewer"}})),
    PageCall("POST", "/apikeys/{key_id}/revoke", lambda w: (f"/apikeys/{fresh_key(w)}/revoke", {}), allowed=303),
]
