"""Moving cases between people in one transaction: rebalance, absence cover, a supervisor's selection.

Each move is a timeline event with who, from whom, to whom and why (so the
case's version moves on); the people who gain or lose cases get one message
each, sent once the whole change is committed.
"""
from collections import defaultdict

from flask import current_app

from casework.models import Case, CaseState, Step
from casework.transitions import enter_state, holder_state
from core.extensions import db
from core.accounts.models import Staff
from core.timeutil import utcnow
from notifications import services as outbox

# why a case stays with its holder, in the words the plan and the board show
UNDER_WAY, WAITING, PINNED = "a step is under way", "waiting on the citizen", "pinned by a supervisor"


def under_way_case_ids(case_ids):
    """Cases among ``case_ids`` with a step started and not finished."""
    if not case_ids:
        return set()
    return set(db.session.scalars(db.select(Step.case_id).where(
        Step.case_id.in_(case_ids), Step.ended_at.is_(None), Step.started_at.is_not(None))))


def why_fixed(case, under_way):
    """Why ``case`` may not move (None: it may); ``under_way`` is the set from ``under_way_case_ids``."""
    return why_fixed_of(case.id, case.state, case.pinned, under_way)


def why_fixed_of(case_id, state, pinned, under_way):
    """``why_fixed`` from a case's columns, for callers that read columns rather than cases."""
    if case_id in under_way:
        return UNDER_WAY
    if state == CaseState.WAITING_ON_CITIZEN:
        return WAITING
    if pinned:
        return PINNED
    return None


def move_case(case, to, by, reason, now):
    """Give ``case`` to ``to`` (None: back to its queue). Adds the timeline event; does not commit."""
    before = case.assignee
    message = (f"Moved from {before.name if before else 'the queue'} to {to.name}." if to
               else f"Back to the {case.queue.name} queue from {before.name if before else 'nobody'}.")
    details = {"from_staff_id": case.assignee_id, "to_staff_id": to.id if to else None, "reason": reason,
               "via": "supervision"}
    case.assignee = to
    enter_state(case, holder_state(case, to is not None), "assigned" if to else "released", actor=by, at=now,
                message=message + (f" {reason}" if reason else ""), details=details)


def tell_everyone(moved, by, reason):
    """Queue one message to each person who gained and each who lost cases; return them. Does not commit.

    ``moved`` is ``[(case, from_staff or None, to_staff or None)]``.
    """
    gained, lost = defaultdict(list), defaultdict(list)
    for case, before, after in moved:
        if after is not None:
            gained[after.id].append(case.request.reference)
        if before is not None:
            lost[before.id].append(case.request.reference)
    occasion = utcnow().strftime("%Y%m%dT%H%M%S%f")
    url = current_app.config["PUBLIC_URL"].rstrip("/") + "/console/"
    notes = []
    for event, by_person in (("cases_given", gained), ("cases_taken", lost)):
        for staff_id, references in sorted(by_person.items()):
            person = db.session.get(Staff, staff_id)
            if person.id == by.id:
                continue
            notes.append(outbox.queue_message(
                dedupe_key=f"{event}:{person.id}:{occasion}", recipient=person.email, template=event, language="en",
                payload={"count": len(references), "references": ", ".join(sorted(references)),
                         "reason": reason or "", "by": by.name, "console_url": url}, unseen_key=True))
    return notes


def dispatch(notes):
    for note in notes:
        if note is not None:
            outbox.dispatch(note)


def cases_of(staff_id):
    """Open cases ``staff_id`` holds, by id."""
    return db.session.scalars(db.select(Case).where(Case.assignee_id == staff_id, Case.closed_at.is_(None))
                              .order_by(Case.id)).all()
