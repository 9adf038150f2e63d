"""One place that turns errors into pages for people and JSON for programs.

The staff API (``/api/v1``) answers every error as ``application/problem+json``
(RFC 9457), with the field errors of a refused body or query under ``errors``.
"""
import logging

from flask import current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, PendingRollbackError, SQLAlchemyError
from flask_login import current_user
from werkzeug.exceptions import Forbidden, HTTPException, InternalServerError

from core.extensions import db

log = logging.getLogger(__name__)


STAFF_API = "/api/v1"
PROBLEM_TYPE = "application/problem+json"


def for_staff_api():
    return request.path == STAFF_API or request.path.startswith(STAFF_API + "/")


def problem(status, title, detail=None, errors=None, headers=None, **members):
    """An RFC 9457 problem response: ``title`` names the kind, ``detail`` says what happened to this request."""
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = str(detail)
    if errors:
        body["errors"] = errors
    body.update(members)
    response = current_app.response_class(current_app.json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    response.headers.extend(headers or {})
    return response


def problem_from(error):
    """The problem response of an ``HTTPException`` (webargs' refusals carry field errors in ``data``)."""
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    if errors and set(errors) <= {"json", "query", "headers", "path", "form", "files"} and len(errors) == 1:
        errors = next(iter(errors.values()))  # one location: its fields are the errors
    detail = data.get("message") or error.description
    if error.code in (400, 422) and errors and not data.get("message"):
        detail = "Some fields are not valid; see errors."
    headers = dict(data.get("headers") or {})
    if error.code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    return problem(error.code, error.name, detail, errors=errors, headers=headers)


def wants_json():
    """True for API paths and clients that prefer JSON to HTML."""
    if request.path.startswith(("/api/", "/open311/")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


# page titles and plain explanations in the visitor's language; werkzeug's are English and technical
TITLES = {
    400: _("There is a problem with what was sent"), 403: _("You cannot see this page"),
    404: _("Page not found"), 405: _("This page cannot do that"), 413: _("What you sent is too large"),
    429: _("Too many requests"), 500: _("Sorry, something went wrong"),
}
EXPLANATIONS = {
    404: _("If you typed the address, check it is correct. If you followed a link, it may have expired."),
    413: _("The form or the files you sent are larger than we accept. Make them smaller and try again."),
    500: _("We could not finish this. Nothing you sent has been lost; please try again in a few minutes."),
}


def render_error(error):
    if for_staff_api():
        return problem_from(error)
    if isinstance(error, CSRFError):
        description = _("Your form expired or was sent from another site. Go back, reload the page and try again.")
    elif error.code == 429:
        # Flask-Limiter's own text ("20 per 1 minute") means nothing to a citizen
        description = _("You have sent several requests in a short time. Please wait a minute and try again.")
    elif error.code in EXPLANATIONS and not request.path.startswith(("/api/", "/open311/")):
        description = EXPLANATIONS[error.code]
    else:
        description = error.description
    if wants_json():
        return jsonify(error=error.name, description=str(description)), error.code
    staff_page = current_app.extensions.get("tandem.staff_error_page")
    if staff_page and error.code < 500 and current_user.is_authenticated:
        # staff keep their own frame and words: what they may not do and whom to ask
        if error.code == 403 and description == Forbidden.description:
            description = "Your account cannot do this. If your work needs it, ask an administrator."
        return render_template(staff_page, error=error, title=STAFF_TITLES.get(error.code, TITLES.get(
            error.code, error.name)), description=description), error.code
    return render_template("error.html", error=error, title=TITLES.get(error.code, error.name),
                           description=description), error.code


STAFF_TITLES = {403: "You cannot do this with your account"}


def use_staff_error_page(app, template):
    """Render errors for signed-in staff with ``template`` (the staff frame), not the public one."""
    app.extensions["tandem.staff_error_page"] = template


def render_unexpected(error):
    # the exception itself is logged by Flask; the citizen gets no internals
    return render_error(InternalServerError())


# how soon a client may try again when the database cannot be reached (a restart takes seconds)
RETRY_AFTER_SECONDS = 5
def never_echoed(name):
    """Fields never written back into a page: passwords, second-factor codes, the old CSRF token."""
    lowered = name.lower()
    return lowered in ("csrf_token", "code", "totp_code") or "password" in lowered


def keep_files_when_unavailable(app, keeper):
    """Have ``keeper(request)`` save a post's files outside the database when it is away.

    The keeper returns how many files it kept; the page then says they need
    not be chosen again. (Intake parks the form's photos this way.)
    """
    app.extensions.setdefault("tandem.file_keepers", []).append(keeper)


def kept_files():
    """Files of this post kept by the registered keepers; a keeper that fails keeps none."""
    kept = 0
    for keeper in current_app.extensions.get("tandem.file_keepers", []):
        try:
            kept += keeper(request)
        except Exception:  # noqa: BLE001  (an error page must not fail because a file could not be kept)
            log.exception("a file keeper failed while the database was away")
    return kept


def database_unavailable(error):
    """The database cannot be reached (restart, failover): 503 with Retry-After, never a 500.

    Nothing was saved (the transaction is gone with the connection). A form
    post gets a page in the visitor's language holding what they typed, ready
    to send again, with its files kept by the registered keepers; programs get
    JSON. The pool reconnects by itself.
    """
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass
    cause = getattr(error, "orig", None) or error
    log.warning("database unavailable for %s %s: %s", request.method, request.url_rule, type(cause).__name__)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if for_staff_api():
        return problem(503, "Service Unavailable", UNAVAILABLE_FOR_PROGRAMS, headers=headers)
    if wants_json():
        return jsonify(error="Service Unavailable", description=str(UNAVAILABLE)), 503, headers
    kept = [(name, value) for name, value in request.form.items(multi=True)
            if not never_echoed(name)] if request.method == "POST" else []
    files = kept_files() if request.method == "POST" else 0
    return render_template("unavailable.html", title=UNAVAILABLE_TITLE, description=UNAVAILABLE, kept=kept,
                           had_files=bool(request.files), kept_files=files, action=request.path), 503, headers


UNAVAILABLE_FOR_PROGRAMS = "The database is restarting; nothing was saved. Try again in a few seconds."
UNAVAILABLE_TITLE = _("Sorry, we cannot save anything for a moment")
UNAVAILABLE = _("Our system is restarting. Nothing you sent has been saved yet. Please try again in a few seconds.")


def init_app(app):
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(InternalServerError, render_unexpected)
    app.register_error_handler(OperationalError, database_unavailable)
    app.register_error_handler(InterfaceError, database_unavailable)
    app.register_error_handler(DBAPIError, connection_lost_or_unexpected)
    # a session left needing a rollback by a query that met the outage (one a library swallowed)
    app.register_error_handler(PendingRollbackError, database_unavailable)


def connection_lost_or_unexpected(error):
    """Any other database error: a lost connection (a restart cut it mid-statement) is the database being away
    (503); anything else is a fault (500)."""
    if getattr(error, "connection_invalidated", False):
        return database_unavailable(error)
    log.error("database error on %s %s", request.method, request.url_rule, exc_info=error)
    return render_unexpected(error)
