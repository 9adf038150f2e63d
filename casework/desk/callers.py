"""Who is calling: a phone number read as the caller says it, and the requests already made by that person."""
from datetime import timedelta

from casework.models import Case
from core import audit
from core.extensions import db
from core.timeutil import utcnow
from intake.models import ServiceRequest

RECENT_DAYS = 90
MOST = 20


def requests_of(by, phone=None, email=None):
    """``[(request, case or None)]``: the caller's open requests and those of the last 90 days, newest first.

    Matched on the stored E.164 phone number or the email address (case-insensitive). Recorded as a look at
    personal data by ``by`` (never the number or address itself). Commits the record.
    """
    matches = []
    if phone:
        matches.append(ServiceRequest.contact_phone == phone)
    if email:
        matches.append(db.func.lower(ServiceRequest.contact_email) == email.strip().lower())
    if not matches:
        return []
    since = utcnow() - timedelta(days=RECENT_DAYS)
    rows = db.session.execute(
        db.select(ServiceRequest, Case).outerjoin(Case, Case.request_id == ServiceRequest.id)
        .where(db.or_(*matches), db.or_(ServiceRequest.submitted_at >= since, Case.closed_at.is_(None)))
        .order_by(ServiceRequest.submitted_at.desc()).limit(MOST)).all()
    audit.record("caller_looked_up", actor=by, target="ServiceRequest", by_phone=bool(phone), by_email=bool(email),
                 found=len(rows))
    db.session.commit()
    return [(request, case) for request, case in rows]
