"""Casework: the staff side, in rooms.

The root holds what every room shares (the models, what cases tell people,
the RQ entry points); ``triage/`` opens cases, ``clock/`` keeps business time
and SLAs, ``console/`` is where caseworkers work, ``admin/`` where admins keep
the catalogue, rules and team. ``init_app`` wires the rooms into the app.
"""
from flask import Blueprint

# templates every room's pages extend (the staff page frame)
bp = Blueprint("casework", __name__, template_folder="templates")


def enqueue_triage(sender, request_id, **extra):
    """Receiver of ``request_submitted``: wake the worker. The sweep covers a Redis outage."""
    from casework.tasks import enqueue_triage_job

    enqueue_triage_job(request_id)


def check_calendar(app):
    """Refuse to start with opening hours nobody can read, rather than fail on the first request."""
    from casework.clock.calendar import CalendarError, parse_hours

    hours = app.config.get("AGENCY_HOURS", "always")
    if hours.strip().lower() != "always":
        try:
            parse_hours(hours)
        except CalendarError as error:
            raise RuntimeError(f"AGENCY_HOURS: {error}") from None


def init_app(app):
    check_calendar(app)
    from casework import activity, commands, counts, effort, health, messages, models, tasks  # noqa: F401  (models: tables known to migrations)
    from casework.admin import api_keys, calendar, case_list_views, catalogue, catalogue_services, step_types
    from casework.admin import views as admin_views
    from casework import api, console
    from casework.supervision import api as supervision_api, models as supervision_models, views as supervision  # noqa: F401
    from casework.insight import api as insight_api, models as insight_models, rollup, views as insight  # noqa: F401
    from casework.console import case_views, progress, views  # noqa: F401  (their routes join console.bp)
    from core.audit import append_only
    from core.errors import use_staff_error_page
    from core.periodic import register_periodic
    from intake.catalogue_io import ServicePart, register_service_part
    from intake.signals import request_submitted
    from intake.survey import register_feedback_handler
    from intake.tracking import (
        register_answer_handler, register_progress_source, register_status_filter, register_update_handler,
        register_updates_source,
    )
    from notifications.services import register_failure_handler

    app.register_blueprint(bp)
    app.register_blueprint(console.bp)
    app.register_blueprint(supervision.bp)
    app.register_blueprint(insight.bp)
    # the staff pages offer the fortnightly pulse to whoever has not had their turn
    app.context_processor(lambda: {"pulse_due": insight.pulse_due})
    for admin_page in (admin_views, api_keys, catalogue, catalogue_services, calendar, case_list_views):
        app.register_blueprint(admin_page.bp)
    api.init_app(app, rooms=[supervision_api.blp, insight_api.blp])
    commands.init_app(app)
    health.init_app(app)
    append_only(models.CaseEvent)
    counts.listen()
    effort.listen()
    activity.listen()
    request_submitted.connect(enqueue_triage, sender=app)
    register_progress_source(app, progress.citizen_progress)
    register_answer_handler(app, progress.take_citizen_answer)
    register_feedback_handler(app, progress.take_citizen_feedback)
    register_updates_source(app, progress.updates_between)
    register_update_handler(app, progress.take_partner_update)
    register_status_filter(app, progress.narrow_by_status)
    register_failure_handler(app, messages.record_failed_delivery)
    use_staff_error_page(app, "casework/error.html")
    register_service_part(app, ServicePart("steps", step_types.StepItem, step_types.export_steps, step_types.sync_steps))
    # every few seconds: work Redis could not take while it was away is queued soon after it is back
    register_periodic(app, tasks.sweep_pending_triage, interval_seconds=5)
    register_periodic(app, tasks.watch_deadlines, interval_seconds=300)
    register_periodic(app, tasks.send_supervisor_digest, interval_seconds=900)
    register_periodic(app, tasks.apply_retention, interval_seconds=3600)
    # the blueprint counts a resolved case within a minute
    register_periodic(app, rollup.measure_pending, interval_seconds=30)
