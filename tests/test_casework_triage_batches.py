"""A triage job takes other waiting requests with it: one transaction, no request twice, a stuck one left alone."""
import uuid

import pytest
from sqlalchemy import create_engine, text

from casework import tasks
from casework.models import Case
from core.extensions import db
from core.queues import TRIAGE, get_queue
from intake.models import Department, Service, ServiceRequest, TriageState
from intake.services import submit_request
from notifications.models import Notification
from tests.conftest import DATABASE_URL
from tests.factories import make_city


@pytest.fixture
def city(app):
    with app.app_context():
        city = make_city()
        libraries = Department(code="libraries", name="Libraries")  # no queue at all: nothing routes there
        db.session.add(Service(code="book", name="Overdue book", group="Libraries", department=libraries))
        db.session.commit()
        return city


def submit(app, count, service_code="pothole"):
    """``count`` new committed requests with their triage jobs queued; their ids in order."""
    with app.app_context():
        return [submit_request({"service_code": service_code, "description": f"Pothole {n} on Mill Road",
                                "address": f"{n * 100} Mill Road", "contact_email": f"c{n}@example.org",
                                "submission_key": uuid.uuid4().hex})[0].id for n in range(count)]


def cases_by_request(app):
    with app.app_context():
        db.session.expire_all()
        return dict(db.session.execute(db.select(Case.request_id, Case.id)).all())


def test_one_job_opens_the_cases_of_the_waiting_requests_and_their_jobs_leave_the_queue(app, city, run_worker):
    ids = submit(app, 6)
    with app.app_context():
        assert get_queue(TRIAGE).count == 6
        opened = tasks.triage_request(ids[2])
        assert len(opened) == 6
        # the five other jobs would only have found their request done (this one we ran by hand)
        assert get_queue(TRIAGE).job_ids == [tasks.triage_job_id(ids[2])]
    assert sorted(cases_by_request(app)) == sorted(ids)
    run_worker()
    with app.app_context():
        routed = db.session.scalars(db.select(Notification.request_id).filter_by(template="request_routed")).all()
        assert sorted(routed) == sorted(ids)  # each citizen told once


def test_a_request_another_worker_holds_is_left_to_it(app, city):
    ids = submit(app, 4)
    # a second worker, mid-transaction, holding the second request
    other = create_engine(DATABASE_URL).connect()
    transaction = other.begin()
    other.execute(text("SELECT id FROM service_request WHERE id = :id FOR UPDATE"), {"id": ids[1]})
    try:
        with app.app_context():
            assert len(tasks.triage_request(ids[0])) == 3
            # its own job too: it cannot take it, so it asks RQ to retry soon (no attempt counted against it)
            from casework.triage.engine import RequestHeldElsewhere
            with pytest.raises(RequestHeldElsewhere):
                tasks.triage_request(ids[1])
            assert db.session.get(ServiceRequest, ids[1]).triage_attempts == 0
        assert sorted(cases_by_request(app)) == [ids[0], ids[2], ids[3]]
    finally:
        transaction.rollback()
        other.close()
    with app.app_context():
        assert len(tasks.triage_request(ids[1])) == 1  # released: its job (or the sweep) finishes it
    assert sorted(cases_by_request(app)) == sorted(ids)


def test_a_request_no_rule_routes_does_not_hold_up_the_batch_and_counts_only_on_its_own_job(app, city):
    [first] = submit(app, 1)
    [book] = submit(app, 1, service_code="book")
    with app.app_context():
        assert len(tasks.triage_request(first)) == 1
        stuck = db.session.get(ServiceRequest, book)
        assert (stuck.triage_state, stuck.triage_attempts) == (TriageState.PENDING, 0)
        with pytest.raises(Exception, match="no default queue"):
            tasks.triage_request(book)
        db.session.expire_all()
        assert db.session.get(ServiceRequest, book).triage_attempts == 1
        # once it has failed, other jobs' batches leave it to its own retries
        [later] = submit(app, 1)
        assert len(tasks.triage_request(later)) == 1
        assert db.session.get(ServiceRequest, book).triage_attempts == 1


def test_a_batch_that_fails_keeps_nothing_and_the_jobs_own_request_is_still_triaged(app, city, monkeypatch):
    ids = submit(app, 3)
    from casework.triage import engine as triage

    real, calls = triage.new_case, []

    def fails_on_the_third(service_request, *args):
        calls.append(service_request.id)
        if service_request.id == ids[2]:
            raise RuntimeError("bad data in one request")
        return real(service_request, *args)

    monkeypatch.setattr(triage, "new_case", fails_on_the_third)
    with app.app_context():
        assert len(tasks.triage_request(ids[0])) == 1
    assert set(calls) == set(ids)  # the batch had all three before it failed
    assert list(cases_by_request(app)) == [ids[0]]  # the batch's work on the second was rolled back
    with app.app_context():
        assert db.session.get(ServiceRequest, ids[1]).triage_state == TriageState.PENDING


def test_the_sweep_carries_on_when_a_batch_drops_a_job_while_it_looks_at_it(app, city, monkeypatch):
    from rq.job import Job

    from core.queues import discard_queued
    [request_id] = submit(app, 1)
    real_fetch = Job.fetch.__func__

    def fetch_then_lose_it(cls, job_id, connection=None, serializer=None):
        job = real_fetch(cls, job_id, connection=connection, serializer=serializer)
        discard_queued(TRIAGE, [job_id])  # a worker's batch did the request and dropped its job just now
        return job

    monkeypatch.setattr(Job, "fetch", classmethod(fetch_then_lose_it))
    app.config["TRIAGE_GRACE_SECONDS"] = 0
    with app.app_context():
        assert tasks.sweep_pending_triage() == 1  # a fresh job: harmless if the request is done by now
        assert get_queue(TRIAGE).job_ids == [tasks.triage_job_id(request_id)]
