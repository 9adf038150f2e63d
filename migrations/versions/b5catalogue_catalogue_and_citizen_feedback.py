"""catalogue and citizen feedback

Revision ID: b5catalogue
Revises: b4intake00
Create Date: 2026-11-22 15:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b5catalogue'
down_revision = 'b4intake00'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
