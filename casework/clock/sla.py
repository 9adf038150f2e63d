"""The SLA watch: warn the caseworker before a case breaches and when it does; the supervisors' digest."""
from datetime import timedelta

from flask import current_app

from casework import messages
from casework.clock.agency_time import agency_zone
from casework.models import OPEN_STATES, Case, CaseEvent, CaseState, Queue
from core.extensions import db
from core.accounts.models import Role, Staff
from core.timeutil import utcnow
from notifications import services as outbox

# waiting on the citizen pauses the clock, so no warnings then
WATCHED_STATES = tuple(state for state in OPEN_STATES if state != CaseState.WAITING_ON_CITIZEN)
BATCH = 500


def cases_to_flag(flag_column, due_before):
    """Open, watched cases due before ``due_before`` whose ``flag_column`` is still empty."""
    return db.session.scalars(
        db.select(Case)
        .where(Case.state.in_(WATCHED_STATES), Case.resolution_due_at < due_before, flag_column.is_(None))
        .order_by(Case.resolution_due_at)
        .limit(BATCH)
    ).all()


def flag(case, kind, now, text):
    """Add the SLA event and queue the assignee's message. Does not commit."""
    event = CaseEvent(case=case, kind=kind, at=now, message=text)
    db.session.add(event)
    db.session.flush()
    if case.assignee is None:
        return None
    return messages.tell_staff(case.assignee, case, kind, event.id, service_name=case.request.service.name,
                               due_at=case.resolution_due_at.isoformat())


def watch_deadlines(now=None):
    """Flag cases that are about to breach or have breached their resolution SLA.

    Each case is warned once per kind (``near_breach_flagged_at``,
    ``breach_flagged_at``); the assignee gets a message, unassigned cases show
    on the timeline and in the supervisors' digest. Commits; then dispatches.
    Returns ``(near, breached)`` counts.
    """
    now = now or utcnow()
    window = timedelta(hours=current_app.config.get("SLA_NEAR_BREACH_HOURS", 4))
    queued = []
    breached = cases_to_flag(Case.breach_flagged_at, now)
    for case in breached:
        case.breach_flagged_at = now
        case.near_breach_flagged_at = case.near_breach_flagged_at or now
        queued.append(flag(case, "case_breached", now, "The resolution date has passed."))
    near = cases_to_flag(Case.near_breach_flagged_at, now + window)
    for case in near:
        case.near_breach_flagged_at = now
        queued.append(flag(case, "case_near_breach", now, "The resolution date is near."))
    db.session.commit()
    messages.dispatch(*queued)
    return len(near), len(breached)


def backlog_by_queue(now):
    """Per queue: open cases, how many are breached, and the age of the oldest, in days."""
    rows = db.session.execute(
        db.select(
            Queue.name,
            db.func.count(Case.id),
            db.func.sum(db.case((Case.resolution_due_at < now, 1), else_=0)),
            db.func.min(Case.opened_at),
        )
        .join(Case, Case.queue_id == Queue.id)
        .where(Case.state.in_(OPEN_STATES))
        .group_by(Queue.name)
        .order_by(Queue.name)
    ).all()
    return [
        {"queue": name, "open": count, "breached": int(breached or 0),
         "oldest_days": (now - oldest).days if oldest else 0}
        for name, count, breached, oldest in rows
    ]


def send_supervisor_digest(now=None):
    """Send each supervisor one message a day summarising breaches and backlog per queue.

    Runs often; sends only once the agency's local time has reached
    ``DIGEST_HOUR``, once per local date (the date is in the dedupe key).
    Commits; then dispatches. Returns how many digests were queued.
    """
    now = now or utcnow()
    local = now.astimezone(agency_zone())
    if local.hour < current_app.config.get("DIGEST_HOUR", 7):
        return 0
    backlog = backlog_by_queue(now)
    lines = [f"- {row['queue']}: {row['open']} open, {row['breached']} past due, oldest {row['oldest_days']} days"
             for row in backlog] or ["- No open cases."]
    supervisors = db.session.scalars(
        db.select(Staff).where(Staff.active, Staff.role.in_([Role.SUPERVISOR, Role.ADMIN]))
    ).all()
    queued = [
        outbox.queue_message(
            dedupe_key=f"supervisor_digest:{local.date().isoformat()}:{supervisor.id}",
            recipient=supervisor.email, template="supervisor_digest", language="en",
            payload={"date": local.date().isoformat(), "backlog": "\n".join(lines),
                     "breached": sum(row["breached"] for row in backlog),
                     "open": sum(row["open"] for row in backlog)},
        )
        for supervisor in supervisors
    ]
    db.session.commit()
    messages.dispatch(*queued)
    return sum(1 for notification in queued if notification is not None)
