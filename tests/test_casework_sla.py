"""The SLA watch warns the caseworker once before and once after the due date; supervisors get one digest a day."""
import re
from datetime import timedelta

import pytest

from casework.clock import sla
from casework.console import assignment
from casework.models import Case, CaseEvent, CaseState
from core.extensions import db
from core.accounts.models import Staff
from core.timeutil import utcnow
from tests.conftest import csrf_token_from
from tests.factories import make_city
from bench.harness.mailserver import body_of


@pytest.fixture
def held_case(app, client, run_worker, mail_server):
    """A triaged case held by the caseworker; the citizen's routing email already sent and cleared."""
    with app.app_context():
        city = make_city()
    form = client.get("/request?service=pothole")
    client.post("/request", data={
        "csrf_token": csrf_token_from(form.text),
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
        "service_code": "pothole", "description": "Pothole on the ring road",
        "address": "Ring Road", "contact_email": "ana@example.org",
    })
    run_worker()
    with app.app_context():
        caseworker = db.session.get(Staff, city.caseworker.id)
        assignment.assign_case(db.session.scalar(db.select(Case)), caseworker, by=caseworker)
    run_worker()
    mail_server.messages.clear()
    return city


def set_due(app, due):
    with app.app_context():
        case = db.session.scalar(db.select(Case))
        case.resolution_due_at = due
        db.session.commit()


def events_of_kind(kind):
    return db.session.scalars(db.select(CaseEvent).filter_by(kind=kind)).all()


def test_a_case_due_soon_warns_its_caseworker_once(app, run_worker, mail_server, held_case):
    set_due(app, utcnow() + timedelta(hours=1))
    with app.app_context():
        assert sla.watch_deadlines() == (1, 0)
        assert sla.watch_deadlines() == (0, 0)
        assert len(events_of_kind("case_near_breach")) == 1
    run_worker()
    [warning] = mail_server.messages
    assert warning["To"] == held_case.caseworker.email and "is due soon" in warning["Subject"]


def test_a_breached_case_warns_once_and_a_case_far_from_due_does_not(app, run_worker, mail_server, held_case):
    set_due(app, utcnow() + timedelta(days=3))
    with app.app_context():
        assert sla.watch_deadlines() == (0, 0)
    set_due(app, utcnow() - timedelta(minutes=5))
    with app.app_context():
        assert sla.watch_deadlines() == (0, 1)
        assert sla.watch_deadlines() == (0, 0)
        assert len(events_of_kind("case_breached")) == 1
        # a breach without an earlier warning does not also send the "due soon" one
        assert events_of_kind("case_near_breach") == []
    run_worker()
    [warning] = mail_server.messages
    assert "past its due date" in warning["Subject"] and "/console/cases/" in body_of(warning)


def test_a_case_waiting_on_the_citizen_is_not_flagged(app, held_case):
    with app.app_context():
        case = db.session.scalar(db.select(Case))
        case.state = CaseState.WAITING_ON_CITIZEN
        case.resolution_due_at = utcnow() - timedelta(hours=1)
        db.session.commit()
        assert sla.watch_deadlines() == (0, 0)


def test_supervisors_get_one_digest_a_day_after_the_digest_hour(app, run_worker, mail_server, held_case):
    set_due(app, utcnow() - timedelta(hours=2))
    app.config.update(AGENCY_TIMEZONE="UTC", DIGEST_HOUR=7)
    tomorrow = utcnow() + timedelta(days=1)
    early = tomorrow.replace(hour=6, minute=30)
    late = tomorrow.replace(hour=9, minute=0)
    with app.app_context():
        assert sla.send_supervisor_digest(now=early) == 0
        assert sla.send_supervisor_digest(now=late) == 2  # the supervisor and the admin
        assert sla.send_supervisor_digest(now=late + timedelta(hours=3)) == 0
    run_worker()
    recipients = sorted(message["To"] for message in mail_server.messages)
    assert recipients == sorted([held_case.supervisor.email, held_case.admin.email])
    body = body_of(mail_server.messages[0])
    assert "Road repairs: 1 open, 1 past due" in body
    assert "1 past due" in mail_server.messages[0]["Subject"]
