"""staff ideas: proposed (anonymous or named), "me too" as untraceable keys, comments, supervisors' answers

Revision ID: d1f3b5c7e9a2
Revises: c0e2a4b6d8f1
Create Date: 2026-12-06 19:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd1f3b5c7e9a2'
down_revision = 'c0e2a4b6d8f1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('idea',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('queue_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('step_type_id', sa.Integer(), nullable=True),
    sa.Column('hurts', sa.Text(), nullable=False),
    sa.Column('change', sa.Text(), nullable=False),
    sa.Column('helps', sa.String(length=8), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('proposed_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('process_change_id', sa.Integer(), nullable=True),
    sa.Column('supporters', sa.Integer(), nullable=False),
    sa.Column('effect_told_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('effect_summary', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['staff.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_id'], ['staff.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['process_change_id'], ['process_change.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['queue_id'], ['queue.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], ),
    sa.ForeignKeyConstraint(['step_type_id'], ['step_type.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_queue_id'), ['queue_id'], unique=False)
    op.create_table('idea_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['staff.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('idea_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_comment_idea_id'), ['idea_id'], unique=False)
    op.create_table('idea_support',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idea_id', 'key', name='uq_idea_support')
    )


def downgrade():
    op.drop_table('idea_support')
    with op.batch_alter_table('idea_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_comment_idea_id'))
    op.drop_table('idea_comment')
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_queue_id'))
    op.drop_table('idea')
