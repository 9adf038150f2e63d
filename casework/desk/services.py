"""Taking a request at the desk: through the public form's own path, with the contact's channel."""
from marshmallow import ValidationError

from casework.desk import nearby
from casework.desk.models import Contact
from casework.desk.schemas import MINUTES_MESSAGE, CallerRequestSchema
from casework.errors import ActionRefused
from casework.triage import engine as triage
from core import audit
from core.extensions import db
from core.form_errors import first_messages
from core.models import AuditEvent
from intake import services as intake_services
from intake.questions import read_answers


def take_request(fields, service, answers, by):
    """Record the request ``fields`` describe for ``service`` (its questions' ``answers``), taken by ``by``.

    Commits (in ``submit_request``: the idempotency key, the acknowledgement in the caller's language, the
    contact with the agent's minutes, when ``fields`` has them, and the audit row in one transaction; then
    triage); returns ``(request, created)``. A caller who does not
    want to hear from us gets no message; nor do anonymous callers and the agency's own reports, which
    keep no contact details. Raises ``intake.services.SubmissionRejected`` for a service that is closed.
    """
    submission = {
        "service_code": service.code, "description": fields["description"], "address": fields["address"],
        "lat": fields.get("lat"), "long": fields.get("long"), "answers": answers,
        "contact_name": fields.get("caller_name"), "contact_email": fields.get("caller_email"),
        "contact_phone": fields.get("caller_phone"),
        "notify_by": "sms" if fields.get("hear_by") == "sms" else "email",
        "consent_to_contact": fields.get("hear_by") != "none",
        "submission_key": fields.get("submission_key"),
    }

    def recorded(new_request):
        if fields.get("contact_minutes") is not None:
            db.session.add(Contact(staff=by, channel=fields["channel"], request=new_request,
                                   minutes=fields["contact_minutes"]))
        audit.record("request_taken_at_desk", actor=by, target=new_request, channel=fields["channel"],
                     for_whom=fields["for_whom"])

    return intake_services.submit_request(submission, language=fields.get("language") or "en",
                                          channel=fields["channel"], service=service, attach=recorded)


def taken_by(service_request, staff):
    """Whether ``staff`` took ``service_request`` at the desk (its audit row says so)."""
    return db.session.scalar(db.select(AuditEvent.id).where(
        AuditEvent.action == "request_taken_at_desk", AuditEvent.actor_id == staff.id,
        AuditEvent.target_type == "ServiceRequest", AuditEvent.target_id == str(service_request.id))) is not None


class CallRefused(ValueError):
    """What the agent typed cannot be saved; ``errors`` is ``{field: message}`` (questions as ``q_<code>``)."""

    def __init__(self, errors):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def take_call(form, by, open_case_now=False, timed=True):
    """Check ``form`` as the desk page sends it and take the request; the page and the staff API both call this.

    A ``timed`` form must carry the contact's minutes (the page's timer fills them in); the API's may.
    ``form`` holds the desk's fields, the service's answers as ``q_<code>`` and, to add the caller to an open
    case near the place, ``join_case_id``. Returns ``(request, created, case)``: ``case`` is the caller's case
    when it was opened now (joining opens and merges it; ``open_case_now`` opens it for an API caller that
    wants its id), else None. Raises ``CallRefused`` with every problem and nothing saved.
    """
    service = intake_services.service_by_code(form.get("service_code"))
    # staff read the questions and their checks in English, whatever the caller speaks
    answers = read_answers(service, form, "en") if service else None
    errors = {}
    try:
        fields = CallerRequestSchema().load(form)
    except ValidationError as error:
        errors = first_messages(error.messages)
    if timed and form.get("contact_minutes", "").strip() == "" and "contact_minutes" not in errors:
        errors["contact_minutes"] = MINUTES_MESSAGE
    if service is None and "service_code" not in errors:
        errors["service_code"] = "Choose one of the services listed"
    if answers is not None:
        errors.update(answers.errors)
    if errors:
        raise CallRefused(errors)
    original = None
    if form.get("join_case_id"):
        near = {str(case.id): case for case, _why in nearby.open_cases_near(
            service.id, fields["address"], fields.get("lat"), fields.get("long"))}
        original = near.get(str(form["join_case_id"]))
        if original is None:
            raise CallRefused({"join_case_id": "That case is not open near here any more: choose again"})
    if answers.stop_notice:
        # what the public form would stop a citizen with: the agent is told what to do instead, beside the
        # answer that stopped it, and nothing is saved
        raise CallRefused({answers.stopped_by: (
            f"Do not take this as a request. Tell the caller: \"{answers.stop_notice}\" If they are in danger, "
            "transfer the call to emergency services now. Nothing has been saved.")})
    try:
        service_request, created = take_request(fields, service, answers.values, by)
    except intake_services.SubmissionRejected:
        raise CallRefused({"service_code": "That service is not offered any more: choose another"}) from None
    case = None
    if created and original is not None:
        try:
            case = nearby.join(service_request, original, by=by)
        except ActionRefused:
            pass  # the original closed meanwhile: the caller's own request goes through triage as any other
    if created and case is None and open_case_now:
        case = triage.triage(service_request.id)
    return service_request, created, case
