"""A request triage cannot route is retried, then lands on the supervisors' manual list, never lost."""
import re

import pytest

from casework import tasks
from casework.triage import rulebook
from casework.models import Case
from core.extensions import db
from intake.models import Department, Service, ServiceRequest, TriageState
from tests.conftest import csrf_token_from, sign_out
from tests.factories import loaded, make_city


@pytest.fixture
def orphan_request(app, client):
    """A request for a service whose department has no queue at all."""
    with app.app_context():
        city = make_city()
        nowhere = Department(code="libraries", name="Libraries")
        db.session.add(Service(code="book", name="Overdue book", group="Libraries", department=nowhere))
        db.session.commit()
        loaded(*vars(city).values())
    form = client.get("/request?service=book")
    client.post("/request", data={
        "csrf_token": csrf_token_from(form.text),
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
        "service_code": "book", "description": "My book return was not recorded",
        "address": "Central Library", "contact_email": "ana@example.org",
    })
    with app.app_context():
        return city, db.session.scalar(db.select(ServiceRequest.id))


def test_after_the_last_attempt_the_request_waits_for_a_person_not_the_sweep(app, orphan_request):
    _city, request_id = orphan_request
    app.config.update(TRIAGE_MAX_ATTEMPTS=3, TRIAGE_GRACE_SECONDS=0)
    with app.app_context():
        for _ in range(2):
            with pytest.raises(Exception, match="no default queue"):
                tasks.triage_request(request_id)
        assert tasks.triage_request(request_id) is None  # given up: the job ends, nothing for RQ to retry
        service_request = db.session.get(ServiceRequest, request_id)
        assert (service_request.triage_state, service_request.triage_attempts) == (TriageState.FAILED, 3)
        assert "no default queue" in service_request.triage_error
        assert tasks.sweep_pending_triage() == 0


def test_an_unexpected_error_is_counted_too(app, orphan_request, monkeypatch):
    _city, request_id = orphan_request
    app.config.update(TRIAGE_MAX_ATTEMPTS=2)

    def broken(service_request):
        raise RuntimeError("rules table unreadable")

    monkeypatch.setattr(rulebook, "decide", broken)
    with app.app_context():
        with pytest.raises(RuntimeError):
            tasks.triage_request(request_id)
        assert tasks.triage_request(request_id) is None
        assert db.session.get(ServiceRequest, request_id).triage_error == "RuntimeError: rules table unreadable"


def test_a_supervisor_routes_it_by_hand_and_the_citizen_is_told(app, client, orphan_request, login_as, run_worker,
                                                                   mail_server):
    city, request_id = orphan_request
    app.config.update(TRIAGE_MAX_ATTEMPTS=1)
    with app.app_context():
        assert tasks.triage_request(request_id) is None
    login_as(city.caseworker)
    assert client.get("/console/triage").status_code == 403
    sign_out(client)
    login_as(city.supervisor)
    page = client.get("/console/triage")
    assert "Needs routing by hand" in page.text and "Overdue book" in page.text and "no default queue" in page.text
    token = csrf_token_from(page.text)
    refused = client.post(f"/console/triage/{request_id}", data={"csrf_token": token, "priority": "normal"})
    assert refused.status_code == 400 and "Choose a queue" in refused.text
    routed = client.post(f"/console/triage/{request_id}", data={
        "csrf_token": token, "queue_id": str(city.parks_queue.id), "priority": "high"})
    assert routed.status_code == 303
    with app.app_context():
        case = db.session.scalar(db.select(Case))
        assert (case.queue.name, case.priority) == ("Parks team", "high")
        assert case.triage_explanation == ["Routed by hand by Sam Supervisor after automatic triage could not route it."]
    assert "Nothing needs routing by hand" in client.get("/console/triage").text
    run_worker()
    assert any("is with the Parks team" in message["Subject"] for message in mail_server.messages_to("ana@example.org"))


def test_the_triage_page_shows_what_is_waiting(app, client, orphan_request, login_as):
    city, _request_id = orphan_request
    login_as(city.supervisor)
    page = client.get("/console/triage")
    assert "Waiting for triage" in page.text and "1 request" in page.text
