"""Intake: the service catalogue, the public form, tracking and the Open311 API."""


def init_app(app):
    from core.errors import keep_files_when_unavailable
    from core.periodic import register_periodic
    from intake import catalogue_commands, health, photos, survey_views, views  # noqa: F401  (photos: its table)
    from intake import mail
    from intake.open311 import commands as open311_commands, views as open311_views

    app.register_blueprint(views.bp)
    app.register_blueprint(survey_views.bp)
    app.register_blueprint(open311_views.bp)
    open311_commands.init_app(app)
    catalogue_commands.init_app(app)
    health.init_app(app)
    mail.init_app(app)
    register_periodic(app, photos.discard_abandoned, interval_seconds=3600)
    keep_files_when_unavailable(app, photos.park_when_unavailable)
    app.jinja_env.filters["group_heading"] = group_heading


def group_heading(services, language):
    """The heading of a group of ``services`` in ``language``: the first translation an admin gave, else English."""
    services = list(services)
    for service in services:
        translated = (service.translations or {}).get(language, {}).get("group")
        if translated:
            return translated
    return services[0].group if services else ""
