"""Taking a request at the desk: through the public form's own path, with the contact's channel."""
from core import audit
from core.extensions import db
from core.models import AuditEvent
from intake import services as intake_services


def take_request(fields, service, answers, by):
    """Record the request ``fields`` describe for ``service`` (its questions' ``answers``), taken by ``by``.

    Commits (in ``submit_request``: the idempotency key, the acknowledgement in the caller's language and
    the audit row in one transaction; then triage); returns ``(request, created)``. A caller who does not
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
        audit.record("request_taken_at_desk", actor=by, target=new_request, channel=fields["channel"],
                     for_whom=fields["for_whom"])

    return intake_services.submit_request(submission, language=fields.get("language") or "en",
                                          channel=fields["channel"], service=service, attach=recorded)


def taken_by(service_request, staff):
    """Whether ``staff`` took ``service_request`` at the desk (its audit row says so)."""
    return db.session.scalar(db.select(AuditEvent.id).where(
        AuditEvent.action == "request_taken_at_desk", AuditEvent.actor_id == staff.id,
        AuditEvent.target_type == "ServiceRequest", AuditEvent.target_id == str(service_request.id))) is not None
