"""document attachments: every attachment of an e-mail, also one whose bytes were already stored

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('document_attachments',
    sa.Column('email_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_attachments_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['email_id'], ['documents.id'], name=op.f('fk_document_attachments_email_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('email_id', 'position', name=op.f('pk_document_attachments'))
    )
    op.create_index(op.f('ix_document_attachments_document_id'), 'document_attachments', ['document_id'])
    op.execute("INSERT INTO document_attachments (email_id, position, document_id) "
               "SELECT parent_id, ROW_NUMBER() OVER (PARTITION BY parent_id ORDER BY filename, id), id "
               "FROM documents WHERE parent_id IS NOT NULL")


def downgrade() -> None:
    op.drop_index(op.f('ix_document_attachments_document_id'), table_name='document_attachments')
    op.drop_table('document_attachments')
