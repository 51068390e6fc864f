"""invoices: invoices with field evidence, lines, findings and corrections; vendors, purchase orders, goods receipts

New tables only (nothing existing changes), so the same operations run on SQLite and PostgreSQL.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 06:10:34
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import paperclerk.core.db

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('vendors',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organization_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('tax_id', sa.String(length=40), nullable=True),
    sa.Column('iban', sa.String(length=34), nullable=True),
    sa.Column('bic', sa.String(length=11), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', paperclerk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', paperclerk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_vendors_organization_id_organizations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendors')),
    sa.UniqueConstraint('organization_id', 'name', name=op.f('uq_vendors_organization_id_name'))
    )
    op.create_index(op.f('ix_vendors_organization_id'), 'vendors', ['organization_id'])
    op.create_index(op.f('ix_vendors_tax_id'), 'vendors', ['tax_id'])

    op.create_table('invoices',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organization_id', sa.String(length=36), nullable=False),
    sa.Column('document_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('vendor_id', sa.String(length=36), nullable=True),
    sa.Column('vendor_name', sa.String(length=200), nullable=True),
    sa.Column('vendor_address', sa.Text(), nullable=True),
    sa.Column('vendor_tax_id', sa.String(length=40), nullable=True),
    sa.Column('vendor_iban', sa.String(length=34), nullable=True),
    sa.Column('vendor_bic', sa.String(length=11), nullable=True),
    sa.Column('customer_name', sa.String(length=200), nullable=True),
    sa.Column('invoice_number', sa.String(length=100), nullable=True),
    sa.Column('number_key', sa.String(length=100), nullable=True),
    sa.Column('invoice_date', sa.Date(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('purchase_order', sa.String(length=60), nullable=True),
    sa.Column('payment_terms', sa.Text(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('subtotal', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('tax_total', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('total', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('amount_due', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('allowance_total', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('charge_total', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('prepaid_amount', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('candidates', sa.JSON(), nullable=False),
    sa.Column('decided_by', sa.String(length=254), nullable=True),
    sa.Column('decided_at', paperclerk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('exported_at', paperclerk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', paperclerk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', paperclerk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_invoices_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_invoices_organization_id_organizations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_invoices_vendor_id_vendors'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoices')),
    sa.UniqueConstraint('document_id', name=op.f('uq_invoices_document_id'))
    )
    op.create_index(op.f('ix_invoices_created_at'), 'invoices', ['created_at'])
    op.create_index(op.f('ix_invoices_invoice_date'), 'invoices', ['invoice_date'])
    op.create_index(op.f('ix_invoices_organization_id'), 'invoices', ['organization_id'])
    op.create_index('ix_invoices_organization_id_status', 'invoices', ['organization_id', 'status'])
    op.create_index('ix_invoices_organization_id_vendor_id_number_key', 'invoices', ['organization_id', 'vendor_id', 'number_key'])
    op.create_index(op.f('ix_invoices_vendor_id'), 'invoices', ['vendor_id'])

    op.create_table('purchase_orders',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organization_id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('vendor_id', sa.String(length=36), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('order_date', sa.Date(), nullable=True),
    sa.Column('created_at', paperclerk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', paperclerk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_purchase_orders_organization_id_organizations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_purchase_orders_vendor_id_vendors'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_orders')),
    sa.UniqueConstraint('organization_id', 'number', name=op.f('uq_purchase_orders_organization_id_number'))
    )
    op.create_index(op.f('ix_purchase_orders_organization_id'), 'purchase_orders', ['organization_id'])
    op.create_index(op.f('ix_purchase_orders_vendor_id'), 'purchase_orders', ['vendor_id'])

    op.create_table('goods_receipts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organization_id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('purchase_order_id', sa.String(length=36), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('created_at', paperclerk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', paperclerk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_goods_receipts_organization_id_organizations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['purchase_order_id'], ['purchase_orders.id'], name=op.f('fk_goods_receipts_purchase_order_id_purchase_orders'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goods_receipts')),
    sa.UniqueConstraint('organization_id', 'number', name=op.f('uq_goods_receipts_organization_id_number'))
    )
    op.create_index(op.f('ix_goods_receipts_organization_id'), 'goods_receipts', ['organization_id'])
    op.create_index(op.f('ix_goods_receipts_purchase_order_id'), 'goods_receipts', ['purchase_order_id'])

    op.create_table('invoice_corrections',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('invoice_id', sa.String(length=36), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.Column('by', sa.String(length=254), nullable=False),
    sa.Column('at', paperclerk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_invoice_corrections_invoice_id_invoices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_corrections'))
    )
    op.create_index(op.f('ix_invoice_corrections_invoice_id'), 'invoice_corrections', ['invoice_id'])

    op.create_table('invoice_fields',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('invoice_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('original_value', sa.Text(), nullable=True),
    sa.Column('page', sa.Integer(), nullable=True),
    sa.Column('start', sa.Integer(), nullable=True),
    sa.Column('end', sa.Integer(), nullable=True),
    sa.Column('bbox', sa.JSON(), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('extractor', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_invoice_fields_invoice_id_invoices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_fields')),
    sa.UniqueConstraint('invoice_id', 'name', name=op.f('uq_invoice_fields_invoice_id_name'))
    )
    op.create_table('invoice_findings',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('invoice_id', sa.String(length=36), nullable=False),
    sa.Column('rule_id', sa.String(length=40), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('fix', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('dismissed_by', sa.String(length=254), nullable=True),
    sa.Column('dismissed_at', paperclerk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('dismissed_reason', sa.Text(), nullable=True),
    sa.Column('resolved_at', paperclerk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', paperclerk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_invoice_findings_invoice_id_invoices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_findings'))
    )
    op.create_index('ix_invoice_findings_invoice_id_status', 'invoice_findings', ['invoice_id', 'status'])

    op.create_table('invoice_lines',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('invoice_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('unit_price', sa.Numeric(precision=20, scale=6), nullable=True),
    sa.Column('amount', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('tax_rate', sa.Numeric(precision=7, scale=3), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_invoice_lines_invoice_id_invoices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_lines')),
    sa.UniqueConstraint('invoice_id', 'position', name=op.f('uq_invoice_lines_invoice_id_position'))
    )
    op.create_table('purchase_order_lines',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('purchase_order_id', sa.String(length=36), nullable=False),
    sa.Column('line_number', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.ForeignKeyConstraint(['purchase_order_id'], ['purchase_orders.id'], name=op.f('fk_purchase_order_lines_purchase_order_id_purchase_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_order_lines')),
    sa.UniqueConstraint('purchase_order_id', 'line_number', name=op.f('uq_purchase_order_lines_purchase_order_id_line_number'))
    )
    op.create_table('goods_receipt_lines',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('goods_receipt_id', sa.String(length=36), nullable=False),
    sa.Column('line_number', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.ForeignKeyConstraint(['goods_receipt_id'], ['goods_receipts.id'], name=op.f('fk_goods_receipt_lines_goods_receipt_id_goods_receipts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goods_receipt_lines')),
    sa.UniqueConstraint('goods_receipt_id', 'line_number', name=op.f('uq_goods_receipt_lines_goods_receipt_id_line_number'))
    )


def downgrade() -> None:
    op.drop_table('goods_receipt_lines')
    op.drop_table('purchase_order_lines')
    op.drop_table('invoice_lines')
    op.drop_table('invoice_findings')
    op.drop_table('invoice_fields')
    op.drop_table('invoice_corrections')
    op.drop_table('goods_receipts')
    op.drop_table('purchase_orders')
    op.drop_table('invoices')
    op.drop_table('vendors')
