"""Every new timeline event marks its case as changed: ``updated_at`` moves, and with it the case's version.

So a form drawn before a colleague's note, reply or step is stale too, not
only one drawn before a change of state, queue or assignee.
"""
from sqlalchemy import event
from sqlalchemy.orm import Session

from casework.models import CaseEvent


def touch_cases(session, flush_context, instances):
    """before_flush: set ``updated_at`` on the case of each new event (loaded or attached)."""
    for new in list(session.new):
        if isinstance(new, CaseEvent) and new.case is not None:
            moment = new.at or new.case.updated_at
            if moment is not None and (new.case.updated_at is None or moment > new.case.updated_at):
                new.case.updated_at = moment


def listen():
    if not event.contains(Session, "before_flush", touch_cases):
        event.listen(Session, "before_flush", touch_cases)
