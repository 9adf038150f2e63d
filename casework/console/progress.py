"""The citizen's view of a case, given to intake's tracking page."""
from flask_babel import lazy_gettext as _
from sqlalchemy import false

from casework import public_wording
from casework.console import citizen_input
from casework.models import OPEN_STATES, Case, CaseEvent, CaseState
from core.extensions import db
from core.i18n import current_language
from intake.models import Department, ServiceRequest
from intake.tracking import Progress, TimelineEntry

# what the citizen reads, in their language (lazy: translated when shown)
STATUS_LABELS = {
    CaseState.NEW: _("Received"),
    CaseState.TRIAGED: _("With the team"),
    CaseState.ASSIGNED: _("With the team"),
    CaseState.IN_PROGRESS: _("In progress"),
    CaseState.WAITING_ON_CITIZEN: _("Waiting for your reply"),
    CaseState.RESOLVED: _("Resolved"),
    CaseState.CLOSED: _("Closed"),
}

EVENT_TITLES = {
    "routed": _("Sent to the team"),
    "public_reply": _("Update from the team"),
    "information_requested": _("We asked you for more information"),
    "citizen_answered": _("You answered"),
    "resolved": _("Resolved"),
    "reopened": _("Reopened"),
    "reopened_by_citizen": _("Reopened because you told us it is not fixed"),
    "merged": _("Joined to an earlier report of the same problem"),
    "partner_update": _("Update from our partner"),
}


def citizen_progress(service_request):
    """Return the ``Progress`` of ``service_request``, or None before triage has run."""
    case = db.session.scalar(db.select(Case).filter_by(request_id=service_request.id))
    if case is None:
        return None
    events = db.session.scalars(
        db.select(CaseEvent).filter_by(case_id=case.id, public=True).order_by(CaseEvent.id)
    ).all()
    if case.duplicate_of_id is not None and case.state == CaseState.CLOSED:
        # a merged report follows the earlier one it was merged into
        case = db.session.get(Case, case.duplicate_of_id)
    waiting = case.state == CaseState.WAITING_ON_CITIZEN
    question = next((e.message for e in reversed(events) if e.kind == "information_requested"), None)
    resolutions = sum(1 for e in events if e.kind == "resolved")
    language = current_language()
    team_names = {department.name: department.translated("name", language)
                  for department in db.session.scalars(db.select(Department))}
    return Progress(
        question=question if waiting else None,
        resolution=resolutions if not case.is_open and resolutions else None,
        closed=not case.is_open,
        status=STATUS_LABELS[CaseState(case.state)],
        team=case.queue.department.translated("name", language),
        expected_by=case.resolution_due_at if case.is_open else None,
        timeline=[TimelineEntry(at=e.at, title=EVENT_TITLES.get(e.kind, _("Update")),
                                message=public_wording.for_citizen(e, team_names)) for e in events],
    )


def take_citizen_feedback(request_id, feedback):
    """Feedback handler for intake: put it on the case; "not fixed" reopens it. Commits."""
    citizen_input.record_citizen_feedback(request_id, feedback.fixed, feedback.comment,
                                     feedback.satisfaction)


def take_citizen_answer(request_id, answer, details=None):
    """Answer handler for intake: True when the answer landed on the request's case."""
    return citizen_input.record_citizen_answer(request_id, answer, details) is not None


def updates_between(start, end, request_ids, limit):
    """Public timeline events between ``start`` and ``end`` as Open311 updates, oldest first."""
    query = (
        db.select(CaseEvent, Case.state, Case.request_id)
        .join(Case, CaseEvent.case_id == Case.id)
        .where(CaseEvent.public, CaseEvent.at >= start, CaseEvent.at <= end)
        .order_by(CaseEvent.at, CaseEvent.id)
        .limit(limit)
    )
    if request_ids is not None:
        query = query.where(Case.request_id.in_(request_ids))
    return [
        {"update_id": str(event.id), "request_id": request_id, "at": event.at,
         "status": "open" if state in OPEN_STATES else "closed",
         "title": str(EVENT_TITLES.get(event.kind, _("Update"))), "message": event.message}
        for event, state, request_id in db.session.execute(query)
    ]


def take_partner_update(request_id, text, source_name):
    """Update handler for intake: a partner's note on the case. True when it landed."""
    return citizen_input.record_partner_update(request_id, text, source_name) is not None


def narrow_by_status(query, statuses):
    """Keep requests whose Open311 status is in ``statuses``: "closed" when their case is resolved or closed,
    "open" otherwise (not yet triaged included). In SQL, so paging counts the filtered rows."""
    closed = db.exists().where(Case.request_id == ServiceRequest.id, Case.state.not_in(OPEN_STATES))
    wanted = set(statuses) & {"open", "closed"}
    if wanted == {"open", "closed"}:
        return query
    if wanted == {"closed"}:
        return query.where(closed)
    if wanted == {"open"}:
        return query.where(~closed)
    return query.where(false())
