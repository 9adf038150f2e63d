"""Committing on the busiest paths without reading back what was just written."""
from core.extensions import db


def commit_keeping_state():
    """Commit without expiring the session's objects.

    After a normal commit, the next look at any attribute reloads the row: a
    query per object. Where the caller has just written those rows and goes on
    to read only what it wrote (ids, references, to enqueue jobs and build the
    response), that reload is pure cost.
    """
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
