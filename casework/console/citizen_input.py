"""What citizens and partner systems send about a case: answers, feedback, partner updates.

Each lands on the case's timeline whatever state the case is in, so nobody's words are dropped.
"""
from casework import messages, public_wording
from casework.clock.calendar_settings import queue_calendar
from casework.models import Case, CaseEvent, CaseState
from casework.transitions import back_to_work, enter_state
from core.extensions import db
from core.timeutil import utcnow


def record_citizen_answer(request_id, answer, details=None):
    """Put the citizen's answer on their case; a case waiting on them goes back to work.

    An answer that arrives after the case moved on still lands on it, so the
    citizen's words are never dropped. Returns the case, or None when the
    request has no case yet. ``details`` go on the timeline entry (``{"email": id}`` for a reply by email).
    Commits; then dispatches a message to the assignee.
    """
    case = db.session.scalar(db.select(Case).filter_by(request_id=request_id))
    if case is None:
        return None
    now = utcnow()
    waiting = case.state == CaseState.WAITING_ON_CITIZEN
    event = enter_state(case, back_to_work(case) if waiting else case.state, "citizen_answered", details, public=True,
                        at=now, message=answer)
    if waiting:
        resume_sla_clock(case, now)
    db.session.flush()
    notification = messages.tell_staff(case.assignee, case, "citizen_answered", event.id, answer=answer) \
        if case.assignee else None
    db.session.commit()
    messages.dispatch(notification)
    return case


def resume_sla_clock(case, now):
    """Restart a paused SLA clock: push the due dates out by the business hours it was stopped. Does not commit."""
    if case.sla_paused_at is None:
        return
    with db.session.no_autoflush:  # callers ask mid-change, with the answer's event still being put together
        calendar = queue_calendar(case.queue)
    paused = calendar.business_hours_between(case.sla_paused_at, now)
    case.sla_paused_at = None
    if paused <= 0 or case.resolution_due_at is None:
        return
    case.resolution_due_at = calendar.add_business_hours(case.resolution_due_at, paused)
    if case.breach_flagged_at is None:
        # the warning was about the old date; warn again before the new one
        case.near_breach_flagged_at = None
    db.session.add(CaseEvent(
        case=case, kind="sla_resumed", at=now,
        message=f"The SLA clock was stopped for {paused:.1f} business hours while we waited for the citizen; "
                "the resolution date moved accordingly.",
        details={"paused_business_hours": round(paused, 2), "resolution_due_at": case.resolution_due_at.isoformat()},
    ))


def record_citizen_feedback(request_id, fixed, comment, satisfaction):
    """Put the citizen's feedback on their case; "not fixed" reopens it and tells the assignee.

    Returns the case, or None when the request has no case. Commits; then
    dispatches the messages.
    """
    case = db.session.scalar(db.select(Case).filter_by(request_id=request_id))
    if case is None:
        return None
    now = utcnow()
    verdict = "fixed" if fixed else "not fixed"
    rating = f", satisfaction {satisfaction} of 5" if satisfaction else ""
    db.session.add(CaseEvent(case=case, kind="citizen_feedback", at=now,
                             message=f"The citizen says it is {verdict}{rating}." + (f" “{comment}”" if comment else ""),
                             details={"fixed": fixed, "satisfaction": satisfaction}))
    # measured again, so the blueprint's rollup counts the answer (a Core update: the case's version stays)
    db.session.execute(db.update(Case).where(Case.id == case.id).values(measured_at=None)
                       .execution_options(synchronize_session=False))
    notifications = []
    if not fixed and not case.is_open and case.duplicate_of_id is None:
        event = enter_state(case, back_to_work(case), "reopened_by_citizen", public=True, at=now,
                            message=public_wording.REOPENED_BY_CITIZEN)
        case.resolved_at = None
        db.session.flush()
        notifications.append(messages.tell_citizen(
            case.request, "request_reopened", event.id,
            reason=public_wording.in_language(public_wording.REOPENED_BY_CITIZEN, case.request.language)))
        if case.assignee is not None:
            notifications.append(messages.tell_staff(case.assignee, case, "citizen_reopened", event.id,
                                                     comment=comment or ""))
    db.session.commit()
    messages.dispatch(*notifications)
    return case


def record_partner_update(request_id, text, source_name):
    """Put a partner system's update (Open311 POST servicerequestupdates) on the case, for all to see.

    Returns the event, or None when the request has no case yet. Commits;
    the assignee is told through the timeline, the citizen through tracking.
    """
    case = db.session.scalar(db.select(Case).filter_by(request_id=request_id))
    if case is None:
        return None
    event = CaseEvent(case=case, kind="partner_update", public=True, at=utcnow(), message=text,
                      details={"source": source_name})
    db.session.add(event)
    db.session.commit()
    return event
