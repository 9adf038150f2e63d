"""In the open: the public performance page, published standards and changes, open data, and history brought in."""


def init_app(app):
    """The public pages; arrivals counted again every 30 seconds (as often as resolved cases are measured)."""
    from casework.public import arrivals, models, publishing_views, standards, views  # noqa: F401  (models: tables)
    from core.periodic import register_periodic

    app.register_blueprint(views.bp)
    app.register_blueprint(publishing_views.bp)
    # the public form tells what to expect of the service chosen
    app.extensions["tandem.expectation"] = standards.sentences
    register_periodic(app, arrivals.count_recent, interval_seconds=30)
