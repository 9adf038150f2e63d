"""Notifications: the outbox, its delivery channels and message templates."""


def init_app(app):
    from core.periodic import register_periodic
    from notifications import health, tasks, views

    app.register_blueprint(views.bp)
    # every few seconds: work Redis could not take while it was away is queued soon after it is back
    register_periodic(app, tasks.sweep_unsent, interval_seconds=5)
    health.init_app(app)
