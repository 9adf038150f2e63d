"""Start an RQ worker inside the app context: ``python worker.py [queue ...]``.

With no arguments it serves every queue, in priority order. Jobs run in this
process (no fork per job), which keeps database connections and imports warm;
the app context is pushed once and the session is cleaned after each job.
"""
import logging
import sys
import time

from flask import current_app
from redis.exceptions import RedisError
from rq import SimpleWorker

from core import create_app
from core.extensions import db
from core.logs import request_id_var
from core.queues import (
    QUEUE_NAMES, RECONNECT_FIRST_SECONDS, RECONNECT_MOST_SECONDS, RedisTakenByAnother, claim_app_redis, get_queue,
    redis_connection,
)

# slack on top of a job's own timeout before a silent worker's job counts as abandoned: with
# triage's 10 s timeout, a killed worker's batch is retried 15-20 s after it began (the sweeps look every 5 s)
HEARTBEAT_SLACK_SECONDS = 5

log = logging.getLogger("tandem.worker")


class AppWorker(SimpleWorker):
    """A worker that leaves no database session behind between jobs."""

    def get_heartbeat_ttl(self, job, working_time=0.0):
        # RQ allows a fixed extra minute; jobs here run in this process under their own
        # timeout, so a little slack is enough and a killed worker's job is retried
        # within seconds (timeout + slack + one sweep)
        if job.timeout and job.timeout > 0:
            return int(max(job.timeout - working_time, 1)) + HEARTBEAT_SLACK_SECONDS
        return super().get_heartbeat_ttl(job, working_time)

    def perform_job(self, *args, **kwargs):
        # RQ 3 passes (job, queue, execution); pass on whatever this RQ passes
        job = args[0] if args else kwargs.get("job")
        # the job's log lines carry the id of the web request that caused it, or the job's own
        token = request_id_var.set((job.meta or {}).get("request_id") or f"job:{job.id}")
        try:
            return super().perform_job(*args, **kwargs)
        finally:
            request_id_var.reset(token)
            db.session.remove()


def build_worker(queue_names):
    """Return a worker for ``queue_names``; call inside an app context.

    Its short heartbeat TTL and maintenance interval (settings, 35 s and 30 s
    by default) mean a job abandoned by a killed worker is found and retried
    within about a minute, not RQ's default ten.
    """
    config = current_app.config
    return AppWorker(
        [get_queue(name) for name in queue_names],
        connection=redis_connection(),
        worker_ttl=config["WORKER_TTL_SECONDS"],
        maintenance_interval=config["WORKER_MAINTENANCE_SECONDS"],
    )


def work_until_stopped(queue_names):
    """Run a worker; when Redis goes away, wait and start a fresh one, until a signal stops it.

    RQ's worker raises (from its loop or while registering its own death)
    when Redis stops answering; without this the process would exit and, under
    honcho, take every other process of the Procfile with it.
    """
    wait = RECONNECT_FIRST_SECONDS
    while True:
        worker = None
        try:
            # (making a worker already talks to Redis)
            claim_app_redis()
            worker = build_worker(queue_names)
            worker.work(with_scheduler=True)
            problem = "the worker stopped"  # RQ logs what broke its loop, then returns
        except RedisError as error:
            problem = type(error).__name__
        if worker is not None and stop_was_asked(worker):
            return  # a warm shutdown: SIGTERM or SIGINT
        log.warning("Redis is not answering (%s); trying again in %s s", problem, wait)
        time.sleep(wait)
        wait = min(wait * 2, RECONNECT_MOST_SECONDS)


def stop_was_asked(worker):
    """True when a signal asked ``worker`` to stop (RQ notes the time; busy workers also set a flag)."""
    return worker._stop_requested or getattr(worker, "_shutdown_requested_date", None) is not None


def main(argv):
    app = create_app()
    with app.app_context():
        try:
            work_until_stopped(argv or QUEUE_NAMES)
        except RedisTakenByAnother as error:
            log.error("%s", error)
            raise SystemExit(1) from None


if __name__ == "__main__":
    main(sys.argv[1:])
