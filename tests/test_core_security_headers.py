"""Every response carries the security headers: pages, error pages, the login page, probes."""
import pytest
from flask_login import current_user

from casework.triage.engine import triage
from core import create_app
from core.extensions import db
from intake.models import ServiceRequest
from tests.conftest import test_config
from tests.factories import make_city

SIMPLE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}

EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}


def content_security_policy(response):
    """The response's CSP as ``{directive: [sources]}``."""
    header = response.headers.get("Content-Security-Policy", "")
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


def assert_security_headers(response, path):
    for name, value in SIMPLE_HEADERS.items():
        assert response.headers.get(name) == value, f"{path}: {name}"
    assert content_security_policy(response) == EXPECTED_POLICY, path
    permissions = response.headers.get("Permissions-Policy", "")
    for feature in ("camera", "microphone"):
        assert f"{feature}=()" in permissions, f"{path}: {feature} not disabled"
    # only this origin's own pages may ask for the location (the form's "use my current location")
    assert "geolocation=(self)" in permissions, path


def paths_without_parameters(app):
    """Every GET route of the app that needs no URL parameter."""
    return sorted(
        rule.rule for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments
    )


def make_triaged_request(city):
    """A citizen's request that triage has turned into a case; returns (token, case id)."""
    service_request = ServiceRequest(
        service=city.pothole, description="Deep pothole outside number 12",
        address="12 High Street", contact_email="ana@example.org",
    )
    db.session.add(service_request)
    db.session.commit()
    token = service_request.tracking_token
    case = triage(service_request.id)
    # triage's commit expired the city's staff; load them again for signing in later
    for staff in (city.caseworker, city.admin):
        db.session.refresh(staff)
    return token, case.id


def test_every_page_anyone_can_ask_for_carries_the_security_headers(app, client):
    paths = paths_without_parameters(app)
    assert {"/", "/request", "/staff/login", "/console/", "/healthz", "/metrics"} <= set(paths)
    with app.app_context():
        make_city()
    for path in paths:
        assert_security_headers(client.get(path), path)


def test_every_page_carries_the_security_headers_for_signed_in_staff(app, client, login_as):
    with app.app_context():
        city = make_city()
        token, case_id = make_triaged_request(city)
        pages_of_one_case = [
            f"/track/{token}", f"/track/{token}/submitted",
            f"/console/queues/{city.roads_queue.id}", f"/console/cases/{case_id}",
        ]
    login_as(city.admin)
    for path in pages_of_one_case:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_security_headers(response, path)
    for path in paths_without_parameters(app):
        assert_security_headers(client.get(path), path)


def test_the_citizens_tracking_page_carries_the_security_headers(app, client):
    with app.app_context():
        token, _case_id = make_triaged_request(make_city())
    tracking = client.get(f"/track/{token}")
    assert tracking.status_code == 200
    assert_security_headers(tracking, "tracking page")
    # the token in the address must not travel to another site in a Referer
    assert tracking.headers["Referrer-Policy"] == "no-referrer"


def test_a_caseworkers_case_page_carries_the_security_headers(app, client, login_as):
    with app.app_context():
        city = make_city()
        _token, case_id = make_triaged_request(city)
    login_as(city.caseworker)
    case_page = client.get(f"/console/cases/{case_id}")
    assert case_page.status_code == 200
    assert_security_headers(case_page, "case page")


def test_the_login_page_carries_the_security_headers(client):
    login_page = client.get("/staff/login")
    assert login_page.status_code == 200
    assert_security_headers(login_page, "/staff/login")


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_a_not_found_page_carries_the_security_headers(client, accept):
    missing = client.get("/no-such-page", headers={"Accept": accept})
    assert missing.status_code == 404
    assert_security_headers(missing, "404 page")


@pytest.mark.own_app
def test_an_unexpected_error_page_carries_the_security_headers(app, client):
    @app.get("/broken")
    def broken():
        raise RuntimeError("a bug")

    # let the error handler answer, as in production, instead of raising into the test
    app.config["PROPAGATE_EXCEPTIONS"] = False
    failed = client.get("/broken")
    assert failed.status_code == 500
    assert "a bug" not in failed.text
    assert_security_headers(failed, "500 page")


def test_strict_transport_security_is_off_unless_enabled(tmp_path, monkeypatch):
    monkeypatch.delenv("HSTS_ENABLED", raising=False)
    response = create_app(test_config(tmp_path)).test_client().get("/healthz")
    assert "Strict-Transport-Security" not in response.headers


def test_strict_transport_security_is_sent_once_enabled_in_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("HSTS_ENABLED", "true")
    response = create_app(test_config(tmp_path)).test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"


def test_the_console_is_never_cached_for_a_signed_in_caseworker(app, client, login_as):
    with app.app_context():
        city = make_city()
    login_as(city.caseworker)
    console = client.get("/console/")
    assert console.status_code == 200
    assert console.headers["Cache-Control"] == "no-store"
    # outside the console's own blueprint too: the login page sends staff on
    already_signed_in = client.get("/staff/login")
    assert already_signed_in.status_code == 302
    assert already_signed_in.headers["Cache-Control"] == "no-store"


@pytest.mark.own_app
def test_a_views_own_cache_control_is_kept_for_signed_in_staff(app, client, login_as):
    @app.get("/cacheable")
    def cacheable():
        return f"hello {current_user.name}", 200, {"Cache-Control": "private, max-age=60"}

    with app.app_context():
        city = make_city()
    login_as(city.caseworker)
    assert client.get("/cacheable").headers["Cache-Control"] == "private, max-age=60"

