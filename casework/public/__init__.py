"""In the open: the public performance page, published standards and changes, open data, and history brought in."""


def init_app(app):
    """The public pages; arrivals counted again every 30 seconds (as often as resolved cases are measured)."""
    from casework.public import (  # noqa: F401  (models: tables known to migrations)
        arrivals, datapackage, models, open_data_views, publishing_views, standards, views,
    )
    from core.periodic import register_periodic

    app.register_blueprint(views.bp)
    app.register_blueprint(publishing_views.bp)
    app.register_blueprint(open_data_views.bp)
    if app.config["OPEN_DATA_LICENSE"] not in datapackage.LICENCES:
        raise RuntimeError(f"OPEN_DATA_LICENSE must be one of {', '.join(datapackage.LICENCES)}")
    # the public form tells what to expect of the service chosen
    app.extensions["tandem.expectation"] = standards.sentences
    register_periodic(app, arrivals.count_recent, interval_seconds=30)
