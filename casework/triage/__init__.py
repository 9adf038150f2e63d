"""Triage: route a committed request to a queue, with its priority, due dates, likely duplicates, assignee and effort estimate."""


def enqueue_triage(sender, request_id, **extra):
    """Receiver of ``request_submitted``: wake the worker. The sweep covers a Redis outage."""
    from casework.tasks import enqueue_triage_job

    enqueue_triage_job(request_id)


def init_app(app):
    """Triage every submitted request; every few seconds, queue what Redis could not take while it was away."""
    from casework import tasks
    from core.periodic import register_periodic
    from intake.signals import request_submitted

    request_submitted.connect(enqueue_triage, sender=app)
    register_periodic(app, tasks.sweep_pending_triage, interval_seconds=5)
