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
    pass


def downgrade():
    pass
