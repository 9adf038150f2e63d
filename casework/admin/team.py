"""Who works which queue, and who is away: the admin's side of the team."""
from datetime import date

from casework.clock.calendar_settings import CalendarProblem, check_queue_hours
from casework.errors import ActionRefused
from casework.models import Absence
from core import audit
from core.extensions import db
from core.accounts.models import Staff


def staff_directory():
    """Return every staff account, by role then name."""
    return db.session.scalars(db.select(Staff).order_by(Staff.role, Staff.name)).all()


def configure_queue(queue, assignment_mode, member_ids, by, hours=None):
    """Set how ``queue`` hands out cases, who works it and the opening hours its clocks count. Commits; audited.

    ``hours`` None keeps the agency's. Cases already open keep their due dates; new and moved ones count on these.
    Raises ``ActionRefused`` for unknown members or hours that cannot be read.
    """
    members = db.session.scalars(db.select(Staff).where(Staff.id.in_(member_ids))).all() if member_ids else []
    if len(members) != len(set(member_ids)):
        raise ActionRefused("Choose members from the list.")
    if hours:
        try:
            check_queue_hours(hours)
        except CalendarProblem as problem:
            raise ActionRefused(str(problem)) from None
    queue.assignment_mode = assignment_mode
    queue.members = list(members)
    queue.hours = hours.strip().lower() if hours else None
    audit.record("queue_configured", actor=by, target=queue, assignment_mode=assignment_mode,
                 member_ids=sorted(member.id for member in members), hours=queue.hours)
    db.session.commit()


def upcoming_absences():
    """Absences that have not ended yet, soonest first."""
    return db.session.scalars(
        db.select(Absence).where(Absence.ends_on >= date.today()).order_by(Absence.starts_on)
    ).all()


def add_absence(staff_id, starts_on, ends_on, note, by):
    """Record that ``staff_id`` is away from ``starts_on`` to ``ends_on``. Commits; audited."""
    staff = db.session.get(Staff, staff_id)
    if staff is None or not staff.active:
        raise ActionRefused("Choose who is away from the list.")
    absence = Absence(staff=staff, starts_on=starts_on, ends_on=ends_on, note=note)
    db.session.add(absence)
    db.session.flush()
    audit.record("absence_added", actor=by, target=absence, staff_id=staff.id)
    db.session.commit()
    return absence
