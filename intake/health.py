"""Intake's part of readiness and metrics: how long submitted requests wait for triage."""
from flask import current_app

from core.extensions import db
from core.health import register_gauge, register_readiness_check
from core.timeutil import utcnow
from intake.models import ServiceRequest, TriageState

# both queries read the (triage_state, submitted_at) index, so they cost the
# same however many requests have been triaged
PENDING = ServiceRequest.triage_state == TriageState.PENDING


def pending_triage_count():
    """Return how many requests are waiting for triage."""
    return db.session.scalar(db.select(db.func.count()).select_from(ServiceRequest).where(PENDING))


def oldest_pending_triage_seconds():
    """Return how long the oldest request pending triage has waited, in whole seconds; 0 if none."""
    oldest = db.session.scalar(db.select(db.func.min(ServiceRequest.submitted_at)).where(PENDING))
    return 0 if oldest is None else max(0, int((utcnow() - oldest).total_seconds()))


def oldest_pending_triage_check():
    """Readiness: not ready once a request waits for triage longer than the limit.

    A long wait means no worker is triaging (stopped, stuck, or cut off from
    Redis) even though the sweep keeps re-enqueueing.
    """
    waited = oldest_pending_triage_seconds()
    limit = current_app.config["READY_MAX_PENDING_TRIAGE_SECONDS"]
    detail = {"oldest_seconds": waited, "max_seconds": limit}
    if waited > limit:
        detail["error"] = f"a request has waited {waited} s for triage; the limit is {limit} s"
        return False, detail
    return True, detail


def init_app(app):
    register_readiness_check(app, "pending_triage", oldest_pending_triage_check)
    register_gauge(
        app, "tandem_pending_triage_requests",
        "Requests submitted and not yet triaged.", pending_triage_count,
    )
    register_gauge(
        app, "tandem_oldest_pending_triage_seconds",
        "How long the oldest request pending triage has waited.", oldest_pending_triage_seconds,
    )
