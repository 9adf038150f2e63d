"""How much staff time a new case will take: the standard, until measured effort says better."""
from statistics import median

from flask import current_app

from casework.models import Case, StepType
from core.extensions import db

# the most recent closed cases that inform an estimate; older practice matters less
SAMPLE_LIMIT = 200


def standard_minutes(service_id):
    """The standard minutes of the service's workflow steps, added up."""
    total = db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(StepType.standard_minutes), 0)).filter_by(service_id=service_id)
    )
    return int(total)


def measured_minutes(service_id, limit=SAMPLE_LIMIT):
    """Total recorded effort of each of the service's last ``limit`` resolved cases that recorded any.

    One read of the index of resolved cases by service (``ix_case_resolved_by_service``, which carries each
    case's effort so far, kept by ``casework.effort``): at a million cases a join to the requests and a sum
    over their steps took 0.4 s, paid by every triage batch and every case a script opens at once.
    """
    return db.session.scalars(
        db.select(Case.spent_minutes)
        .where(Case.service_id == service_id, Case.closed_at.is_not(None), Case.resolved_at.is_not(None),
               Case.duplicate_of_id.is_(None), Case.spent_minutes > 0)
        .order_by(Case.resolved_at.desc()).limit(limit)
    ).all()


def estimate_minutes(service_id):
    """The expected effort of a new case of ``service_id``, in minutes.

    The median measured effort of recent resolved cases of the same service
    once at least ``ESTIMATE_MIN_SAMPLES`` exist (the median, so one marathon
    case does not skew it); the standard minutes of its steps before that.
    """
    measured = measured_minutes(service_id)
    if len(measured) >= current_app.config.get("ESTIMATE_MIN_SAMPLES", 20):
        return int(round(median(measured)))
    return standard_minutes(service_id)
