"""The staff API under /api/v1: cases and their actions, the directory, and the reference page.

Endpoints are flask-smorest blueprints on the app's ``core.api`` Api; each
calls the console's own service functions, never a copy of their logic.
"""


def init_app(app, rooms=()):
    """Register the API's own endpoints and ``rooms``' (other rooms' flask-smorest blueprints), then the docs."""
    from casework.api import cases, directory, docs
    from core.api import api_of, document_refusals

    api = api_of(app)
    for blueprint in (cases.blp, directory.blp, *rooms):
        api.register_blueprint(blueprint)
    document_refusals(api)
    app.register_blueprint(docs.bp)
