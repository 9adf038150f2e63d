"""Supervision: backlog, workload, rebalancing, forecasts, and the daily digest to supervisors."""


def init_app(app):
    """The supervisor's pages and API, and the digest every quarter hour."""
    from casework import tasks
    from casework.supervision import api, models, views  # noqa: F401  (models: tables known to migrations)
    from core.api import api_of
    from core.periodic import register_periodic

    app.register_blueprint(views.bp)
    api_of(app).register_blueprint(api.blp)
    register_periodic(app, tasks.send_supervisor_digest, interval_seconds=900)
