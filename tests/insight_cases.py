"""Resolved cases written as the console would have left them, at chosen times, for the blueprint's tests."""
from datetime import timedelta

from casework.desk.models import Contact
from casework.models import Case, CaseEvent, CaseState, Step, StepType
from core.extensions import db
from intake.models import ServiceRequest, TriageState
from tests.factories import make_city


def insight_city():
    """``make_city()`` with the ids of the pothole's two step types (inspect, then schedule) on it."""
    city = make_city()
    inspect, schedule = db.session.scalars(db.select(StepType).order_by(StepType.position)).all()
    city.inspect_id, city.schedule_id = inspect.id, schedule.id
    return city


def history(city, submitted, *, inspect=None, schedule=None, resolved_after, worker=None, due_after=72,
            friction=None, reason=None, service=None, queue=None, channel="web", contact_minutes=None):
    """A case (a pothole in road repairs unless said) resolved ``resolved_after`` hours after ``submitted``;
    steps as (hours after, minutes); a request taken at the desk (``channel``) with the agent's
    ``contact_minutes``."""
    worker = worker or city.caseworker
    service, queue = service or city.pothole, queue or city.roads_queue
    request = ServiceRequest(service_id=service.id, description="Pothole", address="1 High Street",
                             triage_state=TriageState.DONE, submitted_at=submitted, language="en", channel=channel)
    if contact_minutes is not None:
        db.session.add(Contact(request=request, staff_id=worker.id, channel=channel, minutes=contact_minutes,
                               at=submitted))
    resolved = submitted + timedelta(hours=resolved_after)
    case = Case(request=request, service_id=service.id, queue_id=queue.id, state=CaseState.TRIAGED,
                opened_at=submitted + timedelta(hours=1), assignee_id=worker.id,
                resolution_due_at=submitted + timedelta(hours=due_after))
    db.session.add_all([request, case])
    for step_type_id, step in ((city.inspect_id, inspect), (city.schedule_id, schedule)):
        if step:
            hours, minutes = step
            db.session.add(Step(case=case, step_type_id=step_type_id, staff_id=worker.id, effort_minutes=minutes,
                                ended_at=submitted + timedelta(hours=hours), friction=friction,
                                friction_reason=reason if friction and friction >= 4 else None))
    db.session.add(Step(case=case, staff_id=worker.id, effort_minutes=5, ended_at=resolved, note="Resolved"))
    case.state, case.resolved_at = CaseState.RESOLVED, resolved
    case.closed_at = resolved
    db.session.add(CaseEvent(case=case, kind="resolved", at=resolved, details={"from": "in_progress",
                                                                               "to": "resolved"}))
    db.session.commit()
    return case
