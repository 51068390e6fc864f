"""passage generations: a counter per organisation, bumped when its passages are removed or replaced

With the highest passage id it tells an in-process vector cache in two index lookups whether it is current.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('passage_generations',
    sa.Column('organization_id', sa.String(length=36), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_passage_generations_organization_id_organizations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_passage_generations'))
    )


def downgrade() -> None:
    op.drop_table('passage_generations')
