"""security hardening (sessions, passwords, two-factor)

Revision ID: b1security0
Revises: a0782bed8f3f
Create Date: 2026-11-22 15:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b1security0'
down_revision = 'a0782bed8f3f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('totp_secret')
        batch_op.drop_column('session_version')
