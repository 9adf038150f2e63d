"""Triage throughput and submission-to-queue latency, with real RQ worker processes.

Usage (from the repository root, PostgreSQL and Redis running):

    .venv/bin/python bench/triage.py [--requests 2000] [--workers 1 2] [--rate 200] [--seconds 20]

1. Drain: commits ``--requests`` pending requests and their triage jobs, starts
   N ``worker.py triage`` processes and times how fast they empty the queue,
   for each N in ``--workers``; prints requests per second per worker.
2. Sustained: submits through ``intake.services.submit_request`` (the same
   call the web form makes) at ``--rate`` per second for ``--seconds`` while
   the largest N workers run, then prints p50/p95/max of case opened_at minus
   request submitted_at.

Uses its own database ``tandem_bench`` (recreated) and Redis database 14.
Prints figures; asserts nothing.
"""
import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from bench import cpu  # noqa: E402

from casework.models import Case, Queue  # noqa: E402
from casework.tasks import enqueue_triage_job  # noqa: E402
from core import create_app  # noqa: E402
from core.extensions import db  # noqa: E402
from core.queues import redis_connection  # noqa: E402
from intake.models import Department, Service, ServiceRequest, TriageState  # noqa: E402
from intake.services import submit_request  # noqa: E402
from bench import common  # noqa: E402

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/tandem_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", common.BENCH_REDIS_URL)


def recreate_database():
    common.recreate_database(DATABASE_URL)


def build_app(mailbox):
    app = create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "REDIS_URL": REDIS_URL, "SECRET_KEY": "bench",
                      "MAILBOX_DIR": str(mailbox), "SMTP_URL": None})
    with app.app_context():
        db.create_all()
        roads = Department(code="roads", name="Roads")
        db.session.add_all([roads, Service(code="pothole", name="Pothole", group="Streets", department=roads),
                            Queue(name="Road repairs", department=roads, is_department_default=True)])
        db.session.commit()
        redis_connection().flushdb()
    return app


def submission(number):
    return {"service_code": "pothole", "description": f"Pothole {number} in the bus lane, about 30 cm across",
            "address": f"{number} Bench Road", "contact_email": f"bench{number}@example.org",
            "submission_key": f"bench-{time.time_ns()}-{number}"}


def start_workers(count, mailbox):
    environment = {**os.environ, "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "SECRET_KEY": "bench",
                   "MAILBOX_DIR": str(mailbox), "LOG_LEVEL": "WARNING"}
    return [subprocess.Popen([sys.executable, str(ROOT / "worker.py"), "triage"], cwd=ROOT, env=environment,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            for _ in range(count)]


def stop(workers):
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(30)


def pending_count():
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count(ServiceRequest.id)).filter_by(triage_state=TriageState.PENDING))


def wait_until_drained(timeout=600):
    started = time.monotonic()
    while pending_count() and time.monotonic() - started < timeout:
        time.sleep(0.05)
    return time.monotonic() - started


def drain(app, requests, worker_count, mailbox):
    """Time N workers, already started, emptying a backlog of ``requests`` triage jobs."""
    with app.app_context():
        for number in range(requests):
            submit_request(submission(number))  # commits, then enqueues triage
            if number % 500 == 499:
                print(f"  submitted {number + 1}/{requests}", flush=True)
        # forget those jobs: the clock starts with workers ready and every job enqueued at once
        redis_connection().flushdb()
        ids = db.session.scalars(db.select(ServiceRequest.id).order_by(ServiceRequest.id)).all()
        workers = start_workers(worker_count, mailbox)
        try:
            time.sleep(3)  # imports and connections: not what we measure
            before, started = cpu.sample(), time.monotonic()
            for request_id in ids:
                enqueue_triage_job(request_id)
            wait_until_drained()
            seconds, after = time.monotonic() - started, cpu.sample()
        finally:
            stop(workers)
    rate = requests / seconds
    print(f"drain: {requests} requests, {worker_count} worker(s): {seconds:.1f} s, "
          f"{rate:.0f} requests/s, {rate / worker_count:.0f} per worker", flush=True)
    print("  " + cpu.per_item(before, after, requests, {"Python": "workers", "bench": "bench (enqueue, polling)"}),
          flush=True)


def submit_steadily(rate, seconds, first_number, mailbox):
    """In a process of its own: submit at ``rate`` per second for ``seconds``; return how many were sent."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "REDIS_URL": REDIS_URL, "SECRET_KEY": "bench",
                      "MAILBOX_DIR": str(mailbox), "SMTP_URL": None, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        interval, started, sent = 1 / rate, time.monotonic(), 0
        while time.monotonic() - started < seconds:
            submit_request(submission(first_number + sent))
            sent += 1
            delay = started + sent * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    return sent


def sustained(app, rate, seconds, worker_count, mailbox, submitters):
    """Submit at ``rate`` from several processes (one Python process cannot submit fast enough) while workers run."""
    with app.app_context():
        workers = start_workers(worker_count, mailbox)
        time.sleep(3)  # let them connect before the clock starts
        first_id = db.session.scalar(db.select(db.func.coalesce(db.func.max(ServiceRequest.id), 0)))
        try:
            with ProcessPoolExecutor(submitters, mp_context=multiprocessing.get_context("spawn")) as pool:
                sent = sum(pool.map(submit_steadily, [rate / submitters] * submitters, [seconds] * submitters,
                                    [n * 1_000_000 for n in range(submitters)], [mailbox] * submitters))
            wait_until_drained()
        finally:
            stop(workers)
        latencies = sorted(
            (opened - submitted).total_seconds()
            for opened, submitted in db.session.execute(
                db.select(Case.opened_at, ServiceRequest.submitted_at)
                .join(ServiceRequest, Case.request_id == ServiceRequest.id)
                .where(ServiceRequest.id > first_id)
            )
        )
        # the rate achieved, from the submission times themselves (the submitters take a while to start)
        first, last = db.session.execute(db.select(db.func.min(ServiceRequest.submitted_at),
                                                   db.func.max(ServiceRequest.submitted_at))
                                         .where(ServiceRequest.id > first_id)).one()
        achieved = sent / max((last - first).total_seconds(), 0.001)
    p50 = statistics.median(latencies)
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(f"sustained: {sent} submissions at {achieved:.0f}/s (asked {rate}/s) with {worker_count} worker(s): "
          f"submission to case in queue p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
          f"max {latencies[-1] * 1000:.0f} ms", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--submitters", type=int, default=3, help="processes submitting for the sustained run")
    arguments = parser.parse_args()
    mailbox = Path("/tmp/tandem-bench-mailbox")
    print(f"machine: {os.cpu_count()} cores; PostgreSQL {DATABASE_URL.rsplit('@', 1)[-1]}; Redis {REDIS_URL}")
    for count in arguments.workers:
        recreate_database()
        drain(build_app(mailbox), arguments.requests, count, mailbox)
    recreate_database()
    sustained(build_app(mailbox), arguments.rate, arguments.seconds, max(arguments.workers), mailbox,
              arguments.submitters)


if __name__ == "__main__":
    main()
