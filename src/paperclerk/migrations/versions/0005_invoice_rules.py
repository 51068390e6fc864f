"""invoice rules per organisation, line corrections, the kind an uploader declared

Rules on or off and their severities, and tolerances, per organisation; line corrections keep the line as read;
documents keep the kind their uploader declared.

New tables and three nullable columns, so the same operations run on SQLite and PostgreSQL.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 06:46:49
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import paperclerk.core.db

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('invoice_rule_settings',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('organization_id', sa.String(length=36), nullable=False),
    sa.Column('rule_id', sa.String(length=40), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=True),
    sa.Column('updated_by', sa.String(length=254), nullable=False),
    sa.Column('updated_at', paperclerk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_invoice_rule_settings_organization_id_organizations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_rule_settings')),
    sa.UniqueConstraint('organization_id', 'rule_id', name=op.f('uq_invoice_rule_settings_organization_id_rule_id'))
    )
    op.create_index(op.f('ix_invoice_rule_settings_organization_id'), 'invoice_rule_settings', ['organization_id'])
    op.create_table('invoice_tolerances',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('organization_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=254), nullable=False),
    sa.Column('updated_at', paperclerk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_invoice_tolerances_organization_id_organizations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_tolerances')),
    sa.UniqueConstraint('organization_id', 'name', name=op.f('uq_invoice_tolerances_organization_id_name'))
    )
    op.create_index(op.f('ix_invoice_tolerances_organization_id'), 'invoice_tolerances', ['organization_id'])
    op.add_column('invoice_corrections', sa.Column('line', sa.Integer(), nullable=True))
    op.add_column('invoice_lines', sa.Column('original', sa.JSON(), nullable=True))
    op.add_column('documents', sa.Column('declared_kind', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('documents') as batch_op:
        batch_op.drop_column('declared_kind')
    with op.batch_alter_table('invoice_lines') as batch_op:
        batch_op.drop_column('original')
    with op.batch_alter_table('invoice_corrections') as batch_op:
        batch_op.drop_column('line')
    op.drop_index(op.f('ix_invoice_tolerances_organization_id'), table_name='invoice_tolerances')
    op.drop_table('invoice_tolerances')
    op.drop_index(op.f('ix_invoice_rule_settings_organization_id'), table_name='invoice_rule_settings')
    op.drop_table('invoice_rule_settings')
