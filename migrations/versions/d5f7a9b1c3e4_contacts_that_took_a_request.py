"""contacts that took a request: their minutes are the contact stage's effort

Revision ID: d5f7a9b1c3e4
Revises: c3e5a7b9d1f2
Create Date: 2026-12-06 07:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd5f7a9b1c3e4'
down_revision = 'c3e5a7b9d1f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.Integer(), nullable=True))
        batch_op.alter_column('topic_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key('fk_contact_request_id_service_request', 'service_request',
                                    ['request_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_contact_request_id'), ['request_id'], unique=False)
        batch_op.create_check_constraint('ck_contact_request_or_topic', '(request_id IS NULL) <> (topic_id IS NULL)')


def downgrade():
    # a request's contact has no topic: it cannot stay once every contact must have one
    op.execute("DELETE FROM contact WHERE topic_id IS NULL")
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_constraint('ck_contact_request_or_topic', type_='check')
        batch_op.drop_index(batch_op.f('ix_contact_request_id'))
        batch_op.drop_constraint('fk_contact_request_id_service_request', type_='foreignkey')
        batch_op.alter_column('topic_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('request_id')
