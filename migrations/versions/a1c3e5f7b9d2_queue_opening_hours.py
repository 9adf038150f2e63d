"""a queue's own opening hours for its SLA clocks

Revision ID: a1c3e5f7b9d2
Revises: 2cbe7ffd3d5e
Create Date: 2026-12-06 01:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a1c3e5f7b9d2'
down_revision = '2cbe7ffd3d5e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('queue', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hours', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('queue', schema=None) as batch_op:
        batch_op.drop_column('hours')
