"""Open311 GeoReport v2 endpoints: discovery, services, requests, tokens and request updates.

Each view reads its parameters (``schemas``), does the work (``services``)
and answers in the call's format (``formats``, checked once before the view).
Writing needs an active API key, counted against that key's quota.
"""
from flask import Blueprint, current_app, g
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from core import quotas
from core.errors import RETRY_AFTER_SECONDS
from core.extensions import csrf, db, limiter
from intake import services as intake_services
from intake.open311 import schemas, services
from intake.open311.formats import error, refuse_unknown_format, respond, respond_object, take_format
from intake.open311.models import client_for_key
from intake.open311.schemas import BadParameter, param
from intake.tracking import add_partner_update

bp = Blueprint("open311", __name__, url_prefix="/open311")
csrf.exempt(bp)  # key-authenticated API: no browser session to forge
bp.url_value_preprocessor(take_format)
bp.before_request(refuse_unknown_format)


@bp.errorhandler(BadParameter)
def bad_parameter(problem):
    return error(problem.status, str(problem))


@bp.errorhandler(OperationalError)
@bp.errorhandler(InterfaceError)
def database_unavailable(problem):
    """A partner's call while the database restarts: the spec's error list, 503 and when to retry."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass
    response = error(503, "The service is restarting; nothing was saved. Try again in a few seconds.")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@bp.get("/discovery.<fmt>")
def discovery():
    return respond_object("discovery", services.discovery_document())


@bp.get("/v2/services.<fmt>")
def service_list():
    return respond("services", [services.service_summary(s) for s in intake_services.active_services()])


@bp.get("/v2/services/<code>.<fmt>")
@bp.get("/v2/service/<code>.<fmt>")  # the singular path some old clients ask for
def service_definition(code):
    service = services.active_service(code)
    if service is None:
        return error(404, f"There is no service with code {code}")
    return respond_object("service_definition", services.service_definition(service))


@bp.get("/v2/requests.<fmt>")
def request_list():
    return respond("service_requests", services.find_requests(schemas.request_list_query()))


@bp.get("/v2/requests/<reference>.<fmt>")
def request_detail(reference):
    service_request = services.request_by_reference(reference)
    if service_request is None:
        return error(404, f"There is no request {reference}")
    return respond("service_requests", [services.as_open311(service_request)])


@bp.get("/v2/tokens/<token>.<fmt>")
def token_lookup(token):
    # requests get their id at once, so a token is the id itself
    if services.request_by_reference(token) is None:
        return error(404, f"There is no request for token {token}")
    return respond("service_requests", [{"service_request_id": token, "token": token}])


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


def keyed_client():
    """The call's client after counting the call against its quota; ``BadParameter`` 403 without a valid key,
    429 past the quota."""
    client = calling_client()
    if client is None:
        raise BadParameter("A valid api_key is required", status=403)
    state = quotas.spend("open311", client.id, client.requests_per_minute)
    if state is not None and not state.allowed:
        raise BadParameter(f"This key may make {state.limit} requests a minute; "
                           f"try again in {state.reset_seconds} s", status=429)
    return client


@bp.post("/v2/requests.<fmt>")
@limiter.limit(address_limit, exempt_when=holds_valid_key)
def create_request():
    client = keyed_client()
    code = param("service_code")
    service = services.active_service(code)
    if service is None:
        return error(400, "service_code is required and must be one of the listed services"
                     if not code else f"There is no service with code {code}")
    where = schemas.location()
    answers = schemas.checked_answers(service)
    photo = services.uploaded_media()
    service_request = services.submit(client, service, where, answers, schemas.contact(), photo)
    return respond("service_requests", [{
        "service_request_id": service_request.reference, "service_notice": None, "account_id": param("account_id"),
    }], status=201)


@bp.get("/v2/servicerequestupdates.<fmt>")
def update_list():
    """The common extension: public updates since ``start_date`` (default: the last 24 hours)."""
    start, end = schemas.window(default_days=1)
    return respond("service_request_updates", services.updates_as_open311(
        start, end, schemas.listed("service_request_id"), schemas.MAX_ROWS))


@bp.post("/v2/servicerequestupdates.<fmt>")
@limiter.limit(address_limit, exempt_when=holds_valid_key)
def create_update():
    """A partner system (a contractor, another agency) adds a public note to a request's case."""
    client = keyed_client()
    reference = param("service_request_id")
    service_request = services.request_by_reference(reference)
    if service_request is None:
        return error(404 if reference else 400, f"There is no request {reference}" if reference
                     else "service_request_id is required")
    if not add_partner_update(service_request, schemas.update_text(), client.name):
        return error(400, "The request has not been triaged yet; try again in a minute")
    return respond("service_request_updates", [{"service_request_id": reference, "status": "accepted"}], 201)
