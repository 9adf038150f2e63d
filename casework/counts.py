"""Per-queue counts of cases by state and assignee, kept in the transaction of every change.

Every flush notes how cases moved between ``(queue, assignee, state)``; just
before the transaction commits the net changes go to ``queue_count`` in one
upsert, in key order, so concurrent transactions lock counter rows in the same
order and cannot deadlock on them. A rollback forgets what it noted. Any code
that changes a case through the ORM is counted; ``recount`` rebuilds the table
from the cases (after a bulk load, or to repair).
"""
from collections import Counter

from sqlalchemy import event, inspect
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from casework.models import Case, QueueCount
from core.extensions import db

NOTED = "casework.queue_count_changes"
KEY_COLUMNS = ("queue_id", "assignee_id", "state")


def counted_key(queue_id, assignee_id, state):
    return (queue_id, assignee_id or 0, str(state))


def key_before_flush(case):
    """The case's ``(queue, assignee, state)`` as the database had it, and whether this flush changes it."""
    state, old, changed = inspect(case), [], False
    for name in KEY_COLUMNS:
        history = state.attrs[name].history
        if history.added or history.deleted:
            changed = changed or list(history.added) != list(history.deleted)
            old.append(history.deleted[0] if history.deleted else None)
        else:
            old.append(getattr(case, name))
    return counted_key(*old), changed


def note_flushed_changes(session, flush_context):
    """after_flush: add how this flush moved cases to the session's running tally."""
    noted = session.info.setdefault(NOTED, Counter())
    for case in session.new:
        if isinstance(case, Case):
            noted[counted_key(case.queue_id, case.assignee_id, case.state)] += 1
    for case in session.dirty:
        if isinstance(case, Case):
            before, changed = key_before_flush(case)
            if changed:
                noted[before] -= 1
                noted[counted_key(case.queue_id, case.assignee_id, case.state)] += 1
    for case in session.deleted:
        if isinstance(case, Case):
            noted[key_before_flush(case)[0]] -= 1


def write_counts(session):
    """before_commit: flush what is pending, then apply the net changes in one ordered upsert."""
    session.flush()
    noted = session.info.pop(NOTED, None)
    changes = sorted((key, n) for key, n in (noted or {}).items() if n)
    if not changes:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(QueueCount).values([
        {"queue_id": queue_id, "assignee_id": assignee_id, "state": state, "n": n}
        for (queue_id, assignee_id, state), n in changes
    ])
    session.execute(statement.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS), set_={"n": QueueCount.n + statement.excluded.n}))


def forget_counts(session, previous_transaction=None):
    """after_soft_rollback: what a rolled-back transaction noted never happened."""
    if previous_transaction is None or previous_transaction.parent is None:
        session.info.pop(NOTED, None)


def listen():
    """Keep the counts for every session (idempotent)."""
    for name, handler in (("after_flush", note_flushed_changes), ("before_commit", write_counts),
                          ("after_soft_rollback", forget_counts)):
        if not event.contains(Session, name, handler):
            event.listen(Session, name, handler)


def recount():
    """Rebuild ``queue_count`` from the cases. Does not commit."""
    # written inline, so the select and the GROUP BY name the very same expression
    holder = db.func.coalesce(Case.assignee_id, db.literal_column("0"))
    db.session.execute(db.delete(QueueCount))
    db.session.execute(db.insert(QueueCount).from_select(
        ["queue_id", "assignee_id", "state", "n"],
        db.select(Case.queue_id, holder, Case.state, db.func.count()).group_by(Case.queue_id, holder, Case.state),
    ))
    db.session.info.pop(NOTED, None)


def fresh_counts():
    """``{(queue, assignee or 0, state): n}`` counted from the cases now: what the counters must equal."""
    rows = db.session.execute(
        db.select(Case.queue_id, Case.assignee_id, Case.state, db.func.count())
        .group_by(Case.queue_id, Case.assignee_id, Case.state)
    )
    return {counted_key(queue_id, assignee_id, state): n for queue_id, assignee_id, state, n in rows}


def kept_counts():
    """``{(queue, assignee or 0, state): n}`` as the counters have it, leaving out zeros."""
    rows = db.session.execute(db.select(QueueCount.queue_id, QueueCount.assignee_id, QueueCount.state, QueueCount.n))
    return {(queue_id, assignee_id, state): n for queue_id, assignee_id, state, n in rows if n}
