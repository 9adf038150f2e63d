"""All three faults in one run, under the Procfile's real processes with default settings.

A partner posts over Open311 while the triage worker is killed with kill -9,
Redis is away for 10 s and PostgreSQL restarts (4 s down). Every accepted
request becomes exactly one case, each acknowledgement is sent once, no answer
is a 500, every process is still up, and the last case opens within 30 s of
the last fault's end.
"""
import pytest

from bench.harness.faults import run_scenario

pytestmark = pytest.mark.slow


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
