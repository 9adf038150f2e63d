"""Read-only lookups the console, the admin pages and the staff API share: queues, staff, outcomes, steps.

Nothing here writes; each answers from the database as it is now.
"""
from casework.agency_setup import District, Outcome, RoutingRule
from casework.models import Queue, StepType, queue_member
from core.extensions import db
from core.accounts.models import Staff
from intake.models import Service


def all_queues():
    """Every queue, by name."""
    return db.session.scalars(db.select(Queue).order_by(Queue.name)).all()


def queue_by_id(queue_id):
    """The queue ``queue_id``, or None."""
    return db.session.get(Queue, queue_id)


def staff_member(staff_id):
    """Return the active staff member ``staff_id``, or None."""
    staff = db.session.get(Staff, staff_id)
    return staff if staff is not None and staff.active else None


def active_outcomes():
    """How a case can end, in the admins' order."""
    return db.session.scalars(db.select(Outcome).filter_by(active=True).order_by(Outcome.position, Outcome.id)).all()


def step_types_for(case):
    """Return the workflow steps of the case's service, in order."""
    return db.session.scalars(
        db.select(StepType).filter_by(service_id=case.service_id).order_by(StepType.position)
    ).all()


def filter_choices(queue_ids):
    """What a list's filter form offers: services, who holds cases in ``queue_ids``, areas and tags."""
    people = db.select(Staff).where(Staff.active).order_by(Staff.name)
    if queue_ids:
        people = people.where(Staff.id.in_(db.select(queue_member.c.staff_id).where(queue_member.c.queue_id.in_(queue_ids))))
    tags = sorted({tag for line in db.session.scalars(db.select(RoutingRule.tags)) for tag in line.split()})
    return {
        "services": db.session.scalars(db.select(Service).order_by(Service.name)).all(),
        "people": db.session.scalars(people).all(),
        "districts": db.session.scalars(db.select(District).order_by(District.name)).all(),
        "tags": tags,
    }
