"""Shapes of what citizens send to intake."""
from flask import current_app
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

DESCRIPTION_MAX = 5000


def text(label, max_length, required=True, min_length=None):
    """A trimmed string field with plain-language messages naming ``label``."""
    checks = [validate.Length(max=max_length, error=f"{label} must be {max_length:,} characters or fewer")]
    if min_length:
        checks.append(validate.Length(min=min_length, error=f"{label} must be at least {min_length} characters"))
    optional = {} if required else {"load_default": None}
    return fields.String(
        required=required,
        **optional,
        validate=checks,
        error_messages={"required": f"Enter {label.lower()}", "invalid": f"Enter {label.lower()} as text"},
    )


class SubmissionSchema(Schema):
    """A request from the public form; unknown fields (the CSRF token) are ignored."""

    class Meta:
        unknown = EXCLUDE

    service_code = fields.String(
        required=True, validate=validate.Length(max=40),
        error_messages={"required": "Select the service you need"},
    )
    description = text("A description of the problem", DESCRIPTION_MAX, min_length=5)
    address = text("The address or place", 300)
    contact_name = text("Your name", 120, required=False)
    notify_by = fields.String(
        load_default="email",
        validate=validate.OneOf(["email", "sms"], error="Choose email or text message"),
    )
    contact_email = fields.Email(
        load_default=None, validate=validate.Length(max=254),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    contact_phone = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^\+?[0-9 ()\-]{6,30}$", error="Enter a telephone number, like 01632 960 001"),
    )
    submission_key = fields.String(load_default=None, validate=validate.Length(max=80))

    @validates_schema
    def reachable_on_the_chosen_channel(self, data, **kwargs):
        """Email needs an address and text messages a phone number; say which is missing."""
        if data.get("notify_by") == "sms":
            if not data.get("contact_phone"):
                raise ValidationError("Enter a mobile number for text messages", "contact_phone")
            if not current_app.config.get("SMS_WEBHOOK_URL"):
                raise ValidationError("Text messages are not available. Choose email", "notify_by")
        elif not data.get("contact_email"):
            raise ValidationError("Enter your email address", "contact_email")

    @pre_load
    def drop_blank_values(self, data, **kwargs):
        """Trim text and treat empty answers as missing, so "required" means something."""
        cleaned = {}
        for key, value in data.items():
            if isinstance(value, str):
                value = value.strip()
                if not value:
                    continue
            cleaned[key] = value
        return cleaned


class AnswerSchema(Schema):
    """The citizen's answer to a question from staff."""

    class Meta:
        unknown = EXCLUDE

    answer = fields.String(
        required=True,
        validate=validate.Length(min=1, max=DESCRIPTION_MAX, error=f"Your answer must be {DESCRIPTION_MAX:,} characters or fewer"),
        error_messages={"required": "Enter your answer"},
    )

    @pre_load
    def trim(self, data, **kwargs):
        answer = data.get("answer", "")
        return {"answer": answer.strip()} if isinstance(answer, str) and answer.strip() else {}


def agreement(label):
    """An optional 1-5 answer to an A-11 statement."""
    return fields.Integer(
        load_default=None, strict=False,
        validate=validate.Range(min=1, max=5, error=f"Choose how much you agree that {label}"),
        error_messages={"invalid": f"Choose how much you agree that {label}"},
    )


class FeedbackSchema(Schema):
    """The citizen's post-resolution feedback; only "was it fixed" is required."""

    class Meta:
        unknown = EXCLUDE

    fixed = fields.String(
        required=True, validate=validate.OneOf(["yes", "no"], error="Say whether the problem was fixed"),
        error_messages={"required": "Say whether the problem was fixed"},
    )
    satisfaction = agreement("you are satisfied with the service")
    trust = agreement("this increased your confidence")
    ease = agreement("it was easy")
    efficiency = agreement("it took a reasonable time")
    equity = agreement("you were treated fairly")
    helpfulness = agreement("staff were helpful")
    comment = fields.String(
        load_default=None,
        validate=validate.Length(max=2000, error="Your comment must be 2,000 characters or fewer"),
    )

    @pre_load
    def drop_blank_values(self, data, **kwargs):
        return {key: value.strip() for key, value in data.items() if isinstance(value, str) and value.strip()}

    @post_load
    def as_record(self, data, **kwargs):
        return dict(data, fixed=data["fixed"] == "yes")
