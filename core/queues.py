"""Access to Redis and the RQ queues, named by the kind of work they hold."""
import logging

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry

log = logging.getLogger(__name__)

TRIAGE = "triage"
NOTIFICATIONS = "notifications"
PERIODIC = "periodic"
QUEUE_NAMES = (TRIAGE, NOTIFICATIONS, PERIODIC)

# a failed or abandoned job is retried at once, then after 1 and 5 minutes. The first retry
# needs no scheduler: a killed worker's scheduler lock blocks scheduled jobs for up to a minute
# at once first (RQ queues a 0 s retry itself; later ones need a worker's scheduler, whose lock a
# killed worker holds for a minute), then soon, for a restart of a few seconds, then backing off
DEFAULT_RETRY = Retry(max=5, interval=[0, 5, 15, 60, 300])


# how long a worker or the scheduler waits before trying Redis again, doubling up to the most: a
# restarted Redis is found again within seconds, and a long outage costs one attempt every 5 s
RECONNECT_FIRST_SECONDS, RECONNECT_MOST_SECONDS = 1, 5


def redis_connection():
    """Return the app's Redis client, created on first use (never at import)."""
    extensions = current_app.extensions
    if "tandem.redis" not in extensions:
        extensions["tandem.redis"] = Redis.from_url(
            current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5
        )
    return extensions["tandem.redis"]


OWNER_KEY = "tandem:owner"


class RedisTakenByAnother(RuntimeError):
    """The Redis database holds another Tandem's queues; running jobs from it would work the wrong records."""


def owner_identity(config):
    """Who this Tandem is, to Redis: its database (host, port and name, or SQLite file), never a password.

    Every process of one deployment shares it; two Tandems on one machine do not.
    """
    from sqlalchemy import make_url

    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    return f"{url.get_backend_name()}://{url.host or ''}:{url.port or ''}/{url.database or ''}"


def claim_redis(connection, identity):
    """Mark the Redis database as this Tandem's, or raise ``RedisTakenByAnother`` if it is another's."""
    connection.set(OWNER_KEY, identity, nx=True)
    owner = connection.get(OWNER_KEY)
    if owner is not None and owner.decode() != identity:
        raise RedisTakenByAnother(
            f"Redis database {connection.connection_pool.connection_kwargs.get('db', 0)} holds the queues of another Tandem "
            f"({owner.decode()}); set REDIS_URL to a database of its own (for example redis://127.0.0.1:6379/1).")


def claim_app_redis():
    """Claim the app's Redis database for this Tandem (workers and the scheduler call this at start)."""
    claim_redis(redis_connection(), owner_identity(current_app.config))


def get_queue(name):
    """Return the RQ queue ``name`` on the app's Redis."""
    return Queue(name, connection=redis_connection())


def job_meta():
    """What a job carries from the request that caused it: its request id, for the logs."""
    from core.logs import request_id_var

    request_id = request_id_var.get()
    return {"request_id": request_id} if request_id else {}


def enqueue_safely(queue_name, func, *args, job_id, when_redis_is_down=None, **options):
    """Enqueue ``func(*args)`` as job ``job_id``; return the job, or None if Redis is down.

    Callers have already committed the record the job works on, so a failed
    enqueue loses nothing: the periodic sweep finds the record and enqueues it
    again. ``when_redis_is_down()`` lets the caller mark the record so the
    sweep takes it at once rather than after its grace period. A job id
    derived from the record makes a second enqueue of a job that Redis still
    holds a no-op rather than a duplicate.
    """
    options.setdefault("retry", DEFAULT_RETRY)
    options.setdefault("meta", job_meta())
    try:
        return get_queue(queue_name).enqueue(func, *args, job_id=job_id, unique=True, **options)
    except DuplicateJobError:
        return None
    except RedisError as error:
        log.warning("could not enqueue %s (%s); the sweep will retry", job_id, type(error).__name__)
        if when_redis_is_down is not None:
            when_redis_is_down()
        return None


# a job in one of these states will still run; anything else needs a new job
LIVE_STATUSES = {
    JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED,
    JobStatus.DEFERRED, JobStatus.RATE_LIMITED,
}


def reenqueue(queue_name, func, *args, job_id, **options):
    """Enqueue ``job_id`` again unless Redis holds a live copy of it.

    Used by the sweeps: a job that failed for good, finished without effect,
    or vanished with a restarted Redis is replaced by a fresh one. Raises
    ``RedisError`` so a sweep run while Redis is down is marked failed.
    """
    connection = redis_connection()
    try:
        job = Job.fetch(job_id, connection=connection)
        status = job.get_status()
    except (NoSuchJobError, InvalidJobOperation):
        # no such job, or it went between our two looks (a triage batch drops the jobs it did)
        job = None
    if job is not None:
        if status in LIVE_STATUSES:
            return None
        job.delete()
    options.setdefault("retry", DEFAULT_RETRY)
    options.setdefault("meta", job_meta())
    return get_queue(queue_name).enqueue(func, *args, job_id=job_id, **options)


def recover_abandoned(queue_name):
    """Retry at once the jobs of ``queue_name`` whose worker died mid-job (RQ's own abandoned-job handling).

    A started job's heartbeat lapses its timeout plus a few seconds after it
    began; RQ's workers look for lapsed ones every maintenance interval, and
    the sweeps call this every few seconds so a killed worker's job is
    retried within seconds of that. Raises ``RedisError`` while Redis is away.
    """
    StartedJobRegistry(queue=get_queue(queue_name)).cleanup()


def discard_queued(queue_name, job_ids):
    """Take jobs that no worker has picked up yet out of ``queue_name``; return how many went.

    For jobs made pointless by work already committed (a triage batch that
    handled their requests): each would only start, find nothing to do and
    finish. A job already dequeued is left alone to run. Redis being down
    changes nothing but speed.
    """
    if not job_ids:
        return 0
    queue = get_queue(queue_name)
    try:
        pipeline = queue.connection.pipeline(transaction=False)
        for job_id in job_ids:
            queue.remove(job_id, pipeline=pipeline)
        removed = [job_id for job_id, count in zip(job_ids, pipeline.execute()) if count]
        if removed:
            queue.connection.delete(*(Job.key_for(job_id) for job_id in removed))
    except RedisError as error:
        log.warning("could not discard %d finished jobs (%s)", len(job_ids), type(error).__name__)
        return 0
    return len(removed)
