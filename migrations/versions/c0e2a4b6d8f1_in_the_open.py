"""in the open: published standards and goals, published changes, districts in the measures, arrivals per day,
what the open data may publish, requests brought in from another system

Revision ID: c0e2a4b6d8f1
Revises: b9d1f3a5c7e9
Create Date: 2026-12-06 18:30:00

Resolved cases are measured again (the worker does it, at about 600 cases a
second), so the rollup gains its district figures and each person the cases
they worked, without a recount.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c0e2a4b6d8f1'
down_revision = 'b9d1f3a5c7e9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_standard', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('on_time_goal', sa.Integer(), server_default='80', nullable=False))
        batch_op.add_column(sa.Column('publish_description', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('keep_private', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('imported_from', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('imported_id', sa.String(length=80), nullable=True))
        batch_op.create_unique_constraint('uq_service_request_imported', ['imported_from', 'imported_id'])
    with op.batch_alter_table('process_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('case_measure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_case_measure_district_id_district', 'district', ['district_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_index('ix_case_measure_district_day', ['district_id', 'resolved_on'], unique=False)
    op.create_table('arrival_day',
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('received_on', 'service_id', 'district_id', 'channel')
    )
    op.create_table('voice_digest',
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('frequency', sa.String(length=8), nullable=False),
    sa.Column('told_up_to', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staff_id')
    )
    op.create_table('public_setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('min_cases', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index('ix_case_open_opened_scope', ['opened_at'], unique=False,
                              postgresql_where=sa.text('closed_at IS NULL'), sqlite_where=sa.text('closed_at IS NULL'),
                              postgresql_include=['service_id', 'district_id'])
    with op.batch_alter_table('stage_rollup', schema=None) as batch_op:
        batch_op.create_index('ix_stage_rollup_key_day', ['grain', 'key', 'resolved_on'], unique=False)
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.create_index('ix_step_staff_ended', ['staff_id', 'ended_at'], unique=False,
                              postgresql_include=['case_id', 'step_type_id', 'effort_minutes'])
    op.create_table('worked_case',
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('resolved_on', sa.Date(), nullable=False),
    sa.Column('feedback_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_measure.case_id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staff_id', 'case_id')
    )
    with op.batch_alter_table('worked_case', schema=None) as batch_op:
        batch_op.create_index('ix_worked_case_staff_day', ['staff_id', 'resolved_on'], unique=False,
                              postgresql_include=['feedback_id'])
    # measured again: the rollup gains its districts, and each person the cases they worked (worked_case)
    op.execute("UPDATE \"case\" SET measured_at = NULL WHERE closed_at IS NOT NULL")


def downgrade():
    op.drop_table('worked_case')
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.drop_index('ix_step_staff_ended')
    with op.batch_alter_table('stage_rollup', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_rollup_key_day')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_open_opened_scope')
    op.drop_table('public_setting')
    op.drop_table('voice_digest')
    op.drop_table('arrival_day')
    with op.batch_alter_table('case_measure', schema=None) as batch_op:
        batch_op.drop_index('ix_case_measure_district_day')
        batch_op.drop_constraint('fk_case_measure_district_id_district', type_='foreignkey')
        batch_op.drop_column('district_id')
    with op.batch_alter_table('process_change', schema=None) as batch_op:
        batch_op.drop_column('published_at')
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_constraint('uq_service_request_imported', type_='unique')
        batch_op.drop_column('imported_id')
        batch_op.drop_column('imported_from')
        batch_op.drop_column('keep_private')
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_column('publish_description')
        batch_op.drop_column('on_time_goal')
        batch_op.drop_column('public_standard')
