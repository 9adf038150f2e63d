"""A service's workflow steps and their standard minutes, as admins keep them.

The standard minutes add up to a new case's effort estimate until enough
cases of the service have measured effort (``casework.triage.estimate``). A step
that staff have already recorded on cases cannot be removed, only renamed or
re-timed, so the effort history keeps its meaning.
"""
from marshmallow import EXCLUDE, Schema, fields, validate

from core import audit
from core.extensions import db
from casework.models import Step, StepType


class StepInUse(ValueError):
    """The step has been recorded on cases."""


def steps_of(service_id):
    """The service's steps, in workflow order."""
    return db.session.scalars(
        db.select(StepType).filter_by(service_id=service_id).order_by(StepType.position, StepType.id)
    ).all()


def step_of(service_id, step_id):
    """Step ``step_id`` if it belongs to service ``service_id``, else None."""
    step = db.session.get(StepType, step_id)
    return step if step is not None and step.service_id == service_id else None


def save_step(service, step, name, standard_minutes, by):
    """Add (``step`` None, at the end) or change a step of ``service``. Commits; audited."""
    if step is None:
        position = max((s.position for s in steps_of(service.id)), default=0) + 1
        step = StepType(service_id=service.id, position=position)
        db.session.add(step)
    step.name, step.standard_minutes = name, standard_minutes
    db.session.flush()
    audit.record("workflow_step_saved", actor=by, target=step, service=service.code, name=name,
                 standard_minutes=standard_minutes)
    db.session.commit()
    return step


def remove_step(service, step, by):
    """Remove a step no case has used. Commits; audited. Raises ``StepInUse`` otherwise."""
    used = db.session.scalar(db.select(db.func.count(Step.id)).filter_by(step_type_id=step.id))
    if used:
        raise StepInUse(f"“{step.name}” has been recorded {used} times on cases, so it stays; "
                        "rename it or change its minutes instead.")
    audit.record("workflow_step_removed", actor=by, target=step, service=service.code, name=step.name)
    db.session.delete(step)
    db.session.commit()


class StepItem(Schema):
    """One step in the catalogue file."""

    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    standard_minutes = fields.Integer(required=True, validate=validate.Range(min=0, max=8 * 60))


def export_steps(service):
    """The service's steps for the catalogue file, in order."""
    return [{"name": step.name, "standard_minutes": step.standard_minutes} for step in steps_of(service.id)]


def sync_steps(service, items):
    """Make ``service``'s steps those in ``items`` (by name, in order); return the changes. Does not commit.

    A step missing from the file is removed, unless staff have recorded it on
    cases: then it stays, and the change says so.
    """
    db.session.flush()  # a service new in this import needs its id
    current = {step.name: step for step in steps_of(service.id)}
    changes = []
    for position, item in enumerate(items, start=1):
        step = current.pop(item["name"], None)
        if step is None:
            step = StepType(service_id=service.id, name=item["name"])
            db.session.add(step)
            changes.append(f"add step {service.code}: {item['name']}")
        elif step.standard_minutes != item["standard_minutes"] or step.position != position:
            changes.append(f"update step {service.code}: {item['name']}")
        step.standard_minutes, step.position = item["standard_minutes"], position
    for position, (name, step) in enumerate(current.items(), start=len(items) + 1):
        if db.session.scalar(db.select(db.func.count(Step.id)).filter_by(step_type_id=step.id)):
            step.position = position  # after the file's steps
            changes.append(f"keep step {service.code}: {name} (recorded on cases)")
        else:
            db.session.delete(step)
            changes.append(f"remove step {service.code}: {name}")
    return changes
