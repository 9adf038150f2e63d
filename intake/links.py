"""Absolute links to a citizen's pages, for messages sent outside a web request."""
from flask import current_app


def page_url(service_request, path=""):
    """A citizen's page of ``service_request`` in their language, whatever the browser that opens it prefers."""
    language = service_request.language or "en"
    return f"{current_app.config['PUBLIC_URL']}/track/{service_request.tracking_token}{path}?lang={language}"


def tracking_url(service_request):
    """Return the private tracking link of ``service_request``; it carries the secret token and the language."""
    return page_url(service_request)


def feedback_url(service_request):
    """Return the page where the citizen says whether it was fixed and how it went."""
    return page_url(service_request, "/feedback")


def form_url(language):
    """The public form, in ``language``."""
    return f"{current_app.config['PUBLIC_URL']}/request?lang={language or 'en'}"
