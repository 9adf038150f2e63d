"""A case's state changes, each with the timeline event that records it.

The audit trail reads ``from`` and ``to`` off the case itself, at the moment
the state changes, so it always says the state the case really entered.
Every transition goes through here; none of these functions commits.
"""
from casework.models import CaseEvent, CaseState
from core.extensions import db


def set_state(case, state, event):
    """Put ``case`` in ``state``, writing ``from`` and ``to`` into ``event``'s details; no event detail when it stays."""
    if case.state == state:
        return event
    event.details = {**(event.details or {}), "from": str(case.state), "to": str(state)}
    case.state = state
    return event


def enter_state(case, state, kind, **event_fields):
    """Put ``case`` in ``state`` and add a ``kind`` event recording it; return the event.

    ``event_fields`` are the event's other columns (``actor``, ``at``, ``message``, ``public``, ``details``).
    """
    event = CaseEvent(case=case, kind=kind, **event_fields)
    set_state(case, state, event)
    db.session.add(event)
    return event


def back_to_work(case):
    """The state an open case returns to (reopened, answered): in progress when someone holds it, else triaged."""
    return CaseState.IN_PROGRESS if case.assignee_id else CaseState.TRIAGED


def follow_holder(case, held, event):
    """After ``case``'s holder changed: assigned when someone (``held``) now holds a new case, triaged when nobody does.

    The state change, if any, is recorded on ``event`` (the assignment's or release's own).
    """
    if held:
        if case.state in (CaseState.NEW, CaseState.TRIAGED):
            set_state(case, CaseState.ASSIGNED, event)
    elif case.state in (CaseState.ASSIGNED, CaseState.IN_PROGRESS):
        set_state(case, CaseState.TRIAGED, event)
    return event
