"""Due dates count the agency's opening hours; waiting on the citizen stops the clock; estimates learn."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from casework.clock import sla
from casework.console import case_actions, citizen_input
from casework.triage.estimate import estimate_minutes
from casework.models import Case, CaseState, Step
from casework.triage.engine import triage
from core.extensions import db
from core.accounts.models import Staff
from intake.models import ServiceRequest
from tests.factories import make_city

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def city(app):
    app.config.update(AGENCY_TIMEZONE="America/New_York", AGENCY_HOURS="mon-fri 09:00-17:00",
                      AGENCY_HOLIDAYS_COUNTRY="US")
    with app.app_context():
        return make_city()


def new_case(city, description="Pothole on the ring road"):
    service_request = ServiceRequest(service_id=city.pothole.id, description=description, address="Ring Road",
                                     contact_email="ana@example.org")
    db.session.add(service_request)
    db.session.commit()
    return triage(service_request.id)


def test_due_dates_count_opening_hours_only(app, city):
    with app.app_context():
        case = new_case(city)
        opened = case.opened_at
        # the pothole service promises a first response in 24 and a resolution in 72 business hours
        from casework.clock.calendar_settings import agency_calendar
        calendar = agency_calendar()
        assert calendar.business_hours_between(opened, case.first_response_due_at) == pytest.approx(24)
        assert calendar.business_hours_between(opened, case.resolution_due_at) == pytest.approx(72)
        # 72 opening hours of 8 a day is nine working days, which always straddle a weekend: opened
        # Monday before 09:00, it is due Thursday of the next week at 17:00, over ten calendar days away
        assert case.resolution_due_at - opened >= timedelta(days=10)
        local_due = case.resolution_due_at.astimezone(NEW_YORK)
        assert local_due.weekday() < 5 and 9 <= local_due.hour <= 17


def test_waiting_on_the_citizen_stops_the_clock_and_the_answer_moves_the_due_date(app, city, monkeypatch):
    with app.app_context():
        case = new_case(city)
        worker = db.session.get(Staff, city.caseworker.id)
        # Monday 10am: the caseworker asks; the citizen answers on Thursday at 10am (three business days)
        asked = datetime(2026, 11, 16, 10, 0, tzinfo=NEW_YORK)
        answered = datetime(2026, 11, 19, 10, 0, tzinfo=NEW_YORK)
        due_before = case.resolution_due_at
        monkeypatch.setattr(case_actions, "utcnow", lambda: asked)
        case_actions.request_information(case, by=worker, question="Which side of the road?", effort_minutes=2)
        assert db.session.get(Case, case.id).sla_paused_at == asked

        # a watch run while paused, even far past the old date, raises nothing
        assert sla.watch_deadlines(now=due_before + timedelta(days=3)) == (0, 0)

        monkeypatch.setattr(citizen_input, "utcnow", lambda: answered)
        citizen_input.record_citizen_answer(case.request_id, "The north side.")
        case = db.session.get(Case, case.id)
        assert case.state == CaseState.IN_PROGRESS and case.sla_paused_at is None
        from casework.clock.calendar_settings import agency_calendar
        assert agency_calendar().business_hours_between(due_before, case.resolution_due_at) == pytest.approx(24)
        assert any(e.kind == "sla_resumed" and "24.0 business hours" in e.message for e in case.events)


def test_the_case_page_says_the_clock_is_paused(app, client, city, login_as):
    with app.app_context():
        case = new_case(city)
        case_actions.request_information(case, by=db.session.get(Staff, city.caseworker.id),
                                     question="Which side of the road?", effort_minutes=2)
        case_id = case.id
    login_as(city.caseworker)
    page = client.get(f"/console/cases/{case_id}")
    assert "clock paused" in page.text and "while waiting for the citizen" in page.text


def test_the_estimate_follows_measured_effort_once_enough_cases_have_closed(app, city):
    app.config["ESTIMATE_MIN_SAMPLES"] = 5
    with app.app_context():
        assert estimate_minutes(city.pothole.id) == 30  # the standard: 20 + 10 minutes of steps
        worker = db.session.get(Staff, city.caseworker.id)
        for effort in (40, 50, 60, 70):
            case = new_case(city, description=f"Pothole {effort}")
            case_actions.record_step(case, worker, effort_minutes=effort - 10)
            case_actions.resolve_case(case, by=worker, public_note="Done.", effort_minutes=10)
        assert estimate_minutes(city.pothole.id) == 30  # four closed cases are not enough yet
        case = new_case(city, description="Pothole 500")
        case_actions.resolve_case(case, by=worker, public_note="Done.", effort_minutes=500)
        assert estimate_minutes(city.pothole.id) == 60  # the median, not thrown off by the 500-minute one
        assert new_case(city, description="Another one").estimated_minutes == 60
        assert db.session.scalar(db.select(db.func.count(Step.id))) > 0


def test_an_emergency_queue_open_around_the_clock_counts_every_hour(app, city, monkeypatch):
    """An urgent sinkhole reported on a Saturday evening is due the same weekend, not on Wednesday afternoon."""
    from casework.triage import engine

    saturday_evening = datetime(2026, 11, 21, 19, 0, tzinfo=NEW_YORK)
    monkeypatch.setattr(engine, "utcnow", lambda: saturday_evening)
    with app.app_context():
        db.session.get(type(city.urgent_queue), city.urgent_queue.id).hours = "always"
        db.session.commit()
        sinkhole = new_case(city, "A sinkhole has opened by the bus stop")
        ordinary = new_case(city, "Pothole on the ring road")
        assert sinkhole.queue_id == city.urgent_queue.id and sinkhole.priority == "urgent"
        # urgent is a quarter of the service's 72 hours, counted on the clock: Sunday 1 pm
        assert sinkhole.resolution_due_at == saturday_evening + timedelta(hours=18)
        # the ordinary pothole's queue keeps the agency's office hours
        assert ordinary.queue_id == city.roads_queue.id
        assert ordinary.resolution_due_at.astimezone(NEW_YORK).weekday() < 5
        assert ordinary.resolution_due_at - saturday_evening > timedelta(days=10)


def test_a_case_moved_to_a_24_7_queue_counts_on_its_calendar(app, city):
    from casework.console import changes

    with app.app_context():
        db.session.get(type(city.urgent_queue), city.urgent_queue.id).hours = "always"
        db.session.commit()
        case = new_case(city)
        changes.change_queue(case, db.session.get(Staff, city.supervisor.id), city.urgent_queue.id)
        case = db.session.get(Case, case.id)
        assert case.resolution_due_at == case.opened_at + timedelta(hours=72)


@pytest.mark.parametrize("rule_hours", [None, 200])
def test_a_more_urgent_priority_is_never_due_later(app, city, rule_hours):
    """Raising the priority brings the due date forward; lowering it moves it back, whatever a rule's own target."""
    from casework.console import changes
    from casework.agency_setup import RoutingRule

    with app.app_context():
        if rule_hours:
            # a rule that (unwisely) gives its urgent cases longer than the service's normal target
            db.session.add(RoutingRule(name="Slow urgent", position=9, queue_id=city.roads_queue.id,
                                       priority="urgent", resolution_hours=rule_hours, keywords="nothing-matches"))
            db.session.commit()
        case = new_case(city)
        supervisor = db.session.get(Staff, city.supervisor.id)
        due = {"normal": case.resolution_due_at}
        for priority in ("low", "high", "urgent"):
            changes.change_priority(case, supervisor, priority)
            due[priority] = db.session.get(Case, case.id).resolution_due_at
        assert due["urgent"] <= due["high"] < due["normal"] < due["low"]
