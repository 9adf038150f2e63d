"""What a blueprint is asked for: a scope and a period, from a page's query or the API's."""
from marshmallow import ValidationError, fields, validate, validates_schema

from casework.forms import ConsoleForm, optional_id

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
