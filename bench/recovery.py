"""Recovery from outages under the Procfile's real processes: for each fault, how long until work resumes.

Usage (from the repository root, as root or the postgres user, with PostgreSQL's binaries and
redis-server installed):

    .venv/bin/python bench/recovery.py [--faults worker redis postgres all]

Each fault runs on a fresh deployment of its own (a private PostgreSQL cluster
and Redis, migrations, gunicorn, the triage, notification and periodic
workers and the scheduler, default settings) while a partner system posts
about three requests a second over Open311 (``bench/harness/faults.py``).
Prints, per fault: requests accepted, cases opened, doubled, refused (503),
5xx answers, whether every acknowledgement was sent once, and the seconds
from the end of the fault until the last accepted request had its case, and
until every acknowledgement had been sent.
Prints figures; asserts nothing.
"""
import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("LOG_LEVEL", "WARNING")

from bench.harness.faults import Deployment, run_scenario  # noqa: E402

FAULTS = {
    "worker": ("kill -9 of the triage worker", lambda d: [d.kill_triage_worker]),
    "redis": ("Redis away for 10 s", lambda d: [d.redis_away]),
    "postgres": ("PostgreSQL down for 4 s", lambda d: [d.postgres_restart]),
    "mailer": ("kill -9 of the mailer mid-send", lambda d: [d.kill_mailer_mid_send]),
    "all": ("all three, one after another", lambda d: [d.kill_triage_worker, d.redis_away, d.postgres_restart]),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faults", nargs="+", choices=list(FAULTS), default=list(FAULTS))
    chosen = parser.parse_args().faults
    print(f"{'fault':<32} {'accepted':>8} {'cases':>6} {'doubled':>7} {'refused':>7} {'5xx':>4} "
          f"{'acks once':>9} {'recovery s':>10} {'acks sent s':>11}", flush=True)
    for name in chosen:
        label, faults = FAULTS[name]
        deployment = Deployment().start()
        try:
            outcome = run_scenario(deployment, faults(deployment), after=0)
        finally:
            deployment.stop()
        recovery = f"{outcome.recovery_seconds:.1f}" if outcome.recovery_seconds is not None else "never"
        acknowledged = f"{outcome.acknowledged_seconds:.1f}" if outcome.acknowledged_seconds is not None else "never"
        print(f"{label:<32} {outcome.accepted:>8} {outcome.cases:>6} {outcome.doubled:>7} {outcome.refused:>7} "
              f"{outcome.server_errors:>4} {'yes' if outcome.acknowledged_once else 'NO':>9} {recovery:>10} "
              f"{acknowledged:>11}", flush=True)


if __name__ == "__main__":
    main()
