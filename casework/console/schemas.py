"""Shapes of what caseworkers send from the console."""
from marshmallow import ValidationError, fields, validate, validates_schema

from casework.forms import ConsoleForm, record_id
from casework.models import FRICTION_REASONS, MAX_STEP_MINUTES
from intake.models import Channel
from core.i18n import offered_language



def minutes_field():
    return fields.Integer(
        required=True, strict=False,
        validate=validate.Range(min=0, max=MAX_STEP_MINUTES,
                                error=f"Enter the minutes as a whole number from 0 to {MAX_STEP_MINUTES}"),
        error_messages={"required": "Enter how many minutes it took",
                        "invalid": "Enter the minutes as a whole number, like 15"},
    )


class CaseForm(ConsoleForm):
    """A form about one case: it carries the version it was drawn from, and the last event it showed."""

    version = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1),
                             error_messages={"required": "This page is out of date: reload the case and try again",
                                             "invalid": "This page is out of date: reload the case and try again"})
    seen = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**31 - 1))


class FrictionFields(ConsoleForm):
    """How hard a step was (EX feedback): optional, 1 very easy to 5 very hard, with a reason from a short list."""

    friction = fields.Integer(load_default=None, validate=validate.Range(
        min=1, max=5, error="Choose how hard it was, from 1 to 5"), error_messages={"invalid": "Choose how hard it was, from 1 to 5"})
    friction_reason = fields.String(load_default=None, validate=validate.OneOf(
        list(FRICTION_REASONS), error="Choose a reason from the list"))
    friction_note = fields.String(load_default=None, validate=validate.Length(
        max=500, error="Keep the reason to 500 characters or fewer"))

    @validates_schema
    def other_is_explained(self, data, **kwargs):
        if data.get("friction_reason") == "other" and not data.get("friction_note"):
            raise ValidationError("Say what made it hard", "friction_note")


class StepSchema(CaseForm, FrictionFields):
    """A piece of work recorded on a case."""

    step_type_id = record_id("Choose one of this service's steps", required=False)
    effort_minutes = minutes_field()
    note = fields.String(load_default=None, validate=validate.Length(max=5000, error="Keep the note to 5,000 characters or fewer"))


class ResolveSchema(CaseForm):
    """Resolution of a case, with the note the citizen will read."""

    outcome_id = record_id("Choose how the case ended")
    public_note = fields.String(
        required=True,
        validate=validate.Length(min=5, max=5000, error="Write what was done in 5 to 5,000 characters"),
        error_messages={"required": "Write what was done; the citizen will read this"},
    )
    effort_minutes = minutes_field()
    # ticked when the caseworker resolves with workflow steps not done
    confirm_unfinished = fields.Boolean(load_default=False, metadata={
        "description": "true to resolve although workflow steps are not done (they are noted on the timeline); "
                       "without it such a resolution is refused (409) naming the steps"})


def public_text(required_message, max_length=5000):
    """Text the citizen will read: required, trimmed, bounded."""
    return fields.String(
        required=True,
        validate=validate.Length(min=2, max=max_length, error=f"Write 2 to {max_length:,} characters"),
        error_messages={"required": required_message},
    )


class ReplySchema(CaseForm):
    """An update posted to the citizen."""

    message = public_text("Write the update; the citizen will read this")
    effort_minutes = minutes_field()


class InformationRequestSchema(CaseForm):
    """A question the citizen must answer before work goes on."""

    question = public_text("Write what you need to know; the citizen will read this")
    effort_minutes = minutes_field()


class ReopenSchema(CaseForm):
    """Why a resolved case is opened again."""

    reason = public_text("Say why the case is reopened; the citizen will read this", max_length=2000)


class AssignSchema(CaseForm):
    """Who takes the case."""

    staff_id = record_id("Choose who should take the case")
    reason = fields.String(load_default=None, validate=validate.Length(max=500, error="Keep the reason to 500 characters or fewer"))


class ManualRouteSchema(ConsoleForm):
    """A supervisor's routing of a request automatic triage could not route."""

    queue_id = record_id("Choose a queue")
    priority = fields.String(load_default="normal", validate=validate.OneOf(["low", "normal", "high", "urgent"],
                                                                           error="Choose a priority from the list"))



class StartStepSchema(CaseForm):
    """A step the caseworker starts now; the timer runs from here."""

    step_type_id = record_id("Choose one of this service's steps", required=False)


class CompleteStepSchema(CaseForm, FrictionFields):
    """The step under way, saved: the minutes (the timer's, or corrected), a note, and how hard it was."""

    effort_minutes = minutes_field()
    active_minutes = fields.Integer(load_default=None, validate=validate.Range(
        min=0, max=MAX_STEP_MINUTES, error=f"The timer can count 0 to {MAX_STEP_MINUTES} minutes"),
        error_messages={"invalid": "The timer's minutes are not a whole number"})
    note = fields.String(load_default=None, validate=validate.Length(max=5000, error="Keep the note to 5,000 characters or fewer"))
    next = fields.Boolean(load_default=False)


class PrioritySchema(CaseForm):
    priority = fields.String(required=True, validate=validate.OneOf(
        ["low", "normal", "high", "urgent"], error="Choose a priority from the list"),
        error_messages={"required": "Choose a priority from the list"})
    reason = fields.String(load_default=None, validate=validate.Length(max=500, error="Keep the reason to 500 characters or fewer"))


class QueueMoveSchema(CaseForm):
    queue_id = record_id("Choose the queue to move the case to")
    reason = fields.String(load_default=None, validate=validate.Length(max=500, error="Keep the reason to 500 characters or fewer"))


class NoteSchema(CaseForm):
    text = fields.String(required=True, validate=validate.Length(min=2, max=5000, error="Write 2 to 5,000 characters"),
                         error_messages={"required": "Write the note"})


class ReleaseSchema(CaseForm):
    reason = fields.String(load_default=None, validate=validate.Length(max=500, error="Keep the reason to 500 characters or fewer"))


class MergeSchema(CaseForm):
    reference = fields.String(required=True, validate=validate.Regexp(
        r"^\s*[Rr]-?[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}\s*$", error="Enter a reference like R-7K3M-Q9XA"),
        error_messages={"required": "Enter the reference of the case this one repeats"})


class DraftSchema(ConsoleForm):
    body = fields.String(load_default="", validate=validate.Length(max=10_000, error="Keep it to 10,000 characters"))


class ListQuerySchema(ConsoleForm):
    """The filters, sort and page of a case list, as they arrive in the address."""

    LIST_FIELDS = ("state", "priority")

    state = fields.List(fields.String(validate=validate.OneOf(
        ["new", "triaged", "assigned", "in_progress", "waiting_on_citizen", "resolved", "closed"],
        error="Choose states from the list")), load_default=list)
    priority = fields.List(fields.String(validate=validate.OneOf(
        ["low", "normal", "high", "urgent"], error="Choose priorities from the list")), load_default=list)
    service = record_id("Choose a service from the list", required=False)
    assignee = fields.String(load_default=None, validate=validate.Regexp(
        r"^(nobody|me|[1-9][0-9]{0,9})$", error="Choose who holds the cases from the list"))
    due = fields.String(load_default=None, validate=validate.OneOf(
        ["overdue", "today", "week"], error="Choose when the cases are due from the list"))
    tag = fields.String(load_default=None, validate=validate.Length(max=40, error="Keep the tag to 40 characters"))
    language = fields.String(load_default=None, validate=offered_language())
    district = record_id("Choose an area from the list", required=False)
    channel = fields.String(load_default=None, validate=validate.OneOf(
        [str(channel) for channel in Channel], error="Choose how the request came in from the list"))
    sort = fields.String(load_default="due", validate=validate.OneOf(
        ["due", "priority", "age"], error="Choose how to sort from the list"))
    after = fields.String(load_default=None, validate=validate.Length(max=300, error="That page link is not valid"))
    before = fields.String(load_default=None, validate=validate.Length(max=300, error="That page link is not valid"))


class SearchSchema(ConsoleForm):
    """What a caseworker typed into the search box."""

    q = fields.String(load_default="", validate=validate.Length(max=200, error="Keep the search to 200 characters or fewer"))


class BulkSchema(ConsoleForm):
    """A bulk action on cases chosen in a list: ``choice`` is "assign:ID", "move:ID", "priority:LEVEL" or "duplicate"."""

    LIST_FIELDS = ("case_id", "versions")

    case_id = fields.List(record_id("Choose cases from the list"), load_default=list,
                          validate=validate.Length(max=200, error="Choose at most 200 cases at a time"))
    choice = fields.String(required=True, validate=validate.Regexp(
        r"^(assign:[1-9][0-9]{0,9}|move:[1-9][0-9]{0,9}|priority:(low|normal|high|urgent)|duplicate)$",
        error="Choose what to do with the cases"), error_messages={"required": "Choose what to do with the cases"})
    reference = fields.String(load_default=None, validate=validate.Length(max=20, error="Enter a reference like R-7K3M-Q9XA"))
    reason = fields.String(load_default=None, validate=validate.Length(max=500, error="Keep the reason to 500 characters or fewer"))
    # "id:version" of each case as the preview showed it
    versions = fields.List(fields.String(validate=validate.Regexp(r"^[1-9][0-9]{0,9}:[1-9][0-9]{0,9}$")), load_default=list)
    back = fields.String(load_default="/console/", validate=validate.Regexp(r"^/console/[\w/?=&%.-]*$"))
    apply = fields.Boolean(load_default=False)

    @validates_schema
    def some_cases(self, data, **kwargs):
        if not data.get("case_id") and not data.get("versions"):
            raise ValidationError("Tick the cases to change first", "case_id")
        if data.get("choice") == "duplicate" and not data.get("reference"):
            raise ValidationError("Enter the reference of the original case", "reference")
