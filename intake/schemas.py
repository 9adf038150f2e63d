"""Shapes of what citizens send to intake."""
from flask import current_app
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, pre_load, validate, validates, validates_schema

from core.form_errors import first_messages

DESCRIPTION_MAX = 5000


def _(message):
    """Mark ``message`` for translation. Schemas keep English msgids; ``translate_errors`` shows them
    in the citizen's language (marshmallow wants plain strings when a schema is built)."""
    return message


def text(missing, too_long, max_length, required=True, min_length=None, too_short=None):
    """A trimmed string field with the citizen's-language messages given (lazy strings)."""
    checks = [validate.Length(max=max_length, error=too_long)]
    if min_length:
        checks.append(validate.Length(min=min_length, error=too_short))
    optional = {} if required else {"load_default": None}
    return fields.String(
        required=required,
        **optional,
        validate=checks,
        error_messages={"required": missing, "invalid": missing},
    )


class SubmissionSchema(Schema):
    """A request from the public form; unknown fields (the CSRF token) are ignored."""

    class Meta:
        unknown = EXCLUDE

    service_code = fields.String(
        required=True, validate=validate.Length(max=40),
        error_messages={"required": _("Select the service you need")},
    )
    description = text(_("Enter a description of the problem"),
                       _("A description of the problem must be 5,000 characters or fewer"),
                       DESCRIPTION_MAX, min_length=5,
                       too_short=_("A description of the problem must be at least 5 characters"))
    address = text(_("Enter the address or place"),
                   _("The address or place must be 300 characters or fewer"), 300)
    contact_name = text(_("Enter your name"), _("Your name must be 120 characters or fewer"),
                        120, required=False)
    # optional map coordinates (decimal degrees, WGS 84): typed, or filled in by "use my location"
    lat = fields.Float(load_default=None, allow_nan=False,
                       validate=validate.Range(min=-90, max=90, error=_("Latitude must be between -90 and 90")),
                       error_messages={"invalid": _("Enter the latitude as a number, like 38.8977"),
                                       "special": _("Enter the latitude as a number, like 38.8977")})
    long = fields.Float(load_default=None, allow_nan=False,
                        validate=validate.Range(min=-180, max=180, error=_("Longitude must be between -180 and 180")),
                        error_messages={"invalid": _("Enter the longitude as a number, like -77.0365"),
                                        "special": _("Enter the longitude as a number, like -77.0365")})
    notify_by = fields.String(
        load_default="email",
        validate=validate.OneOf(["email", "sms"], error=_("Choose email or text message")),
    )
    contact_email = fields.Email(
        load_default=None, validate=validate.Length(max=254),
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )
    contact_phone = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^\+?[0-9 ()\-]{6,30}$", error=_("Enter a telephone number, like 01632 960 001")),
    )
    # the language of everything sent to the citizen; the page's language when not chosen
    language = fields.String(load_default=None)
    submission_key = fields.String(load_default=None, validate=validate.Length(max=80))
    # the form asks for consent with a box; clients that do not ask (older forms, tests) imply it
    consent_asked = fields.String(load_default=None)
    consent = fields.String(load_default=None)
    # "yes": leave the request out of the open data
    keep_private = fields.String(load_default=None)

    def __init__(self, *args, anonymous_allowed=False, **kwargs):
        """``anonymous_allowed``: the chosen service lets citizens leave no contact details."""
        super().__init__(*args, **kwargs)
        self.anonymous_allowed = anonymous_allowed

    @post_load
    def consent_given(self, data, **kwargs):
        asked = data.pop("consent_asked", None)
        data["consent_to_contact"] = data.pop("consent", None) == "yes" if asked else True
        data["keep_private"] = data.pop("keep_private", None) == "yes"
        return data

    @validates("language")
    def offered_language(self, value, **kwargs):
        if value is not None and value not in current_app.extensions["tandem.languages"]:
            raise ValidationError(_("Choose a language from the list"))

    @validates_schema(skip_on_field_errors=False)
    def both_coordinates_or_neither(self, data, **kwargs):
        if (data.get("lat") is None) != (data.get("long") is None):
            missing = "long" if data.get("long") is None else "lat"
            raise ValidationError(_("Enter both the latitude and the longitude, or neither"), missing)

    # run even when other fields are wrong, so every problem is listed at once
    @validates_schema(skip_on_field_errors=False)
    def reachable_on_the_chosen_channel(self, data, **kwargs):
        """Email needs an address and text messages a phone number; say which is missing."""
        if data.get("notify_by") == "sms":
            if not data.get("contact_phone"):
                raise ValidationError(_("Enter a mobile number for text messages"), "contact_phone")
            if not current_app.config.get("SMS_WEBHOOK_URL"):
                raise ValidationError(_("Text messages are not available. Choose email"), "notify_by")
        elif not data.get("contact_email") and not self.anonymous_allowed:
            raise ValidationError(_("Enter your email address"), "contact_email")

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
        validate=validate.Length(min=1, max=DESCRIPTION_MAX, error=_("Your answer must be 5,000 characters or fewer")),
        error_messages={"required": _("Enter your answer")},
    )

    @pre_load
    def trim(self, data, **kwargs):
        answer = data.get("answer", "")
        return {"answer": answer.strip()} if isinstance(answer, str) and answer.strip() else {}


def agreement(message):
    """An optional 1-5 answer to an A-11 statement; ``message`` says what to fix."""
    return fields.Integer(
        load_default=None, strict=False,
        validate=validate.Range(min=1, max=5, error=message),
        error_messages={"invalid": message},
    )


class FeedbackSchema(Schema):
    """The citizen's post-resolution feedback; only "was it fixed" is required."""

    class Meta:
        unknown = EXCLUDE

    fixed = fields.String(
        required=True, validate=validate.OneOf(["yes", "no"], error=_("Say whether the problem was fixed")),
        error_messages={"required": _("Say whether the problem was fixed")},
    )
    satisfaction = agreement(_("Choose how much you agree that you are satisfied with the service"))
    trust = agreement(_("Choose how much you agree that this increased your confidence"))
    ease = agreement(_("Choose how much you agree that it was easy"))
    efficiency = agreement(_("Choose how much you agree that it took a reasonable time"))
    equity = agreement(_("Choose how much you agree that you were treated fairly"))
    helpfulness = agreement(_("Choose how much you agree that staff were helpful"))
    comment = fields.String(
        load_default=None,
        validate=validate.Length(max=2000, error=_("Your comment must be 2,000 characters or fewer")),
    )

    @pre_load
    def drop_blank_values(self, data, **kwargs):
        return {key: value.strip() for key, value in data.items() if isinstance(value, str) and value.strip()}

    @post_load
    def as_record(self, data, **kwargs):
        return dict(data, fixed=data["fixed"] == "yes")


def translate_errors(messages):
    """Marshmallow's ``{field: [message, ...]}`` as ``{field: first message}`` in the citizen's language."""
    from flask_babel import gettext

    return first_messages(messages, translate=gettext)
