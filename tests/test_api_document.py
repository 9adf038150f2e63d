"""The staff API checked against its own OpenAPI document by schemathesis, on gunicorn as deployed.

Every operation gets generated requests with a read-write token: none may
answer a server error, or a status, content type, body or header the
document does not describe. Bounded examples keep it to about a minute.
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from core.extensions import db
from tests.api_calls import token_of
from tests.conftest import fresh_app
from tests.console_cases import open_cases
from tests.factories import make_city
from bench.harness.processes import Web

pytestmark = pytest.mark.slow
# examples per operation: about a minute for the whole document on this machine
EXAMPLES = 25

CHECKS = [checks.not_a_server_error, openapi_checks.status_code_conformance,
          openapi_checks.content_type_conformance, openapi_checks.response_schema_conformance,
          openapi_checks.response_headers_conformance]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """gunicorn on the test database with a city, open cases and a supervisor's read-write token."""
    folder = tmp_path_factory.mktemp("api-document")
    app = fresh_app(folder)
    with app.app_context():
        city = make_city()
        open_cases(city.roads_queue, city.pothole, 30, email="ana@example.org")
        open_cases(city.parks_queue, city.graffiti, 5)
        secret = token_of(city.supervisor, name="schemathesis")
        db.session.execute(db.text("UPDATE api_token SET requests_per_minute = 100000"))
        db.session.commit()
        settings_of = app.config
        environment = {"DATABASE_URL": settings_of["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": settings_of["REDIS_URL"],
                       "SECRET_KEY": "test-secret-key", "MAILBOX_DIR": str(folder / "mailbox"),
                       "PUBLIC_URL": "http://tandem.test", "AGENCY_HOURS": "always"}
    web = Web(environment).start()
    yield web.url, secret
    web.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def operation_labels():
    """``METHOD /path`` of every operation in the document, read from an app in this process."""
    from core import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "collect-only"})
    paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    return [f"{method.upper()} {path}" for path, item in paths.items() for method in item if method != "parameters"]


@pytest.fixture(scope="module")
def live_document(deployment):
    url, _ = deployment
    return schemathesis.openapi.from_url(f"{url}/api/v1/openapi.json")


@pytest.mark.parametrize("label", operation_labels())
def test_every_operation_answers_as_its_document_says(label, deployment, live_document):
    url, secret = deployment
    operation = live_document.find_operation_by_label(label)
    assert operation is not None, f"{label} is not in the live document"

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def answers_as_documented(case):
        case.call_and_validate(base_url=url, headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS)

    answers_as_documented()
