"""open311 api clients

Revision ID: b2open3110
Revises: b1security0
Create Date: 2026-11-22 15:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b2open3110'
down_revision = 'b1security0'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
