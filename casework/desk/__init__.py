"""The contact desk: staff take a request for a caller (phone, counter, email) or for the agency itself.

Requests taken here go through the public form's own path (``intake.services.submit_request``): the same
checks, idempotency key, triage and acknowledgement, in the caller's language.
"""
from flask import Blueprint

from core.security import keep_out_of_caches

bp = Blueprint("desk", __name__, url_prefix="/console/desk", template_folder="templates")
# the desk shows callers' details: never kept by browsers or proxies
bp.after_request(keep_out_of_caches)


def init_app(app):
    """The desk's pages."""
    from casework.desk import models, views  # noqa: F401  (models: its tables; views: its routes join bp)

    app.register_blueprint(bp)
