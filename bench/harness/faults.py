"""Faults under the Procfile's real processes, as an operator meets them; for the fault tests and bench/recovery.py.

``Deployment`` starts a PostgreSQL cluster and a Redis of its own, applies the
migrations, and runs gunicorn, the triage, notification and periodic workers
and the scheduler with the deployment's default settings. ``run_scenario``
has a partner system post requests over Open311 while faults strike, then
measures how long after the last fault ended the last case opened.
"""
import os
import re
import shutil
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bench.common import pothole_city
from bench.harness.mailserver import MailServer, body_of
from bench.harness.processes import PostgresCluster, RedisServer, Scheduler, Web, Worker, stop_all, wait_for
from core import create_app
from core.extensions import db
from intake.open311.models import ApiClient

REFERENCE = re.compile(r"R-[0-9A-Z]{4}-[0-9A-Z]{4}")
# the longest a scenario waits for the partner's requests to be accepted before or after its faults
WINDOW_SECONDS = 15


class Deployment:
    """Everything the Procfile starts, on a database and a Redis that faults may take away."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="tandem-recovery-"))
        # a folder of its own: PostgreSQL runs as postgres, who may not enter this one
        self.cluster_folder = Path(tempfile.mkdtemp(prefix="tandem-postgres-"))
        self.cluster = PostgresCluster(self.cluster_folder)
        self.redis = RedisServer()
        # the acknowledgements go over SMTP to a real server (aiosmtpd), which counts what it receives
        self.mail = MailServer()
        self.running = {}

    def start(self):
        self.cluster.start()
        self.redis.start()
        self.mail.start()
        self.app = create_app({
            "SECRET_KEY": "deployment-secret-key", "SQLALCHEMY_DATABASE_URI": self.cluster.url,
            "REDIS_URL": self.redis.url, "SMTP_URL": None, "MAILBOX_DIR": str(self.folder / "mailbox"),
            "PUBLIC_URL": "http://tandem.test", "AGENCY_HOURS": "always"})
        assert self.app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
        with self.app.app_context():
            pothole_city()
            client, self.key = ApiClient.issue("Partner 311")
            # it posts ten a second, the default quota's edge: its admin gave it room, as they would
            client.requests_per_minute = 1200
            db.session.add(client)
            db.session.commit()
            db.session.remove()
        self.environment = {
            "DATABASE_URL": self.cluster.url, "REDIS_URL": self.redis.url, "SECRET_KEY": "deployment-secret-key",
            "SMTP_URL": self.mail.url, "MAILBOX_DIR": self.app.config["MAILBOX_DIR"], "PUBLIC_URL": "http://tandem.test",
            "AGENCY_HOURS": "always",
        }
        self.running = {
            "web": Web(self.environment).start(),
            "worker": Worker(self.environment, queues=("triage",)).start(),
            "mailer": Worker(self.environment, queues=("notifications",)).start(),
            "sweeper": Worker(self.environment, queues=("periodic",)).start(),
            "scheduler": Scheduler(self.environment).start(),
        }
        return self

    def web_errors(self, most=5):
        """The web's logged errors other than the rate limiter's swallowed ones, for a failing test to show."""
        log = Path(self.running["web"].log.name)
        lines = [line for line in log.read_text(errors="replace").splitlines()
                 if '"level": "ERROR"' in line and "flask-limiter" not in line]
        return [line[-1500:] for line in lines[-most:]]

    def alive(self):
        return {name: process.process.poll() is None for name, process in self.running.items()}

    def ready_for_another_scenario(self):
        """True when every process is up and the database, Redis and the web answer, as after ``start()``.

        A scenario that failed half-way may leave a fault in place (Redis stopped, a process dead): the
        next one then needs a new deployment, not this one.
        """
        if not self.running or not all(self.alive().values()):
            return False
        return self.web_status() == 200 and self.redis.answers()

    def begin_scenario(self):
        """Forget the last scenario's mail-server settings; return where this scenario's mail begins."""
        self.mail.collector.hold_seconds = 0
        self.mail.collector.held = 0
        return len(self.mail.messages)

    def stop(self):
        stop_all(self.running.values())
        self.redis.stop()
        self.cluster.stop()
        self.mail.stop()
        with self.app.app_context():
            db.engine.dispose()
        if not os.environ.get("TANDEM_KEEP_DEPLOYMENT"):
            shutil.rmtree(self.folder, ignore_errors=True)
        shutil.rmtree(self.cluster_folder, ignore_errors=True)

    # the faults, each returning when it has ended
    def kill_triage_worker(self):
        """kill -9 of the triage worker and its children; a supervisor (systemd, Kubernetes) starts another."""
        self.running["worker"].kill()
        self.running["worker"] = Worker(self.environment, queues=("triage",)).start()

    def kill_mailer_mid_send(self):
        """kill -9 of the mailer while it waits on the SMTP server mid-send; another mailer is started."""
        self.mail.collector.hold_seconds = 30
        wait_for(lambda: self.mail.collector.held > 0, 30, "the mailer to be caught mid-send")
        self.running["mailer"].kill()
        self.mail.collector.hold_seconds = 0
        self.running["mailer"] = Worker(self.environment, queues=("notifications",)).start()

    def redis_away(self, seconds=10):
        self.redis.stop()
        time.sleep(seconds)
        self.redis.start()

    def postgres_restart(self, seconds=4):
        """PostgreSQL stopped (fast: every connection cut) for ``seconds`` after the web first notices, then started."""
        self.cluster.stop("fast")
        wait_for(self.web_says_unavailable, 15, "the web to notice the database is away")
        time.sleep(seconds)
        self.cluster.start()

    def web_says_unavailable(self):
        return self.web_status() == 503

    def web_status(self):
        """The status of the web's Open311 service list (which reads the database), or None if it did not answer."""
        try:
            return requests.get(f"{self.running['web'].url}/open311/v2/services.json", timeout=5).status_code
        except requests.RequestException:
            return None

    def cases_by_reference(self):
        with self.app.app_context():
            from casework.models import Case
            from intake.models import ServiceRequest
            rows = db.session.execute(
                db.select(ServiceRequest.reference, db.func.count(Case.id))
                .outerjoin(Case, Case.request_id == ServiceRequest.id).group_by(ServiceRequest.reference)).all()
            db.session.remove()
            return dict(rows)

    def acknowledgements(self, since=0):
        """References named by the messages the SMTP server received (from the ``since``-th on), with how many
        messages name each."""
        found = (REFERENCE.search(f"{message['Subject']} {body_of(message)}")
                 for message in list(self.mail.messages)[since:])
        return Counter(match.group() for match in found if match)


class Partner:
    """A partner system posting requests over Open311 as they arrive, noting every answer."""

    def __init__(self, base, key):
        self.base, self.key = base, key
        self.statuses, self.accepted, self.missing_retry_after = Counter(), [], 0
        self.running = True
        self.thread = threading.Thread(target=self.run, daemon=True)

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

    def wait_for_accepted(self, count):
        """Return once ``count`` requests were accepted, or after ``WINDOW_SECONDS`` whatever the count."""
        deadline = time.monotonic() + WINDOW_SECONDS
        while len(self.accepted) < count and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self):
        self.running = False
        self.thread.join(30)


@dataclass
class Outcome:
    accepted: int
    cases: int
    doubled: int
    missing: int
    refused: int
    server_errors: int
    no_answer: int
    recovery_seconds: float | None
    acknowledged_once: bool
    alive: dict
    missing_retry_after: int = 0
    statuses: dict = field(default_factory=dict)
    # from the end of the last fault until every acknowledgement had been sent
    acknowledged_seconds: float | None = None


def run_scenario(deployment, faults, before=20, after=20, wait_seconds=60):
    """Post while ``faults`` (callables) strike one after another; return the ``Outcome``.

    The partner has ``before`` requests accepted before the first fault and
    ``after`` more after the last (each waited for at most ``WINDOW_SECONDS``:
    a deployment that accepts none still gets its outcome measured). Recovery
    is the time from the end of the last fault until every accepted request
    has its case (None if that did not happen within ``wait_seconds``).
    """
    first_message = deployment.begin_scenario()
    partner = Partner(deployment.running["web"].url, deployment.key)
    partner.thread.start()
    partner.wait_for_accepted(before)
    for fault in faults:
        fault()
    ended = time.monotonic()
    partner.wait_for_accepted(len(partner.accepted) + after)
    partner.stop()
    recovery = None
    try:
        wait_for(lambda: all(deployment.cases_by_reference().get(ref) == 1 for ref in partner.accepted), wait_seconds,
                 "every accepted request to have its case")
        recovery = time.monotonic() - ended
    except AssertionError:
        pass
    by_reference = deployment.cases_by_reference()
    acknowledged = None
    try:
        wait_for(lambda: sum(deployment.acknowledgements(first_message).values()) >= 2 * len(partner.accepted), 90,
                 "the acknowledgements to be sent")
        acknowledged = time.monotonic() - ended
    except AssertionError:
        pass
    sent = deployment.acknowledgements(first_message)
    return Outcome(
        accepted=len(partner.accepted), missing_retry_after=partner.missing_retry_after,
        cases=sum(1 for ref in partner.accepted if by_reference.get(ref, 0) >= 1),
        doubled=sum(1 for n in by_reference.values() if n > 1),
        missing=sum(1 for ref in partner.accepted if not by_reference.get(ref)),
        refused=sum(n for status, n in partner.statuses.items() if status in (429, 503)),
        server_errors=sum(n for status, n in partner.statuses.items() if isinstance(status, int) and status >= 500
                          and status != 503),
        no_answer=partner.statuses["no answer"], recovery_seconds=recovery,
        acknowledged_once=set(sent) == set(partner.accepted) and set(sent.values()) <= {2},
        alive=deployment.alive(), statuses=dict(partner.statuses), acknowledged_seconds=acknowledged,
    )
