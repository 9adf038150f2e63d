"""business calendar and SLA pauses

Revision ID: b3calendar0
Revises: b2open3110
Create Date: 2026-11-22 15:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b3calendar0'
down_revision = 'b2open3110'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
