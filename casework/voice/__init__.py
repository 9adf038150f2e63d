"""The citizens' voice where the work is done: what citizens said about the cases a person worked, their own
figures, their team's, and a digest by email for those who want it."""


def init_app(app):
    """The pages; the digest looked at every quarter hour (it sends once the day's hour has come)."""
    from casework.voice import digest, models, views  # noqa: F401  (models: tables known to migrations)
    from core.periodic import register_periodic

    app.register_blueprint(views.bp)
    register_periodic(app, digest.send_due, interval_seconds=900)
