"""each request's reply token: the address a citizen's email reply goes to

Revision ID: a8c0e2f4b6d8
Revises: f7b9c1d3e5a7
Create Date: 2026-12-06 08:40:00

Requests made before this get their token when Tandem first writes to them (``intake.mail.taking.thread_of``).
"""
from alembic import op
import sqlalchemy as sa


revision = 'a8c0e2f4b6d8'
down_revision = 'f7b9c1d3e5a7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_token', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint('uq_service_request_reply_token', ['reply_token'])


def downgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_constraint('uq_service_request_reply_token', type_='unique')
        batch_op.drop_column('reply_token')
