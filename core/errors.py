"""One place that turns errors into pages for people and JSON for programs."""
from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError


def wants_json():
    """True for API paths and clients that prefer JSON to HTML."""
    if request.path.startswith(("/api/", "/open311/")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def render_error(error):
    if isinstance(error, CSRFError):
        description = "Your form expired or was sent from another site. Go back, reload the page and try again."
    elif error.code == 429:
        # Flask-Limiter's own text ("20 per 1 minute") means nothing to a citizen
        description = "You have sent several requests in a short time. Please wait a minute and try again."
    else:
        description = error.description
    if wants_json():
        return jsonify(error=error.name, description=description), error.code
    return render_template("error.html", error=error, description=description), error.code


def render_unexpected(error):
    # the exception itself is logged by Flask; the citizen gets no internals
    return render_error(InternalServerError())


def init_app(app):
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(InternalServerError, render_unexpected)
