"""Changes staff make to a case's handling: priority, queue, internal notes, merging; and stale-form checks.

Every change writes a timeline event with what it was before and after.
A form carries the case's ``version``; ``check_fresh`` refuses a form drawn
from an older version, saying what changed since, so nobody overwrites a
colleague's work without seeing it.
"""
from casework import messages, public_wording
from casework.clock import targets
from casework.clock.calendar_settings import queue_calendar
from casework.console.access import can_work_queue
from casework.errors import ActionRefused
from casework.transitions import enter_state, holder_state
from casework.agency_setup import RoutingRule
from casework.models import Case, CaseEvent, CaseState, DuplicateLink, DuplicateStatus, Priority, Queue
from core.extensions import db
from core.timeutil import utcnow
from intake.models import ServiceRequest


class StaleCase(ActionRefused):
    """The form was drawn from an older version of the case; ``changes`` are the events since."""

    def __init__(self, changes):
        super().__init__("Someone changed this case after you opened it, so nothing was saved. "
                         "Check what changed below, then send your change again.")
        self.changes = changes


def check_fresh(case, version, seen_event_id=0):
    """Raise ``StaleCase`` unless ``version`` is the case's current version."""
    if version == case.version:
        return
    changes = db.session.scalars(
        db.select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.id > (seen_event_id or 0))
        .order_by(CaseEvent.id)
    ).all()
    raise StaleCase(changes)


def resolution_target(case, queue, priority):
    """Business hours to resolve ``case`` in ``queue`` at ``priority`` (``casework.clock.targets``).

    A routing rule's own target for that queue and a priority counts (the first rule by position).
    """
    rows = db.session.execute(
        db.select(RoutingRule.priority, RoutingRule.resolution_hours)
        .where(RoutingRule.active, RoutingRule.queue_id == queue.id, RoutingRule.resolution_hours.is_not(None),
               (RoutingRule.service_id == case.service_id) | RoutingRule.service_id.is_(None))
        .order_by(RoutingRule.position.desc(), RoutingRule.id.desc())
    ).all()
    own_targets = {row.priority: row.resolution_hours for row in rows}  # the first rule is read last and wins
    return targets.resolution_hours(case.service.resolution_hours, priority, own_targets)


def paused_hours(case):
    """Business hours the SLA clock has stood still while the case waited on the citizen."""
    events = db.session.scalars(db.select(CaseEvent.details).filter_by(case_id=case.id, kind="sla_resumed")).all()
    return sum(details.get("paused_business_hours", 0) for details in events)


def recompute_due(case, queue, priority):
    """Set the resolution date from the target for ``queue`` and ``priority`` on its calendar, keeping paused time.

    Does not commit.
    """
    calendar = queue_calendar(queue)
    hours = resolution_target(case, queue, priority) + paused_hours(case)
    case.resolution_due_at = calendar.add_business_hours(case.opened_at, hours)
    if case.breach_flagged_at is None:
        case.near_breach_flagged_at = None


def change_priority(case, by, priority, reason=None):
    """Set ``case``'s priority; due dates are recomputed. Commits. Raises ``ActionRefused`` on a closed case."""
    if not case.is_open:
        raise ActionRefused("This case is resolved; its priority no longer matters.")
    if case.priority == priority:
        raise ActionRefused(f"The case already has {priority} priority.")
    before, due_before = case.priority, case.resolution_due_at
    case.priority = Priority(priority)
    recompute_due(case, case.queue, priority)
    db.session.add(CaseEvent(
        case=case, actor=by, kind="priority_changed", at=utcnow(),
        message=f"Priority {before} to {priority}." + (f" {reason}" if reason else ""),
        details={"from": str(before), "to": str(priority), "reason": reason,
                 "due_before": due_before.isoformat() if due_before else None,
                 "due_after": case.resolution_due_at.isoformat()},
    ))
    db.session.commit()
    return case


def change_queue(case, by, queue_id, reason=None):
    """Move ``case`` to queue ``queue_id``; due dates recomputed; an assignee outside it lets go. Commits.

    Raises ``ActionRefused`` for a closed case, the same queue or no such queue.
    """
    if not case.is_open:
        raise ActionRefused("This case is resolved; it stays where it was resolved.")
    queue = db.session.get(Queue, queue_id)
    if queue is None:
        raise ActionRefused("Choose a queue from the list.")
    if queue.id == case.queue_id:
        raise ActionRefused(f"The case is already in {queue.name}.")
    before = case.queue
    details = {"from_queue_id": before.id, "to_queue_id": queue.id, "reason": reason}
    case.queue = queue
    state = case.state
    if case.assignee is not None and not any(member.id == case.assignee_id for member in queue.members):
        details["released_staff_id"] = case.assignee_id
        case.assignee = None
        state = holder_state(case, False)
    recompute_due(case, queue, case.priority)
    details["due_after"] = case.resolution_due_at.isoformat()
    enter_state(case, state, "queue_changed", actor=by, at=utcnow(), details=details,
                message=f"Moved from {before.name} to {queue.name}." + (f" {reason}" if reason else ""))
    db.session.commit()
    return case


def add_note(case, by, text):
    """An internal note on the timeline: staff see it, the citizen never does. Commits."""
    event = CaseEvent(case=case, actor=by, kind="note", public=False, at=utcnow(), message=text)
    db.session.add(event)
    db.session.commit()
    return event


def case_by_reference(reference):
    return db.session.scalar(
        db.select(Case).join(ServiceRequest, Case.request_id == ServiceRequest.id)
        .where(ServiceRequest.reference == reference.strip().upper())
    )


def merge_by_reference(case, by, reference):
    """Merge ``case`` into the case with ``reference``, which ``by`` must be able to see (else: no such case)."""
    original = case_by_reference(reference.replace(" ", ""))
    if original is not None and not can_work_queue(by, original.queue):
        original = None  # a case the caseworker may not see does not exist for them
    return merge_into(case, original, by)


def merge_into(case, original, by):
    """Close ``case`` as a duplicate of ``original``; its citizen hears the original's outcome. Commits; then dispatches.

    Raises ``ActionRefused`` unless both are open and different.
    """
    if original is None:
        raise ActionRefused("There is no case with that reference.")
    if original.id == case.id:
        raise ActionRefused("A case cannot be merged into itself.")
    if not original.is_open or not case.is_open:
        raise ActionRefused("Only two open cases can be merged.")
    now = utcnow()
    link = db.session.scalar(db.select(DuplicateLink).filter_by(case_id=case.id, original_id=original.id))
    if link is None:
        link = DuplicateLink(case=case, original=original, score=1.0, reasons="merged by staff")
        db.session.add(link)
    link.status, link.decided_by, link.decided_at = DuplicateStatus.CONFIRMED, by, now
    case.duplicate_of_id = original.id
    event = enter_state(case, CaseState.CLOSED, "merged", actor=by, public=True, at=now, message=public_wording.MERGED,
                        details={"original_case_id": original.id})
    db.session.add(CaseEvent(case=original, actor=by, kind="duplicate_merged", at=now,
                             message=f"{case.request.reference} was merged into this case; its citizen will hear the outcome."))
    db.session.flush()
    notification = messages.tell_citizen(case.request, "update_posted", event.id,
                                         message=public_wording.in_language(public_wording.MERGED, case.request.language))
    db.session.commit()
    messages.dispatch(notification)
    return case


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
