"""The document filters shared by listing and search: status, kind and a creation-date range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement

from paperclerk.documents.models import Document


@dataclass(frozen=True)
class DocumentFilter:
    """Always scoped to one organisation: no query sees another tenant's documents, nor deleted ones."""

    organization_id: str
    status: str | None = None
    kind: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None

    @property
    def narrows_organization(self) -> bool:
        """True when the filter selects fewer documents than the whole organisation."""
        return any(value is not None and value != "" for value in
                   (self.status, self.kind, self.created_after, self.created_before))

    def clauses(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = [Document.organization_id == self.organization_id,
                                              Document.deleted_at.is_(None)]
        if self.status:
            clauses.append(Document.status == self.status)
        if self.kind:
            clauses.append(Document.kind == self.kind)
        if self.created_after:
            clauses.append(Document.created_at >= self.created_after)
        if self.created_before:
            clauses.append(Document.created_at < self.created_before)
        return clauses
