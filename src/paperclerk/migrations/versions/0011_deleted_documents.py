"""deleted documents: a junk upload is deleted softly (who, when, why), and its bytes may arrive again as a new one

The one-document-per-file-and-organisation rule becomes a unique index over the documents still in use (partial on
both SQLite and PostgreSQL). On SQLite dropping the old constraint rebuilds the table: ``core.schema.upgrade`` runs
migrations with SQLite's foreign-key actions off, so the rebuild does not cascade into pages, invoices or bills.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 16:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import paperclerk.core.db

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("deleted_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table('documents') as batch_op:
        batch_op.add_column(sa.Column('deleted_at', paperclerk.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deleted_by', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('deletion_reason', sa.Text(), nullable=True))
        batch_op.drop_constraint('uq_documents_organization_id_sha256', type_='unique')
    op.create_index('uq_documents_live_sha256', 'documents', ['organization_id', 'sha256'], unique=True,
                    sqlite_where=LIVE, postgresql_where=LIVE)


def downgrade() -> None:
    op.drop_index('uq_documents_live_sha256', table_name='documents')
    with op.batch_alter_table('documents') as batch_op:
        batch_op.create_unique_constraint('uq_documents_organization_id_sha256', ['organization_id', 'sha256'])
        batch_op.drop_column('deletion_reason')
        batch_op.drop_column('deleted_by')
        batch_op.drop_column('deleted_at')
