"""A populated instance in seconds: organisations, users, documents with pages and stored files, invoices with
lines, inserted in bulk (the pipeline is tested elsewhere; backups only need many real rows and files)."""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, inspect, select, text

from paperclerk import plugins
from paperclerk.core.db import Base, new_id, session_scope
from paperclerk.core.storage import get_store


def populate(*, documents: int, users: int, organizations: int = 2) -> dict[str, int]:
    """Insert ``documents`` documents (half of them invoices, each with a page and a file) and ``users`` users."""
    from paperclerk.auth.models import Membership, Organization, User
    from paperclerk.documents.models import Document, Page
    from paperclerk.invoices.models import Invoice, InvoiceLine

    plugins.load()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    batch = uuid.uuid4().hex[:8]
    orgs = [{"id": new_id(), "name": f"Bulk {batch} {index}", "slug": f"bulk-{batch}-{index}"}
            for index in range(organizations)]
    people = [{"id": new_id(), "email": f"user{index}-{batch}@bulk.example", "password_hash": "argon2-not-a-real-hash",
               "created_at": start + timedelta(minutes=index)} for index in range(users)]
    memberships = [{"id": new_id(), "user_id": person["id"], "organization_id": orgs[index % organizations]["id"],
                    "role": ("viewer", "reviewer", "approver", "admin")[index % 4]}
                   for index, person in enumerate(people)]
    docs: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    invoices: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    store = get_store()
    with tempfile.TemporaryDirectory() as scratch:
        for index in range(documents):
            # Consecutive documents of different organisations share a file, as the same upload to two would.
            shared = index // organizations
            content = f"Invoice INV-{shared:06d}\nBulk Supplier {shared % 97}\nTotal {shared}.50 EUR\n".encode()
            sha = hashlib.sha256(content).hexdigest()
            if index % organizations == 0:
                path = Path(scratch) / sha
                path.write_bytes(content)
                store.put(sha, path)
            document_id = new_id()
            is_invoice = index % 2 == 0
            docs.append({"id": document_id, "organization_id": orgs[index % organizations]["id"], "sha256": sha,
                         "filename": f"bulk-{index}.txt", "media_type": "text/plain", "size_bytes": len(content),
                         "source": "api", "status": "processed", "kind": "invoice" if is_invoice else "other",
                         "language": "en", "page_count": 1, "file_metadata": {"n": index},
                         "timings": {"extract": 0.5}, "created_at": start + timedelta(seconds=index),
                         "updated_at": start + timedelta(seconds=index)})
            pages.append({"document_id": document_id, "number": 1, "text": content.decode(), "method": "text",
                          "segments": [[0, 7, 1.0, 2.0, 3.0, 4.0]]})
            if is_invoice:
                invoice_id = new_id()
                invoices.append({"id": invoice_id, "organization_id": orgs[index % organizations]["id"],
                                 "document_id": document_id, "status": "needs_review",
                                 "vendor_name": f"Bulk Supplier {index % 97}", "invoice_number": f"INV-{index:06d}",
                                 "number_key": f"inv{index:06d}", "invoice_date": date(2026, 1, 1 + index % 28),
                                 "currency": "EUR", "subtotal": Decimal(f"{index}.50"), "tax_total": Decimal("0.00"),
                                 "total": Decimal(f"{index}.50"), "candidates": {}})
                lines.append({"invoice_id": invoice_id, "position": 1, "description": "Bulk service",
                              "quantity": Decimal("1"), "unit_price": Decimal(f"{index}.50"),
                              "amount": Decimal(f"{index}.50")})
    with session_scope() as session:
        session.execute(insert(Organization), orgs)
        if people:
            session.execute(insert(User), people)
            session.execute(insert(Membership), memberships)
        if docs:
            session.execute(insert(Document), docs)
            session.execute(insert(Page), pages)
        if invoices:
            session.execute(insert(Invoice), invoices)
            session.execute(insert(InvoiceLine), lines)
    return {"documents": documents, "invoices": len(invoices), "users": users}


def all_rows() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table in the metadata, ordered by primary key, plus the full-text index's content."""
    plugins.load()
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with session_scope(readonly=True) as session:
        present = set(inspect(session.connection()).get_table_names())
        for table in Base.metadata.sorted_tables:
            if table.name in present:
                rows[table.name] = [tuple(row) for row in session.execute(
                    select(table).order_by(*table.primary_key.columns))]
        rows["search_index"] = [tuple(row) for row in session.execute(
            text("SELECT document_id, title, body FROM search_index ORDER BY document_id"))]
        rows["alembic_version"] = [tuple(row) for row in session.execute(
            text("SELECT version_num FROM alembic_version ORDER BY version_num"))]
    return rows


def all_blobs() -> dict[str, bytes]:
    store = get_store()
    blobs: dict[str, bytes] = {}
    for sha, _ in store.iter_blobs():
        with store.open(sha) as stream:
            blobs[sha] = stream.read()
    return blobs
