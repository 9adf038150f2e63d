"""The staff API under /api/v1: cases and their actions, the directory, and the reference page.

Endpoints are flask-smorest blueprints on the app's ``core.api`` Api; each
calls the console's own service functions, never a copy of their logic.
Other rooms register their own API blueprints before this room is wired.
"""


def init_app(app):
    """Register the API's own endpoints, then the refusals every endpoint documents and the reference page."""
    from casework.api import cases, desk, directory, docs
    from core.api import api_of, document_refusals

    api = api_of(app)
    for blueprint in (cases.blp, directory.blp, desk.blp):
        api.register_blueprint(blueprint)
    document_refusals(api)
    app.register_blueprint(docs.bp)
