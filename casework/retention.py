"""Retention: remove citizens' personal data from requests resolved long ago, keeping the case and its measures."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from casework.models import Case, CaseEvent, CaseState
from core import audit
from core.extensions import db
from core.personal_data import CITIZEN_EVENT_KINDS, REMOVED
from core.timeutil import utcnow
from intake.mail.models import InboundMail
from intake.models import ServiceRequest
from intake.survey import Feedback

BATCH = 1000
# an email's personal content; its record (Message-ID, when, what became of it) stays, so it is never taken twice
EMAIL_REMOVED = {"sender": None, "subject": None, "raw": b"", "text": None}


def anonymise_resolved_requests(now=None):
    """Anonymise requests whose cases were resolved more than ``RETENTION_DAYS`` ago. Commits; returns how many.

    Contact details, place and free text go; the service, dates, queue,
    steps, effort and scores stay, so the measures still add up. The
    citizens' words on the append-only timeline are redacted by a deliberate
    bulk update (the ORM guard refuses edits by mistake, not this), and the
    run is itself recorded in the audit trail.
    """
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["RETENTION_DAYS"])
    ids = db.session.scalars(
        db.select(ServiceRequest.id).join(Case, Case.request_id == ServiceRequest.id)
        .where(Case.state.in_((CaseState.RESOLVED, CaseState.CLOSED)), Case.resolved_at < cutoff,
               ServiceRequest.anonymised_at.is_(None))
        .limit(BATCH)
    ).all()
    if not ids:
        return 0
    db.session.execute(
        update(ServiceRequest).where(ServiceRequest.id.in_(ids)).values(
            contact_name=None, contact_email=None, contact_phone=None, address=None, lat=None, long=None,
            description=REMOVED, answers={}, anonymised_at=now)
    )
    db.session.execute(update(Feedback).where(Feedback.request_id.in_(ids)).values(comment=None))
    db.session.execute(update(InboundMail).where(InboundMail.request_id.in_(ids)).values(**EMAIL_REMOVED))
    case_ids = db.select(Case.id).where(Case.request_id.in_(ids))
    db.session.execute(
        update(CaseEvent).where(CaseEvent.case_id.in_(case_ids), CaseEvent.kind.in_(CITIZEN_EVENT_KINDS))
        .values(message=REMOVED)
    )
    audit.record("retention_anonymised", target="ServiceRequest", count=len(ids),
                 retention_days=current_app.config["RETENTION_DAYS"])
    db.session.commit()
    current_app.logger.info("retention: anonymised %s requests resolved before %s", len(ids), cutoff.date())
    return len(ids)


def forget_old_mail(now=None):
    """Empty the emails received more than ``RETENTION_DAYS`` ago that never reached a request (auto-replies,
    bounces, pointers to the form, the unreadable). Commits; returns how many."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["RETENTION_DAYS"])
    ids = db.session.scalars(db.select(InboundMail.id).where(
        InboundMail.request_id.is_(None), InboundMail.received_at < cutoff, InboundMail.sender.is_not(None))
        .limit(BATCH)).all()
    if not ids:
        return 0
    db.session.execute(update(InboundMail).where(InboundMail.id.in_(ids)).values(**EMAIL_REMOVED))
    audit.record("retention_emails_emptied", target="InboundMail", count=len(ids),
                 retention_days=current_app.config["RETENTION_DAYS"])
    db.session.commit()
    return len(ids)
