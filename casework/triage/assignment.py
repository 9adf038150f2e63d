"""Auto-assignment: who in a queue takes a new case, by the queue's mode."""
from datetime import date

from casework.models import OPEN, Absence, AssignmentMode, Case
from core.extensions import db


def absent_ids(staff_ids, on):
    """Ids among ``staff_ids`` with an absence covering the day ``on``."""
    if not staff_ids:
        return set()
    return set(db.session.scalars(
        db.select(Absence.staff_id).where(Absence.staff_id.in_(staff_ids), Absence.starts_on <= on, Absence.ends_on >= on)
    ))


def remaining_minutes(staff_ids):
    """Estimated minutes of open work each of ``staff_ids`` holds (estimate less effort spent, never below 0)."""
    rows = db.session.execute(
        db.select(Case.assignee_id, Case.estimated_minutes, Case.spent_minutes)
        .where(Case.assignee_id.in_(staff_ids), OPEN)
    ).all()
    load = dict.fromkeys(staff_ids, 0)
    for assignee_id, estimate, spent_minutes in rows:
        load[assignee_id] += max(estimate - spent_minutes, 0)
    return load


def candidates(queue, language, on):
    """Active, present members of ``queue``; those who speak ``language`` if any do."""
    members = [member for member in queue.members if member.active]
    away = absent_ids([member.id for member in members], on)
    present = [member for member in members if member.id not in away]
    speakers = [member for member in present if language in member.spoken_languages]
    return speakers or present


def choose_assignee(queue, language, on=None):
    """Return who should take a new case in ``queue`` for a citizen speaking ``language``, or None.

    None when the queue's mode is "none" or nobody is available. Round-robin
    updates ``queue.last_assigned_id`` (the caller commits).
    """
    if queue.assignment_mode == AssignmentMode.NONE:
        return None
    available = sorted(candidates(queue, language, on or date.today()), key=lambda member: member.id)
    if not available:
        return None
    if queue.assignment_mode == AssignmentMode.ROUND_ROBIN:
        later = [member for member in available if queue.last_assigned_id is None or member.id > queue.last_assigned_id]
        chosen = (later or available)[0]
        queue.last_assigned_id = chosen.id
        return chosen
    load = remaining_minutes([member.id for member in available])
    # utilisation, not raw minutes: a part-timer with half the capacity takes half the work
    return min(available, key=lambda member: (load[member.id] / max(member.capacity_minutes, 1), member.id))
