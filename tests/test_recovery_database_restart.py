"""PostgreSQL restarts under the Procfile's processes while a partner system posts requests.

The cluster is the test's own (initdb in a temporary folder), so restarting it
disturbs nothing else; the processes run with the deployment's default
settings (tests/recovery_scenarios.py). Every answer must be a success or a 503
with Retry-After (never a 500), every accepted request must become exactly one
case within 30 s of the database's return, and every acknowledgement be sent
once, over SMTP to a real server.
"""
import pytest

from tests.recovery_scenarios import Deployment, run_scenario

pytestmark = pytest.mark.slow


@pytest.fixture
def deployment(app):
    running = Deployment().start()
    yield running
    running.stop()


def test_a_database_restart_costs_no_500_and_no_request_and_work_resumes_within_30_s(deployment):
    outcome = run_scenario(deployment, [deployment.postgres_restart])
    print(outcome)
    assert outcome.server_errors == 0 and outcome.no_answer == 0, outcome.statuses
    assert outcome.refused > 0, "the partner never met the outage: the test proves nothing"
    assert outcome.missing_retry_after == 0, "every 503 says when to try again"
    assert outcome.accepted >= 20, outcome.statuses
    # nothing half-done: each accepted request has one case, and no case exists twice
    assert outcome.missing == 0 and outcome.doubled == 0
    assert outcome.acknowledged_once
    assert all(outcome.alive.values()), outcome.alive
    assert outcome.recovery_seconds is not None and outcome.recovery_seconds <= 30
