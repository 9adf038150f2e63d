"""Every new timeline event marks its case as changed: ``updated_at`` moves, and with it the case's version.

So a form drawn before a colleague's note, reply or step is stale too, not
only one drawn before a change of state, queue or assignee.
"""
from sqlalchemy import event
from sqlalchemy.orm import Session

from sqlalchemy.orm.attributes import flag_modified

from casework.models import CaseEvent
from core.timeutil import utcnow


def touch_cases(session, flush_context, instances):
    """before_flush: set ``updated_at`` on the case of each new event (loaded or attached)."""
    for new in list(session.new):
        if isinstance(new, CaseEvent) and new.case is not None:
            # an event made without a time gets its time now, so it moves its case on like any other
            new.at = new.at or utcnow()
            new.case.updated_at = max(new.case.updated_at or new.at, new.at)
            # written even when unchanged (an event of the same instant): the version moves on all the same
            flag_modified(new.case, "updated_at")


def listen():
    if not event.contains(Session, "before_flush", touch_cases):
        event.listen(Session, "before_flush", touch_cases)
