"""the last resolved cases of a service, with their effort, by index: a new case's estimate

Revision ID: f7b9c1d3e5a7
Revises: e6a8b0c2d4f6
Create Date: 2026-12-06 08:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'f7b9c1d3e5a7'
down_revision = 'e6a8b0c2d4f6'
branch_labels = None
depends_on = None

RESOLVED = "closed_at IS NOT NULL AND resolved_at IS NOT NULL AND duplicate_of_id IS NULL"


def upgrade():
    op.create_index('ix_case_resolved_by_service', 'case', ['service_id', 'resolved_at'], unique=False,
                    postgresql_where=sa.text(RESOLVED), sqlite_where=sa.text(RESOLVED),
                    postgresql_include=['spent_minutes'])


def downgrade():
    op.drop_index('ix_case_resolved_by_service', table_name='case', postgresql_where=sa.text(RESOLVED),
                  sqlite_where=sa.text(RESOLVED))
