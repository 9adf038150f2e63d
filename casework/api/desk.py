"""The contact desk over the staff API: a request taken for a caller, a caller looked up, a contact answered.

Each runs the desk page's own checks and services (``casework.desk``), so a request taken by a script is
the same as one taken on the page: the same refusals (422, field by field), idempotency, triage and
acknowledgement.
"""
from flask import request
from flask_smorest import Blueprint, abort
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from werkzeug.datastructures import MultiDict

from casework.desk import callers, contacts, services
from casework.desk.schemas import MOST_MINUTES, LookupSchema
from casework.errors import ActionRefused
from casework.forms import LARGEST_ID
from casework.models import Case
from core.api import allowed, audit_write, caller, protect
from core.extensions import db
from core.form_errors import first_messages

blp = protect(Blueprint("api_desk", __name__, url_prefix="/api/v1",
                        description="The contact desk: requests taken for callers, callers, contacts answered"))

TEXT = validate.Length(max=5000)


class RequestIn(Schema):
    """A request for a caller, as the desk page takes it; ``answers`` are the service's questions by code."""

    class Meta:
        unknown = EXCLUDE

    channel = fields.String(required=True, validate=validate.Length(max=20))
    for_whom = fields.String(load_default="caller", validate=validate.Length(max=20))
    caller_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    caller_phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    caller_email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=254))
    language = fields.String(load_default="en", validate=validate.Length(max=8))
    hear_by = fields.String(load_default="email", validate=validate.Length(max=8))
    service_code = fields.String(required=True, validate=validate.Length(max=40))
    description = fields.String(required=True, validate=TEXT)
    address = fields.String(required=True, validate=validate.Length(max=300))
    lat = fields.Float(load_default=None, allow_none=True, allow_nan=False)
    long = fields.Float(load_default=None, allow_none=True, allow_nan=False)
    answers = fields.Dict(keys=fields.String(validate=validate.Length(max=40)),
                          values=fields.Raw(), load_default=dict)
    join_case_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                                  validate=validate.Range(min=1, max=LARGEST_ID))
    submission_key = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=80))
    # the agent's minutes on the contact (the contact stage's effort); a script that does not time calls omits it
    contact_minutes = fields.Integer(load_default=None, allow_none=True, strict=True,
                                     validate=validate.Range(min=0, max=MOST_MINUTES))


class RequestTaken(Schema):
    reference = fields.String(required=True)
    request_id = fields.Integer(required=True)
    case_id = fields.Integer(allow_none=True, required=True)
    created = fields.Boolean(required=True)


class CallerQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    phone = fields.String(load_default=None, validate=validate.Length(max=40))
    email = fields.String(load_default=None, validate=validate.Length(max=254))


class CallerRequest(Schema):
    reference = fields.String(required=True)
    service_code = fields.String(required=True)
    address = fields.String(allow_none=True, required=True)
    submitted_at = fields.DateTime(required=True)
    case_id = fields.Integer(allow_none=True, required=True)
    state = fields.String(allow_none=True, required=True)
    resolution_due_at = fields.DateTime(allow_none=True, required=True)


class ContactIn(Schema):
    class Meta:
        unknown = EXCLUDE

    topic_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=LARGEST_ID))
    channel = fields.String(required=True, validate=validate.Length(max=20))
    minutes = fields.Integer(required=True, strict=True)
    case_reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))


class ContactOut(Schema):
    id = fields.Integer(required=True)
    topic_id = fields.Integer(required=True)
    channel = fields.String(required=True)
    minutes = fields.Integer(required=True)
    case_id = fields.Integer(allow_none=True, required=True)


def refuse_fields(errors):
    abort(422, message="Some fields were refused; nothing was saved.", errors={"json": errors})


def as_form(body):
    """The body as the desk page's form would carry it, so the page's own checks read it."""
    form = MultiDict({name: "" if value is None else str(value) for name, value in body.items()
                      if name != "answers"})
    if request.headers.get("Idempotency-Key") and not body.get("submission_key"):
        form["submission_key"] = "api:" + request.headers["Idempotency-Key"][:70]
    for code, value in (body.get("answers") or {}).items():
        for item in value if isinstance(value, list) else [value]:
            form.add(f"q_{code}", "" if item is None else str(item))
    return form


@blp.route("/requests", methods=["POST"])
@allowed("caseworker", write=True)
@blp.arguments(RequestIn)
@blp.response(201, RequestTaken)
def take_request(body):
    """Take a request for a caller, as the contact desk does; ``Idempotency-Key`` makes a retry return the first.

    The case is opened at once (triage runs before the answer), so its id comes back with the reference.
    """
    audit_write()
    try:
        service_request, created, case = services.take_call(as_form(body), caller(), open_case_now=True, timed=False)
    except services.CallRefused as refused:
        # the page's field names, less the prefix its questions carry
        refuse_fields({name.removeprefix("q_"): [message] for name, message in refused.errors.items()})
    case = case or db.session.scalar(db.select(Case).filter_by(request_id=service_request.id))
    return {"reference": service_request.reference, "request_id": service_request.id,
            "case_id": case.id if case else None, "created": created}


@blp.route("/callers", methods=["GET"])
@allowed("caseworker")
@blp.arguments(CallerQuery, location="query")
@blp.response(200, CallerRequest(many=True))
def look_up_caller(query):
    """A caller's open requests and those of the last 90 days, by phone (any format) or email. Audited."""
    try:
        who = LookupSchema().load({"caller_phone": query.get("phone") or "", "caller_email": query.get("email") or ""})
    except ValidationError as error:
        refuse_fields({"phone" if name == "caller_phone" else name: [message]
                       for name, message in first_messages(error.messages).items()})
    found = callers.requests_of(caller(), phone=who.get("caller_phone"), email=who.get("caller_email"))
    return [{"reference": service_request.reference, "service_code": service_request.service.code,
             "address": service_request.address, "submitted_at": service_request.submitted_at,
             "case_id": case.id if case else None, "state": str(case.state) if case else None,
             "resolution_due_at": case.resolution_due_at if case else None} for service_request, case in found]


@blp.route("/contacts", methods=["POST"])
@allowed("caseworker", write=True)
@blp.arguments(ContactIn)
@blp.response(201, ContactOut)
def answer_contact(body):
    """Record a contact answered without a request: its topic, channel and minutes; no personal data."""
    audit_write()
    try:
        contact = contacts.record_contact(body["topic_id"], body["channel"], body["minutes"],
                                          body.get("case_reference"), by=caller())
    except ActionRefused as problem:
        field = {"contact_channel": "channel", "answered_minutes": "minutes", "contact_case": "case_reference"}.get(
            problem.field, problem.field)
        refuse_fields({field: [problem.message]})
    return contact
