"""Shapes of what admins send: message wording, routing rules, areas, queues and absences."""
from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from casework.forms import ConsoleForm, optional_id, record_id
from core.i18n import offered_language
from intake.models import Channel


class WordingSchema(ConsoleForm):
    """An admin's wording of one message."""

    subject = fields.String(required=True, validate=validate.Length(max=200, error="Keep the subject to 200 characters"),
                            error_messages={"required": "Enter a subject"})
    body = fields.String(required=True, validate=validate.Length(max=10000, error="Keep the message to 10,000 characters"),
                         error_messages={"required": "Enter the message"})
    case_reference = fields.String(load_default=None, validate=validate.Length(max=16, error="Enter a reference like R-7K3M-Q9XA"))


class RuleSchema(ConsoleForm):
    """A routing rule as an admin writes it."""

    name = fields.String(required=True, validate=validate.Length(max=120, error="Keep the name to 120 characters"),
                         error_messages={"required": "Give the rule a name"})
    position = fields.Integer(load_default=100, validate=validate.Range(min=0, max=100000, error="Enter an order from 0 to 100,000"),
                              error_messages={"invalid": "Enter the order as a whole number, like 10"})
    active = fields.Boolean(load_default=False)
    service_id = optional_id("Choose a service from the list")
    keywords = fields.String(load_default="", validate=validate.Length(max=400, error="Keep the words to 400 characters"))
    answer_code = fields.String(load_default=None, validate=validate.Length(max=60, error="Keep the question code to 60 characters"))
    answer_value = fields.String(load_default=None, validate=validate.Length(max=200, error="Keep the answer to 200 characters"))
    district_id = optional_id("Choose an area from the list")
    # every way a request arrives, email and staff's own finds included: a rule for them could not be written before
    channel = fields.String(load_default=None, validate=validate.OneOf(list(Channel), error="Choose a channel from the list"))
    language = fields.String(load_default=None, validate=offered_language())
    queue_id = record_id("Choose the queue the request goes to")
    priority = fields.String(load_default="normal", validate=validate.OneOf(["low", "normal", "high", "urgent"], error="Choose a priority from the list"))
    tags = fields.String(load_default="", validate=validate.Length(max=200, error="Keep the tags to 200 characters"))
    resolution_hours = fields.Integer(load_default=None, validate=validate.Range(min=1, max=10000, error="Enter business hours from 1 to 10,000"),
                                      error_messages={"invalid": "Enter the hours as a whole number, like 48"})

    @validates_schema
    def answer_needs_both_parts(self, data, **kwargs):
        if bool(data.get("answer_code")) != bool(data.get("answer_value")):
            raise ValidationError("Give both the question code and the answer, or neither", "answer_code")


class DistrictSchema(ConsoleForm):
    """An area, by postcodes and/or polygon corners written "lat, long; lat, long; ..."."""

    name = fields.String(required=True, validate=validate.Length(max=120, error="Keep the name to 120 characters"),
                         error_messages={"required": "Give the area a name"})
    postcodes = fields.String(load_default="", validate=validate.Length(max=5000, error="Keep the postcodes to 5,000 characters"))
    polygon = fields.String(load_default="", validate=validate.Length(max=20000, error="Keep the corners to 20,000 characters"))

    @validates_schema
    def has_a_shape(self, data, **kwargs):
        if not data.get("postcodes") and not data.get("polygon"):
            raise ValidationError("Give postcodes, corners, or both", "postcodes")

    @post_load
    def parse_corners(self, data, **kwargs):
        corners = []
        for pair in filter(None, (part.strip() for part in data.get("polygon", "").split(";"))):
            try:
                lat, long = (float(number) for number in pair.split(","))
            except ValueError:
                raise ValidationError(f"Write each corner as “lat, long”, not “{pair[:40]}”", "polygon") from None
            if not (-90 <= lat <= 90 and -180 <= long <= 180):
                raise ValidationError(f"The corner “{pair[:40]}” is not on Earth", "polygon")
            corners.append([lat, long])
        if corners and len(corners) < 3:
            raise ValidationError("An area needs at least three corners", "polygon")
        data["polygon"] = corners
        return data


class QueueSettingsSchema(ConsoleForm):
    """How a queue hands out work, and who works it."""

    assignment_mode = fields.String(required=True, validate=validate.OneOf(
        ["none", "round_robin", "least_loaded"], error="Choose how cases are handed out"),
        error_messages={"required": "Choose how cases are handed out"})
    LIST_FIELDS = ("member_ids",)

    member_ids = fields.List(record_id("Choose members from the list"), load_default=list)
    # blank: the agency's opening hours
    hours = fields.String(load_default=None, validate=validate.Length(
        max=200, error="Keep the opening hours to 200 characters"))


class AbsenceSchema(ConsoleForm):
    """A period a staff member is away."""

    staff_id = record_id("Choose who is away")
    starts_on = fields.Date(required=True, error_messages={"required": "Enter the first day away", "invalid": "Enter the first day as a date, like 2026-12-24"})
    ends_on = fields.Date(required=True, error_messages={"required": "Enter the last day away", "invalid": "Enter the last day as a date, like 2026-12-31"})
    note = fields.String(load_default="", validate=validate.Length(max=200, error="Keep the note to 200 characters"))

    @validates_schema
    def ends_after_it_starts(self, data, **kwargs):
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError("The last day must be on or after the first day", "ends_on")


class OutcomeSchema(ConsoleForm):
    label = fields.String(required=True, validate=validate.Length(min=2, max=120, error="Name the outcome in 2 to 120 characters"),
                          error_messages={"required": "Name the outcome"})
    active = fields.Boolean(load_default=False)


class ContactTopicSchema(ConsoleForm):
    name = fields.String(required=True, validate=validate.Length(min=2, max=120, error="Name the topic in 2 to 120 characters"),
                         error_messages={"required": "Name the topic"})
    service_code = fields.String(load_default=None, validate=validate.Length(max=40))
    active = fields.Boolean(load_default=False)


class ReplyTemplateSchema(ConsoleForm):
    name = fields.String(required=True, validate=validate.Length(min=2, max=120, error="Name the template in 2 to 120 characters"),
                         error_messages={"required": "Name the template"})
    language = fields.String(required=True, validate=offered_language(),
                             error_messages={"required": "Choose a language from the list"})
    body = fields.String(required=True, validate=validate.Length(min=2, max=5000, error="Write 2 to 5,000 characters"),
                         error_messages={"required": "Write the reply"})
    active = fields.Boolean(load_default=False)
