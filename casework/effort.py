"""Each case's effort so far (the minutes of its steps), kept on the case in the transaction of every step.

Remaining work is a case's estimate less this; the workload board and
auto-assignment read it for tens of thousands of open cases at once, so it
is kept rather than summed from the steps on every view. Written with a
plain UPDATE after each flush (adding the flush's change), so it never
bumps the case's version nor races a concurrent step on the same case.
"""
from collections import Counter

from sqlalchemy import event, inspect, update
from sqlalchemy.orm import Session

from casework.models import Case, Step


def effort_change(step):
    """Minutes this flush adds to its case's effort: a new step's, or an edited step's difference."""
    state = inspect(step)
    if state.pending or step in state.session.new:
        return step.effort_minutes or 0
    history = state.attrs.effort_minutes.history
    if not history.has_changes():
        return 0
    added = (history.added[0] if history.added else None) or 0
    deleted = (history.deleted[0] if history.deleted else None) or 0
    return added - deleted


def note_effort(session, flush_context, instances):
    """before_flush: remember each case's change, to write once the flush has put the rows in."""
    changes = session.info.setdefault("casework.effort_changes", Counter())
    for step in [*session.new, *session.dirty]:
        if isinstance(step, Step):
            delta = effort_change(step)
            if delta and step.case_id is not None:
                changes[step.case_id] += delta
            elif delta:
                changes[step.case] += delta  # the case is new too: its id comes with the flush


def write_effort(session, flush_context):
    """after_flush: add each case's change in one UPDATE per case."""
    changes = session.info.pop("casework.effort_changes", None)
    for case, delta in sorted((changes or {}).items(), key=lambda item: str(item[0])):
        case_id = case if isinstance(case, int) else case.id
        session.execute(update(Case).where(Case.id == case_id)
                        .values(spent_minutes=Case.spent_minutes + delta)
                        .execution_options(synchronize_session=False))


def recount_effort():
    """Set every case's effort from its steps (after a bulk load, or to repair). Does not commit."""
    from core.extensions import db

    spent = db.select(db.func.coalesce(db.func.sum(Step.effort_minutes), 0)).where(
        Step.case_id == Case.id).correlate(Case).scalar_subquery()
    db.session.execute(update(Case).values(spent_minutes=spent).execution_options(synchronize_session=False))


def listen():
    for name, handler in (("before_flush", note_effort), ("after_flush", write_effort)):
        if not event.contains(Session, name, handler):
            event.listen(Session, name, handler)
