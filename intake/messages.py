"""What Tandem tells a citizen: one place that picks their channel and writes to the outbox."""
from flask import current_app

from core.timeutil import utcnow
from intake.links import form_url, tracking_url
from notifications import services as outbox


def tell_citizen(service_request, event, dedupe_key, unseen_key=False, **details):
    """Queue ``event`` for the citizen behind ``service_request`` on the channel they chose.

    Returns the message, or None when they left no way to reach them, did not
    agree to be contacted, or ``dedupe_key`` was already queued. Adds the
    reference and tracking link to ``details`` and a stop link. ``unseen_key``
    as for ``queue_message``. Does not commit.
    """
    contact = service_request.contact_address()
    if contact is None:
        return None
    channel, recipient = contact
    return outbox.queue_message(
        dedupe_key=dedupe_key,
        recipient=recipient,
        channel=channel,
        template=event,
        language=service_request.language,
        request_id=service_request.id,
        subject_key=f"request:{service_request.id}",
        unseen_key=unseen_key,
        payload={"reference": service_request.reference, "tracking_url": tracking_url(service_request), **details},
    )


def acknowledge(service_request):
    """Queue the "we have your request" message for a flushed ``service_request``; return it, or None.

    Does not commit: the caller commits it with the request, then dispatches it.
    """
    return tell_citizen(service_request, "request_received", f"request_received:{service_request.id}:submitted",
                        unseen_key=True, service_name=service_request.service.translated("name", service_request.language))


def point_to_form(address, language, mail_id):
    """Queue the polite answer to an email that asked for something while new requests by email are off: where
    the form is. One a day per address at most, so a sender who writes often (or a loop) is not answered often.
    Returns the message, or None. Does not commit."""
    language = language if language in current_app.extensions["tandem.languages"] else "en"
    return outbox.queue_message(
        dedupe_key=f"email_not_taken:{address}:{utcnow():%Y-%m-%d}", recipient=address, channel="email",
        template="email_not_taken", language=language, payload={"form_url": form_url(language)})


def dispatch_if(notification):
    """Send a committed message, when there is one."""
    if notification is not None:
        outbox.dispatch(notification)
