"""Notifications: the outbox, its delivery channels and message templates."""


def init_app(app):
    from core.periodic import register_periodic
    from notifications import health, tasks, views

    app.register_blueprint(views.bp)
    register_periodic(app, tasks.sweep_unsent, interval_seconds=60)
    health.init_app(app)
