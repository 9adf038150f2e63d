"""What every casework room shares, wired into the app: the staff page frame, the timeline, commands, health."""
from flask import Blueprint

# templates every room's pages extend (the staff page frame)
bp = Blueprint("casework", __name__, template_folder="templates")


def init_app(app):
    from casework import (  # noqa: F401  (agency_setup: its tables)
        activity, agency_setup, commands, counts, effort, health, messages, models, tasks,
    )
    from core.audit import append_only
    from core.errors import use_staff_error_page
    from core.periodic import register_periodic
    from intake.models import CHANNEL_NAMES
    from notifications.services import register_failure_handler

    app.register_blueprint(bp)
    app.jinja_env.globals["channel_names"] = CHANNEL_NAMES
    commands.init_app(app)
    health.init_app(app)
    append_only(models.CaseEvent)
    counts.listen()
    effort.listen()
    activity.listen()
    register_failure_handler(app, messages.record_failed_delivery)
    use_staff_error_page(app, "casework/error.html")
    register_periodic(app, tasks.apply_retention, interval_seconds=3600)
