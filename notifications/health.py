"""The outbox's part of readiness and metrics: messages waiting to be sent."""
from flask import current_app

from core.extensions import db
from core.health import register_gauge, register_readiness_check
from core.timeutil import utcnow
from notifications.models import DeliveryStatus, Notification

# both queries read the (status, created_at) index, so they cost the same
# however many messages have been sent
PENDING = Notification.status == DeliveryStatus.PENDING


def unsent_notification_count():
    """Return how many messages wait to be sent (failed ones are not waiting)."""
    return db.session.scalar(db.select(db.func.count()).select_from(Notification).where(PENDING))


def oldest_unsent_notification_seconds():
    """Return how long the oldest unsent message has waited, in whole seconds; 0 if none."""
    oldest = db.session.scalar(db.select(db.func.min(Notification.created_at)).where(PENDING))
    return 0 if oldest is None else max(0, int((utcnow() - oldest).total_seconds()))


def oldest_unsent_notification_check():
    """Readiness: not ready once a message waits to be sent longer than the limit.

    Retries take at most about six minutes, so a longer wait means delivery
    has stopped: no worker, or a mail server refusing for a long time.
    """
    waited = oldest_unsent_notification_seconds()
    limit = current_app.config["READY_MAX_UNSENT_NOTIFICATION_SECONDS"]
    detail = {"oldest_seconds": waited, "max_seconds": limit}
    if waited > limit:
        detail["error"] = f"a message has waited {waited} s to be sent; the limit is {limit} s"
        return False, detail
    return True, detail


def init_app(app):
    register_readiness_check(app, "unsent_notifications", oldest_unsent_notification_check)
    register_gauge(
        app, "tandem_unsent_notifications",
        "Messages in the outbox not yet sent.", unsent_notification_count,
    )
    register_gauge(
        app, "tandem_oldest_unsent_notification_seconds",
        "How long the oldest unsent message has waited.", oldest_unsent_notification_seconds,
    )
