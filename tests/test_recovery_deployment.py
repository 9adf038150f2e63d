"""Faults under the Procfile's real processes, as an operator meets them, one after another on one deployment.

The deployment (bench/harness/faults.py) has a PostgreSQL cluster of its own
(initdb in a temporary folder) and a redis-server of its own, so its faults
disturb nothing else, and runs gunicorn, the workers and the scheduler with
the deployment's default settings; its acknowledgements go over SMTP to a real
server. The scenarios share it (the ``deployment`` fixture), each counting
only its own requests and mail from ``begin_scenario()`` on; bin/test runs
this module on one test process.

- PostgreSQL restarts (4 s down) while a partner system posts: every answer is
  a success or a 503 with Retry-After (never a 500), every accepted request
  becomes exactly one case within 30 s of the database's return, and every
  acknowledgement is sent once.
- A mailer killed with kill -9 mid-send: the SMTP server holds each recipient
  so the mailer is caught before any message is whole; another is started, and
  every acknowledgement still arrives, exactly once, and soon.
- All three faults in one run: the triage worker killed with kill -9, Redis
  away for 10 s and PostgreSQL restarting. Every accepted request becomes
  exactly one case, each acknowledgement is sent once, no answer is a 500,
  every process is still up, and the last case opens within 30 s of the last
  fault's end.
"""
import time

import pytest

from bench.harness.faults import Partner, run_scenario
from bench.harness.processes import wait_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def deployments():
    """Where this module keeps its deployment between scenarios; stopped after the last one."""
    kept = {}
    yield kept
    if kept.get("running"):
        kept["running"].stop()


@pytest.fixture
def deployment(deployments):
    """The Procfile's processes on a PostgreSQL cluster and a Redis of their own (``bench/harness/faults.py``).

    Starting one takes 6 to 9 s, so the scenarios share it; one that a scenario left broken (a process
    dead, Redis or the database away) is replaced.
    """
    from bench.harness.faults import Deployment

    running = deployments.get("running")
    if running is None or not running.ready_for_another_scenario():
        if running is not None:
            running.stop()
        running = deployments["running"] = Deployment().start()
    yield running

def test_a_database_restart_costs_no_500_and_no_request_and_work_resumes_within_30_s(deployment):
    outcome = run_scenario(deployment, [deployment.postgres_restart])
    print(outcome)
    assert outcome.server_errors == 0 and outcome.no_answer == 0, (outcome.statuses, deployment.web_errors())
    assert outcome.refused > 0, "the partner never met the outage: the test proves nothing"
    assert outcome.missing_retry_after == 0, "every 503 says when to try again"
    assert outcome.accepted >= 20, outcome.statuses
    # nothing half-done: each accepted request has one case, and no case exists twice
    assert outcome.missing == 0 and outcome.doubled == 0
    assert outcome.acknowledged_once
    assert all(outcome.alive.values()), outcome.alive
    assert outcome.recovery_seconds is not None and outcome.recovery_seconds <= 30


def test_a_mailer_killed_mid_send_sends_every_message_once(deployment):
    # the server holds from the start, so the mailer is surely mid-send when it is killed
    first_message = deployment.begin_scenario()
    deployment.mail.collector.hold_seconds = 30
    partner = Partner(deployment.running["web"].url, deployment.key)
    partner.thread.start()
    partner.wait_for_accepted(40)
    partner.stop()
    assert partner.accepted, partner.statuses  # how many varies with how fast gunicorn warms up
    deployment.kill_mailer_mid_send()
    restarted = time.monotonic()
    wait_for(lambda: sum(deployment.acknowledgements(first_message).values()) >= 2 * len(partner.accepted), 90,
             "every acknowledgement to be sent")
    seconds = time.monotonic() - restarted
    sent = deployment.acknowledgements(first_message)
    print(f"{len(partner.accepted)} requests ({dict(partner.statuses)}); all acknowledged {seconds:.1f} s after the mailer was killed")
    assert set(sent) == set(partner.accepted) and set(sent.values()) == {2}, sent
    assert seconds <= 45
    assert all(deployment.alive().values())


def test_a_killed_worker_a_redis_outage_and_a_database_restart_in_one_run(deployment):
    outcome = run_scenario(deployment, [deployment.kill_triage_worker, deployment.redis_away,
                                        deployment.postgres_restart])
    print(outcome)
    assert outcome.server_errors == 0 and outcome.no_answer == 0, (outcome.statuses, deployment.web_errors())
    assert outcome.accepted >= 20 and outcome.refused > 0, outcome.statuses
    assert outcome.missing == 0 and outcome.doubled == 0
    assert outcome.acknowledged_once
    assert all(outcome.alive.values()), outcome.alive
    assert outcome.recovery_seconds is not None and outcome.recovery_seconds <= 30
