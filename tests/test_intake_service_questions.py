"""A service's own questions on the public form: every Open311 type, required answers, and stop notices."""
import re

import pytest

from core.extensions import db
from intake.models import QuestionType, ServiceQuestion, ServiceRequest
from tests.conftest import csrf_token_from
from tests.factories import loaded, make_city

YES_NO = [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}]


@pytest.fixture
def city(app):
    with app.app_context():
        city = make_city()
        service_id = city.pothole.id
        db.session.add_all([
            ServiceQuestion(service_id=service_id, code="danger", position=1, datatype=QuestionType.SINGLE,
                            required=True, prompt="Is anyone in danger right now?", values=YES_NO,
                            stop_values=["yes"], stop_notice="Call 911 now."),
            ServiceQuestion(service_id=service_id, code="lanes", position=2, datatype=QuestionType.MULTI,
                            prompt="Which lanes are affected?",
                            values=[{"key": "north", "name": "Northbound"}, {"key": "south", "name": "Southbound"}]),
            ServiceQuestion(service_id=service_id, code="depth", position=3, datatype=QuestionType.NUMBER,
                            prompt="About how deep is it, in cm?"),
            ServiceQuestion(service_id=service_id, code="seen", position=4, datatype=QuestionType.DATETIME,
                            prompt="When did you first see it?"),
            ServiceQuestion(service_id=service_id, code="notes", position=5, datatype=QuestionType.TEXT,
                            prompt="Anything else the crew should know?"),
            ServiceQuestion(service_id=service_id, code="info", position=6, variable=False,
                            prompt="Crews repair most potholes within five working days."),
        ])
        db.session.commit()
        loaded(*vars(city).values())
        return city


def post(client, **answers):
    form = client.get("/request?service=pothole")
    data = {"csrf_token": csrf_token_from(form.text),
            "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
            "service_code": "pothole", "description": "Pothole by the bus stop", "address": "Bus stop 4",
            "contact_email": "ana@example.org", **answers}
    return form, client.post("/request", data=data)


def stored_answers(app):
    with app.app_context():
        return db.session.scalar(db.select(ServiceRequest.answers))


def test_the_form_asks_the_services_questions_with_the_right_controls(client, city):
    form, _ = post(client, q_danger="no")
    page = form.text
    assert '<legend class="legend legend-s">Is anyone in danger right now?</legend>' in page
    assert 'type="radio" value="yes"' in page and 'type="checkbox" value="north"' in page
    assert 'Which lanes are affected? (optional)' in page
    assert '<textarea class="textarea" id="q_notes"' in page
    assert "Crews repair most potholes within five working days." in page


def test_answers_of_every_type_are_stored_by_question_code(app, client, city):
    _form, response = post(client, q_danger="no", q_lanes=["north", "south"], q_depth="12",
                           q_seen="2026-11-20T08:30", q_notes="Near the drain.")
    assert response.status_code == 303
    assert stored_answers(app) == {"danger": "no", "lanes": ["north", "south"], "depth": 12,
                                   "seen": "2026-11-20T08:30:00", "notes": "Near the drain."}


@pytest.mark.parametrize("answers, message", [
    ({}, "Answer the question: Is anyone in danger right now?"),
    ({"q_danger": "maybe"}, "Choose one of the answers to: Is anyone in danger"),
    ({"q_danger": "no", "q_lanes": "west"}, "Choose from the answers listed for: Which lanes"),
    ({"q_danger": "no", "q_depth": "deep"}, "Enter a number for: About how deep"),
    ({"q_danger": "no", "q_seen": "last tuesday"}, "Enter a date and time for: When did you first see it?"),
    ({"q_danger": "no", "q_notes": "x" * 2001}, "2,000 characters or fewer"),
])
def test_a_wrong_or_missing_answer_is_named_next_to_its_question_and_nothing_is_created(
        app, client, city, answers, message):
    _form, response = post(client, **answers)
    assert response.status_code == 400
    assert "There is a problem" in response.text and message in response.text
    assert re.search(r'<a href="#q_[a-z]+">', response.text)  # the summary links to the question
    assert stored_answers(app) is None


def test_an_answer_that_means_danger_stops_the_form_with_the_notice_and_records_nothing(app, client, city):
    _form, response = post(client, q_danger="yes")
    assert response.status_code == 200
    assert "Call 911 now." in response.text and "We have not recorded anything" in response.text
    assert stored_answers(app) is None


def test_the_citizen_checks_every_answer_before_sending_and_can_go_back_to_change_them(app, client, city):
    form = client.get("/request?service=pothole")
    fields = {"csrf_token": csrf_token_from(form.text),
              "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
              "service_code": "pothole", "description": "Pothole by the bus stop", "address": "Bus stop 4",
              "contact_email": "ana@example.org", "q_danger": "no", "q_lanes": ["north", "south"]}
    check = client.post("/request", data={**fields, "step": "check"})
    assert check.status_code == 200 and "Check your answers before sending your request" in check.text
    assert "Northbound, Southbound" in check.text and "ana@example.org" in check.text
    assert stored_answers(app) is None  # nothing is sent until the citizen confirms

    change = client.post("/request", data={**fields, "step": "change"})
    assert 'value="Pothole by the bus stop"' in change.text or "Pothole by the bus stop</textarea>" in change.text
    sent = client.post("/request", data={**fields, "step": "send"})
    assert sent.status_code == 303
    assert stored_answers(app)["lanes"] == ["north", "south"]
