"""The outbox: adding messages in the caller's transaction, and delivering them."""
import logging
import time
from datetime import timedelta

from flask import current_app
from jinja2 import TemplateNotFound
from sqlalchemy import update
from redis.exceptions import RedisError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from core.extensions import db
from core.queues import NOTIFICATIONS, enqueue_safely, recover_abandoned, redis_connection, reenqueue
from core.timeutil import utcnow
from notifications.channels import PermanentFailure, channel_for
from notifications.messages import MessageTemplateError, render_message
from notifications.models import DeliveryStatus, Notification
from notifications import bounces, threads
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
    ``sending``, committed) before it leaves; once it has left, that is noted
    in Redis and then recorded in the database (retried while the database
    restarts). A retry that finds a claim sends again only if Redis holds no
    note that it left: the run before died or failed before sending. A
    temporary failure frees the claim, counts the attempt, commits and
    re-raises so RQ retries with backoff; after ``MAX_ATTEMPTS`` or a
    permanent failure the row is marked failed with the reason. Commits.
    """
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.status not in (DeliveryStatus.PENDING, DeliveryStatus.SENDING):
        return notification
    if notification.status == DeliveryStatus.SENDING:
        left = left_already(notification_id)
        if left is None:
            return notification  # Redis cannot say: leave the claim for the sweep rather than risk a second copy
        if left:
            mark_sent(notification_id)
            return notification
    if notification.channel == "email" and bounces.bounced_since(notification.recipient):
        notification.attempts += 1
        mark_failed(notification, "mail to this address bounced; nothing is sent to it until the citizen writes "
                                  "from it or gives another address")
        return notification
    if notification.subject_key and is_stopped(notification.subject_key):
        notification.status = DeliveryStatus.STOPPED
        db.session.commit()
        return notification
    try:
        message = render_message(notification)
        message.headers = threads.headers_for(notification)
    except (MessageTemplateError, TemplateNotFound) as error:
        # wording that cannot render will not render on a retry either
        notification.attempts += 1
        mark_failed(notification, str(error))
        return notification
    channel, recipient, attempts = notification.channel, notification.recipient, notification.attempts + 1
    claimed = db.session.execute(
        update(Notification).where(Notification.id == notification_id, Notification.status == notification.status,
                                   Notification.attempts == notification.attempts)
        .values(status=DeliveryStatus.SENDING, attempts=attempts, claimed_at=utcnow())
    ).rowcount
    db.session.commit()
    if not claimed:
        return None  # another run took it between our read and our claim
    try:
        # nothing here touches the database: a database outage now cannot strand the claim unsent
        channel_for(channel).send(recipient, message)
    except PermanentFailure as error:
        mark_failed(db.session.get(Notification, notification_id), str(error))
        return None
    except Exception as error:
        notification = db.session.get(Notification, notification_id)
        notification.last_error = f"{type(error).__name__}: {error}"[:2000]
        if attempts >= MAX_ATTEMPTS:
            mark_failed(notification, notification.last_error)
            return notification
        notification.status = DeliveryStatus.PENDING  # it did not leave: free it for the retry
        db.session.commit()
        raise
    note_left(notification_id)
    mark_sent(notification_id)
    return None


def left_key(notification_id):
    return f"tandem:delivered:{notification_id}"


def note_left(notification_id):
    """Note in Redis that the message left, before the database records it: a retry then never resends it."""
    try:
        redis_connection().set(left_key(notification_id), "1", ex=86400)
    except RedisError:
        log.warning("could not note in Redis that notification %s left", notification_id)


def left_already(notification_id):
    """True if Redis notes that the message left, False if not, None if Redis cannot be asked."""
    try:
        return redis_connection().exists(left_key(notification_id)) == 1
    except RedisError:
        return None


# how long a run keeps trying to record that it sent a message while the database is away;
# well inside the job's timeout, so the run ends by itself rather than being killed
MARK_SENT_SECONDS = 10


def mark_sent(notification_id):
    """Record that the message left; retried while the database restarts. Commits.

    If the database stays away longer, the run raises and RQ retries it; the
    retry finds the note in Redis and records it then, sending nothing.
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
                raise
            log.warning("could not yet record notification %s as sent; trying again", notification_id)
            time.sleep(1)


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
