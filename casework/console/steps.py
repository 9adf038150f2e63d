"""Steps staff start and then save: the console's timer measures them, the caseworker corrects them.

A started step is under way (``ended_at`` empty) until its caseworker saves
it with the minutes it took; while under way it counts as work in progress
(supervisors' rebalancing leaves such a case alone). Without JavaScript the
page offers the wall-clock minutes since the start, to correct as typed.
"""
from math import ceil

from casework.console.checklist import step_type_for

from casework.console.assignment import take_if_unassigned
from casework.errors import ActionRefused
from casework.models import MAX_STEP_MINUTES, CaseEvent, CaseState, Step
from casework.transitions import enter_state
from core.extensions import db
from core.timeutil import utcnow


def step_under_way(case, staff):
    """The step ``staff`` has under way on ``case``, or None."""
    return db.session.scalar(
        db.select(Step).where(Step.case_id == case.id, Step.staff_id == staff.id, Step.ended_at.is_(None))
        .order_by(Step.id.desc()).limit(1)
    )


def elapsed_minutes(step, now=None):
    """Whole minutes since ``step`` started (at least 1, at most the limit): the no-JavaScript suggestion."""
    seconds = ((now or utcnow()) - step.started_at).total_seconds()
    return max(1, min(MAX_STEP_MINUTES, ceil(seconds / 60)))


def start_step(case, by, step_type_id=None):
    """Start a step on ``case`` for ``by``. Commits; returns the step.

    The first step on an unassigned case assigns it to ``by``; the case is
    then in progress. Raises ``ActionRefused`` on a closed case, a step type
    of another service, or when ``by`` already has a step under way here.
    """
    if not case.is_open:
        raise ActionRefused("This case is resolved. Reopen it before starting work on it.")
    step_type = step_type_for(case, step_type_id)
    if step_under_way(case, by) is not None:
        raise ActionRefused("You already have a step under way on this case: save it first.")
    take_if_unassigned(case, by)
    now = utcnow()
    step = Step(case=case, step_type=step_type, staff=by, started_at=now, ended_at=None)
    db.session.add(step)
    if case.state != CaseState.IN_PROGRESS:
        enter_state(case, CaseState.IN_PROGRESS, "state_changed", actor=by, at=now, message="Work started.")
    db.session.add(CaseEvent(case=case, actor=by, kind="step_started", at=now,
                             message=f"{step_type.name if step_type else 'Work'} started.",
                             details={"step_type_id": step_type_id}))
    db.session.commit()
    return step


def complete_step(case, by, effort_minutes, active_minutes=None, note=None, friction=None, friction_reason=None,
                  friction_note=None):
    """Save the step ``by`` has under way on ``case`` with its minutes and optional rating. Commits; returns it.

    ``active_minutes`` is what the timer measured while the page was in view;
    ``effort_minutes`` what the caseworker saved (the timer's figure, or
    corrected). Raises ``ActionRefused`` when no step is under way.
    """
    step = step_under_way(case, by)
    if step is None:
        raise ActionRefused("You have no step under way on this case: start one first.")
    now = utcnow()
    step.ended_at, step.effort_minutes, step.active_minutes = now, effort_minutes, active_minutes
    step.note, step.friction, step.friction_reason, step.friction_note = note, friction, friction_reason, friction_note
    label = step.step_type.name if step.step_type else "Work"
    db.session.add(CaseEvent(
        case=case, actor=by, kind="step", at=now, message=f"{label}: {effort_minutes} min." + (f" {note}" if note else ""),
        details={"effort_minutes": effort_minutes, "active_minutes": active_minutes, "step_type_id": step.step_type_id,
                 "friction": friction, "friction_reason": friction_reason},
    ))
    db.session.commit()
    return step
