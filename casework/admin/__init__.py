"""The admin area: the service catalogue, routing rules, queues and absences, calendar, message wording and API keys.

Pages are in ``*_views.py``, each named for what it shows; what they change
is done by the services beside them (``team``, ``case_lists``, ``step_types``,
``api_access``, the catalogue's in ``intake``), which own the transaction.
"""
from flask import Blueprint

from core.security import keep_out_of_caches

# the home, message wording, routing and team pages; the other pages have blueprints of their own
bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
bp.after_request(keep_out_of_caches)


def init_app(app):
    """The admin pages, and the workflow steps as a part of each service in the catalogue file."""
    from casework.admin import (  # noqa: F401  (message, rule and team views: their routes join bp)
        api_key_views, calendar_views, case_list_views, catalogue_views, department_views, mail_views, message_views,
        rule_views, service_views, step_types, team_views,
    )
    from intake.catalogue_io import ServicePart, register_service_part

    app.register_blueprint(bp)
    for page in (api_key_views, catalogue_views, service_views, department_views, calendar_views, case_list_views,
                 mail_views):
        app.register_blueprint(page.bp)
    register_service_part(app, ServicePart("steps", step_types.StepItem, step_types.export_steps, step_types.sync_steps))
