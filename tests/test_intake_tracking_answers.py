"""A citizen asked for more information answers on the tracking page; the answer reaches the caseworker."""
import re

import pytest

from casework.console import case_actions
from casework.models import Case, CaseEvent, CaseState
from core.extensions import db
from core.accounts.models import Staff
from tests.conftest import csrf_token_from
from tests.factories import make_city
from bench.harness.mailserver import body_of


@pytest.fixture
def waiting_case(app, client, run_worker):
    """A triaged pothole case, held by the caseworker, who has asked the citizen a question."""
    with app.app_context():
        city = make_city()
    form = client.get("/request?service=pothole")
    submitted = client.post("/request", data={
        "csrf_token": csrf_token_from(form.text),
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
        "service_code": "pothole", "description": "Pothole near the school",
        "address": "School Road", "contact_email": "ana@example.org",
    })
    run_worker()
    with app.app_context():
        case = db.session.scalar(db.select(Case))
        caseworker = db.session.get(Staff, city.caseworker.id)
        case_actions.request_information(case, by=caseworker, question="Is it in the road or on the pavement?",
                                     effort_minutes=2)
    run_worker()
    return submitted.location.replace("/submitted", ""), city


def test_the_citizen_sees_the_question_and_their_answer_goes_back_to_the_caseworker(
        app, client, run_worker, mail_server, waiting_case):
    tracking_path, city = waiting_case
    page = client.get(tracking_path)
    assert "We need more information" in page.text
    assert "Is it in the road or on the pavement?" in page.text
    assert "Waiting for your reply" in page.text

    sent = client.post(f"{tracking_path}/answer", data={
        "csrf_token": csrf_token_from(page.text), "answer": "In the road, by the crossing.",
    })
    assert sent.status_code == 303
    page = client.get(tracking_path)
    assert "Your answer has been sent" in page.text
    assert "We need more information" not in page.text
    assert "You answered" in page.text and "In the road, by the crossing." in page.text
    with app.app_context():
        case = db.session.scalar(db.select(Case))
        assert case.state == CaseState.IN_PROGRESS
        assert db.session.scalar(db.select(CaseEvent).filter_by(kind="citizen_answered")).message == \
            "In the road, by the crossing."
    run_worker()
    [told] = mail_server.messages_to(city.caseworker.email)
    assert "In the road, by the crossing." in body_of(told)


def test_an_empty_answer_is_refused_with_a_message(app, client, waiting_case):
    tracking_path, _city = waiting_case
    page = client.get(tracking_path)
    refused = client.post(f"{tracking_path}/answer", data={"csrf_token": csrf_token_from(page.text), "answer": "  "})
    assert refused.status_code == 400
    assert "There is a problem" in refused.text and "Enter your answer" in refused.text
    with app.app_context():
        assert db.session.scalar(db.select(Case)).state == CaseState.WAITING_ON_CITIZEN


def test_an_answer_sent_after_the_session_ended_comes_back_as_typed_and_sends_on_the_fresh_form(
        app, client, waiting_case):
    tracking_path, _city = waiting_case
    refused = client.post(f"{tracking_path}/answer", data={"csrf_token": "from-a-lost-session",
                                                          "answer": "In the road, by the crossing."})
    assert refused.status_code == 400
    assert "This form had expired, so nothing was sent" in refused.text
    assert "In the road, by the crossing.</textarea>" in refused.text
    with app.app_context():
        assert db.session.scalar(db.select(Case)).state == CaseState.WAITING_ON_CITIZEN
    sent = client.post(f"{tracking_path}/answer", data={"csrf_token": csrf_token_from(refused.text),
                                                       "answer": "In the road, by the crossing."})
    assert sent.status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(Case)).state == CaseState.IN_PROGRESS


def test_a_language_chosen_while_answering_shows_the_page_in_it_with_the_answer_as_typed(app, client, waiting_case):
    tracking_path, _city = waiting_case
    page = client.get(tracking_path)
    switched = client.post(f"{tracking_path}/answer?lang=es", data={
        "csrf_token": csrf_token_from(page.text), "step": "change", "answer": "En la calzada, junto al paso"})
    assert switched.status_code == 200 and '<html lang="es">' in switched.text
    assert "En la calzada, junto al paso</textarea>" in switched.text
    with app.app_context():
        assert db.session.scalar(db.select(Case)).state == CaseState.WAITING_ON_CITIZEN


def test_a_late_answer_still_lands_on_the_case(app, client, run_worker, mail_server, waiting_case):
    tracking_path, city = waiting_case
    page = client.get(tracking_path)
    with app.app_context():
        case = db.session.scalar(db.select(Case))
        case_actions.resolve_case(case, by=db.session.get(Staff, city.caseworker.id), public_note="Fixed anyway.",
                              effort_minutes=5)
    late = client.post(f"{tracking_path}/answer", data={
        "csrf_token": csrf_token_from(page.text), "answer": "On the pavement.",
    })
    assert late.status_code == 303
    assert "On the pavement." in client.get(tracking_path).text
    with app.app_context():
        assert db.session.scalar(db.select(Case)).state == CaseState.RESOLVED
    run_worker()
    assert any("On the pavement." in body_of(m) for m in mail_server.messages_to(city.caseworker.email))


def test_answering_an_unknown_request_is_a_404(client):
    assert client.post("/track/not-a-real-token/answer", data={"answer": "hello"}).status_code in (400, 404)
