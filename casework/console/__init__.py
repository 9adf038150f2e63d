"""The caseworker console: lists, the case page and the actions staff take on cases."""
from flask import Blueprint

from core.security import keep_out_of_caches

bp = Blueprint("console", __name__, template_folder="templates")


# console pages show citizens' details: never kept by browsers or proxies
bp.after_request(keep_out_of_caches)


@bp.context_processor
def clock():
    from core.timeutil import utcnow

    return {"now": utcnow()}


def init_app(app):
    """The console's pages, and the handlers through which the public side reads and adds to cases."""
    from casework.console import case_views, progress, views  # noqa: F401  (their routes join bp)
    from intake.survey import register_feedback_handler
    from intake.tracking import (
        register_answer_handler, register_progress_source, register_status_filter, register_update_handler,
        register_updates_source,
    )

    app.register_blueprint(bp)
    register_progress_source(app, progress.citizen_progress)
    register_answer_handler(app, progress.take_citizen_answer)
    register_feedback_handler(app, progress.take_citizen_feedback)
    register_updates_source(app, progress.updates_between)
    register_update_handler(app, progress.take_partner_update)
    register_status_filter(app, progress.narrow_by_status)
