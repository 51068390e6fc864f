"""reliability: confirmed job sends, worker heartbeats

``jobs.sent_at`` says the broker took a job's message, so an unconfirmed send is repeated within seconds;
``worker_heartbeats`` holds a row per worker process for detailed health.

A new table and a nullable column, so the same operations run on SQLite and PostgreSQL.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import paperclerk.core.db

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('jobs', sa.Column('sent_at', paperclerk.core.db.UTCDateTime(timezone=True), nullable=True))
    op.create_table('worker_heartbeats',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('hostname', sa.String(length=120), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('queues', sa.JSON(), nullable=False),
    sa.Column('processes', sa.JSON(), nullable=False),
    sa.Column('broker_ok', sa.Boolean(), nullable=True),
    sa.Column('started_at', paperclerk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', paperclerk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_worker_heartbeats'))
    )
    op.create_index(op.f('ix_worker_heartbeats_last_seen_at'), 'worker_heartbeats', ['last_seen_at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_worker_heartbeats_last_seen_at'), table_name='worker_heartbeats')
    op.drop_table('worker_heartbeats')
    op.drop_column('jobs', 'sent_at')
