"""Triage: turn a committed service request into a case in the right queue."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from core.extensions import db
from core.transactions import commit_keeping_state
from core.timeutil import utcnow
from casework import messages, public_wording
from casework.triage import assignment, duplicates, estimate, rulebook
from casework.clock import targets
from casework.transitions import enter_state
from casework.clock.calendar_settings import queue_calendar
from casework.models import Case, CaseEvent, CaseState
from intake.models import ServiceRequest, TriageState


class TriageFailed(Exception):
    """The request cannot be routed (no rule and no default queue); RQ retries it."""


def triage(request_id):
    """Open the case for request ``request_id``; return the case, or None if already done.

    Idempotent: the request moves from pending to done by a conditional
    update in the same transaction that inserts the case, so a second run
    (a retry, a sweep, a duplicate job) changes nothing and sends nothing.
    Commits; then dispatches the acknowledgement. Raises ``TriageFailed``
    (after counting the attempt) when the request cannot be routed.
    """
    service_request = db.session.get(ServiceRequest, request_id)
    if service_request is None or service_request.triage_state != TriageState.PENDING:
        return None
    try:
        route = rulebook.decide(service_request)
    except rulebook.NoRoute as error:
        db.session.rollback()
        count_failed_attempt(request_id, str(error))
        raise TriageFailed(str(error)) from error
    return open_case(service_request, route, from_states=(TriageState.PENDING,))


def triage_by_hand(request_id, queue, priority, by):
    """Open the case of a request that automatic triage gave up on, in ``queue``. Commits; returns the case or None."""
    service_request = db.session.get(ServiceRequest, request_id)
    if service_request is None:
        return None
    route = rulebook.Route(queue=queue, priority=priority, tags=[], resolution_hours=None,
                           explanation=[f"Routed by hand by {by.name} after automatic triage could not route it."])
    return open_case(service_request, route, from_states=(TriageState.PENDING, TriageState.FAILED))


def open_case(service_request, route, from_states):
    """Claim the request (a conditional update from ``from_states`` to done) and open its case on ``route``.

    Returns the case, or None when another run claimed it first. Commits; then dispatches messages.
    """
    if claim([service_request.id], from_states) != {service_request.id}:
        db.session.rollback()
        return None
    try:
        [case] = open_claimed([(service_request, route)])
    except IntegrityError:
        # another run opened the case between our read and our flush
        db.session.rollback()
        return None
    return case


def open_claimed(routed):
    """Open the cases of claimed requests, ``[(request, route), ...]``, in the current transaction.

    The cases and their timelines go to the database in one flush; then each
    is followed up in order. Commits; then dispatches the messages. Returns the cases.
    """
    making, opened, cases, outgoing = CaseMaking(), utcnow(), [], []
    for service_request, route in routed:
        case, routed_message = new_case(service_request, route, opened, making)
        cases.append(case)
        outgoing.append(routed_message)
    db.session.flush()
    outgoing += [follow_up(case) for case in cases]
    commit_keeping_state()
    messages.dispatch(*outgoing)
    return cases


def claim(request_ids, from_states=(TriageState.PENDING,)):
    """Move the requests still in ``from_states`` to done, in one statement; return the ids that moved.

    This conditional update is what makes triage idempotent: of two runs for
    one request, only one sees it move. Does not commit.
    """
    if not request_ids:
        return set()
    return set(db.session.scalars(
        update(ServiceRequest)
        .where(ServiceRequest.id.in_(request_ids), ServiceRequest.triage_state.in_(from_states))
        .values(triage_state=TriageState.DONE, triage_attempts=ServiceRequest.triage_attempts + 1, triage_error=None)
        .returning(ServiceRequest.id)
    ))


class CaseMaking:
    """What opening many cases in one go reads once: each queue's calendar, and each service's effort estimate."""

    def __init__(self):
        self.calendars = {}
        self.estimates = {}
        self.districts = None

    def calendar_of(self, queue):
        if queue.id not in self.calendars:
            self.calendars[queue.id] = queue_calendar(queue)
        return self.calendars[queue.id]

    def district_of(self, service_request):
        """The id of the first district (by name) the request lies in, or None; lists filter by it."""
        if self.districts is None:
            self.districts = rulebook.districts_for_lookup()
        facts = rulebook.facts_of(service_request)
        return next((district_id for district_id, district in self.districts if district.contains(facts)), None)

    def estimate(self, service_id):
        if service_id not in self.estimates:
            self.estimates[service_id] = estimate.estimate_minutes(service_id)
        return self.estimates[service_id]


def new_case(service_request, route, opened, making):
    """Add the case of a claimed request and its timeline; return ``(case, message to the citizen or None)``.

    Neither flushes nor commits, so a batch's cases go to the database in one
    statement; then ``follow_up`` each.
    """
    queue, priority, explanation = route.queue, route.priority, route.explanation
    service = service_request.service
    # SLA targets are business hours on the queue's calendar (the agency's unless the queue keeps its own)
    calendar = making.calendar_of(queue)
    own_target = {priority: route.resolution_hours} if route.resolution_hours else None
    case = Case(
        request=service_request,
        service=service,
        language=service_request.language,
        district_id=making.district_of(service_request),
        queue=queue,
        priority=priority,
        state=CaseState.TRIAGED,
        opened_at=opened,
        first_response_due_at=calendar.add_business_hours(opened, service.first_response_hours),
        resolution_due_at=calendar.add_business_hours(
            opened, targets.resolution_hours(service.resolution_hours, priority, own_target)),
        estimated_minutes=making.estimate(service.id),
        triage_explanation=explanation,
        tags=route.tags,
    )
    db.session.add(case)
    db.session.add(CaseEvent(
        case=case, kind="triaged", at=opened,
        message=f"Routed to {queue.name} with {priority} priority. " + " ".join(explanation),
        details={"queue_id": queue.id, "priority": str(priority), "explanation": explanation},
    ))
    routed_line, routed_details = public_wording.routed(queue.department.name)
    db.session.add(CaseEvent(case=case, kind="routed", public=True, at=opened, message=routed_line,
                             details=routed_details))
    # the request was claimed in this transaction, so this message cannot be queued already
    routed_message = messages.tell_citizen(
        service_request, "request_routed", "triage", unseen_key=True,
        service_name=service.translated("name", service_request.language),
        team=queue.department.translated("name", service_request.language), expected_by=case.resolution_due_at.isoformat(),
    )
    return case, routed_message


def follow_up(case):
    """Link a flushed new ``case`` to its likely original and assign it; return the message to the assignee or None.

    Does not commit. Cases of one batch are followed up in order, each seeing
    the ones before it (as possible originals, and in the caseworkers' load).
    """
    note_likely_duplicate(case, case.opened_at)
    return assign_automatically(case, case.opened_at)


def triage_batch(request_id, size):
    """Triage request ``request_id`` and up to ``size - 1`` other waiting requests in one transaction.

    The requests are locked with ``FOR UPDATE SKIP LOCKED``: workers side by
    side take different requests, and a request another worker holds is left
    to it. The others taken are fresh ones (never attempted), oldest first, so
    a request that failed once is only ever retried alone and cannot sink a
    batch. A request no rule routes stays pending for its own job (or the
    sweep) to retry and count. Returns the list of cases opened. Commits; then
    dispatches the messages. If anything unexpected fails, nothing of the
    batch is kept and ``request_id`` is triaged alone, as ``triage`` does.
    """
    own = db.session.scalars(
        db.select(ServiceRequest).where(ServiceRequest.id == request_id, ServiceRequest.triage_state == TriageState.PENDING)
        .with_for_update(skip_locked=True)
    ).all()
    others = db.session.scalars(
        db.select(ServiceRequest)
        .where(ServiceRequest.triage_state == TriageState.PENDING, ServiceRequest.triage_attempts == 0,
               ServiceRequest.id != request_id)
        .order_by(ServiceRequest.submitted_at).limit(size - 1).with_for_update(skip_locked=True)
    ).all() if size > 1 else []
    if not own and not others:
        db.session.rollback()
        raise_if_held_elsewhere(request_id)
        return []
    try:
        cases, unroutable = open_cases(own + others)
    except Exception:
        db.session.rollback()
        if not own:
            raise
        case = triage(request_id)  # alone, with its own error handling and retries
        return [case] if case is not None else []
    if request_id in unroutable:
        count_failed_attempt(request_id, unroutable[request_id])
        raise TriageFailed(unroutable[request_id])
    if not own:
        raise_if_held_elsewhere(request_id)
    return cases


class RequestHeldElsewhere(Exception):
    """Another transaction holds the request (a batch under way, or one whose worker just died); retry soon."""


def raise_if_held_elsewhere(request_id):
    """Raise ``RequestHeldElsewhere`` if the request is still pending though this job could not lock it.

    Usually another worker's batch has it and will finish it (the retry then
    finds it done); if that worker died, the retry is what triages it.
    """
    state = db.session.scalar(db.select(ServiceRequest.triage_state).where(ServiceRequest.id == request_id))
    db.session.rollback()
    if state == TriageState.PENDING:
        raise RequestHeldElsewhere(request_id)


def open_cases(requests):
    """Route and open cases for locked pending ``requests`` in one transaction. Commits.

    Returns ``(cases, unroutable)``: the cases opened, and ``{request id: reason}``
    for those no rule routes, which stay pending for their own job to count and retry.
    """
    rules, default_queues = rulebook.active_rules(), {}
    routes, unroutable = {}, {}
    for service_request in requests:
        try:
            routes[service_request.id] = rulebook.decide(service_request, rules, default_queues)
        except rulebook.NoRoute as error:
            unroutable[service_request.id] = str(error)
    claimed = claim(list(routes))
    cases = open_claimed([(r, routes[r.id]) for r in requests if r.id in claimed])
    return cases, unroutable


def note_likely_duplicate(case, at):
    """Link the case to an earlier open one it probably repeats, for a caseworker to confirm or reject."""
    link = duplicates.link_likely_duplicate(case)
    if link is not None:
        db.session.add(CaseEvent(
            case=case, kind="likely_duplicate", at=at,
            message=f"Probably the same problem as {link.original.request.reference} "
                    f"(score {link.score:.2f}: {link.reasons}).",
            details={"original_case_id": link.original.id, "score": link.score},
        ))


def assign_automatically(case, at):
    """Give the new case to someone if its queue assigns automatically; return the message to them or None."""
    assignee = assignment.choose_assignee(case.queue, case.request.language, on=at.date())
    if assignee is None:
        return None
    case.assignee = assignee
    enter_state(case, CaseState.ASSIGNED, "assigned", at=at,
                message=f"Assigned to {assignee.name} ({case.queue.assignment_mode.replace('_', ' ')} assignment).",
                details={"to_staff_id": assignee.id, "mode": case.queue.assignment_mode})
    db.session.flush()
    return messages.tell_staff(assignee, case, "case_assigned", "triage", service_name=case.request.service.name,
                               due_at=case.resolution_due_at.isoformat())


def count_failed_attempt(request_id, reason):
    """Record a failed triage attempt; after ``TRIAGE_MAX_ATTEMPTS`` the request waits for a person. Commits.

    Returns True when the request has been given up on (triage state failed):
    it leaves the sweep and shows on the supervisors' manual triage list.
    """
    limit = current_app.config.get("TRIAGE_MAX_ATTEMPTS", 5)
    db.session.execute(
        update(ServiceRequest)
        .where(ServiceRequest.id == request_id, ServiceRequest.triage_state == TriageState.PENDING)
        .values(triage_attempts=ServiceRequest.triage_attempts + 1, triage_error=reason[:2000])
    )
    gave_up = db.session.execute(
        update(ServiceRequest)
        .where(ServiceRequest.id == request_id, ServiceRequest.triage_state == TriageState.PENDING,
               ServiceRequest.triage_attempts >= limit)
        .values(triage_state=TriageState.FAILED)
    ).rowcount == 1
    db.session.commit()
    return gave_up


def needing_manual_triage(limit=200):
    """Requests automatic triage gave up on, oldest first."""
    return db.session.scalars(
        db.select(ServiceRequest).filter_by(triage_state=TriageState.FAILED)
        .order_by(ServiceRequest.submitted_at).limit(limit)
    ).all()


def pending_requests(older_than_seconds, limit=500):
    """Ids of requests pending triage whose job was never queued, or pending after ``older_than_seconds``; oldest first."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    return db.session.scalars(
        db.select(ServiceRequest.id)
        .where(ServiceRequest.triage_state == TriageState.PENDING,
               ServiceRequest.triage_wake_missed | (ServiceRequest.submitted_at < cutoff))
        .order_by(ServiceRequest.submitted_at)
        .limit(limit)
    ).all()


def note_missed_wake(request_id):
    """Mark a committed request whose triage job Redis could not take. Commits; never raises.

    If the database is away too, the mark is lost and the grace period covers the request.
    """
    try:
        db.session.execute(update(ServiceRequest).where(ServiceRequest.id == request_id,
                                                        ServiceRequest.triage_state == TriageState.PENDING)
                           .values(triage_wake_missed=True))
        db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        current_app.logger.warning("could not mark request %s for the sweep (%s)", request_id, type(error).__name__)


def clear_missed_wakes(request_ids):
    """The sweep queued these requests' jobs: they wait like any other now. Commits."""
    if request_ids:
        db.session.execute(update(ServiceRequest).where(ServiceRequest.id.in_(request_ids),
                                                        ServiceRequest.triage_wake_missed)
                           .values(triage_wake_missed=False))
        db.session.commit()


def given_up(request_id):
    """True when automatic triage has given up on the request."""
    return db.session.scalar(db.select(ServiceRequest.triage_state).filter_by(id=request_id)) == TriageState.FAILED


def triage_backlog():
    """How many requests wait for triage, and how long the oldest has waited (seconds)."""
    count, oldest = db.session.execute(
        db.select(db.func.count(ServiceRequest.id), db.func.min(ServiceRequest.submitted_at))
        .where(ServiceRequest.triage_state == TriageState.PENDING)
    ).one()
    return {"pending": count, "oldest_seconds": (utcnow() - oldest).total_seconds() if oldest else 0}
