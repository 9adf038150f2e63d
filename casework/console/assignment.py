"""Who holds a case: taking, giving, releasing, and the next case from a caseworker's queues."""
from casework import messages
from casework.errors import ActionRefused, NotPermitted
from casework.lookups import staff_member
from casework.models import OPEN, Case, CaseState, Queue
from casework.transitions import enter_state, holder_state
from core.extensions import db
from core.timeutil import utcnow


def take_if_unassigned(case, by):
    """Assign ``case`` to ``by`` when nobody holds it; adds an event. Does not commit."""
    if case.assignee_id is None:
        case.assignee = by
        enter_state(case, CaseState.ASSIGNED, "assigned", actor=by, message=f"Assigned to {by.name}.",
                    details={"from_staff_id": None, "to_staff_id": by.id})


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


def assignable_staff(case):
    """Return the active members of the case's queue, by name."""
    return sorted((member for member in case.queue.members if member.active), key=lambda member: member.name)
