"""Absolute links to a citizen's pages, for messages sent outside a web request."""
from flask import current_app


def tracking_url(service_request):
    """Return the private tracking link of ``service_request``; it carries the secret token."""
    return f"{current_app.config['PUBLIC_URL']}/track/{service_request.tracking_token}"


def feedback_url(service_request):
    """Return the page where the citizen says whether it was fixed and how it went."""
    return f"{tracking_url(service_request)}/feedback"
