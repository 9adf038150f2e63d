"""Shapes of the staff API: what it answers, and the bodies it takes.

Request bodies are the console's own form schemas with the version taken
from ``If-Match`` instead of a hidden field, and unknown fields refused
(a typo in a field name is an error, not silently ignored).
"""
from marshmallow import RAISE, Schema, fields, validate

from casework.console import schemas as forms
from casework.forms import LARGEST_ID, record_id
from casework.models import CaseState, Priority
from core.accounts.models import Role

STATES = [str(state) for state in CaseState]
PRIORITIES = [str(level) for level in Priority]
MOST_PER_PAGE = 100


class Named(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class CaseSummary(Schema):
    """A case as a list shows it."""

    id = fields.Integer(required=True)
    reference = fields.String(required=True, attribute="request.reference", metadata={"example": "R-7K3M-Q9XA"})
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))
    queue_id = fields.Integer(required=True)
    service = fields.Nested(Named, allow_none=True, required=True)
    assignee = fields.Nested(Named, allow_none=True, required=True)
    address = fields.String(allow_none=True, required=True, attribute="request.address")
    opened_at = fields.DateTime(required=True)
    resolution_due_at = fields.DateTime(allow_none=True, required=True)
    waiting_on_citizen_since = fields.DateTime(allow_none=True, required=True, attribute="sla_paused_at",
                                               metadata={"description": "The SLA clock is paused from then"})
    tags = fields.List(fields.String(), required=True)
    version = fields.Integer(required=True, metadata={"description": "Send it back as If-Match to change the case"})


class CasePage(Schema):
    cases = fields.List(fields.Nested(CaseSummary), required=True)
    next = fields.String(allow_none=True, required=True, metadata={"description": "The next page's address, or null"})
    previous = fields.String(allow_none=True, required=True)


class RequestPart(Schema):
    """What the citizen sent (contact details only through POST .../contact, which is audited)."""

    reference = fields.String(required=True)
    description = fields.String(required=True)
    answers = fields.Dict(keys=fields.String(), required=True)
    address = fields.String(allow_none=True, required=True)
    lat = fields.Float(allow_none=True, required=True)
    long = fields.Float(allow_none=True, required=True)
    language = fields.String(required=True)
    channel = fields.String(required=True)
    submitted_at = fields.DateTime(required=True)


class Event(Schema):
    """One entry of the case's timeline; ``public`` ones the citizen sees too."""

    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    kind = fields.String(required=True)
    public = fields.Boolean(required=True)
    message = fields.String(required=True)
    actor = fields.Nested(Named, allow_none=True, required=True)


class StepOut(Schema):
    """A piece of work on the case: under way while ``ended_at`` is null."""

    id = fields.Integer(required=True)
    step_type = fields.Nested(Named, allow_none=True, required=True)
    staff = fields.Nested(Named, required=True)
    started_at = fields.DateTime(allow_none=True, required=True)
    ended_at = fields.DateTime(allow_none=True, required=True)
    effort_minutes = fields.Integer(allow_none=True, required=True)
    active_minutes = fields.Integer(allow_none=True, required=True)
    note = fields.String(allow_none=True, required=True)
    friction = fields.Integer(allow_none=True, required=True, metadata={"description": "1 very easy to 5 very hard"})
    friction_reason = fields.String(allow_none=True, required=True)


class Duplicate(Schema):
    id = fields.Integer(required=True, metadata={"description": "The link's id, for POST .../duplicates/{link_id}"})
    original_id = fields.Integer(required=True)
    original_reference = fields.String(required=True, attribute="original.request.reference")
    score = fields.Float(required=True)
    reasons = fields.String(required=True)


class OutcomeOut(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    label = fields.String(required=True)


class CaseDetail(CaseSummary):
    """A case with its request, timeline, steps and likely duplicates."""

    queue = fields.Nested(Named, required=True)
    first_response_due_at = fields.DateTime(allow_none=True, required=True)
    first_response_at = fields.DateTime(allow_none=True, required=True)
    resolved_at = fields.DateTime(allow_none=True, required=True)
    closed_at = fields.DateTime(allow_none=True, required=True)
    estimated_minutes = fields.Integer(required=True)
    duplicate_of_id = fields.Integer(allow_none=True, required=True)
    outcome = fields.Nested(OutcomeOut, allow_none=True, required=True)
    resolution_note = fields.String(allow_none=True, required=True)
    request = fields.Nested(RequestPart, required=True)
    timeline = fields.List(fields.Nested(Event), required=True, attribute="events")
    steps = fields.List(fields.Nested(StepOut), required=True)
    likely_duplicates = fields.List(fields.Nested(Duplicate), required=True)


class Contact(Schema):
    name = fields.String(allow_none=True, required=True, attribute="contact_name")
    email = fields.String(allow_none=True, required=True, attribute="contact_email")
    phone = fields.String(allow_none=True, required=True, attribute="contact_phone")
    notify_by = fields.String(required=True)
    consent_to_contact = fields.Boolean(required=True)


class AuditEntry(Schema):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor_id = fields.Integer(allow_none=True, required=True)
    action = fields.String(required=True)
    target_type = fields.String(allow_none=True, required=True)
    target_id = fields.String(allow_none=True, required=True)
    details = fields.Dict(keys=fields.String(), required=True)


# -- what callers send -------------------------------------------------------------------------


class ListQuery(forms.ListQuerySchema):
    """The console's filters and sorts, a cursor, a page size, and an optional search."""

    class Meta:
        unknown = RAISE
        exclude = ("after", "before")

    def drop_blank_values(self, data, **kwargs):
        # webargs hands over the query string already split into lists; nothing to trim
        return data

    queue_id = fields.List(record_id("Queues are given by their ids"), load_default=list,
                           metadata={"description": "Only these queues (default: every queue you work)"})
    assignee = fields.String(load_default=None, validate=validate.Regexp(
        r"^(nobody|me|[1-9][0-9]{0,9})$", error="assignee is nobody, me or a staff id"))
    cursor = fields.String(load_default=None, validate=validate.Length(max=300))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MOST_PER_PAGE))
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=200), metadata={
        "description": "A reference, a citizen's email or phone, or words. Searches open and closed cases, "
                       "newest first, at most 50; the other filters and the cursor do not apply."})


def body(console_form, *left_out):
    """The API body of ``console_form``: without the page's version fields, unknown fields refused."""
    excluded = ("version", "seen", *left_out)
    meta = type("Meta", (), {"unknown": RAISE, "exclude": excluded})
    name = console_form.__name__.removesuffix("Schema") + "Body"
    return type(name, (console_form,), {"Meta": meta, "__doc__": console_form.__doc__})


ReplyBody = body(forms.ReplySchema)
NoteBody = body(forms.NoteSchema)
InformationRequestBody = body(forms.InformationRequestSchema)
ResolveBody = body(forms.ResolveSchema)
ReopenBody = body(forms.ReopenSchema)
AssignBody = body(forms.AssignSchema)
ReleaseBody = body(forms.ReleaseSchema)
PriorityBody = body(forms.PrioritySchema)
QueueMoveBody = body(forms.QueueMoveSchema)
MergeBody = body(forms.MergeSchema)
StepBody = body(forms.StepSchema)
StartStepBody = body(forms.StartStepSchema)
CompleteStepBody = body(forms.CompleteStepSchema, "next")


class ClaimBody(Schema):
    """Take the case yourself; a reason is needed when a colleague holds it (they are told)."""

    class Meta:
        unknown = RAISE

    reason = fields.String(load_default=None, validate=validate.Length(max=500))


class DuplicateDecision(Schema):
    class Meta:
        unknown = RAISE

    decision = fields.String(required=True, validate=validate.OneOf(["confirm", "reject"]))


class BulkTarget(Schema):
    """A bulk action: ``assign`` needs staff_id, ``move`` queue_id, ``priority`` priority, ``duplicate`` reference."""

    class Meta:
        unknown = RAISE

    action = fields.String(required=True, validate=validate.OneOf(["assign", "move", "priority", "duplicate"]))
    staff_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=LARGEST_ID))
    queue_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=LARGEST_ID))
    priority = fields.String(load_default=None, validate=validate.OneOf(PRIORITIES))
    reference = fields.String(load_default=None, validate=validate.Length(max=20))
    reason = fields.String(load_default=None, validate=validate.Length(max=500))


class BulkPreviewBody(BulkTarget):
    case_ids = fields.List(fields.Integer(validate=validate.Range(min=1, max=LARGEST_ID)), required=True,
                           validate=validate.Length(min=1, max=200))


class CaseVersion(Schema):
    class Meta:
        unknown = RAISE

    case_id = fields.Integer(required=True, validate=validate.Range(min=1, max=LARGEST_ID))
    version = fields.Integer(required=True, validate=validate.Range(min=1, max=LARGEST_ID))


class BulkApplyBody(BulkTarget):
    cases = fields.List(fields.Nested(CaseVersion), required=True, validate=validate.Length(min=1, max=200),
                        metadata={"description": "Each case with the version the preview showed"})


class PlannedChange(Schema):
    case_id = fields.Integer(required=True)
    reference = fields.String(required=True)
    version = fields.Integer(required=True)
    effect = fields.String(allow_none=True, required=True)
    refusal = fields.String(allow_none=True, required=True)


class BulkPreview(Schema):
    action = fields.String(required=True)
    cases = fields.List(fields.Nested(PlannedChange), required=True)


class Skipped(Schema):
    reference = fields.String(required=True)
    reason = fields.String(required=True)


class BulkResult(Schema):
    changed = fields.List(fields.String(), required=True, metadata={"description": "References changed"})
    skipped = fields.List(fields.Nested(Skipped), required=True)


# -- the directory ---------------------------------------------------------------------------------


class QueueOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    department = fields.Nested(Named, required=True)
    assignment_mode = fields.String(required=True)
    member_ids = fields.List(fields.Integer(), required=True)


class AbsenceOut(Schema):
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    note = fields.String(required=True)


class StaffOut(Schema):
    """A staff member as colleagues and tools see them: never their password or second-factor data."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf([str(role) for role in Role]))
    active = fields.Boolean(required=True)
    languages = fields.List(fields.String(), required=True)
    capacity_minutes = fields.Integer(required=True, metadata={"description": "Minutes of casework a week"})
    queue_ids = fields.List(fields.Integer(), required=True)
    absences = fields.List(fields.Nested(AbsenceOut), required=True)


class StepTypeOut(Schema):
    id = fields.Integer(required=True)
    service_id = fields.Integer(required=True)
    name = fields.String(required=True)
    position = fields.Integer(required=True)
    standard_minutes = fields.Integer(required=True)


class ServiceOut(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    group = fields.String(required=True)
    active = fields.Boolean(required=True)
    department = fields.Nested(Named, required=True)
    first_response_hours = fields.Integer(required=True)
    resolution_hours = fields.Integer(required=True)
    step_types = fields.List(fields.Nested(StepTypeOut), required=True)


class RoutingRuleOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    position = fields.Integer(required=True)
    active = fields.Boolean(required=True)
    service_id = fields.Integer(allow_none=True, required=True)
    keywords = fields.String(required=True)
    answer_code = fields.String(allow_none=True, required=True)
    answer_value = fields.String(allow_none=True, required=True)
    district_id = fields.Integer(allow_none=True, required=True)
    channel = fields.String(allow_none=True, required=True)
    language = fields.String(allow_none=True, required=True)
    queue_id = fields.Integer(required=True)
    priority = fields.String(required=True)
    tags = fields.String(required=True)
    resolution_hours = fields.Integer(allow_none=True, required=True)


class StepTypeQuery(Schema):
    service_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=LARGEST_ID))


class TokenOut(Schema):
    name = fields.String(required=True)
    can_write = fields.Boolean(required=True)
    expires_at = fields.DateTime(required=True)
    requests_per_minute = fields.Integer(required=True)


class Me(Schema):
    staff = fields.Nested(StaffOut, required=True)
    token = fields.Nested(TokenOut, required=True)
