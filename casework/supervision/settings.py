"""What supervisors change about people and cases outside a rebalance: capacity, absences, pins. Each commits; audited."""
from casework.models import Absence
from core import audit
from core.extensions import db


def set_capacity(person, minutes, languages, by):
    """Set ``person``'s weekly capacity (minutes) and the languages they work in. Commits."""
    before = [person.capacity_minutes, person.languages]
    person.capacity_minutes = minutes
    person.languages = ",".join(languages)
    audit.record("capacity_changed", actor=by, target=person, before=before,
                 after=[person.capacity_minutes, person.languages])
    db.session.commit()


def remove_absence(person, absence_id, by):
    """Remove absence ``absence_id`` of ``person``; False when it is not theirs (nothing changes). Commits."""
    absence = db.session.get(Absence, absence_id)
    if absence is None or absence.staff_id != person.id:
        return False
    audit.record("absence_removed", actor=by, target=absence, staff_id=person.id)
    db.session.delete(absence)
    db.session.commit()
    return True


def set_pinned(case, pinned, by):
    """Pin ``case`` to its holder (the rebalance leaves it) or unpin it. Commits."""
    case.pinned = pinned
    audit.record("case_pinned" if pinned else "case_unpinned", actor=by, target=case)
    db.session.commit()
