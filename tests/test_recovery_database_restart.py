"""PostgreSQL restarts under the Procfile's processes while a partner system posts requests.

The cluster is the test's own (initdb in a temporary folder), so restarting it
disturbs nothing else. Web is gunicorn, as in the Procfile; the triage,
notification and periodic workers and the scheduler are real processes with
the deployment's default settings. Every answer must be a success or a 503
with Retry-After (never a 500), every accepted request must become exactly one
case within 30 s of the restart, and every acknowledgement be sent once.
"""
import shutil
import tempfile
import threading
import time
from collections import Counter

import pytest
import requests

from core import create_app
from core.extensions import db
from intake.open311.models import ApiClient
from tests.conftest import test_config
from tests.factories import make_city
from tests.processes import PostgresCluster, RedisServer, Scheduler, Web, Worker, wait_for
from tests.test_casework_triage_faults import mailbox_references

pytestmark = pytest.mark.slow

RECOVERY_SECONDS = 30


@pytest.fixture
def cluster():
    # outside pytest's own temporary folders, which only root may enter; PostgreSQL runs as postgres
    folder = tempfile.mkdtemp(prefix="tandem-postgres-")
    postgres = PostgresCluster(folder).start()
    yield postgres
    postgres.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def tandem(tmp_path, cluster):
    """Migrations applied to the private cluster, a small city, an API key, and every Procfile process."""
    redis_server = RedisServer().start()
    app = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=cluster.url, REDIS_URL=redis_server.url))
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        make_city()
        client, key = ApiClient.issue("Partner 311")
        db.session.add(client)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    environment = {
        "DATABASE_URL": cluster.url, "REDIS_URL": redis_server.url, "SECRET_KEY": "test-secret-key", "SMTP_URL": "",
        "MAILBOX_DIR": app.config["MAILBOX_DIR"], "PUBLIC_URL": "http://tandem.test", "AGENCY_HOURS": "always",
        # the per-client quota is another issue's; here the partner must not be slowed by it
        "SUBMISSION_RATE_LIMIT": "100000 per minute",
    }
    running = {"web": Web(environment).start(), "worker": Worker(environment, queues=("triage",)).start(),
               "mailer": Worker(environment, queues=("notifications",)).start(),
               "sweeper": Worker(environment, queues=("periodic",)).start(), "scheduler": Scheduler(environment).start()}
    yield app, key, running
    for process in running.values():
        process.stop()
    redis_server.stop()


class Partner:
    """A partner system posting requests over Open311 as they arrive, and noting every answer."""

    def __init__(self, base, key):
        self.base, self.key = base, key
        self.statuses, self.accepted, self.missing_retry_after = Counter(), [], 0
        self.running = True

    def post(self, number):
        answer = requests.post(f"{self.base}/open311/v2/requests.json", timeout=10, data={
            "api_key": self.key, "service_code": "pothole", "description": f"Pothole number {number} by the depot",
            "address_string": f"{number} Depot Road", "email": f"partner{number}@example.org"})
        self.statuses[answer.status_code] += 1
        if answer.status_code in (200, 201):
            self.accepted.append(answer.json()[0]["service_request_id"])
        elif answer.status_code == 503 and "Retry-After" not in answer.headers:
            self.missing_retry_after += 1

    def run(self):
        number = 0
        while self.running:
            try:
                self.post(number)
            except requests.RequestException:
                self.statuses["no answer"] += 1
            number += 1
            time.sleep(0.1)


def cases_for(app, references):
    with app.app_context():
        from casework.models import Case
        from intake.models import ServiceRequest
        rows = db.session.execute(
            db.select(ServiceRequest.reference, db.func.count(Case.id))
            .outerjoin(Case, Case.request_id == ServiceRequest.id).group_by(ServiceRequest.reference)).all()
        db.session.remove()
        found = dict(rows)
        return {reference: found.get(reference, 0) for reference in references}, len(found)


def test_a_database_restart_costs_no_500_and_no_request_and_work_resumes_within_30_s(tandem, cluster):
    app, key, running = tandem
    partner = Partner(running["web"].url, key)
    poster = threading.Thread(target=partner.run, daemon=True)
    poster.start()
    time.sleep(5)
    # a restart that takes a few seconds, as an upgrade or a failover does: every connection is cut
    cluster.stop("fast")
    time.sleep(4)
    cluster.start()
    restarted = time.monotonic()
    time.sleep(5)
    partner.running = False
    poster.join(30)
    assert partner.statuses[500] == 0 and partner.statuses["no answer"] == 0, partner.statuses
    assert partner.statuses[503] > 0, "the partner never met the outage: the test proves nothing"
    assert partner.missing_retry_after == 0
    assert len(partner.accepted) >= 20, partner.statuses

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    wait_for(lambda: set(cases_for(app, partner.accepted)[0].values()) == {1}, RECOVERY_SECONDS,
             f"every accepted request to have its case within {RECOVERY_SECONDS} s of the restart",
             lambda: Counter(cases_for(app, partner.accepted)[0].values()))
    recovered = time.monotonic() - restarted
    per_request, stored = cases_for(app, partner.accepted)
    # nothing half-done: every stored request is one the partner was told was accepted
    assert stored == len(partner.accepted) and set(per_request.values()) == {1}
    assert all(process.process.poll() is None for process in running.values())
    # each accepted request's acknowledgements (received, routed) reach the mailbox once each
    wait_for(lambda: len([r for r in mailbox_references(app) if r]) >= 2 * len(partner.accepted), 90,
             "every acknowledgement to be sent")
    sent = Counter(reference.decode() for reference in mailbox_references(app) if reference)
    assert set(sent) == set(partner.accepted) and set(sent.values()) == {2}, sent.most_common(3)
    print(f"{len(partner.accepted)} accepted, answers {dict(partner.statuses)}; "
          f"every case opened {recovered:.1f} s after PostgreSQL was back")
