"""Insight: the service blueprint (CX beside EX), process changes and the staff pulse."""


def init_app(app):
    """The blueprint's pages and API; the pulse offered on staff pages; resolved cases measured within a minute."""
    from casework.insight import api, models, rollup, views  # noqa: F401  (models: tables known to migrations)
    from core.api import api_of
    from core.periodic import register_periodic

    app.register_blueprint(views.bp)
    api_of(app).register_blueprint(api.blp)
    # the staff pages offer the fortnightly pulse to whoever has not had their turn
    app.context_processor(lambda: {"pulse_due": views.pulse_due})
    register_periodic(app, rollup.measure_pending, interval_seconds=30)
