"""A case's state changes, each with the timeline event that records it.

The audit trail reads ``from`` and ``to`` off the case itself, at the moment
the state changes, so it always says the state the case really entered.
Every transition goes through ``enter_state``; nothing here commits. The
event is made whole and added at once: timeline rows are append-only, and a
half-made event must never be flushed by a query in between.
"""
from casework.models import CaseEvent, CaseState
from core.extensions import db


def enter_state(case, state, kind, details=None, **event_fields):
    """Put ``case`` in ``state`` and add a ``kind`` event recording it; return the event.

    The event's details get ``from`` and ``to`` when the state changes (none
    when it stays). ``event_fields`` are its other columns (``actor``, ``at``,
    ``message``, ``public``).
    """
    recorded = dict(details or {})
    if case.state != state:
        recorded.update({"from": str(case.state), "to": str(state)})
        case.state = state
    event = CaseEvent(case=case, kind=kind, details=recorded, **event_fields)
    db.session.add(event)
    return event


def back_to_work(case):
    """The state an open case returns to (reopened, answered): in progress when someone holds it, else triaged."""
    return CaseState.IN_PROGRESS if case.assignee_id else CaseState.TRIAGED


def holder_state(case, held):
    """The state ``case`` takes when someone (``held``) or nobody now holds it: assigned, back in its queue, or as it is."""
    if held and case.state in (CaseState.NEW, CaseState.TRIAGED):
        return CaseState.ASSIGNED
    if not held and case.state in (CaseState.ASSIGNED, CaseState.IN_PROGRESS):
        return CaseState.TRIAGED
    return case.state
