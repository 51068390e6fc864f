"""the AI layer's usage ledger and answer cache; passages with embeddings and their lexical index

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-03 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import paperclerk.core.db

revision: str = '0008'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ai_usage',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('organization_id', sa.String(length=36), nullable=False),
    sa.Column('purpose', sa.String(length=60), nullable=False),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('prompt_tokens', sa.Integer(), nullable=False),
    sa.Column('completion_tokens', sa.Integer(), nullable=False),
    sa.Column('cached', sa.Boolean(), nullable=False),
    sa.Column('created_at', paperclerk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_ai_usage_organization_id_organizations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ai_usage'))
    )
    op.create_index('ix_ai_usage_organization_id_created_at', 'ai_usage', ['organization_id', 'created_at'])
    op.create_table('ai_cache',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.String(length=36), nullable=False),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('prompt_tokens', sa.Integer(), nullable=False),
    sa.Column('completion_tokens', sa.Integer(), nullable=False),
    sa.Column('created_at', paperclerk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_ai_cache_organization_id_organizations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_ai_cache'))
    )
    op.create_index(op.f('ix_ai_cache_organization_id'), 'ai_cache', ['organization_id'])
    op.create_table('passages',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('document_id', sa.String(length=36), nullable=False),
    sa.Column('organization_id', sa.String(length=36), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('page', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('embedding', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_passages_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_passages_organization_id_organizations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_passages')),
    sqlite_autoincrement=True
    )
    op.create_index(op.f('ix_passages_document_id'), 'passages', ['document_id'])
    op.create_index('ix_passages_organization_id_model_id', 'passages', ['organization_id', 'model', 'id'])
    _create_passage_index()


def _create_passage_index() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE passages ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED")
        op.execute("CREATE INDEX ix_passages_tsv ON passages USING GIN (tsv)")
        available = bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")).first()
        if available is not None:
            op.execute("CREATE EXTENSION IF NOT EXISTS vector")
            op.execute("ALTER TABLE passages ADD COLUMN vec vector")
    else:
        # rowid = passages.id; tenant holds one token naming the organisation (as in search_index)
        op.execute("CREATE VIRTUAL TABLE passage_index USING fts5("
                   "text, tenant, tokenize = 'unicode61 remove_diacritics 2')")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS passage_index")
    op.drop_index('ix_passages_organization_id_model_id', table_name='passages')
    op.drop_index(op.f('ix_passages_document_id'), table_name='passages')
    op.drop_table('passages')
    op.drop_index(op.f('ix_ai_cache_organization_id'), table_name='ai_cache')
    op.drop_table('ai_cache')
    op.drop_index('ix_ai_usage_organization_id_created_at', table_name='ai_usage')
    op.drop_table('ai_usage')
