"""A Redis outage under the Procfile's worker, sweeper and scheduler, with the settings a deployment has.

No grace period is shortened here: the workers and the scheduler must ride
out the outage, and every request submitted while Redis was away must be
triaged, and its messages sent, within 30 s of Redis answering again. The outage
lasts until every process has failed to reconnect again and again, backing
off to 5 s or more (about 10 s), not a fixed time.
"""
import re
import time
from collections import Counter
from pathlib import Path

import pytest

from core.extensions import db
from tests.conftest import fresh_app
from tests.factories import make_city
from bench.harness.processes import Scheduler, Worker, stop_all, wait_for
from tests.submissions import counts, mailbox_references, submit_many, worker_environment

pytestmark = pytest.mark.slow

RECOVERY_SECONDS = 30
# how each process says it will try Redis again: RQ's worker loop ("retrying in 8 seconds") and Tandem's own
# (worker.py and the scheduler: "trying again in 5 s", "tries again in 5 s")
BACK_OFF = re.compile(r"(?:retrying in|tr(?:ying|ies) again in) (\d+) s")
# the outage lasts until every process has backed off this long at least once: Tandem's ceiling, past RQ's 2 and 4 s
OUTAGE_BACK_OFF_SECONDS = 5


@pytest.fixture
def app(tmp_path, redis_server):
    """The test app on the test's own Redis (the default app fixture's is the shared one)."""
    app = fresh_app(tmp_path, REDIS_URL=redis_server.url)
    with app.app_context():
        make_city()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def processes(app, redis_server):
    environment = worker_environment(app, redis_server)
    for shortened in ("TRIAGE_JOB_TIMEOUT", "WORKER_MAINTENANCE_SECONDS", "WORKER_TTL_SECONDS", "TRIAGE_BATCH_SIZE"):
        environment.pop(shortened)  # the deployment's defaults, as the Procfile runs them
    running = {"worker": Worker(environment, queues=("triage",)).start(),
               "mailer": Worker(environment, queues=("notifications",)).start(),
               "sweeper": Worker(environment, queues=("periodic",)).start(),
               "scheduler": Scheduler(environment).start()}
    yield redis_server, running
    stop_all(running.values())


def unsent(app):
    from notifications.models import DeliveryStatus, Notification
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Notification.id)).where(
            Notification.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING])))


def all_done(app, count):
    """Every request has its case, and every message (acknowledgements, and the scheduler's digests) is sent."""
    state = counts(app)
    return state["cases"] == count and state["pending"] == 0 and state["routed"] == count and unsent(app) == 0


def assert_each_request_once(app, count):
    state = counts(app)
    assert state["requests"] == state["cases"] == state["case_requests"] == count
    assert state["received"] == state["routed"] == count
    references = Counter(reference for reference in mailbox_references(app) if reference)
    assert len(references) == count and set(references.values()) == {2}, references


def longest_back_off(process):
    """The longest wait ``process`` has announced before trying Redis again (RQ's own loop or Tandem's), in s."""
    process.log.flush()
    said = Path(process.log.name).read_text(errors="replace")
    return max((int(seconds) for seconds in BACK_OFF.findall(said)), default=0)


def alive(running):
    return {name: process.process.poll() is None for name, process in running.items()}


def test_requests_sent_during_a_redis_outage_are_triaged_and_acknowledged_within_30_s_of_its_return(
        app, processes):
    redis_server, running = processes
    submit_many(app, 3)
    wait_for(lambda: all_done(app, 3), 60, "the first requests to be triaged and acknowledged", lambda: counts(app))

    redis_server.stop()
    away = time.monotonic()
    submit_many(app, 12, first=3)  # each is committed and confirmed; its job cannot be queued
    # the outage lasts until every process has failed to reconnect again and again, backing off to 5 s or more
    wait_for(lambda: all(longest_back_off(process) >= OUTAGE_BACK_OFF_SECONDS for process in running.values()), 60,
             "every process to back off through repeated failures", lambda: {
                 name: longest_back_off(process) for name, process in running.items()})
    assert all(alive(running).values()), f"a process exited while Redis was away: {alive(running)}"
    print(f"Redis was away {time.monotonic() - away:.1f} s")

    redis_server.start()
    back = time.monotonic()
    wait_for(lambda: all_done(app, 15), RECOVERY_SECONDS,
             f"every request triaged and every message sent within {RECOVERY_SECONDS} s of Redis returning",
             lambda: counts(app))
    recovered = time.monotonic() - back
    assert all(alive(running).values()), alive(running)
    assert_each_request_once(app, 15)
    print(f"recovered {recovered:.1f} s after Redis answered again")


def test_a_batch_whose_worker_is_killed_is_taken_up_again_within_30_s(app, processes):
    """kill -9 of the triage worker (and its scheduler child) in the middle of a batch; another worker carries on."""
    redis_server, running = processes
    submit_many(app, 1, first=100)
    wait_for(lambda: all_done(app, 1), 60, "the first request to be triaged", lambda: counts(app))
    # hold the queue's row, so the worker's next batch waits mid-transaction when it opens the cases
    from sqlalchemy import create_engine, text
    holder = create_engine(db_url(app)).connect()
    transaction = holder.begin()
    holder.execute(text("SELECT id FROM queue WHERE name = 'Road repairs' FOR UPDATE"))
    try:
        submit_many(app, 1, first=200)  # one job: only its retry can triage it
        wait_for(lambda: started_triage_jobs(app) > 0, 30, "the worker to start a triage batch")
        time.sleep(1)
        running["worker"].kill()
        killed = time.monotonic()
    finally:
        transaction.rollback()
        holder.close()
    running["worker"] = Worker(running["mailer"].environment, queues=("triage",)).start()  # as a supervisor restarts it
    wait_for(lambda: all_done(app, 2), RECOVERY_SECONDS,
             f"every request triaged within {RECOVERY_SECONDS} s of the kill", lambda: counts(app))
    print(f"recovered {time.monotonic() - killed:.1f} s after the kill")
    assert_each_request_once(app, 2)


def db_url(app):
    from sqlalchemy.engine import make_url
    return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=False)


def started_triage_jobs(app):
    from rq.registry import StartedJobRegistry

    from core.queues import get_queue
    with app.app_context():
        return StartedJobRegistry(queue=get_queue("triage")).count
