"""What a blueprint is asked for: a scope and a period, from a page's query or the API's."""
from marshmallow import ValidationError, fields, validate, validates_schema

from casework.forms import ConsoleForm, optional_id
from casework.insight.pulse import QUESTIONS

# a blueprint over more than two years mixes processes that have since changed
LONGEST_DAYS = 731


class PeriodSchema(ConsoleForm):
    """``from`` and ``to`` as ISO dates (``to`` exclusive); both blank: the default period."""

    start = fields.Date(data_key="from", load_default=None,
                        error_messages={"invalid": "Enter the start date as YYYY-MM-DD, like 2026-09-01"})
    end = fields.Date(data_key="to", load_default=None,
                      error_messages={"invalid": "Enter the end date as YYYY-MM-DD, like 2026-12-01"})

    @validates_schema
    def a_real_period(self, data, **kwargs):
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None):
            raise ValidationError("Enter both dates, or neither for the last 90 days",
                                  "from" if start is None else "to")
        if start is not None and end <= start:
            raise ValidationError("The end date must be after the start date", "to")
        if start is not None and (end - start).days > LONGEST_DAYS:
            raise ValidationError("Choose a period of at most two years", "from")


class BlueprintQuerySchema(PeriodSchema):
    """The page's choice: a service by code, or a queue, or a department (or none: every service)."""

    service = fields.String(load_default=None, validate=validate.Length(max=40, error="Choose a service from the list"))
    queue_id = optional_id("Choose a queue from the list")
    department_id = optional_id("Choose a department from the list")

    @validates_schema
    def one_scope(self, data, **kwargs):
        if sum(data.get(name) is not None for name in ("service", "queue_id", "department_id")) > 1:
            raise ValidationError("Choose a service, a queue or a department, not several", "service")


class ProcessChangeSchema(ConsoleForm):
    """A process change as a supervisor marks it: which service, from which day, what changed."""

    service = fields.String(required=True, validate=validate.Length(min=1, max=40, error="Choose a service"),
                            error_messages={"required": "Choose the service that changed"})
    made_on = fields.Date(required=True, error_messages={
        "required": "Enter the day the change applied from, as YYYY-MM-DD",
        "invalid": "Enter the day as YYYY-MM-DD, like 2026-10-05"})
    title = fields.String(required=True, validate=validate.Length(
        min=3, max=120, error="Name the change in 3 to 120 characters, like \u201cPhoto made required\u201d"),
        error_messages={"required": "Name the change, like \u201cPhoto made required\u201d"})
    note = fields.String(load_default="", validate=validate.Length(max=1000, error="Keep the note to 1,000 characters"))


def rating(question):
    message = f"Choose an answer to \u201c{question}\u201d"
    return fields.Integer(required=True, validate=validate.Range(min=1, max=5, error=message),
                          error_messages={"required": message, "invalid": message})


class PulseSchema(ConsoleForm):
    """The staff pulse: a team, two ratings from 1 to 5, an optional comment."""

    queue_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1, error="Choose your team"),
                              error_messages={"required": "Choose your team", "invalid": "Choose your team"})
    manageable = rating(QUESTIONS["manageable"])
    tools_help = rating(QUESTIONS["tools_help"])
    comment = fields.String(load_default=None, validate=validate.Length(
        max=500, error="Keep the comment to 500 characters"))
    # kept as an anonymous idea for the team (``casework.ideas``), which a supervisor answers
    change = fields.String(load_default=None, validate=validate.Length(
        max=1000, error="Keep the change to 1,000 characters"))
