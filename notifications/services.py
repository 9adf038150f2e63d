"""The outbox: adding messages in the caller's transaction, and delivering them."""
import logging
import time
from datetime import timedelta

from flask import current_app
from jinja2 import TemplateNotFound
from sqlalchemy import update
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from core.extensions import db
from core.queues import NOTIFICATIONS, enqueue_safely, recover_abandoned, reenqueue
from core.timeutil import utcnow
from notifications.channels import PermanentFailure, channel_for
from notifications.messages import MessageTemplateError, render_message
from notifications.models import DeliveryStatus, Notification
from notifications.stops import is_stopped, stop_url

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4


def queue_message(dedupe_key, recipient, template, language, payload, request_id=None,
                  channel="email", subject_key=None, unseen_key=False):
    """Add a message to the outbox in the caller's transaction; return it, or None if already there.

    Does not commit: the caller commits it with the change that caused it,
    then calls ``dispatch``. ``dedupe_key`` names the event and recipient.
    With ``subject_key`` (e.g. ``request:42``) the message carries a one-click
    ``stop_url`` and is not sent once the recipient has used it. ``unseen_key``:
    the key names a record made in this transaction, so no message can have it
    yet and the check is skipped (the unique key still guards).
    """
    if not unseen_key and db.session.scalar(db.select(Notification.id).filter_by(dedupe_key=dedupe_key)) is not None:
        return None
    if subject_key is not None:
        payload = dict(payload, stop_url=stop_url(subject_key))
    notification = Notification(
        dedupe_key=dedupe_key, recipient=recipient, template=template, language=language,
        payload=payload, request_id=request_id, channel=channel, subject_key=subject_key,
    )
    db.session.add(notification)
    return notification


def job_id_for(notification_id):
    return f"deliver-{notification_id}"


def dispatch(notification):
    """Enqueue delivery of a committed ``notification``; Redis being down only delays it."""
    from notifications.tasks import deliver

    enqueue_safely(NOTIFICATIONS, deliver, notification.id, job_id=job_id_for(notification.id),
                   job_timeout=current_app.config["DELIVERY_JOB_TIMEOUT"],
                   when_redis_is_down=lambda: note_missed_wake(notification.id))


def note_missed_wake(notification_id):
    """Mark a committed message whose delivery job Redis could not take, for the next sweep. Commits; never raises."""
    try:
        db.session.execute(db.update(Notification).where(Notification.id == notification_id,
                                                         Notification.status == DeliveryStatus.PENDING)
                           .values(wake_missed=True))
        db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        log.warning("could not mark notification %s for the sweep (%s)", notification_id, type(error).__name__)


def deliver(notification_id):
    """Send one outbox message, once.

    Already sent or failed: does nothing. The message is claimed (status
    ``sending``, committed) before it leaves, so a retry never sends it twice;
    after a successful send, marking it sent is retried for up to
    ``MARK_SENT_SECONDS`` while the database restarts. A claim older than the
    job may run (its timeout and heartbeat slack) belongs to a run whose
    worker died, found by RQ's abandoned-job handling: that message is sent
    again, since it most likely never left. A
    temporary failure frees the claim, counts the attempt, commits and
    re-raises so RQ retries with backoff; after ``MAX_ATTEMPTS`` or a
    permanent failure the row is marked failed with the reason. Commits.
    """
    notification = db.session.get(Notification, notification_id)
    if notification is None or not (notification.status == DeliveryStatus.PENDING or abandoned_claim(notification)):
        return notification
    if notification.subject_key and is_stopped(notification.subject_key):
        notification.status = DeliveryStatus.STOPPED
        db.session.commit()
        return notification
    try:
        message = render_message(notification)
    except (MessageTemplateError, TemplateNotFound) as error:
        # wording that cannot render will not render on a retry either
        notification.attempts += 1
        mark_failed(notification, str(error))
        return notification
    claimed = db.session.execute(
        update(Notification).where(Notification.id == notification.id, Notification.status == notification.status,
                                   Notification.attempts == notification.attempts)
        .values(status=DeliveryStatus.SENDING, attempts=Notification.attempts + 1, claimed_at=utcnow())
    ).rowcount
    db.session.commit()
    if not claimed:
        return notification  # another run took it between our read and our claim
    db.session.refresh(notification)
    try:
        channel_for(notification.channel).send(notification.recipient, message)
    except PermanentFailure as error:
        mark_failed(notification, str(error))
        return notification
    except Exception as error:
        notification.last_error = f"{type(error).__name__}: {error}"[:2000]
        if notification.attempts >= MAX_ATTEMPTS:
            mark_failed(notification, notification.last_error)
            return notification
        notification.status = DeliveryStatus.PENDING  # it did not leave: free it for the retry
        db.session.commit()
        raise
    mark_sent(notification.id)
    return notification


# how long a run keeps trying to record that it sent a message while the database is away;
# well inside the job's timeout, so the run ends by itself rather than being killed
MARK_SENT_SECONDS = 10
# the workers' heartbeat slack (worker.py): a claim older than timeout + this has no live run
HEARTBEAT_SLACK_SECONDS = 5


def mark_sent(notification_id):
    """Record that the message left; retried while the database restarts. Commits.

    If the database stays away longer, the message stays claimed (it is not
    sent again) and the sweep's ``settle_stale_claims`` shows it later.
    """
    deadline = time.monotonic() + MARK_SENT_SECONDS
    while True:
        try:
            db.session.execute(
                update(Notification)
                .where(Notification.id == notification_id, Notification.status == DeliveryStatus.SENDING)
                .values(status=DeliveryStatus.SENT, sent_at=utcnow(), last_error=None)
            )
            db.session.commit()
            return
        except (OperationalError, InterfaceError):
            db.session.rollback()
            if time.monotonic() > deadline:
                log.error("notification %s was sent but could not be recorded as sent", notification_id)
                return
            log.warning("could not yet record notification %s as sent; trying again", notification_id)
            time.sleep(1)


def abandoned_claim(notification):
    """True for a message claimed longer ago than its job may run: the run that claimed it is dead."""
    if notification.status != DeliveryStatus.SENDING or notification.claimed_at is None:
        return False
    limit = current_app.config["DELIVERY_JOB_TIMEOUT"] + HEARTBEAT_SLACK_SECONDS
    return notification.claimed_at < utcnow() - timedelta(seconds=limit)


# a claim older than this belongs to a worker that stopped while sending (or could not say it had sent)
STALE_CLAIM_SECONDS = 600


def settle_stale_claims():
    """Mark messages claimed long ago and never confirmed as failed, saying they may have been sent. Commits.

    Sending them again could send them twice; leaving them would hide them.
    Staff see them on the case with the reason. Returns how many.
    """
    cutoff = utcnow() - timedelta(seconds=STALE_CLAIM_SECONDS)
    stale = db.session.scalars(db.select(Notification).where(
        Notification.status == DeliveryStatus.SENDING, Notification.claimed_at < cutoff)).all()
    for notification in stale:
        mark_failed(notification, "The worker stopped while sending: it may or may not have been delivered.")
    return len(stale)


def register_failure_handler(app, handler):
    """Make ``handler(notification)`` run when a message fails for good, in the same transaction.

    Lets the package that owns the subject (a case) record the failure where
    staff will see it, without this package knowing about cases.
    """
    app.extensions.setdefault("tandem.delivery_failure_handlers", []).append(handler)


def mark_failed(notification, reason):
    """Mark ``notification`` failed for good with ``reason``, tell the registered handlers. Commits."""
    notification.status = DeliveryStatus.FAILED
    notification.last_error = reason[:2000]
    for handler in current_app.extensions.get("tandem.delivery_failure_handlers", []):
        handler(notification)
    db.session.commit()
    log.warning("notification %s failed for good after %s attempts", notification.id, notification.attempts)


def sweep_unsent():
    """Enqueue delivery again for messages whose wake-up was missed, or still pending after the grace period.

    Returns how many were queued. Raises ``RedisError`` while Redis is away.
    """
    from notifications.tasks import deliver

    recover_abandoned(NOTIFICATIONS)
    settle_stale_claims()
    cutoff = utcnow() - timedelta(seconds=current_app.config["NOTIFICATION_GRACE_SECONDS"])
    ids = db.session.scalars(
        db.select(Notification.id)
        .where(Notification.status == DeliveryStatus.PENDING,
               Notification.wake_missed | (Notification.created_at < cutoff))
        .order_by(Notification.created_at)
        .limit(500)
    ).all()
    timeout = current_app.config["DELIVERY_JOB_TIMEOUT"]
    queued = sum(1 for notification_id in ids
                 if reenqueue(NOTIFICATIONS, deliver, notification_id, job_id=job_id_for(notification_id),
                              job_timeout=timeout))
    if ids:
        db.session.execute(db.update(Notification).where(Notification.id.in_(ids), Notification.wake_missed)
                           .values(wake_missed=False))
        db.session.commit()
    return queued


def failures_for_request(request_id):
    """Return the messages about ``request_id`` that could not be delivered."""
    return db.session.scalars(
        db.select(Notification)
        .filter_by(request_id=request_id, status=DeliveryStatus.FAILED)
        .order_by(Notification.created_at)
    ).all()
