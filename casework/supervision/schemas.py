"""Shapes of what supervisors send: capacity, cover, the plan's moves to apply."""
from marshmallow import ValidationError, fields, validate, validates_schema

from casework.forms import ConsoleForm, record_id
from casework.supervision.backlog import CHANNELS
from core.i18n import offered_language

FULL_TIME_MINUTES = 35 * 60


class CapacitySchema(ConsoleForm):
    """Weekly capacity as hours, or as a share of full time (35 hours); and the languages spoken."""

    LIST_FIELDS = ("languages",)

    hours = fields.Decimal(load_default=None, places=1, validate=validate.Range(
        min=0, max=60, error="Enter the hours a week as a number from 0 to 60"),
        error_messages={"invalid": "Enter the hours a week as a number, like 30 or 17.5"})
    share = fields.Integer(load_default=None, validate=validate.Range(
        min=0, max=100, error="Enter the share of full time as a whole percentage from 0 to 100"),
        error_messages={"invalid": "Enter the share of full time as a whole percentage, like 60"})
    languages = fields.List(fields.String(validate=offered_language("Choose languages from the list")),
                            validate=validate.Length(min=1, error="Choose at least one language they work in"),
                            required=True, error_messages={"required": "Choose at least one language they work in"})

    @validates_schema
    def one_of_hours_or_share(self, data, **kwargs):
        if (data.get("hours") is None) == (data.get("share") is None):
            raise ValidationError("Enter either the hours a week or the share of full time", "hours")

    def minutes(self, data):
        if data.get("hours") is not None:
            return int(data["hours"] * 60)
        return round(FULL_TIME_MINUTES * data["share"] / 100)


class CoverSchema(ConsoleForm):
    """Move someone's movable cases to a colleague, or back to their queues (``to`` "queue")."""

    LIST_FIELDS = ("case_id",)

    to = fields.String(required=True, validate=validate.Regexp(
        r"^(queue|[1-9][0-9]{0,9})$", error="Choose who takes the cases"), error_messages={"required": "Choose who takes the cases"})
    reason = fields.String(required=True, validate=validate.Length(
        min=3, max=500, error="Say why in 3 to 500 characters; they will be told"),
        error_messages={"required": "Say why the cases move; they will be told"})
    case_id = fields.List(record_id("Choose cases from the list"), load_default=list)


class ApplySchema(ConsoleForm):
    LIST_FIELDS = ("case_id",)

    case_id = fields.List(record_id("Choose moves from the list"), load_default=list)
    reason = fields.String(load_default=None, validate=validate.Length(max=500, error="Keep the reason to 500 characters"))


class ScopeSchema(ConsoleForm):
    LIST_FIELDS = ("queue_id",)

    queue_id = fields.List(record_id("Choose queues from the list"), load_default=list)


class PinSchema(ConsoleForm):
    pinned = fields.Boolean(required=True)


class AssumptionsSchema(ConsoleForm):
    """The forecast's assumptions as typed on its page: percentages and minutes; blank means "use measured"."""

    LIST_FIELDS = ("queue_id",)

    queue_id = fields.List(record_id("Choose queues from the list"), load_default=list)
    occupancy = fields.Integer(load_default=85, validate=validate.Range(
        min=10, max=100, error="Enter the occupancy target as a whole percentage from 10 to 100"),
        error_messages={"invalid": "Enter the occupancy target as a whole percentage, like 85"})
    shrinkage = fields.Integer(load_default=None, validate=validate.Range(
        min=0, max=90, error="Enter the shrinkage as a whole percentage from 0 to 90"),
        error_messages={"invalid": "Enter the shrinkage as a whole percentage, like 20"})
    minutes = fields.Integer(load_default=None, validate=validate.Range(
        min=1, max=10_000, error="Enter the minutes per case as a whole number from 1 to 10,000"),
        error_messages={"invalid": "Enter the minutes per case as a whole number, like 45"})
    channel = fields.String(load_default=None, validate=validate.OneOf(
        CHANNELS, error="Choose how the requests came in from the list"))
