"""The staff API under /api/v1: cases and their actions, the directory, and the reference page.

Endpoints are flask-smorest blueprints on the app's ``core.api`` Api; each
calls the console's own service functions, never a copy of their logic.
"""


def init_app(app):
    from casework.api import cases, directory, docs
    from core.api import api_of, document_refusals

    api = api_of(app)
    for endpoints in (cases, directory):
        api.register_blueprint(endpoints.blp)
    document_refusals(api)
    app.register_blueprint(docs.bp)
