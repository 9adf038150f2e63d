"""Shapes of what caseworkers send from the console."""
from marshmallow import fields, validate

from casework.forms import ConsoleForm, record_id

MAX_STEP_MINUTES = 8 * 60


def minutes_field():
    return fields.Integer(
        required=True, strict=False,
        validate=validate.Range(min=0, max=MAX_STEP_MINUTES,
                                error=f"Enter the minutes as a whole number from 0 to {MAX_STEP_MINUTES}"),
        error_messages={"required": "Enter how many minutes it took",
                        "invalid": "Enter the minutes as a whole number, like 15"},
    )


class StepSchema(ConsoleForm):
    """A piece of work recorded on a case."""

    step_type_id = record_id("Choose one of this service's steps", required=False)
    effort_minutes = minutes_field()
    note = fields.String(load_default=None, validate=validate.Length(max=5000, error="Keep the note to 5,000 characters or fewer"))
    friction = fields.Integer(load_default=None, validate=validate.Range(min=1, max=5, error="Choose how hard it was, from 1 to 5"),
                              error_messages={"invalid": "Choose how hard it was, from 1 to 5"})
    friction_note = fields.String(load_default=None, validate=validate.Length(max=500, error="Keep the reason to 500 characters or fewer"))


class ResolveSchema(ConsoleForm):
    """Resolution of a case, with the note the citizen will read."""

    public_note = fields.String(
        required=True,
        validate=validate.Length(min=5, max=5000, error="Write what was done in 5 to 5,000 characters"),
        error_messages={"required": "Write what was done; the citizen will read this"},
    )
    effort_minutes = minutes_field()


def public_text(required_message, max_length=5000):
    """Text the citizen will read: required, trimmed, bounded."""
    return fields.String(
        required=True,
        validate=validate.Length(min=2, max=max_length, error=f"Write 2 to {max_length:,} characters"),
        error_messages={"required": required_message},
    )


class ReplySchema(ConsoleForm):
    """An update posted to the citizen."""

    message = public_text("Write the update; the citizen will read this")
    effort_minutes = minutes_field()


class InformationRequestSchema(ConsoleForm):
    """A question the citizen must answer before work goes on."""

    question = public_text("Write what you need to know; the citizen will read this")
    effort_minutes = minutes_field()


class ReopenSchema(ConsoleForm):
    """Why a resolved case is opened again."""

    reason = public_text("Say why the case is reopened; the citizen will read this", max_length=2000)


class AssignSchema(ConsoleForm):
    """Who takes the case."""

    staff_id = record_id("Choose who should take the case")


class ManualRouteSchema(ConsoleForm):
    """A supervisor's routing of a request automatic triage could not route."""

    queue_id = record_id("Choose a queue")
    priority = fields.String(load_default="normal", validate=validate.OneOf(["low", "normal", "high", "urgent"],
                                                                           error="Choose a priority from the list"))

