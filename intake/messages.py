"""What intake tells the citizen: the acknowledgement, in the transaction that records the request."""
from intake.links import tracking_url
from notifications import services as outbox


def acknowledge(service_request):
    """Queue the "we have your request" message for a flushed ``service_request``; return it, or None.

    None when the citizen left no way to reach them or did not agree to be contacted.
    Does not commit: the caller commits it with the request, then dispatches it.
    """
    contact = service_request.contact_address()
    if contact is None:
        return None
    channel, recipient = contact
    return outbox.queue_message(
        dedupe_key=f"request_received:{service_request.id}:submitted",
        recipient=recipient,
        channel=channel,
        template="request_received",
        language=service_request.language,
        request_id=service_request.id,
        subject_key=f"request:{service_request.id}",
        payload={"reference": service_request.reference, "service_name": service_request.service.name,
                 "tracking_url": tracking_url(service_request)},
    )
