"""The work behind Open311's endpoints: the catalogue and requests as the spec shapes them, and new requests.

New requests go through ``intake.services.submit_request``, the public
form's own path (validation, idempotency, triage, acknowledgement).
"""
from datetime import timezone

from flask import current_app, request

from core.extensions import db
from intake import services
from intake.models import Channel, Service, ServiceRequest
from intake.open311.schemas import BadParameter, param
from intake.photos import MAX_BYTES, PhotoRejected, RequestPhoto, clean_photo
from intake.tracking import progress_for, public_updates, with_public_status

# when Tandem's Open311 interface last changed in a way clients see
CHANGESET = "2026-11-22T00:00:00Z"


def iso(moment):
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds") if moment else None


def discovery_document():
    base = current_app.config["PUBLIC_URL"] + "/open311/v2/"
    return {
        "changeset": CHANGESET,
        "contact": f"{current_app.config['AGENCY_NAME']} 311",
        "key_service": "Ask the agency's Tandem administrators for an API key.",
        "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base, "changeset": CHANGESET,
                       "type": "production", "formats": ["application/json", "text/xml"]}],
    }


def service_summary(service):
    return {
        "service_code": service.code, "service_name": service.name, "description": service.description,
        "metadata": any(q.variable for q in service.questions), "type": "realtime",
        "keywords": ",".join(service.keywords.split()), "group": service.group,
    }


def active_service(code):
    """The active service ``code``, or None."""
    return db.session.scalar(db.select(Service).filter_by(code=code, active=True)) if code else None


def service_definition(service):
    return {"service_code": service.code, "attributes": [attribute(question) for question in service.questions]}


def attribute(question):
    return {
        "variable": question.variable, "code": question.code, "datatype": question.datatype,
        "required": question.required, "datatype_description": question.hint or None,
        "order": question.position, "description": question.prompt,
        "values": [{"key": v["key"], "name": v["name"]} for v in question.values or []],
    }


def request_by_reference(reference):
    return db.session.scalar(db.select(ServiceRequest).filter_by(reference=reference)) if reference else None


def as_open311(service_request):
    progress = progress_for(service_request)
    closed = progress.closed
    latest = progress.timeline[-1] if progress.timeline else None
    return {
        "service_request_id": service_request.reference,
        "status": "closed" if closed else "open",
        "status_notes": latest.message if closed and latest else None,
        "service_name": service_request.service.name,
        "service_code": service_request.service.code,
        "description": service_request.description,
        "agency_responsible": service_request.service.department.name,
        "service_notice": None,
        "requested_datetime": iso(service_request.submitted_at),
        "updated_datetime": iso(latest.at if latest else service_request.submitted_at),
        "expected_datetime": iso(progress.expected_by),
        "address": service_request.address,
        "address_id": None,
        "zipcode": None,
        "lat": service_request.lat,
        "long": service_request.long,
        "media_url": (service_request.answers or {}).get("_media_url"),
    }


def find_requests(wanted):
    """The requests of ``schemas.request_list_query()``, newest first, one page, filtered in the database."""
    query = db.select(ServiceRequest).join(Service).order_by(ServiceRequest.submitted_at.desc())
    if wanted["ids"]:
        query = query.where(ServiceRequest.reference.in_(wanted["ids"]))
    else:
        query = query.where(ServiceRequest.submitted_at >= wanted["start"], ServiceRequest.submitted_at <= wanted["end"])
        if wanted["service_codes"]:
            query = query.where(Service.code.in_(wanted["service_codes"]))
    if wanted["statuses"]:
        query = with_public_status(query, wanted["statuses"])
    page_size = wanted["page_size"]
    return [as_open311(row) for row in db.session.scalars(query.limit(page_size).offset((wanted["page"] - 1) * page_size))]


def uploaded_media():
    """The ``media`` file of a new request, checked and stripped as the form's photos are; None without one."""
    media = request.files.get("media")
    if not media or not media.filename:
        return None
    try:
        return clean_photo(media.read(MAX_BYTES + 1))
    except PhotoRejected as problem:
        raise BadParameter(f"media: {problem}") from None


def submit(client, service, location, answers, contact, photo):
    """Make the request through the public form's path; return it. Commits (in ``submit_request``).

    A client that retries with the same ``Idempotency-Key`` header makes one request, not two.
    """
    lat, long, address = location
    email, name, phone = contact
    key = request.headers.get("Idempotency-Key")
    submission = {
        "service_code": service.code, "description": (param("description") or "")[:5000] or service.name,
        "address": (address or "")[:300] or None, "lat": lat, "long": long, "answers": answers,
        "contact_email": email, "contact_name": name, "contact_phone": phone, "api_client_id": client.id,
        "submission_key": f"open311:{client.id}:{key[:60]}" if key else None,
    }

    def attach_photo(new_request):
        data, content_type, width, height = photo
        db.session.add(RequestPhoto(request_id=new_request.id, data=data, content_type=content_type,
                                    width=width, height=height))

    service_request, _created = services.submit_request(submission, channel=Channel.API, service=service,
                                                        attach=attach_photo if photo else None)
    return service_request


def updates_as_open311(start, end, references, most):
    """Public updates between ``start`` and ``end`` (of ``references`` only, when given), as the spec shapes them."""
    by_id = {}
    if references:
        by_id = {r.id: r.reference for r in db.session.scalars(
            db.select(ServiceRequest).where(ServiceRequest.reference.in_(references)))}
    updates = public_updates(start, end, list(by_id) if references else None, most)
    if not references:
        ids = {update["request_id"] for update in updates}
        rows = db.session.execute(db.select(ServiceRequest.id, ServiceRequest.reference)
                                  .where(ServiceRequest.id.in_(ids))).all() if ids else []
        by_id = {request_id: reference for request_id, reference in rows}
    return [{
        "update_id": update["update_id"], "service_request_id": by_id.get(update["request_id"]),
        "status": update["status"], "updated_datetime": iso(update["at"]),
        "description": f"{update['title']}: {update['message']}" if update["message"] else update["title"],
        "media_url": None,
    } for update in updates]
