"""A case's workflow as a checklist: the service's steps in order, what is done, under way and next."""
from casework.console.friction import friction_by_step_type
from casework.errors import ActionRefused
from casework.lookups import step_types_for
from casework.models import StepType
from core.extensions import db


def step_type_for(case, step_type_id):
    """The step type ``step_type_id`` of ``case``'s service, or None for none; ``ActionRefused`` for another's."""
    if step_type_id is None:
        return None
    step_type = db.session.get(StepType, step_type_id)
    if step_type is None or step_type.service_id != case.service_id:
        raise ActionRefused("Choose one of this service's steps.")
    return step_type


def steps_not_done(case):
    """Names of the case's workflow steps with no finished step, in order."""
    done = {step.step_type_id for step in case.steps if step.ended_at is not None}
    return [step_type.name for step_type in step_types_for(case) if step_type.id not in done]


def workflow_checklist(case):
    """The service's workflow as a checklist: ``[(step type, [finished steps of it])]`` in order, then other work.

    A step type with no finished step is still to do (``under_way`` maps the
    ones someone has started to that step); ``next`` is the first to do that
    nobody has started, which "Start a step" offers first.
    """
    finished = [step for step in case.steps if step.ended_at is not None]
    types = step_types_for(case)
    listed = [(step_type, [step for step in finished if step.step_type_id == step_type.id]) for step_type in types]
    known = {step_type.id for step_type, _ in listed}
    other = [step for step in finished if step.step_type_id not in known]
    under_way = {step.step_type_id: step for step in case.steps if step.ended_at is None and step.step_type_id}
    following = next((step_type for step_type, done in listed if not done and step_type.id not in under_way), None)
    return {"steps": listed, "other": other, "minutes": sum(step.effort_minutes or 0 for step in finished),
            "friction": friction_by_step_type(step_type.id for step_type in types),
            "under_way": under_way, "next": following}
