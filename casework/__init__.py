"""Casework: triage, queues, cases, steps and the staff console."""


def enqueue_triage(sender, request_id, **extra):
    """Receiver of ``request_submitted``: wake the worker. The sweep covers a Redis outage."""
    from casework.tasks import enqueue_triage_job

    enqueue_triage_job(request_id)


def check_calendar(app):
    """Refuse to start with opening hours nobody can read, rather than fail on the first request."""
    from casework.calendar import CalendarError, parse_hours

    hours = app.config.get("AGENCY_HOURS", "always")
    if hours.strip().lower() != "always":
        try:
            parse_hours(hours)
        except CalendarError as error:
            raise RuntimeError(f"AGENCY_HOURS: {error}") from None


def init_app(app):
    check_calendar(app)
    from casework import admin_api_keys, admin_calendar, admin_catalogue, admin_services, admin_views, commands, health, messages, models, progress, step_types, tasks, views  # noqa: F401  (models: tables known to migrations)
    from core.audit import append_only
    from core.periodic import register_periodic
    from intake.catalogue_io import ServicePart, register_service_part
    from intake.signals import request_submitted
    from intake.survey import register_feedback_handler
    from intake.tracking import (
        register_answer_handler, register_progress_source, register_update_handler, register_updates_source,
    )
    from notifications.services import register_failure_handler

    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(admin_api_keys.bp)
    app.register_blueprint(admin_catalogue.bp)
    app.register_blueprint(admin_services.bp)
    app.register_blueprint(admin_calendar.bp)
    commands.init_app(app)
    health.init_app(app)
    append_only(models.CaseEvent)
    request_submitted.connect(enqueue_triage, sender=app)
    register_progress_source(app, progress.citizen_progress)
    register_answer_handler(app, progress.take_citizen_answer)
    register_feedback_handler(app, progress.take_citizen_feedback)
    register_updates_source(app, progress.updates_between)
    register_update_handler(app, progress.take_partner_update)
    register_failure_handler(app, messages.record_failed_delivery)
    register_service_part(app, ServicePart("steps", step_types.StepItem, step_types.export_steps, step_types.sync_steps))
    register_periodic(app, tasks.sweep_pending_triage, interval_seconds=60)
    register_periodic(app, tasks.watch_deadlines, interval_seconds=300)
    register_periodic(app, tasks.send_supervisor_digest, interval_seconds=900)
    register_periodic(app, tasks.apply_retention, interval_seconds=3600)
