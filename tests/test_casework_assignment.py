"""Auto-assignment: round-robin or least loaded, skipping absent staff and preferring the citizen's language."""
import re
from datetime import date, timedelta

import pytest

from casework.models import Absence, AssignmentMode, Case, Queue
from core.extensions import db
from core.accounts.models import Staff
from intake.models import ServiceRequest
from tests.conftest import csrf_token_from
from tests.factories import loaded, make_city, make_staff
from bench.harness.mailserver import body_of


def submit(client, description="Pothole", count=1):
    for _ in range(count):
        form = client.get("/request?service=pothole")
        client.post("/request", data={
            "csrf_token": csrf_token_from(form.text),
            "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
            "service_code": "pothole", "description": description, "address": "Main Street",
            "contact_email": "ana@example.org",
        })


def assignees():
    return [case.assignee.name if case.assignee else None
            for case in db.session.scalars(db.select(Case).order_by(Case.id))]


@pytest.fixture
def team(app):
    """Road repairs with three caseworkers (Casey from the city, plus Dana and Eli)."""
    with app.app_context():
        city = make_city()
        queue = db.session.get(Queue, city.roads_queue.id)
        make_staff("Dana Roads", queues=[queue])
        make_staff("Eli Roads", queues=[queue])
        loaded(*vars(city).values())
        return city


def set_mode(app, city, mode):
    with app.app_context():
        db.session.get(Queue, city.roads_queue.id).assignment_mode = mode
        db.session.commit()


def test_without_auto_assignment_cases_wait_for_someone_to_take_them(app, client, team, run_worker):
    submit(client)
    run_worker()
    with app.app_context():
        assert assignees() == [None]


def test_round_robin_takes_turns_and_skips_who_is_away(app, client, team, run_worker, mail_server):
    set_mode(app, team, AssignmentMode.ROUND_ROBIN)
    submit(client, count=4)
    run_worker()
    with app.app_context():
        assert assignees() == ["Casey Worker", "Dana Roads", "Eli Roads", "Casey Worker"]
        dana = db.session.scalar(db.select(Staff).filter_by(name="Dana Roads"))
        db.session.add(Absence(staff=dana, starts_on=date.today() - timedelta(days=1),
                               ends_on=date.today() + timedelta(days=5)))
        db.session.commit()
    submit(client, count=2)
    run_worker()
    with app.app_context():
        assert assignees()[4:] == ["Eli Roads", "Casey Worker"]
        case = db.session.scalar(db.select(Case).order_by(Case.id))
        assert case.state == "assigned"
        assert any(event.message == "Assigned to Casey Worker (round robin assignment)." for event in case.events)
    told = mail_server.messages_to(team.caseworker.email)
    assert len(told) == 3 and "assigned to you" in told[0]["Subject"] and "/console/cases/" in body_of(told[0])


def test_least_loaded_goes_to_whoever_has_least_work_for_their_capacity(app, client, team, run_worker):
    set_mode(app, team, AssignmentMode.LEAST_LOADED)
    with app.app_context():
        for staff in db.session.scalars(db.select(Staff)):
            staff.capacity_minutes = 600
        db.session.scalar(db.select(Staff).filter_by(name="Eli Roads")).capacity_minutes = 300
        db.session.commit()
    # each pothole case is estimated at 30 minutes (two steps of 20 and 10)
    submit(client, count=5)
    run_worker()
    with app.app_context():
        names = assignees()
        # Eli has half the capacity, so takes about half as many cases
        assert names.count("Eli Roads") == 1
        assert sorted(names.count(name) for name in ("Casey Worker", "Dana Roads")) == [2, 2]


def test_staff_who_speak_the_citizens_language_are_preferred(app, client, team, run_worker):
    set_mode(app, team, AssignmentMode.LEAST_LOADED)
    with app.app_context():
        db.session.scalar(db.select(Staff).filter_by(name="Eli Roads")).languages = "en es"
        db.session.commit()
    submit(client, count=2)
    with app.app_context():
        for service_request in db.session.scalars(db.select(ServiceRequest)):
            service_request.language = "es"
        db.session.commit()
    run_worker()
    with app.app_context():
        assert assignees() == ["Eli Roads", "Eli Roads"]


def test_nobody_available_leaves_the_case_in_the_queue(app, client, team, run_worker):
    set_mode(app, team, AssignmentMode.ROUND_ROBIN)
    with app.app_context():
        for staff in db.session.get(Queue, team.roads_queue.id).members:
            db.session.add(Absence(staff=staff, starts_on=date.today(), ends_on=date.today()))
        db.session.commit()
    submit(client)
    run_worker()
    with app.app_context():
        assert assignees() == [None]
        assert db.session.scalar(db.select(Case)).state == "triaged"


def test_an_admin_sets_a_queues_mode_and_members_and_records_an_absence(app, client, team, login_as, run_worker):
    login_as(team.admin)
    page = client.get("/admin/queues")
    assert page.status_code == 200 and "Road repairs" in page.text
    token = csrf_token_from(page.text)
    with app.app_context():
        dana = db.session.scalar(db.select(Staff).filter_by(name="Dana Roads"))
        dana_id = dana.id
    saved = client.post(f"/admin/queues/{team.roads_queue.id}", data={
        "csrf_token": token, "assignment_mode": "round_robin", "member_ids": [str(dana_id), str(team.caseworker.id)],
    })
    assert saved.status_code == 303
    with app.app_context():
        queue = db.session.get(Queue, team.roads_queue.id)
        assert queue.assignment_mode == "round_robin"
        assert sorted(member.name for member in queue.members) == ["Casey Worker", "Dana Roads"]

    # a queue's own opening hours: unreadable ones are refused with how to write them, and change nothing
    unreadable = client.post(f"/admin/queues/{team.roads_queue.id}", data={
        "csrf_token": token, "assignment_mode": "round_robin", "member_ids": [str(dana_id)], "hours": "weekdays"})
    assert unreadable.status_code == 400 and "write them like" in unreadable.text
    around_the_clock = client.post(f"/admin/queues/{team.roads_queue.id}", data={
        "csrf_token": token, "assignment_mode": "round_robin", "member_ids": [str(dana_id), str(team.caseworker.id)],
        "hours": "Always"})
    assert around_the_clock.status_code == 303
    with app.app_context():
        queue = db.session.get(Queue, team.roads_queue.id)
        assert queue.hours == "always" and len(queue.members) == 2

    refused = client.post("/admin/absences", data={"csrf_token": token, "staff_id": str(dana_id),
                                                   "starts_on": "2026-12-24", "ends_on": "2026-12-20"})
    assert refused.status_code == 400
    assert "The last day must be on or after the first day" in refused.text and 'value="2026-12-24"' in refused.text
    today = date.today().isoformat()
    recorded = client.post("/admin/absences", data={"csrf_token": token, "staff_id": str(dana_id),
                                                    "starts_on": today, "ends_on": today, "note": "Training"})
    assert recorded.status_code == 303
    assert "Dana Roads: " in client.get("/admin/queues").text
    submit(client, count=2)
    run_worker()
    with app.app_context():
        assert assignees() == ["Casey Worker", "Casey Worker"]


def test_caseworkers_cannot_change_queues(client, team, login_as):
    login_as(team.caseworker)
    assert client.get("/admin/queues").status_code == 403
