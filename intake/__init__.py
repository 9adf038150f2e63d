"""Intake: the service catalogue, the public form, tracking and the Open311 API."""


def init_app(app):
    from intake import health, survey_views, views

    app.register_blueprint(views.bp)
    app.register_blueprint(survey_views.bp)
    health.init_app(app)
