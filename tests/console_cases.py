"""Making many open cases quickly for console tests, without going through triage."""
from datetime import timedelta

from casework.models import Case, CaseState, Priority
from core.extensions import db
from core.timeutil import utcnow
from intake.models import ServiceRequest, TriageState


def open_cases(queue, service, n, *, start=None, spacing=timedelta(hours=1), priority=Priority.NORMAL,
               assignee=None, state=None, language="en", description="Pothole outside the school",
               address="12 High Street", email=None, tags=(), district=None):
    """``n`` open cases in ``queue``, due ``spacing`` apart from ``start``; returns their ids, soonest due first."""
    start = start or utcnow() + timedelta(days=1)
    cases = []
    for number in range(n):
        opened = utcnow() - timedelta(hours=n - number)
        service_request = ServiceRequest(
            service_id=service.id, description=description, address=address, contact_email=email,
            language=language, triage_state=TriageState.DONE, submitted_at=opened,
        )
        case = Case(
            request=service_request, service_id=service.id, language=language, queue_id=queue.id,
            priority=priority, opened_at=opened, resolution_due_at=start + spacing * number,
            first_response_due_at=start, tags=list(tags), district_id=district.id if district else None,
            state=state or (CaseState.ASSIGNED if assignee else CaseState.TRIAGED),
            assignee_id=assignee.id if assignee else None,
        )
        db.session.add_all([service_request, case])
        cases.append(case)
    db.session.commit()
    return [case.id for case in cases]


def case_with_a_hard_step(city):
    """A pothole case triaged into the roads queue and held by the city's caseworker, whose "Inspect the site"
    step they rated hard (5, missing information). Commits; returns the case's id. Call in an app context."""
    from casework.console import case_actions
    from casework.models import StepType
    from casework.triage.engine import triage
    from core.accounts.models import Staff

    request = ServiceRequest(service_id=city.pothole.id, description="Pothole", address="1 High Street")
    db.session.add(request)
    db.session.commit()
    case = triage(request.id)
    case.assignee_id, case.queue_id = city.caseworker.id, city.roads_queue.id
    db.session.commit()
    inspect = db.session.scalar(db.select(StepType).filter_by(service_id=city.pothole.id, name="Inspect the site"))
    case_actions.record_step(case, db.session.get(Staff, city.caseworker.id), 30, step_type_id=inspect.id,
                             friction=5, friction_reason="missing_information")
    return case.id
