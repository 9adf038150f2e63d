"""GeoReport v2 endpoints under /open311: discovery, services, requests, tokens.

Requests arriving here take the same path as the web form
(``intake.services.submit_request``: idempotency, triage, acknowledgement),
with channel ``api`` and the API client recorded on the request.
"""
from datetime import datetime, timedelta, timezone

from flask import Blueprint, current_app, g, request
from marshmallow import ValidationError, validate
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from core import quotas
from core.errors import RETRY_AFTER_SECONDS
from core.extensions import csrf, db, limiter
from core.timeutil import utcnow
from intake import services
from intake.models import Channel, QuestionType, Service, ServiceRequest
from intake.open311.formats import error, respond, respond_object
from intake.photos import MAX_BYTES, PhotoRejected, RequestPhoto, clean_photo
from intake.open311.models import client_for_key
from intake.open311.params import attributes, listed, param
from intake.tracking import add_partner_update, progress_for, public_updates, with_public_status

bp = Blueprint("open311", __name__, url_prefix="/open311")
csrf.exempt(bp)  # key-authenticated API: no browser session to forge

FORMATS = ("json", "xml")


@bp.errorhandler(OperationalError)
@bp.errorhandler(InterfaceError)
def database_unavailable(problem):
    """A partner's call while the database restarts: the spec's error list, 503 and when to retry."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass
    response = error("xml" if request.path.endswith(".xml") else "json", 503,
                     "The service is restarting; nothing was saved. Try again in a few seconds.")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
DEFAULT_DAYS, MAX_ROWS = 90, 1000
# offsets stay inside PostgreSQL's bigint however large a page is asked for
MAX_PAGE = 1_000_000


def iso(moment):
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds") if moment else None


def check_format(fmt):
    return fmt if fmt in FORMATS else None


@bp.get("/discovery.<fmt>")
def discovery(fmt):
    if not check_format(fmt):
        return error("json", 404, "Formats are json and xml")
    base = current_app.config["PUBLIC_URL"] + "/open311/v2/"
    return respond_object(fmt, "discovery", {
        "changeset": "2026-11-22T00:00:00Z",
        "contact": f"{current_app.config['AGENCY_NAME']} 311",
        "key_service": "Ask the agency's Tandem administrators for an API key.",
        "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
                       "changeset": "2026-11-22T00:00:00Z", "type": "production", "formats": ["application/json",
                                                                                                   "text/xml"]}],
    })


def service_summary(service):
    return {
        "service_code": service.code, "service_name": service.name, "description": service.description,
        "metadata": any(q.variable for q in service.questions), "type": "realtime",
        "keywords": ",".join(service.keywords.split()), "group": service.group,
    }


@bp.get("/v2/services.<fmt>")
def service_list(fmt):
    if not check_format(fmt):
        return error("json", 404, "Formats are json and xml")
    return respond(fmt, "services", [service_summary(s) for s in services.active_services()])


def attribute(question):
    return {
        "variable": question.variable, "code": question.code, "datatype": question.datatype,
        "required": question.required, "datatype_description": question.hint or None,
        "order": question.position, "description": question.prompt,
        "values": [{"key": v["key"], "name": v["name"]} for v in question.values or []],
    }


@bp.get("/v2/services/<code>.<fmt>")
@bp.get("/v2/service/<code>.<fmt>")  # the singular path some old clients ask for
def service_definition(code, fmt):
    if not check_format(fmt):
        return error("json", 404, "Formats are json and xml")
    service = db.session.scalar(db.select(Service).filter_by(code=code, active=True))
    if service is None:
        return error(fmt, 404, f"There is no service with code {code}")
    definition = {"service_code": service.code, "attributes": [attribute(q) for q in service.questions]}
    return respond_object(fmt, "service_definition", definition)


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


def parse_date(name, fmt):
    value = param(name)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadParameter(f"{name} must be a W3C date-time such as 2026-11-01T00:00:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class BadParameter(ValueError):
    pass


@bp.get("/v2/requests.<fmt>")
def request_list(fmt):
    if not check_format(fmt):
        return error("json", 404, "Formats are json and xml")
    query = db.select(ServiceRequest).join(Service).order_by(ServiceRequest.submitted_at.desc())
    ids = listed("service_request_id")
    try:
        if ids:  # the spec: an id list overrides every other filter
            query = query.where(ServiceRequest.reference.in_(ids))
        else:
            end = parse_date("end_date", fmt) or utcnow()
            start = parse_date("start_date", fmt) or end - timedelta(days=DEFAULT_DAYS)
            query = query.where(ServiceRequest.submitted_at >= start, ServiceRequest.submitted_at <= end)
            if listed("service_code"):
                query = query.where(Service.code.in_(listed("service_code")))
        # a page past what any database holds is simply empty, not an overflow
        page = min(max(int(param("page") or 1), 1), MAX_PAGE)
        page_size = min(max(int(param("page_size") or MAX_ROWS), 1), MAX_ROWS)
    except (BadParameter, ValueError) as problem:
        return error(fmt, 400, str(problem) if isinstance(problem, BadParameter) else "page and page_size are numbers")
    statuses = set(listed("status")) if not ids else set()
    if statuses:
        query = with_public_status(query, statuses)
    rows = [as_open311(r) for r in db.session.scalars(query.limit(page_size).offset((page - 1) * page_size))]
    return respond(fmt, "service_requests", rows)


@bp.get("/v2/requests/<reference>.<fmt>")
def request_detail(reference, fmt):
    if not check_format(fmt):
        return error("json", 404, "Formats are json and xml")
    service_request = db.session.scalar(db.select(ServiceRequest).filter_by(reference=reference))
    if service_request is None:
        return error(fmt, 404, f"There is no request {reference}")
    return respond(fmt, "service_requests", [as_open311(service_request)])


@bp.get("/v2/tokens/<token>.<fmt>")
def token_lookup(token, fmt):
    # requests get their id at once, so a token is the id itself
    if not check_format(fmt):
        return error("json", 404, "Formats are json and xml")
    service_request = db.session.scalar(db.select(ServiceRequest).filter_by(reference=token))
    if service_request is None:
        return error(fmt, 404, f"There is no request for token {token}")
    return respond(fmt, "service_requests", [{"service_request_id": token, "token": token}])


def address_limit():
    return current_app.config["SUBMISSION_RATE_LIMIT"]


def calling_client():
    """The active client whose key this call carries, or None; looked up once per request.

    The rate limiter asks first and swallows what it raises: a lookup the
    database refused is rolled back here, so the view's own query meets a
    clean session (a 503 while the database is away, never a 500 after).
    """
    if "open311_client" not in g:
        try:
            g.open311_client = client_for_key(param("api_key"))
        except SQLAlchemyError:
            db.session.rollback()
            raise
    return g.open311_client


def holds_valid_key():
    """True when the call names an active client: it is counted against that client's quota instead."""
    return calling_client() is not None


def keyed_client(fmt):
    """``(client, refusal)``: the call's client after counting it against the client's quota.

    ``refusal`` is the response to send instead (403 without a valid key, 429
    past the quota), else None.
    """
    client = calling_client()
    if client is None:
        return None, error(fmt, 403, "A valid api_key is required")
    state = quotas.spend("open311", client.id, client.requests_per_minute)
    if state is not None and not state.allowed:
        refusal = error(fmt, 429, f"This key may make {state.limit} requests a minute; "
                                  f"try again in {state.reset_seconds} s")
        return client, refusal
    return client, None


def check_answers(service, answers):
    """Return an error description for answers the service's questions do not accept, or None."""
    for question in service.questions:
        if not question.variable:
            continue
        answer = answers.get(question.code)
        if answer in (None, "", []):
            if question.required:
                return f"attribute[{question.code}] is required: {question.prompt}"
            continue
        keys = {value["key"] for value in question.values or []}
        if question.datatype in (QuestionType.SINGLE, QuestionType.MULTI):
            given = answer if isinstance(answer, list) else [answer]
            if question.datatype == QuestionType.SINGLE and len(given) > 1:
                return f"attribute[{question.code}] takes one value"
            unknown = [value for value in given if value not in keys]
            if unknown:
                return f"attribute[{question.code}] must be one of {', '.join(sorted(keys))}"
        elif question.datatype == QuestionType.NUMBER:
            try:
                float(answer if isinstance(answer, str) else answer[0])
            except ValueError:
                return f"attribute[{question.code}] must be a number"
    return None


@bp.post("/v2/requests.<fmt>")
@limiter.limit(address_limit, exempt_when=holds_valid_key)
def create_request(fmt):
    if not check_format(fmt):
        return error("json", 404, "Formats are json and xml")
    client, refusal = keyed_client(fmt)
    if refusal is not None:
        return refusal
    code = param("service_code")
    service = db.session.scalar(db.select(Service).filter_by(code=code, active=True)) if code else None
    if service is None:
        return error(fmt, 400, "service_code is required and must be one of the listed services"
                     if not code else f"There is no service with code {code}")
    try:
        lat, long = (float(param(name)) if param(name) else None for name in ("lat", "long"))
    except ValueError:
        return error(fmt, 400, "lat and long must be decimal degrees")
    if (lat is None) != (long is None) or (lat is not None and not (-90 <= lat <= 90 and -180 <= long <= 180)):
        return error(fmt, 400, "lat and long go together, in decimal degrees")
    address = param("address_string")
    if lat is None and not address:
        return error(fmt, 400, "A location is required: lat and long, or address_string")
    answers = attributes()
    problem = check_answers(service, answers)
    if problem:
        return error(fmt, 400, problem)
    if param("media_url"):
        answers["_media_url"] = param("media_url")[:500]
    media = request.files.get("media")
    cleaned = None
    if media and media.filename:
        try:
            cleaned = clean_photo(media.read(MAX_BYTES + 1))
        except PhotoRejected as problem:
            return error(fmt, 400, f"media: {problem}")
    description = (param("description") or "")[:5000] or service.name
    email = param("email")
    if email:
        try:
            validate.Email()(email)
        except ValidationError:
            return error(fmt, 400, "email is not an email address")
    name = " ".join(filter(None, (param("first_name"), param("last_name")))) or None
    submission = {
        "service_code": service.code, "description": description, "address": (address or "")[:300] or None,
        "lat": lat, "long": long, "answers": answers, "contact_email": email[:254] if email else None,
        "contact_name": name[:120] if name else None, "contact_phone": (param("phone") or "")[:40] or None,
        "api_client_id": client.id,
        # a client that retries with the same Idempotency-Key header makes one request, not two
        "submission_key": f"open311:{client.id}:{request.headers['Idempotency-Key'][:60]}"
                          if request.headers.get("Idempotency-Key") else None,
    }


    def attach_media(new_request):
        data, content_type, width, height = cleaned
        db.session.add(RequestPhoto(request_id=new_request.id, data=data, content_type=content_type,
                                    width=width, height=height))

    service_request, _created = services.submit_request(submission, channel=Channel.API, service=service,
                                                        attach=attach_media if cleaned else None)
    return respond(fmt, "service_requests", [{
        "service_request_id": service_request.reference, "service_notice": None, "account_id": param("account_id"),
    }], status=201)


@bp.get("/v2/servicerequestupdates.<fmt>")
def update_list(fmt):
    """The common extension: public updates since ``start_date`` (default: the last 24 hours)."""
    if not check_format(fmt):
        return error("json", 404, "Formats are json and xml")
    try:
        end = parse_date("end_date", fmt) or utcnow()
        start = parse_date("start_date", fmt) or end - timedelta(days=1)
    except BadParameter as problem:
        return error(fmt, 400, str(problem))
    references = listed("service_request_id")
    by_id = {}
    if references:
        by_id = {r.id: r.reference for r in db.session.scalars(
            db.select(ServiceRequest).where(ServiceRequest.reference.in_(references)))}
    updates = public_updates(start, end, list(by_id) if references else None, MAX_ROWS)
    if not references:
        ids = {update["request_id"] for update in updates}
        rows = db.session.execute(db.select(ServiceRequest.id, ServiceRequest.reference)
                                  .where(ServiceRequest.id.in_(ids))).all() if ids else []
        by_id = {request_id: reference for request_id, reference in rows}
    return respond(fmt, "service_request_updates", [{
        "update_id": update["update_id"], "service_request_id": by_id.get(update["request_id"]),
        "status": update["status"], "updated_datetime": iso(update["at"]),
        "description": f"{update['title']}: {update['message']}" if update["message"] else update["title"],
        "media_url": None,
    } for update in updates])


@bp.post("/v2/servicerequestupdates.<fmt>")
@limiter.limit(address_limit, exempt_when=holds_valid_key)
def create_update(fmt):
    """A partner system (a contractor, another agency) adds a public note to a request's case."""
    if not check_format(fmt):
        return error("json", 404, "Formats are json and xml")
    client, refusal = keyed_client(fmt)
    if refusal is not None:
        return refusal
    reference, text = param("service_request_id"), param("description")
    service_request = db.session.scalar(db.select(ServiceRequest).filter_by(reference=reference)) if reference else None
    if service_request is None:
        return error(fmt, 404 if reference else 400, f"There is no request {reference}" if reference
                     else "service_request_id is required")
    if not text or len(text) > 2000:
        return error(fmt, 400, "description is required, 2,000 characters or fewer")
    if param("status") and param("status") not in ("open", "closed"):
        return error(fmt, 400, "status is open or closed")
    if not add_partner_update(service_request, text, client.name):
        return error(fmt, 400, "The request has not been triaged yet; try again in a minute")
    return respond(fmt, "service_request_updates", [{"service_request_id": reference, "status": "accepted"}], 201)
