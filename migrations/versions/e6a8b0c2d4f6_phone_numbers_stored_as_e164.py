"""phone numbers given before the desk kept them one way: stored again in E.164

Revision ID: e6a8b0c2d4f6
Revises: d5f7a9b1c3e4
Create Date: 2026-12-06 08:00:00

A request's number typed as "(202) 555-0143" before numbers were kept as E.164 could not be found by
the desk's caller lookup. Each is read as ``intake.phones.as_stored`` reads a new one (in the agency's
country, ``AGENCY_COUNTRY``); a number that cannot be read stays as it was typed. Done in batches of
1,000 by id, so a large table is never held in memory. Downgrading keeps the numbers as they are now.
"""
from alembic import op
import sqlalchemy as sa


revision = 'e6a8b0c2d4f6'
down_revision = 'd5f7a9b1c3e4'
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade():
    from intake.phones import as_stored

    connection = op.get_bind()
    requests = sa.table('service_request', sa.column('id', sa.Integer), sa.column('contact_phone', sa.String))
    last = 0
    while True:
        rows = connection.execute(
            sa.select(requests.c.id, requests.c.contact_phone)
            .where(requests.c.id > last, requests.c.contact_phone.is_not(None),
                   sa.not_(requests.c.contact_phone.startswith('+')))
            .order_by(requests.c.id).limit(BATCH)).all()
        if not rows:
            return
        for request_id, typed in rows:
            stored = as_stored(typed)
            if stored != typed:
                connection.execute(sa.update(requests).where(requests.c.id == request_id)
                                   .values(contact_phone=stored))
        last = rows[-1][0]


def downgrade():
    pass
