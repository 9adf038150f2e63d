"""Functions the RQ worker runs for notifications."""
from notifications import services


def deliver(notification_id):
    """Send outbox message ``notification_id`` (idempotent; raises on temporary failure)."""
    services.deliver(notification_id)


def sweep_unsent():
    """Re-enqueue outbox messages stuck unsent (periodic)."""
    return services.sweep_unsent()
