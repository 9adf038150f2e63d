"""Intake: the service catalogue, the public form, tracking and the Open311 API."""


def init_app(app):
    from intake import health, views

    app.register_blueprint(views.bp)
    health.init_app(app)
