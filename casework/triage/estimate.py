"""How much staff time a new case will take: the standard, until measured effort says better."""
from statistics import median

from flask import current_app

from casework.models import Case, CaseState, Step, StepType
from core.extensions import db
from intake.models import ServiceRequest

# the most recent closed cases that inform an estimate; older practice matters less
SAMPLE_LIMIT = 200


def standard_minutes(service_id):
    """The standard minutes of the service's workflow steps, added up."""
    total = db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(StepType.standard_minutes), 0)).filter_by(service_id=service_id)
    )
    return int(total)


def measured_minutes(service_id, limit=SAMPLE_LIMIT):
    """Total recorded effort of each of the service's last ``limit`` resolved cases (one query)."""
    recent = (
        db.select(Case.id)
        .join(ServiceRequest, Case.request_id == ServiceRequest.id)
        .where(ServiceRequest.service_id == service_id,
               Case.state.in_((CaseState.RESOLVED, CaseState.CLOSED)), Case.duplicate_of_id.is_(None))
        .order_by(Case.resolved_at.desc())
        .limit(limit)
        .subquery()
    )
    return db.session.scalars(
        db.select(db.func.sum(Step.effort_minutes)).where(Step.case_id.in_(db.select(recent.c.id)))
        .group_by(Step.case_id)
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
