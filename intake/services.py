"""Business operations of intake: taking in a citizen's request."""
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from core.extensions import db
from core.transactions import commit_keeping_state
from notifications import services as outbox
from intake import messages
from intake.models import Channel, Service, ServiceRequest
from intake.schemas import _
from intake.phones import as_stored
from intake.signals import request_submitted


class SubmissionRejected(Exception):
    """The submission cannot be accepted; ``errors`` maps field names to messages."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def active_services():
    """Return the services citizens can ask for, grouped order then name."""
    return db.session.scalars(
        db.select(Service).where(Service.active).order_by(Service.group, Service.name)
    ).all()


def service_by_code(code):
    """The active service with ``code`` and its questions (one query), or None (also for a missing or overlong code)."""
    if not code or len(code) > 40:
        return None
    return db.session.scalars(
        db.select(Service).options(joinedload(Service.questions)).filter_by(code=code, active=True)
    ).unique().first()


def find_by_token(token):
    """Return the request whose private tracking token is ``token``, or None."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(db.select(ServiceRequest).filter_by(tracking_token=token))


def submit_request(submission, language="en", channel=Channel.WEB, service=None, attach=None):
    """Record a citizen's request and hand it to triage.

    ``submission`` is a dict loaded by ``SubmissionSchema``; ``service`` the
    active service it names, when the caller has it already; ``attach(request)``
    adds what belongs with the request (its photos) in the same transaction. Returns
    ``(service_request, created)``: a submission whose idempotency key was
    seen before returns the first request and ``created=False``, so a double
    click or a retried POST never makes two. Commits, then sends
    ``request_submitted`` (triage is enqueued by its receiver; if Redis is
    down the request stays pending for the sweep). The citizen's
    acknowledgement is written to the outbox in the same transaction. Raises
    ``SubmissionRejected`` for a service that does not exist or is closed.
    """
    key = submission.get("submission_key")
    if key:
        existing = db.session.scalar(db.select(ServiceRequest).filter_by(idempotency_key=key))
        if existing is not None:
            return existing, False
    if service is None:
        service = db.session.scalar(db.select(Service).filter_by(code=submission["service_code"], active=True))
    if service is None:
        # an English msgid; the page shows it in the citizen's language
        raise SubmissionRejected({"service_code": _("Select one of the services listed")})
    service_request = ServiceRequest(
        service=service,
        description=submission["description"],
        address=submission.get("address"),
        contact_name=submission.get("contact_name"),
        lat=submission.get("lat"),
        long=submission.get("long"),
        answers=submission.get("answers") or {},
        api_client_id=submission.get("api_client_id"),
        contact_email=submission.get("contact_email"),
        notify_by=submission.get("notify_by", "email"),
        consent_to_contact=submission.get("consent_to_contact", True),
        keep_private=submission.get("keep_private", False),
        # one way of writing a number, so staff find the caller however either of them says it
        contact_phone=as_stored(submission.get("contact_phone")),
        language=language,
        channel=channel,
        idempotency_key=key,
    )
    db.session.add(service_request)
    try:
        db.session.flush()
        # the acknowledgement and the photos are committed with the request: all or nothing
        acknowledgement = messages.acknowledge(service_request)
        if attach is not None:
            attach(service_request)
        commit_keeping_state()
    except IntegrityError:
        # the same key committed by a concurrent request: that one wins
        db.session.rollback()
        existing = db.session.scalar(db.select(ServiceRequest).filter_by(idempotency_key=key))
        if key and existing is not None:
            return existing, False
        raise
    if acknowledgement is not None:
        outbox.dispatch(acknowledgement)
    request_submitted.send(current_app._get_current_object(), request_id=service_request.id)
    return service_request, True
