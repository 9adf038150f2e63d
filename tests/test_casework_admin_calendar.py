"""Admins keep the agency calendar in the console; new cases' due dates count in it at once."""
from datetime import datetime, timezone

import pytest

from casework.clock.calendar_settings import agency_calendar
from casework.models import Case
from core.extensions import db
from core.models import AuditEvent
from intake.models import ServiceRequest
from tests.conftest import csrf_token_from

URL = "/admin/calendar/"


def save(client, **values):
    page = client.get(URL)
    fields = {"hours": "mon-fri 08:00-17:00", "holidays_country": "", "holidays_subdivision": "", "closures": ""}
    return client.post(URL, data={"csrf_token": csrf_token_from(page.text), **fields, **values})


def test_a_closure_saved_by_an_admin_moves_the_due_date_of_the_next_case(app, client, city, login_as):
    login_as(city.admin)
    page = client.get(URL)
    assert "every hour of every day" in page.text  # the tests' AGENCY_HOURS=always, until an admin sets one
    saved = save(client, hours="mon-fri 09:00-17:00", holidays_country="us", closures="2030-01-03 2030-01-02")
    assert saved.status_code == 303
    page = client.get(URL)
    assert "Calendar saved" in page.text and 'value="US"' in page.text and "2030-01-02 2030-01-03" in page.text
    with app.app_context():
        calendar = agency_calendar()
        # Tue 2030-01-01 is New Year's Day, then two closed days: 8 business hours from Tuesday morning
        start = datetime(2030, 1, 1, 9, tzinfo=timezone.utc)
        assert calendar.add_business_hours(start, 8) == datetime(2030, 1, 4, 17, tzinfo=timezone.utc)
        assert db.session.scalar(db.select(AuditEvent).filter_by(action="agency_calendar_saved")).actor_id == city.admin.id


def test_new_cases_take_their_due_dates_from_the_saved_calendar(app, client, city, login_as):
    from casework.triage.engine import triage
    login_as(city.admin)
    # closed every day but one weekday, in a year of no interest: a 72-hour target takes weeks
    save(client, hours="wed 09:00-10:00")
    with app.app_context():
        service_request = ServiceRequest(service_id=city.pothole.id, description="Pothole", address="1 Road",
                                         contact_email="a@example.org")
        db.session.add(service_request)
        db.session.commit()
        triage(service_request.id)
        case = db.session.scalar(db.select(Case))
        # the pothole's 72-hour target at one hour a week: 71 weeks and a bit
        assert (case.resolution_due_at - case.opened_at).days >= 70 * 7


@pytest.mark.parametrize("values, field_message", [
    ({"hours": "weekdays 9 to 5"}, "Cannot read opening hours"),
    ({"hours": ""}, "Enter the opening hours"),
    ({"holidays_country": "XX"}, "There are no public holidays for"),
    ({"closures": "2030-01-02 next-tuesday"}, "is not a date"),
    ({"closures": "2030-01-02 " * 3000}, "Keep this to 20,000 characters"),
])
def test_a_calendar_that_cannot_work_is_refused_beside_its_field_and_nothing_changes(app, client, city, login_as,
                                                                                   values, field_message):
    login_as(city.admin)
    response = save(client, **values)
    assert response.status_code == 400 and field_message in response.text and "There is a problem" in response.text
    with app.app_context():
        assert agency_calendar().always_open  # still the deployment's setting


def test_caseworkers_and_supervisors_cannot_change_the_calendar(client, city, login_as):
    login_as(city.supervisor)
    assert client.get(URL).status_code == 403
