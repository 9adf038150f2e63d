"""What a caseworker does to a case: record work, reply, ask, resolve, reopen, look at the contact.

Actions the citizen hears of share one sequence (``citizen_hears``): refuse
a closed case, record the work, tell the citizen, commit, then send, so no
message leaves before the event it points to is saved.
"""
from contextlib import contextmanager
from datetime import timedelta

from casework import messages
from casework.console.assignment import take_if_unassigned
from casework.console.checklist import step_type_for, steps_not_done
from casework.console.related import merged_into
from casework.errors import ActionRefused
from casework.agency_setup import Outcome
from casework.models import CaseEvent, CaseState, Step
from casework.transitions import back_to_work, enter_state
from core import audit
from core.extensions import db
from core.timeutil import utcnow
from intake.links import feedback_url


@contextmanager
def citizen_hears(case, by, effort_minutes, step_note, refusal):
    """Work on ``case`` that the citizen is told of. Yields ``(now, notifications)``; commits, then dispatches them.

    Raises ``ActionRefused(refusal)`` for a closed case. Takes an unheld case
    for ``by``, records the work as a step of ``effort_minutes`` and counts
    the first response. The body adds its event and appends what
    ``messages.tell_citizen`` returns; an error in the body commits nothing.
    """
    if not case.is_open:
        raise ActionRefused(refusal)
    take_if_unassigned(case, by)
    now = utcnow()
    db.session.add(Step(case=case, staff=by, ended_at=now, effort_minutes=effort_minutes, note=step_note))
    if case.first_response_at is None:
        case.first_response_at = now
    notifications = []
    yield now, notifications
    db.session.commit()
    messages.dispatch(*notifications)


def record_step(case, by, effort_minutes, step_type_id=None, note=None, friction=None, friction_reason=None,
                friction_note=None):
    """Record a piece of work on ``case`` by staff ``by``, with its effort. Commits; returns the step.

    The first step on an unassigned case assigns it to ``by``; any step moves
    the case to in progress. Raises ``ActionRefused`` on a closed case or
    a step type from another service.
    """
    if not case.is_open:
        raise ActionRefused("This case is resolved. Reopen it before recording more work.")
    step_type = step_type_for(case, step_type_id)
    take_if_unassigned(case, by)
    now = utcnow()
    step = Step(
        case=case, step_type=step_type, staff=by, ended_at=now, effort_minutes=effort_minutes,
        started_at=now - timedelta(minutes=effort_minutes), note=note, friction=friction,
        friction_reason=friction_reason, friction_note=friction_note,
    )
    db.session.add(step)
    if case.state != CaseState.IN_PROGRESS:
        enter_state(case, CaseState.IN_PROGRESS, "state_changed", actor=by, at=now, message="Work started.")
    label = step_type.name if step_type else "Work"
    db.session.add(CaseEvent(
        case=case, actor=by, kind="step", at=now,
        message=f"{label}: {effort_minutes} min." + (f" {note}" if note else ""),
        details={"effort_minutes": effort_minutes, "step_type_id": step_type_id, "friction": friction,
                 "friction_reason": friction_reason},
    ))
    db.session.commit()
    return step


class UnfinishedSteps(ActionRefused):
    """The case's workflow has steps not done, and the caseworker has not said to resolve it anyway."""

    field = "confirm_unfinished"

    def __init__(self, names):
        super().__init__(f"Not done yet: {', '.join(names)}. Tick “Resolve with these steps not done” "
                         "if the case is finished without them.")
        self.names = names


def resolve_case(case, by, public_note, effort_minutes, outcome_id=None, confirm_unfinished=True):
    """Resolve ``case`` with a note the citizen will read and how it ended. Commits; then dispatches the message.

    The resolving work is recorded as a step with ``effort_minutes``. Workflow
    steps not done are named on the timeline (staff only); with
    ``confirm_unfinished`` False they refuse the resolution instead
    (``UnfinishedSteps``), as the console's form does until the caseworker
    confirms. Raises ``ActionRefused`` if the case is already resolved or
    ``outcome_id`` is not one of the admins' active outcomes. Everyone whose
    report was merged into this one hears the outcome too.
    """
    refusal = "This case is already resolved."
    if not case.is_open:
        raise ActionRefused(refusal)
    outcome = None
    if outcome_id is not None:
        outcome = db.session.get(Outcome, outcome_id)
        if outcome is None or not outcome.active:
            raise ActionRefused("Choose how the case ended from the list.")
    not_done = steps_not_done(case)
    if not_done and not confirm_unfinished:
        raise UnfinishedSteps(not_done)
    with citizen_hears(case, by, effort_minutes, "Resolved", refusal) as (now, notifications):
        if outcome is not None:
            case.outcome = outcome
        case.resolved_at = now
        case.resolution_note = public_note
        if not_done:
            db.session.add(CaseEvent(case=case, actor=by, kind="resolved_with_steps_not_done", at=now,
                                     message=f"Resolved with these steps not done: {', '.join(not_done)}.",
                                     details={"steps_not_done": not_done}))
        event = enter_state(case, CaseState.RESOLVED, "resolved", actor=by, public=True, at=now,
                            message=public_note, details={"effort_minutes": effort_minutes})
        told = [(case, event)]
        for merged in merged_into(case):
            merged_event = CaseEvent(case=merged, actor=by, kind="resolved", public=True, at=now,
                                     message=public_note, details={"via_case_id": case.id})
            db.session.add(merged_event)
            told.append((merged, merged_event))
        db.session.flush()
        for resolved, resolved_event in told:
            request = resolved.request
            notifications.append(messages.tell_citizen(
                request, "request_resolved", resolved_event.id,
                service_name=request.service.translated("name", request.language), resolution_note=public_note,
                feedback_url=feedback_url(request),
            ))
    return case


def reply_to_citizen(case, by, message, effort_minutes):
    """Post an update the citizen sees and is sent. Commits; then dispatches the message.

    Counts as the first response if none was made yet.
    """
    with citizen_hears(case, by, effort_minutes, "Reply to citizen",
                       "This case is resolved. Reopen it before replying.") as (now, notifications):
        event = CaseEvent(case=case, actor=by, kind="public_reply", public=True, at=now, message=message,
                          details={"effort_minutes": effort_minutes})
        db.session.add(event)
        db.session.flush()
        notifications.append(messages.tell_citizen(case.request, "update_posted", event.id, message=message))
    return event


def request_information(case, by, question, effort_minutes):
    """Ask the citizen a question; the case waits on them and its SLA clock stops. Commits; then dispatches."""
    with citizen_hears(case, by, effort_minutes, "Request information",
                       "This case is resolved. Reopen it before asking the citizen.") as (now, notifications):
        event = enter_state(case, CaseState.WAITING_ON_CITIZEN, "information_requested", actor=by, public=True,
                            at=now, message=question)
        case.sla_paused_at = case.sla_paused_at or now
        db.session.flush()
        notifications.append(messages.tell_citizen(case.request, "information_requested", event.id,
                                                   question=question))
    return event


def reopen_case(case, by, reason):
    """Reopen a resolved case, telling the citizen why. Commits; then dispatches the message."""
    if case.is_open:
        raise ActionRefused("This case is already open.")
    now = utcnow()
    event = enter_state(case, back_to_work(case), "reopened", actor=by, public=True, at=now, message=reason)
    case.resolved_at = None
    db.session.flush()
    notification = messages.tell_citizen(case.request, "request_reopened", event.id, reason=reason)
    db.session.commit()
    messages.dispatch(notification)
    return case


def reveal_contact(case, by):
    """Record that ``by`` looked at the citizen's contact details. Commits."""
    db.session.add(CaseEvent(case=case, actor=by, kind="contact_viewed",
                             message=f"{by.name} viewed the citizen's contact details."))
    audit.record("contact_viewed", actor=by, target=case.request)
    db.session.commit()
