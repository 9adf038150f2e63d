"""The staff API's frame: its OpenAPI document, who is calling, quotas, versions and errors.

Rooms add their endpoints as flask-smorest blueprints (``api_of(app)
.register_blueprint``); the document at ``/api/v1/openapi.json`` is generated
from the same marshmallow schemas that parse requests and shape answers, so
it cannot drift from what the server does. Every call carries a personal
access token (``Authorization: Bearer tdm_...``); a session cookie grants
nothing here, so no browser can be tricked into a write. Errors are
problem+json (``core.errors``).
"""
from functools import wraps
from http import HTTPStatus

from flask import current_app, g, request
from flask_smorest import Api
from marshmallow import Schema, fields

from core import audit, quotas
from core.accounts.tokens import token_for
from core.errors import PROBLEM_TYPE, STAFF_API, problem
from core.security import keep_out_of_caches

TITLE = "Tandem staff API"
VERSION = "1.0"


class ProblemSchema(Schema):
    """An error, as RFC 9457 problem details."""

    type = fields.String(metadata={"description": "A URI naming the kind of problem; about:blank for plain HTTP ones"})
    title = fields.String(metadata={"description": "The HTTP status's name"})
    status = fields.Integer()
    detail = fields.String(metadata={"description": "What went wrong with this request, for a person to read"})
    errors = fields.Dict(metadata={"description": "Field name to its error messages, for refused input"})
    current_version = fields.Integer(metadata={"description": "On 412: the case's version now"})


class TandemApi(Api):
    """flask-smorest's Api, answering errors through ``core.errors`` and documenting them as problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        # core.errors answers every error app-wide; problem+json under /api/v1
        pass

    def _register_responses(self):
        super()._register_responses()
        for name, response in list(self.spec.components.responses_lazy.items()):
            content = response.get("content", {})
            if "application/json" in content:
                response["content"] = {PROBLEM_TYPE: content["application/json"]}
        self.spec.components.security_scheme("token", {
            "type": "http", "scheme": "bearer",
            "description": "A personal access token (tdm_...), made on your account page or with "
                           "`flask --app wsgi api issue-token`."})


# the refusals every operation can meet, and those of operations on one case and of writes to one
EVERY_OPERATION = (400, 401, 403, 429, 503)
ON_ONE_CASE = (404,)
VERSIONED_WRITE = (409, 412, 428)


def document_refusals(api):
    """List each operation's possible error statuses in the document (all problem+json).

    Call once every endpoint blueprint is registered. The generic ``default``
    response stays for anything else.
    """
    for path, operations in api.spec._paths.items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            codes = list(EVERY_OPERATION)
            if "{case_id}" in path:
                codes += ON_ONE_CASE
            if any(parameter.get("name") == "If-Match" for parameter in operation.get("parameters", [])):
                codes += VERSIONED_WRITE
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(str(code), {"$ref": f"#/components/responses/{HTTPStatus(code).name}"})
                api.spec.components.get_ref("response", HTTPStatus(code).name)


def api_of(app):
    """The app's staff API (made on first use), to register endpoint blueprints on."""
    found = app.extensions.get("tandem_api")
    if found is None:
        app.config.setdefault("OPENAPI_URL_PREFIX", STAFF_API)
        app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
        found = app.extensions["tandem_api"] = TandemApi(app, spec_kwargs={
            "title": TITLE, "version": VERSION, "openapi_version": "3.1.0",
            "info": {"description": "Cases, queues, staff and services of Tandem, for an agency's own tools. "
                                    "See /api/v1/docs for the reference and docs/api.md for a guide."},
            "security": [{"token": []}],
        })
        from core.input_guard import RecordIdConverter

        found.register_converter(RecordIdConverter, lambda converter: {
            "type": "integer", "minimum": 0, "maximum": converter.max})
    return found


def caller():
    """The staff member whose token made this request."""
    return g.api_token.staff


def bearer_secret():
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else None


def authenticate():
    """before_request of every API blueprint: the token's quota, or the address's; then 401 without a token."""
    token = token_for(bearer_secret())
    if token is None:
        state = quotas.spend("address", request.remote_addr or "unknown",
                             current_app.config["API_ANONYMOUS_PER_MINUTE"])
        if state is not None and not state.allowed:
            return problem(429, "Too Many Requests", "Too many calls without a valid token from this address.")
        return problem(401, "Unauthorized", "Send a valid personal access token: Authorization: Bearer tdm_...",
                       headers={"WWW-Authenticate": 'Bearer realm="tandem"'})
    g.api_token = token
    state = quotas.spend("token", token.id, token.requests_per_minute)
    if state is not None and not state.allowed:
        return problem(429, "Too Many Requests",
                       f"This token may make {state.limit} requests a minute; try again in {state.reset_seconds} s.")
    return None


def protect(blueprint):
    """Make every route of ``blueprint`` need a token; its answers are never cached."""
    blueprint.before_request(authenticate)
    blueprint.after_request(keep_out_of_caches)
    from core.extensions import csrf

    csrf.exempt(blueprint)  # token-authenticated: no browser session to forge
    return blueprint


def allowed(role, write=False):
    """Decorate an API view: the caller's role must be ``role`` or above, and a write needs a read-write token (403)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            from flask_smorest import abort

            staff = caller()
            if not staff.has_role(role):
                audit.record_now("access_refused", actor=staff, what=f"{request.method} {request.url_rule.rule}",
                                 needs=str(role), token=g.api_token.name)
                abort(403, message=f"This needs the {role} role or above.")
            if write and not g.api_token.can_write:
                abort(403, message="This token is read-only: make a read-write token to change things.")
            return view(*args, **kwargs)
        return wrapped
    return decorator


def audit_write(target=None, **details):
    """Add the audit row of this API write, naming the token. Does not commit.

    Added before the write runs, so the write's own commit keeps it and its
    rollback drops it: no change without its record, no record without a change.
    """
    audit.record("api_write", actor=caller(), target=target, operation=request.url_rule.endpoint,
                 token=g.api_token.name, **details)


def expected_version():
    """The case version the caller's ``If-Match`` names, or None for ``*``. Aborts 428 when it is missing."""
    from flask_smorest import abort

    header = request.headers.get("If-Match", "").strip()
    if not header:
        abort(428, message="Send If-Match with the case's ETag (from GET /api/v1/cases/{id}), so no change is lost.")
    if header == "*":
        return None
    value = header.removeprefix("W/").strip('"')
    return int(value) if value.isdigit() and len(value) < 10 else -1


def etag(version):
    return f'"{version}"'
