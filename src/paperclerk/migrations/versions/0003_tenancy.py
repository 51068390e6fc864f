"""tenancy: every document and event belongs to an organisation; dedupe is per organisation

Documents stored before organisations existed move to an organisation called "default".

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 06:00:00
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("organization_id", sa.String(length=36), nullable=True))
    _adopt_documents_without_organisation()
    with op.batch_alter_table("documents") as batch:
        batch.alter_column("organization_id", existing_type=sa.String(length=36), nullable=False)
        batch.create_foreign_key(op.f("fk_documents_organization_id_organizations"), "organizations",
                                 ["organization_id"], ["id"], ondelete="RESTRICT")
        batch.drop_constraint("uq_documents_sha256", type_="unique")
        batch.create_unique_constraint(op.f("uq_documents_organization_id_sha256"), ["organization_id", "sha256"])
        batch.create_index("ix_documents_organization_id_created_at", ["organization_id", "created_at"])
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("organization_id", sa.String(length=36), nullable=True))
        batch.create_index(op.f("ix_events_organization_id"), ["organization_id"])


def _adopt_documents_without_organisation() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM documents LIMIT 1")).first() is None:
        return
    organization_id = bind.execute(sa.text("SELECT id FROM organizations WHERE slug = 'default'")).scalar()
    if organization_id is None:
        organization_id = str(uuid.uuid4())
        bind.execute(sa.text("INSERT INTO organizations (id, name, slug, created_at) VALUES (:id, 'Default', 'default', :now)"),
                     {"id": organization_id, "now": datetime.now(UTC)})
    bind.execute(sa.text("UPDATE documents SET organization_id = :org"), {"org": organization_id})


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_index(op.f("ix_events_organization_id"))
        batch.drop_column("organization_id")
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_organization_id_created_at")
        batch.drop_constraint(op.f("uq_documents_organization_id_sha256"), type_="unique")
        batch.create_unique_constraint("uq_documents_sha256", ["sha256"])
        batch.drop_constraint(op.f("fk_documents_organization_id_organizations"), type_="foreignkey")
        batch.drop_column("organization_id")
