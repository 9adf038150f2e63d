"""public intake photos and form

Revision ID: b4intake00
Revises: b3calendar0
Create Date: 2026-11-22 15:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b4intake00'
down_revision = 'b3calendar0'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
