"""The rows of the page access matrix (``tests/test_page_access_matrix.py``) and the world they act in.

Each product line's test package adds a ``page_calls.py`` with ``PAGE_CALLS`` (one :class:`PageCall` per page
route) and, when its rows need objects of their own, ``prepare(world)`` storing them in ``world.extra``;
the matrix collects every package's rows, so a new line adds its rows without editing the matrix.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from paperclerk import samples
from paperclerk.config import get_settings
from paperclerk.core.db import session_scope
from paperclerk.documents import service
from paperclerk.documents.models import DocumentStatus


@dataclass
class PageWorld:
    """Organisation ``acme`` (where the callers are) with a document and a failed one; ``rival`` next door."""

    acme: str
    rival: str
    document_id: str
    failed_document_id: str
    #: Objects a line's ``prepare`` made, by line.
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PageCall:
    """How to call one page route: ``call(world)`` gives the URL and the request's keyword arguments (form data,
    files), fresh for each caller if the route changes something; ``allowed`` is the status a caller whose role
    holds the permission gets (200 a page, 303 a form post that redirects)."""

    method: str
    path: str
    call: Callable[[PageWorld], tuple[str, dict[str, Any]]]
    allowed: int = 200

    @property
    def route(self) -> tuple[str, str]:
        return self.method, self.path


def stored_document(organization_id: str, data: bytes | None = None, *, name: str = "matrix.pdf",
                    status: str = DocumentStatus.PROCESSED) -> str:
    """A document stored in the organisation (a one-page PDF unless ``data`` says otherwise), in ``status``;
    nothing processes it."""
    data = data if data is not None else samples.text_pdf([f"Matrix document {uuid.uuid4()}"])
    with session_scope() as session:
        document = service.receive_bytes(session, data, organization_id=organization_id, filename=name,
                                         source="test", settings=get_settings()).document
        document.status = status
        document.page_count = 1
        if status == DocumentStatus.FAILED:
            document.error_code, document.error_message = "FILE_CORRUPT", "matrix"
        return document.id


