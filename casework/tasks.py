"""Functions the RQ worker runs for casework. They take ids and let failures raise."""
from flask import current_app
from sqlalchemy.exc import InterfaceError, OperationalError

from casework.clock import sla
from casework.triage import engine as triage
from core.extensions import db
from core.queues import TRIAGE, discard_queued, enqueue_safely, recover_abandoned, reenqueue


def triage_job_id(request_id):
    return f"triage-{request_id}"


def enqueue_triage_job(request_id):
    """Wake the worker for a committed request; a Redis outage only delays it (the sweep covers it).

    If Redis cannot take the job, the request is marked so the next sweep
    (every few seconds) queues it at once rather than after the grace period.
    """
    enqueue_safely(TRIAGE, triage_request, request_id, job_id=triage_job_id(request_id),
                   job_timeout=current_app.config["TRIAGE_JOB_TIMEOUT"],
                   when_redis_is_down=lambda: triage.note_missed_wake(request_id))


def triage_request(request_id):
    """Open the case for request ``request_id``, and for other waiting requests while at it. Idempotent.

    Returns the ids of the cases opened (empty when another run got there first).

    A failure is counted on the request and raised, so RQ retries with
    backoff; once the request has failed ``TRIAGE_MAX_ATTEMPTS`` times it is
    moved to the supervisors' manual triage list and the job ends quietly,
    instead of lingering in RQ's failed registry where nobody looks.
    """
    try:
        cases = triage.triage_batch(request_id, current_app.config["TRIAGE_BATCH_SIZE"])
    except triage.TriageFailed:
        if triage.given_up(request_id):
            return None
        raise
    except (OperationalError, InterfaceError, triage.RequestHeldElsewhere):
        # the database was away, or another transaction held the request: not the request's fault,
        # so no attempt is counted; RQ retries in seconds
        db.session.rollback()
        raise
    except Exception as error:
        db.session.rollback()
        if triage.count_failed_attempt(request_id, f"{type(error).__name__}: {error}"):
            return None
        raise
    # the batch did the work of the other requests' jobs: spare the worker running them for nothing
    discard_queued(TRIAGE, [triage_job_id(case.request_id) for case in cases if case.request_id != request_id])
    return [case.id for case in cases]


def sweep_pending_triage():
    """Enqueue triage again for requests whose wake-up was missed, or still pending after the grace period (periodic).

    First retries the jobs of workers that died mid-batch (their heartbeat
    has lapsed). Raises ``RedisError`` while Redis is away, so the run counts
    as failed; the marks stay until a sweep has queued their jobs.
    """
    recover_abandoned(TRIAGE)
    ids = triage.pending_requests(current_app.config["TRIAGE_GRACE_SECONDS"])
    timeout = current_app.config["TRIAGE_JOB_TIMEOUT"]
    queued = [request_id for request_id in ids
              if reenqueue(TRIAGE, triage_request, request_id, job_id=triage_job_id(request_id), job_timeout=timeout)]
    triage.clear_missed_wakes(ids)
    return len(queued)


def watch_deadlines():
    """Warn about cases near or past their due date (periodic)."""
    return sla.watch_deadlines()


def send_supervisor_digest():
    """Send the supervisors' daily digest once the day's hour has come (periodic)."""
    return sla.send_supervisor_digest()


def apply_retention():
    """Remove personal data of requests resolved longer ago than the retention period, and of old emails that
    reached no request (periodic)."""
    from casework.retention import anonymise_resolved_requests, forget_old_mail

    return anonymise_resolved_requests() + forget_old_mail()
