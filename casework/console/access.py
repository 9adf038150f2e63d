"""Who may see and work which case: every casework route asks here."""
from flask import abort

from casework.models import Case, Queue
from core.auth import refuse
from core.extensions import db


def can_work_queue(staff, queue):
    """Supervisors and admins work every queue; caseworkers only their own."""
    return staff.has_role("supervisor") or any(member.id == staff.id for member in queue.members)


def queue_for(staff, queue_id):
    """Return queue ``queue_id`` if ``staff`` may work it; 404 if missing, 403 if not theirs."""
    queue = db.session.get(Queue, queue_id) or abort(404)
    if not can_work_queue(staff, queue):
        refuse(f"queue {queue_id}", f"You do not work the {queue.name} queue, so you cannot see its cases. "
                                    "If you should, ask a supervisor to add you to it.")
    return queue


def case_for(staff, case_id):
    """Return case ``case_id`` if ``staff`` may work it; 404 if missing, 403 if not theirs."""
    case = db.session.get(Case, case_id) or abort(404)
    if not can_work_queue(staff, case.queue):
        refuse(f"case {case_id}", "This case is in a queue you do not work, so you cannot open it. Ask a supervisor "
                                  "to add you to its queue, or to move the case to one of yours.")
    return case
