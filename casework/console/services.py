"""Business operations on cases: the steps staff do, resolution, audited views."""
import json
from datetime import timedelta

from redis.exceptions import RedisError

from core import audit
from core.extensions import db
from core.models import Staff
from core.queues import redis_connection
from core.timeutil import utcnow
from intake.links import feedback_url
from intake.models import Service, ServiceRequest, TriageState
from casework.console.changes import merge_into
from casework.errors import ActionRefused, NotPermitted
from casework.models import (
    OPEN, Case, CaseEvent, CaseState, District, DuplicateLink, DuplicateStatus, Outcome, Queue, RoutingRule, Step,
    StepType,
    queue_member,
)
from casework import messages, public_wording
from casework.transitions import back_to_work, enter_state, holder_state
from casework.clock.calendar_settings import queue_calendar


def take_if_unassigned(case, by):
    """Assign ``case`` to ``by`` when nobody holds it; adds an event. Does not commit."""
    if case.assignee_id is None:
        case.assignee = by
        enter_state(case, CaseState.ASSIGNED, "assigned", actor=by, message=f"Assigned to {by.name}.",
                    details={"from_staff_id": None, "to_staff_id": by.id})


def step_type_for(case, step_type_id):
    """The step type ``step_type_id`` of ``case``'s service, or None for none; ``ActionRefused`` for another's."""
    if step_type_id is None:
        return None
    step_type = db.session.get(StepType, step_type_id)
    if step_type is None or step_type.service_id != case.service_id:
        raise ActionRefused("Choose one of this service's steps.")
    return step_type


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


def steps_not_done(case):
    """Names of the case's workflow steps with no finished step, in order."""
    done = {step.step_type_id for step in case.steps if step.ended_at is not None}
    return [step_type.name for step_type in step_types_for(case) if step_type.id not in done]


def resolve_case(case, by, public_note, effort_minutes, outcome_id=None, confirm_unfinished=True):
    """Resolve ``case`` with a note the citizen will read and how it ended. Commits; then dispatches the message.

    The resolving work is recorded as a step with ``effort_minutes``. Workflow
    steps not done are named on the timeline (staff only); with
    ``confirm_unfinished`` False they refuse the resolution instead
    (``UnfinishedSteps``), as the console's form does until the caseworker
    confirms. Raises ``ActionRefused`` if the case is already resolved or
    ``outcome_id`` is not one of the admins' active outcomes.
    """
    if not case.is_open:
        raise ActionRefused("This case is already resolved.")
    if outcome_id is not None:
        outcome = db.session.get(Outcome, outcome_id)
        if outcome is None or not outcome.active:
            raise ActionRefused("Choose how the case ended from the list.")
        case.outcome_id = outcome.id
    not_done = steps_not_done(case)
    if not_done and not confirm_unfinished:
        raise UnfinishedSteps(not_done)
    take_if_unassigned(case, by)
    now = utcnow()
    db.session.add(Step(case=case, staff=by, ended_at=now, effort_minutes=effort_minutes, note="Resolved"))
    case.resolved_at = now
    case.resolution_note = public_note
    if case.first_response_at is None:
        case.first_response_at = now
    if not_done:
        db.session.add(CaseEvent(case=case, actor=by, kind="resolved_with_steps_not_done", at=now,
                                 message=f"Resolved with these steps not done: {', '.join(not_done)}.",
                                 details={"steps_not_done": not_done}))
    event = enter_state(case, CaseState.RESOLVED, "resolved", actor=by, public=True, at=now, message=public_note,
                        details={"effort_minutes": effort_minutes})
    db.session.flush()
    notifications = [messages.tell_citizen(
        case.request, "request_resolved", event.id,
        service_name=case.request.service.translated("name", case.request.language), resolution_note=public_note,
        feedback_url=feedback_url(case.request),
    )]
    # everyone whose report was merged into this one hears the outcome too
    for merged in merged_into(case):
        merged_event = CaseEvent(case=merged, actor=by, kind="resolved", public=True, at=now, message=public_note,
                                 details={"via_case_id": case.id})
        db.session.add(merged_event)
        db.session.flush()
        notifications.append(messages.tell_citizen(
            merged.request, "request_resolved", merged_event.id,
            service_name=merged.request.service.translated("name", merged.request.language),
            resolution_note=public_note,
            feedback_url=feedback_url(merged.request),
        ))
    db.session.commit()
    messages.dispatch(*notifications)
    return case


def merged_into(case):
    """The cases confirmed as duplicates of ``case``."""
    return db.session.scalars(db.select(Case).filter_by(duplicate_of_id=case.id)).all()


def likely_duplicates(case):
    """Undecided duplicate links on ``case``, best score first."""
    return db.session.scalars(
        db.select(DuplicateLink).filter_by(case_id=case.id, status=DuplicateStatus.LIKELY)
        .order_by(DuplicateLink.score.desc())
    ).all()


def decide_duplicate(case, link_id, confirmed, by):
    """Confirm or reject a likely duplicate link of ``case``. Commits; then dispatches.

    Confirming closes ``case`` as merged into the original: its citizen is told
    they will hear the outcome of the earlier report, and ``resolve_case`` on
    the original tells them. Raises ``ActionRefused`` for a link that is
    not this case's, was already decided, or whose original has closed.
    """
    link = db.session.get(DuplicateLink, link_id)
    if link is None or link.case_id != case.id or link.status != DuplicateStatus.LIKELY:
        raise ActionRefused("That suggestion has already been dealt with.")
    if not confirmed:
        now = utcnow()
        link.decided_by, link.decided_at = by, now
        link.status = DuplicateStatus.REJECTED
        db.session.add(CaseEvent(case=case, actor=by, kind="duplicate_rejected", at=now,
                                 message=f"Not the same problem as {link.original.request.reference}."))
        db.session.commit()
        return case
    return merge_into(case, link.original, by)


def reply_to_citizen(case, by, message, effort_minutes):
    """Post an update the citizen sees and is sent. Commits; then dispatches the message.

    Counts as the first response if none was made yet.
    """
    if not case.is_open:
        raise ActionRefused("This case is resolved. Reopen it before replying.")
    take_if_unassigned(case, by)
    now = utcnow()
    db.session.add(Step(case=case, staff=by, ended_at=now, effort_minutes=effort_minutes, note="Reply to citizen"))
    if case.first_response_at is None:
        case.first_response_at = now
    event = CaseEvent(case=case, actor=by, kind="public_reply", public=True, at=now, message=message,
                      details={"effort_minutes": effort_minutes})
    db.session.add(event)
    db.session.flush()
    notification = messages.tell_citizen(case.request, "update_posted", event.id, message=message)
    db.session.commit()
    messages.dispatch(notification)
    return event


def request_information(case, by, question, effort_minutes):
    """Ask the citizen a question; the case waits on them. Commits; then dispatches the message."""
    if not case.is_open:
        raise ActionRefused("This case is resolved. Reopen it before asking the citizen.")
    take_if_unassigned(case, by)
    now = utcnow()
    db.session.add(Step(case=case, staff=by, ended_at=now, effort_minutes=effort_minutes, note="Request information"))
    if case.first_response_at is None:
        case.first_response_at = now
    event = enter_state(case, CaseState.WAITING_ON_CITIZEN, "information_requested", actor=by, public=True, at=now,
                        message=question)
    case.sla_paused_at = case.sla_paused_at or now
    db.session.flush()
    notification = messages.tell_citizen(case.request, "information_requested", event.id, question=question)
    db.session.commit()
    messages.dispatch(notification)
    return event


def record_citizen_answer(request_id, answer):
    """Put the citizen's answer on their case; a case waiting on them goes back to work.

    An answer that arrives after the case moved on still lands on it, so the
    citizen's words are never dropped. Returns the case, or None when the
    request has no case yet. Commits; then dispatches a message to the assignee.
    """
    case = db.session.scalar(db.select(Case).filter_by(request_id=request_id))
    if case is None:
        return None
    now = utcnow()
    waiting = case.state == CaseState.WAITING_ON_CITIZEN
    event = enter_state(case, back_to_work(case) if waiting else case.state, "citizen_answered", public=True, at=now,
                        message=answer)
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


def assign_case(case, assignee, by, reason=None):
    """Give ``case`` to ``assignee`` (who must work its queue). Commits; tells the assignee if someone else assigned it.

    ``reason`` goes on the timeline: why it moved from whoever held it.
    """
    if not case.is_open:
        raise ActionRefused("This case is resolved; there is nothing to assign.")
    if not any(member.id == assignee.id for member in case.queue.members) and not assignee.has_role("supervisor"):
        raise ActionRefused(f"{assignee.name} does not work the {case.queue.name} queue.")
    if case.assignee_id == assignee.id:
        return case
    now = utcnow()
    details = {"from_staff_id": case.assignee_id, "to_staff_id": assignee.id, "reason": reason}
    case.assignee = assignee
    event = enter_state(case, holder_state(case, True), "assigned", actor=by, at=now, details=details,
                        message=f"Assigned to {assignee.name}." + (f" {reason}" if reason else ""))
    db.session.flush()
    notification = None
    if assignee.id != by.id:
        due = case.resolution_due_at.isoformat() if case.resolution_due_at else None
        notification = messages.tell_staff(assignee, case, "case_assigned", event.id,
                                           service_name=case.request.service.name, due_at=due)
    db.session.commit()
    messages.dispatch(notification)
    return case


def assign_by_choice(case, by, staff_id, reason=None):
    """``by`` gives ``case`` to staff member ``staff_id`` (themselves, or anyone if a supervisor). Commits.

    Raises ``NotPermitted`` when a caseworker gives a case to someone else,
    ``ActionRefused`` when the person does not exist or the case moves from a
    colleague without a reason (the colleague is told why).
    """
    assignee = staff_member(staff_id)
    if assignee is None:
        raise ActionRefused("Choose someone from the list.")
    if assignee.id != by.id and not by.has_role("supervisor"):
        raise NotPermitted("Only supervisors can give a case to someone else.")
    if case.assignee_id not in (None, by.id, assignee.id) and not reason:
        raise ActionRefused(f"Say why the case moves from {case.assignee.name}: they will be told.")
    return assign_case(case, assignee, by=by, reason=reason)


def workable_queues(staff):
    """The queues ``staff`` may work, by name: their own, or every queue for supervisors."""
    query = db.select(Queue).order_by(Queue.name)
    if not staff.has_role("supervisor"):
        query = query.where(Queue.members.any(id=staff.id))
    return db.session.scalars(query).all()


def filter_choices(queue_ids):
    """What a list's filter form offers: services, who holds cases in ``queue_ids``, areas and tags."""
    people = db.select(Staff).where(Staff.active).order_by(Staff.name)
    if queue_ids:
        people = people.where(Staff.id.in_(db.select(queue_member.c.staff_id).where(queue_member.c.queue_id.in_(queue_ids))))
    tags = sorted({tag for line in db.session.scalars(db.select(RoutingRule.tags)) for tag in line.split()})
    return {
        "services": db.session.scalars(db.select(Service).order_by(Service.name)).all(),
        "people": db.session.scalars(people).all(),
        "districts": db.session.scalars(db.select(District).order_by(District.name)).all(),
        "tags": tags,
    }


def workable_queue_ids(staff):
    """The queues whose work ``staff`` takes: those they are a member of; every queue for a supervisor in none."""
    ids = db.session.scalars(
        db.select(Queue.id).where(Queue.members.any(id=staff.id)).order_by(Queue.id)
    ).all()
    if not ids and staff.has_role("supervisor"):
        ids = db.session.scalars(db.select(Queue.id).order_by(Queue.id)).all()
    return list(ids)


def take_next(staff):
    """Give ``staff`` the most urgent unassigned open case in their queues (priority, then due). Commits.

    Returns the case, or None when there is nothing to take. The row is
    claimed with ``FOR UPDATE SKIP LOCKED``: two caseworkers pressing at the
    same instant get different cases, and neither waits for the other.
    Cases waiting on the citizen are left alone: there is nothing to do yet.
    """
    queue_ids = workable_queue_ids(staff)
    if not queue_ids:
        return None
    case_id = db.session.scalar(
        db.select(Case.id)
        .where(OPEN, Case.assignee_id.is_(None), Case.queue_id.in_(queue_ids),
               Case.state != CaseState.WAITING_ON_CITIZEN)
        .order_by(Case.priority_rank, Case.resolution_due_at, Case.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if case_id is None:
        db.session.rollback()
        return None
    case = db.session.get(Case, case_id)
    now = utcnow()
    case.assignee = staff
    enter_state(case, holder_state(case, True), "assigned", actor=staff, at=now, message=f"{staff.name} took the case.",
                details={"from_staff_id": None, "to_staff_id": staff.id, "via": "take_next"})
    db.session.commit()
    return case


def release_case(case, by, reason=None):
    """Give ``case`` back to its queue, unassigned. Commits. Raises ``ActionRefused`` if nobody holds it.

    A caseworker releases their own cases; a supervisor any case.
    """
    if not case.is_open:
        raise ActionRefused("This case is resolved; there is nothing to release.")
    if case.assignee_id is None:
        raise ActionRefused("Nobody holds this case.")
    if case.assignee_id != by.id and not by.has_role("supervisor"):
        raise NotPermitted("Only supervisors can release someone else's case.")
    previous = case.assignee
    message = f"Back to the {case.queue.name} queue from {previous.name}." + (f" {reason}" if reason else "")
    case.assignee = None
    enter_state(case, holder_state(case, False), "released", actor=by, at=utcnow(), message=message,
                details={"from_staff_id": previous.id, "to_staff_id": None, "reason": reason})
    db.session.commit()
    return case


def reveal_contact(case, by):
    """Record that ``by`` looked at the citizen's contact details. Commits."""
    db.session.add(CaseEvent(case=case, actor=by, kind="contact_viewed",
                             message=f"{by.name} viewed the citizen's contact details."))
    audit.record("contact_viewed", actor=by, target=case.request)
    db.session.commit()


def active_outcomes():
    """How a case can end, in the admins' order."""
    return db.session.scalars(db.select(Outcome).filter_by(active=True).order_by(Outcome.position, Outcome.id)).all()


# friction is shown only where enough people rated a step that no one rating can be picked out
FRICTION_MIN_RATINGS = 5
FRICTION_DAYS = 90


FRICTION_FRESH_SECONDS = 600


def friction_by_step_type(step_type_ids):
    """``{step_type_id: (ratings, share rated 4-5)}`` over the last 90 days, for step types with at least 5 ratings.

    Aggregated over everyone who did the step: never per person. Read from
    the step-type index (friction is in it), and kept in Redis for ten
    minutes, since a busy service's 90 days are a hundred thousand steps.
    """
    type_ids = sorted(set(step_type_ids))
    if not type_ids:
        return {}
    key = "tandem:friction:" + ",".join(map(str, type_ids))
    try:
        kept = redis_connection().get(key)
        if kept is not None:
            return {int(type_id): tuple(pair) for type_id, pair in json.loads(kept).items()}
    except RedisError:
        kept = None
    found = count_friction(type_ids)
    try:
        redis_connection().set(key, json.dumps(found), ex=FRICTION_FRESH_SECONDS)
    except RedisError:
        pass
    return found


def count_friction(type_ids):
    """The friction ratings of the last 90 days of ``type_ids``, counted in PostgreSQL."""
    hard = db.func.sum(db.case((Step.friction >= 4, 1), else_=0))
    since = utcnow() - timedelta(days=FRICTION_DAYS)
    rows = db.session.execute(
        db.select(Step.step_type_id, db.func.count(Step.friction), hard)
        .where(Step.step_type_id.in_(type_ids), Step.ended_at >= since, Step.friction.is_not(None))
        .group_by(Step.step_type_id)
    )
    return {step_type_id: (n, int(hard_count or 0) / n) for step_type_id, n, hard_count in rows
            if n >= FRICTION_MIN_RATINGS}


def workflow_checklist(case):
    """The service's workflow as a checklist: ``[(step type, [finished steps of it])]`` in order, then other work.

    A step type with no finished step is still to do (``under_way`` maps the
    ones someone has started to that step); ``next`` is the first to do that
    nobody has started, which "Start a step" offers first.
    """
    finished = [step for step in case.steps if step.ended_at is not None]
    types = step_types_for(case)
    listed = [(step_type, [step for step in finished if step.step_type_id == step_type.id]) for step_type in types]
    known = {step_type.id for step_type, _ in listed}
    other = [step for step in finished if step.step_type_id not in known]
    under_way = {step.step_type_id: step for step in case.steps if step.ended_at is None and step.step_type_id}
    following = next((step_type for step_type, done in listed if not done and step_type.id not in under_way), None)
    return {"steps": listed, "other": other, "minutes": sum(step.effort_minutes or 0 for step in finished),
            "friction": friction_by_step_type(step_type.id for step_type in types),
            "under_way": under_way, "next": following}


def step_types_for(case):
    """Return the workflow steps of the case's service, in order."""
    return db.session.scalars(
        db.select(StepType).filter_by(service_id=case.service_id).order_by(StepType.position)
    ).all()


def staff_member(staff_id):
    """Return the active staff member ``staff_id``, or None."""
    staff = db.session.get(Staff, staff_id)
    return staff if staff is not None and staff.active else None


def assignable_staff(case):
    """Return the active members of the case's queue, by name."""
    return sorted((member for member in case.queue.members if member.active), key=lambda member: member.name)


def all_queues():
    return db.session.scalars(db.select(Queue).order_by(Queue.name)).all()


def queue_by_id(queue_id):
    return db.session.get(Queue, queue_id)


def triage_backlog():
    """How many requests wait for triage, and how long the oldest has waited (seconds)."""
    count, oldest = db.session.execute(
        db.select(db.func.count(ServiceRequest.id), db.func.min(ServiceRequest.submitted_at))
        .where(ServiceRequest.triage_state == TriageState.PENDING)
    ).one()
    return {"pending": count, "oldest_seconds": (utcnow() - oldest).total_seconds() if oldest else 0}
