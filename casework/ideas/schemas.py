"""The forms of ideas, with messages a caseworker can act on."""
from marshmallow import fields, validate, validates_schema, ValidationError

from casework.forms import ConsoleForm
from casework.ideas.models import HELPS

TEXT_MAX = 1000


def text(what, required=True, missing=None):
    options = {"required": True} if required else {"load_default": ""}
    return fields.String(validate=validate.Length(max=TEXT_MAX, error=f"Keep {what} to {TEXT_MAX:,} characters"),
                         error_messages={"required": missing or f"Say {what}"}, **options)


class IdeaForm(ConsoleForm):
    queue_id = fields.Integer(required=True, error_messages={"required": "Choose the team the idea is for",
                                                             "invalid": "Choose the team the idea is for"})
    service = fields.String(load_default="")
    step_type_id = fields.Integer(load_default=None, allow_none=True,
                                  error_messages={"invalid": "Choose a step from the list"})
    hurts = text("what hurts")
    change = text("what to change")
    helps = fields.String(required=True, validate=validate.OneOf(HELPS, error="Choose whom it would help"),
                          error_messages={"required": "Choose whom it would help"})
    anonymous = fields.Boolean(load_default=False)


class AnswerForm(ConsoleForm):
    status = fields.String(required=True, validate=validate.OneOf(("planned", "not_now", "done"),
                                                                 error="Choose planned, not now or done"),
                           error_messages={"required": "Choose planned, not now or done"})
    answer = text("why", required=False)

    @validates_schema
    def not_now_says_why(self, data, **kwargs):
        if data.get("status") == "not_now" and not (data.get("answer") or "").strip():
            raise ValidationError("Say why not now: the team reads your reason", "answer")


class CommentForm(ConsoleForm):
    text = text("your comment", missing="Write your comment")
