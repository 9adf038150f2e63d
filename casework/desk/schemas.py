"""What an agent types at the desk, checked in the agent's words; every problem named beside its field."""
from flask import current_app
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from intake.models import Channel
from intake.phones import NotAPhoneNumber, e164

# how the contact reached the agency (the web form and Open311 have their own doors)
DESK_CHANNELS = {Channel.PHONE: "Phone", Channel.COUNTER: "Counter", Channel.EMAIL: "Email",
                 Channel.FIELD: "Found by staff in the field"}
FOR_WHOM = {"caller": "The caller", "anonymous": "Someone who gives no name or contact",
            "agency": "The agency itself (a problem staff found)"}
HEAR_BY = {"email": "Email", "sms": "Text message", "none": "They do not want to hear from us"}
DESCRIPTION_MAX = 5000
# the most minutes one contact may be recorded as (as a step: a working day)
MOST_MINUTES = 480
MINUTES_MESSAGE = f"Enter the minutes this contact took, a whole number from 0 to {MOST_MINUTES}"


def text(required_message, limit, required=True):
    extra = {"error_messages": {"required": required_message}} if required else {"load_default": None}
    return fields.String(required=required, validate=validate.Length(max=limit, error=f"Keep it to {limit:,} characters"),
                         **extra)


class CallerRequestSchema(Schema):
    """A request taken for a caller: the contact, who it is for, the service, where, and what is wrong."""

    class Meta:
        unknown = EXCLUDE

    channel = fields.String(required=True, validate=validate.OneOf(list(DESK_CHANNELS),
                                                                   error="Choose how the contact came in"),
                            error_messages={"required": "Choose how the contact came in"})
    for_whom = fields.String(required=True, validate=validate.OneOf(list(FOR_WHOM),
                                                                    error="Choose who the request is for"),
                             error_messages={"required": "Choose who the request is for"})
    caller_name = text("", 120, required=False)
    caller_phone = fields.String(load_default=None, validate=validate.Length(max=40, error="Keep it to 40 characters"))
    caller_email = fields.Email(load_default=None, validate=validate.Length(max=254),
                                error_messages={"invalid": "Enter an email address like name@example.com"})
    language = fields.String(load_default="en")
    hear_by = fields.String(load_default="email", validate=validate.OneOf(list(HEAR_BY),
                                                                          error="Choose how they will hear from us"))
    service_code = fields.String(required=True, validate=validate.Length(max=40),
                                 error_messages={"required": "Choose the service"})
    description = fields.String(required=True, validate=validate.Length(
        min=5, max=DESCRIPTION_MAX, error=f"Describe the problem in 5 to {DESCRIPTION_MAX:,} characters"),
        error_messages={"required": "Describe the problem in the caller's words"})
    address = text("Enter the address or place", 300)
    lat = fields.Float(load_default=None, allow_nan=False,
                       validate=validate.Range(min=-90, max=90, error="Latitude is between -90 and 90"),
                       error_messages={"invalid": "Enter the latitude as a number, like 38.8977"})
    long = fields.Float(load_default=None, allow_nan=False,
                        validate=validate.Range(min=-180, max=180, error="Longitude is between -180 and 180"),
                        error_messages={"invalid": "Enter the longitude as a number, like -77.0365"})
    submission_key = fields.String(load_default=None, validate=validate.Length(max=80))
    # the contact timer's minutes, corrected by the agent: the effort of the case's contact stage
    contact_minutes = fields.Integer(load_default=None, strict=False,
                                     validate=validate.Range(min=0, max=MOST_MINUTES, error=MINUTES_MESSAGE),
                                     error_messages={"invalid": MINUTES_MESSAGE})

    @pre_load
    def drop_blank_values(self, data, **kwargs):
        return {key: value.strip() for key, value in data.items() if isinstance(value, str) and value.strip()}

    @validates_schema(skip_on_field_errors=False)
    def reachable_as_they_asked(self, data, **kwargs):
        """A caller who wants to hear from us needs the address or number for it; others give none."""
        errors = {}
        if data.get("language") not in current_app.extensions["tandem.languages"]:
            errors["language"] = "Choose a language from the list"
        if (data.get("lat") is None) != (data.get("long") is None):
            errors["long" if data.get("long") is None else "lat"] = "Enter both the latitude and the longitude, or neither"
        phone = data.get("caller_phone")
        if phone:
            try:
                e164(phone)
            except NotAPhoneNumber:
                errors["caller_phone"] = "Enter a telephone number, like (202) 555-0143 or +44 20 7946 0958"
        if data.get("for_whom") == "caller":
            if data.get("hear_by") == "email" and not data.get("caller_email"):
                errors["caller_email"] = "Enter their email address, or choose another way for them to hear from us"
            if data.get("hear_by") == "sms":
                if not phone:
                    errors["caller_phone"] = "Enter their mobile number for text messages"
                elif not current_app.config.get("SMS_WEBHOOK_URL"):
                    errors["hear_by"] = "Text messages are not available here: choose email or none"
        if errors:
            raise ValidationError(errors)

    @post_load
    def as_stored(self, data, **kwargs):
        if data.get("caller_phone"):
            data["caller_phone"] = e164(data["caller_phone"])
        if data["for_whom"] != "caller":
            # nobody to write to: the anonymous caller and the agency's own report keep no contact details
            for name in ("caller_name", "caller_phone", "caller_email"):
                data[name] = None
            data["hear_by"] = "none"
        return data


class LookupSchema(Schema):
    """A caller looked up by phone number or email address, one or both."""

    class Meta:
        unknown = EXCLUDE

    caller_phone = fields.String(load_default=None)
    caller_email = fields.String(load_default=None)

    @pre_load
    def drop_blank_values(self, data, **kwargs):
        return {key: value.strip() for key, value in data.items() if isinstance(value, str) and value.strip()}

    @post_load
    def readable(self, data, **kwargs):
        if not data.get("caller_phone") and not data.get("caller_email"):
            raise ValidationError("Enter the caller's phone number or email address to look them up", "caller_phone")
        if data.get("caller_phone"):
            try:
                data["caller_phone"] = e164(data["caller_phone"])
            except NotAPhoneNumber:
                raise ValidationError("Enter a telephone number, like (202) 555-0143 or +44 20 7946 0958",
                                      "caller_phone") from None
        return data
