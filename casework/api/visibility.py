"""Which cases an API caller sees: those of the queues they work (every queue for supervisors)."""
from casework.console import access, assignment, lists, related
from casework.models import Case
from core import audit
from core.extensions import db


class CaseRecord:
    """A case as its API answer shows it: its own columns, and the likely duplicates found for it."""

    def __init__(self, case):
        self._case = case

    def __getattr__(self, name):
        return getattr(self._case, name)

    @property
    def likely_duplicates(self):
        return related.likely_duplicates(self._case)


def case_record(case):
    return CaseRecord(case)


def visible_case(staff, case_id):
    """Case ``case_id`` if ``staff`` may work it; otherwise 404, as if it did not exist (the refusal is audited)."""
    from flask_smorest import abort

    case = db.session.get(Case, case_id)
    if case is not None and not access.can_work_queue(staff, case.queue):
        audit.record_now("access_refused", actor=staff, what=f"case {case_id}", via="api")
        case = None
    if case is None:
        abort(404, message=f"There is no case {case_id} in the queues you work.")
    return case


def workable_filter(staff, queue_ids, filters):
    """The console's ``CaseFilter`` for ``filters`` within the queues ``staff`` works; None when that is no queue."""
    if staff.has_role("supervisor"):
        chosen = tuple(queue_ids)
    else:
        mine = set(assignment.workable_queue_ids(staff))
        chosen = tuple(queue_id for queue_id in queue_ids if queue_id in mine) if queue_ids else tuple(sorted(mine))
        if not chosen:
            return None
    assignee = filters["assignee"]
    if assignee == "me":
        assignee = staff.id
    elif assignee not in (None, "nobody"):
        assignee = int(assignee)
    return lists.CaseFilter(
        queue_ids=chosen, states=tuple(filters["state"]), priorities=tuple(filters["priority"]),
        service_id=filters["service"], assignee=assignee, due=filters["due"], tag=filters["tag"],
        language=filters["language"], district_id=filters["district"], sort=filters["sort"])
