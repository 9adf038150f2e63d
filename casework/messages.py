"""What casework tells citizens and staff, put in the outbox with the change that causes it."""
from flask import current_app

from intake import messages as citizen_messages
from casework.models import Case, CaseEvent
from core.extensions import db
from intake.models import ServiceRequest
from notifications import services as outbox


def tell_citizen(service_request, event, occasion, unseen_key=False, **details):
    """Queue ``event`` for the citizen behind ``service_request``; return it, or None.

    ``occasion`` (e.g. an event id) names this one happening, so a retry
    never queues it twice (``unseen_key``: the caller knows it cannot have
    been queued yet). Does not commit.
    """
    return citizen_messages.tell_citizen(service_request, event, f"{event}:{service_request.id}:{occasion}",
                                         unseen_key=unseen_key, **details)


def case_url(case):
    return case_url_of(case.id)


def case_url_of(case_id):
    return f"{current_app.config['PUBLIC_URL']}/console/cases/{case_id}"


def tell_staff(staff, case, event, occasion, **details):
    """Queue ``event`` for staff member ``staff`` about ``case``; return it, or None. Does not commit."""
    return outbox.queue_message(
        dedupe_key=f"{event}:{case.id}:{staff.id}:{occasion}",
        recipient=staff.email,
        template=event,
        language="en",
        request_id=case.request_id,
        payload={"reference": case.request.reference, "case_url": case_url(case), **details},
    )


def dispatch(*notifications):
    """Enqueue delivery of the committed ``notifications`` (None entries are skipped)."""
    for notification in notifications:
        if notification is not None:
            outbox.dispatch(notification)


def record_failed_delivery(notification):
    """Delivery failure handler: put the failure on the case timeline, for staff. Does not commit."""
    if notification.request_id is None:
        return
    case = db.session.scalar(db.select(Case).filter_by(request_id=notification.request_id))
    if case is None:
        return
    what = notification.template.replace("_", " ")
    db.session.add(CaseEvent(
        case=case, kind="message_failed",
        message=f"The “{what}” message to {notification.channel} could not be delivered: {notification.last_error}",
        details={"notification_id": notification.id},
    ))


PRIVATE_LINK = "(the citizen's private link)"


def sample_payload(case):
    """Every message variable filled from ``case``, for an admin's preview.

    The tracking and stop links are replaced by a placeholder: a preview must
    not hand the admin a working secret link.
    """
    service_request = case.request
    latest = {}
    for event in case.events:
        latest[event.kind] = event.message
    return {
        "reference": service_request.reference,
        "service_name": service_request.service.name,
        "team": case.queue.department.name,
        "expected_by": case.resolution_due_at.isoformat() if case.resolution_due_at else None,
        "due_at": case.resolution_due_at.isoformat() if case.resolution_due_at else None,
        "tracking_url": PRIVATE_LINK,
        "stop_url": PRIVATE_LINK,
        "feedback_url": PRIVATE_LINK,
        "comment": "The hole is back after the rain.",
        "case_url": case_url(case),
        "question": latest.get("information_requested", "Which side of the road is it on?"),
        "message": latest.get("public_reply", "A crew is booked for Tuesday."),
        "resolution_note": case.resolution_note or "We filled the pothole.",
        "reason": latest.get("reopened", "The repair did not hold."),
        "answer": latest.get("citizen_answered", "The north side."),
        "date": case.opened_at.date().isoformat(),
        "open": 12, "breached": 2, "backlog": "- Road repairs: 12 open, 2 past due, oldest 9 days",
    }


def latest_case():
    """Return the most recently opened case, or None."""
    return db.session.scalar(db.select(Case).order_by(Case.id.desc()).limit(1))


def case_by_reference(reference):
    """Return the case of the request with public ``reference``, or None."""
    return db.session.scalar(db.select(Case).join(ServiceRequest).where(ServiceRequest.reference == reference))


def example_payload():
    """Made-up values for a preview when there is no case yet."""
    return {
        "reference": "R-7K3M-Q9XA", "service_name": "Pothole", "team": "Roads and Streets",
        "expected_by": "2026-03-02T17:00:00+00:00", "due_at": "2026-03-02T17:00:00+00:00",
        "tracking_url": PRIVATE_LINK, "stop_url": PRIVATE_LINK, "feedback_url": PRIVATE_LINK,
        "comment": "The hole is back after the rain.", "case_url": "(link to the case)",
        "question": "Which side of the road is it on?", "message": "A crew is booked for Tuesday.",
        "resolution_note": "We filled the pothole.", "reason": "The repair did not hold.",
        "answer": "The north side.", "date": "2026-03-02", "open": 12, "breached": 2,
        "backlog": "- Road repairs: 12 open, 2 past due, oldest 9 days",
    }
