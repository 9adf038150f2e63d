"""Never lose, never double: triage survives killed workers, Redis outages and crashes mid-transaction.

These start real processes: RQ workers (``python worker.py``) and a redis-server of the test's own.
"""
from collections import Counter

import pytest
from rq import SimpleWorker

from casework import tasks
from casework.triage import engine as triage
from core.extensions import db
from core.queues import QUEUE_NAMES, get_queue, redis_connection
from intake.models import ServiceRequest
from notifications import services as outbox
from tests.conftest import fresh_app
from tests.factories import make_city
from bench.harness.processes import Worker, wait_for
from tests.submissions import counts, mailbox_references, submit_many, worker_environment

pytestmark = pytest.mark.slow


@pytest.fixture
def fault_app(tmp_path, redis_server):
    # jobs time out after 3 s, so an abandoned one is found in seconds and the test stays short
    app = fresh_app(tmp_path, REDIS_URL=redis_server.url, TRIAGE_GRACE_SECONDS=0, NOTIFICATION_GRACE_SECONDS=0,
                    TRIAGE_JOB_TIMEOUT=3)
    with app.app_context():
        make_city()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def assert_each_request_once(app, count):
    state = counts(app)
    assert state["requests"] == state["cases"] == state["case_requests"] == count
    assert state["pending"] == 0
    # one acknowledgement and one routing message per request, never two
    assert state["received"] == state["routed"] == count and state["messages"] == 2 * count
    references = Counter(mailbox_references(app))
    assert len(references) == count and set(references.values()) == {2}


def sweep(app):
    """What the scheduler does every minute: re-enqueue pending triage and unsent messages."""
    with app.app_context():
        tasks.sweep_pending_triage()
        outbox.sweep_unsent()


def run_in_process_worker(app):
    with app.app_context():
        SimpleWorker([get_queue(name) for name in QUEUE_NAMES], connection=redis_connection()).work(burst=True)


def test_a_worker_killed_mid_stream_loses_and_doubles_nothing(fault_app, redis_server):
    submit_many(fault_app, 150)
    first = Worker(worker_environment(fault_app, redis_server)).start()
    try:
        wait_for(lambda: counts(fault_app)["cases"] >= 5, 60, "the first worker to triage some requests")
    finally:
        first.kill()
    assert counts(fault_app)["cases"] < 150, "the first worker finished before it could be killed"
    second = Worker(worker_environment(fault_app, redis_server)).start()
    try:
        # the scheduler's sweep runs alongside, as in production: it catches a job the
        # killed worker held between dequeue and the started registry, which RQ drops
        wait_for(lambda: sweep(fault_app) or counts(fault_app)["cases"] == 150 and counts(fault_app)["sent"] == 300, 90,
                 "the second worker to pick up everything, including any job the first abandoned",
                 state=lambda: counts(fault_app))
    finally:
        second.stop()
    assert_each_request_once(fault_app, 150)


def test_submissions_while_redis_is_down_are_confirmed_and_triaged_once_it_is_back(fault_app, redis_server):
    redis_server.stop()
    submit_many(fault_app, 20)
    assert counts(fault_app)["pending"] == 20
    redis_server.start()
    with fault_app.app_context():
        assert tasks.sweep_pending_triage() == 20
        assert outbox.sweep_unsent() == 20  # the acknowledgements, written while Redis was down
    run_in_process_worker(fault_app)
    assert_each_request_once(fault_app, 20)


def test_queued_jobs_lost_by_a_redis_restart_are_found_again_by_the_sweep(fault_app, redis_server):
    submit_many(fault_app, 20)
    redis_server.stop()
    redis_server.start()  # an empty Redis: every queued job is gone
    run_in_process_worker(fault_app)
    assert counts(fault_app)["cases"] == 0
    with fault_app.app_context():
        assert tasks.sweep_pending_triage() == 20
        assert tasks.sweep_pending_triage() == 0  # the jobs now queued are live: not enqueued twice
        assert outbox.sweep_unsent() == 20  # the acknowledgements' delivery jobs were lost too
    run_in_process_worker(fault_app)
    assert_each_request_once(fault_app, 20)


def test_a_crash_between_the_update_and_the_commit_leaves_no_trace_and_the_retry_succeeds(
        fault_app, monkeypatch):
    submit_many(fault_app, 1)
    with fault_app.app_context():
        request_id = db.session.scalar(db.select(ServiceRequest.id))
    real = triage.assign_automatically

    def crash(case, at):
        raise RuntimeError("the process died here")

    monkeypatch.setattr(triage, "assign_automatically", crash)
    with fault_app.app_context():
        with pytest.raises(RuntimeError):
            tasks.triage_request(request_id)
    state = counts(fault_app)
    assert (state["pending"], state["cases"], state["routed"]) == (1, 0, 0)
    monkeypatch.setattr(triage, "assign_automatically", real)
    with fault_app.app_context():
        tasks.triage_request(request_id)
        tasks.triage_request(request_id)
    run_in_process_worker(fault_app)
    assert_each_request_once(fault_app, 1)
