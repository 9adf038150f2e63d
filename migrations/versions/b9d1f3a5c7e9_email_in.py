"""email in: every message received (once, by Message-ID), the agency's mail settings, and addresses that bounce

Revision ID: b9d1f3a5c7e9
Revises: a8c0e2f4b6d8
Create Date: 2026-12-06 13:14:07
"""
from alembic import op
import sqlalchemy as sa


revision = 'b9d1f3a5c7e9'
down_revision = 'a8c0e2f4b6d8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bounced_address',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('bounced_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reported_by', sa.String(length=255), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('address')
    )
    op.create_table('mail_setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('new_requests', sa.Boolean(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('queue_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('inbound_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_key', sa.String(length=255), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sender', sa.String(length=254), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('opened_request', sa.Boolean(), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['service_request.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_key')
    )
    with op.batch_alter_table('inbound_mail', schema=None) as batch_op:
        batch_op.create_index('ix_inbound_mail_from_request_at', ['sender', 'request_id', 'received_at'], unique=False)
        batch_op.create_index('ix_inbound_mail_outcome', ['outcome', 'received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_mail_request_id'), ['request_id'], unique=False)

def downgrade():
    with op.batch_alter_table('inbound_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_mail_request_id'))
        batch_op.drop_index('ix_inbound_mail_outcome')
        batch_op.drop_index('ix_inbound_mail_from_request_at')

    op.drop_table('inbound_mail')
    op.drop_table('mail_setting')
    op.drop_table('bounced_address')
