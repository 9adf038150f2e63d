"""Liveness, readiness and metrics tell operators the truth, and never fail with a 500."""
import re
from datetime import timedelta

import pytest

from core import create_app
from core.extensions import db
from core.queues import QUEUE_NAMES
from core.timeutil import utcnow
from intake import services
from intake.models import ServiceRequest
from notifications.models import Notification
from tests.conftest import test_config
from tests.factories import make_city

# nothing listens on port 1: connections are refused at once
UNREACHABLE_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/none"
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def app_with(app, tmp_path):
    """Return a function making a second app with changed settings, on ``app``'s schema."""
    made = []

    def make(**overrides):
        made.append(create_app(test_config(tmp_path, **overrides)))
        return made[-1]
    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def submit(service_code="pothole", description="Deep pothole outside number 12"):
    """Submit a request as the public form does; triage is enqueued, not run."""
    service_request, _created = services.submit_request({
        "service_code": service_code, "description": description,
        "address": "12 High Street", "contact_email": "ana@example.org",
    })
    return service_request


def add_pending_request(city, waited_seconds):
    db.session.add(ServiceRequest(
        service=city.pothole, description="Deep pothole outside number 12",
        address="12 High Street", submitted_at=utcnow() - timedelta(seconds=waited_seconds),
    ))
    db.session.commit()


def metric_values(response):
    """The samples of a Prometheus text page as ``{series: value}``."""
    samples = {}
    for line in response.text.splitlines():
        if line and not line.startswith("#"):
            series, value = line.rsplit(" ", 1)
            samples[series] = float(value)
    return samples


def test_liveness_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_liveness_answers_ok_while_the_database_and_redis_are_down(app_with):
    broken = app_with(SQLALCHEMY_DATABASE_URI=UNREACHABLE_DATABASE, REDIS_URL=UNREACHABLE_REDIS)
    response = broken.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readiness_answers_ready_when_all_is_well(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["status"] == "ready"
    checks = response.json["checks"]
    assert set(checks) == {"database", "redis", "pending_triage", "unsent_notifications"}
    assert all(check["ok"] for check in checks.values())
    assert response.headers["Cache-Control"] == "no-store"


def test_readiness_answers_503_in_json_when_the_database_is_down(app_with):
    broken = app_with(SQLALCHEMY_DATABASE_URI=UNREACHABLE_DATABASE)
    response = broken.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.is_json
    assert response.json["status"] == "not ready"
    checks = response.json["checks"]
    assert checks["database"]["ok"] is False and checks["database"]["error"]
    assert checks["redis"]["ok"] is True
    # the probe is public: it names the kind of failure, not the server's address
    assert "127.0.0.1" not in response.text


def test_readiness_answers_503_in_json_when_redis_is_down(app_with):
    broken = app_with(REDIS_URL=UNREACHABLE_REDIS)
    response = broken.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "not ready"
    checks = response.json["checks"]
    assert checks["redis"]["ok"] is False and checks["redis"]["error"]
    assert checks["database"]["ok"] is True


def test_a_request_just_submitted_keeps_the_app_ready(app, client):
    with app.app_context():
        add_pending_request(make_city(), waited_seconds=5)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"]["pending_triage"]["ok"] is True


def test_a_request_pending_triage_past_the_limit_makes_the_app_not_ready(app, client):
    waited = app.config["READY_MAX_PENDING_TRIAGE_SECONDS"] + 60
    with app.app_context():
        add_pending_request(make_city(), waited_seconds=waited)
    response = client.get("/readyz")
    assert response.status_code == 503
    pending_triage = response.json["checks"]["pending_triage"]
    assert pending_triage["ok"] is False
    assert pending_triage["oldest_seconds"] >= waited
    assert "triage" in pending_triage["error"]


def test_a_message_unsent_past_the_limit_makes_the_app_not_ready(app, client):
    waited = app.config["READY_MAX_UNSENT_NOTIFICATION_SECONDS"] + 60
    with app.app_context():
        db.session.add(Notification(
            dedupe_key="request-received:1", recipient="ana@example.org",
            template="request_received", created_at=utcnow() - timedelta(seconds=waited),
        ))
        db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["unsent_notifications"]["ok"] is False


def test_metrics_show_pending_requests_and_queue_depths(app, client, run_worker):
    with app.app_context():
        make_city()
        submit()
        submit(description="Another pothole by the school gate")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    values = metric_values(response)
    assert values["tandem_up"] == 1
    assert values["tandem_pending_triage_requests"] == 2
    assert values["tandem_oldest_pending_triage_seconds"] >= 0
    assert values["tandem_unsent_notifications"] == 2  # the two acknowledgements
    assert {name: values[f'tandem_rq_queue_depth{{queue="{name}"}}'] for name in QUEUE_NAMES} == {
        "triage": 2, "notifications": 2, "periodic": 0,
    }

    run_worker()
    values = metric_values(client.get("/metrics"))
    assert values["tandem_pending_triage_requests"] == 0
    assert values['tandem_rq_queue_depth{queue="triage"}'] == 0


def test_metrics_leave_out_queue_depths_while_redis_is_down(app, app_with):
    with app.app_context():
        make_city()
        submit()
    response = app_with(REDIS_URL=UNREACHABLE_REDIS).test_client().get("/metrics")
    assert response.status_code == 200
    values = metric_values(response)
    assert values["tandem_up"] == 1
    assert values["tandem_pending_triage_requests"] == 1
    assert not any(series.startswith("tandem_rq_queue_depth") for series in values)


def test_metrics_leave_out_database_counts_while_the_database_is_down(app_with):
    response = app_with(SQLALCHEMY_DATABASE_URI=UNREACHABLE_DATABASE).test_client().get("/metrics")
    assert response.status_code == 200
    values = metric_values(response)
    assert values["tandem_up"] == 1
    assert "tandem_pending_triage_requests" not in values
    assert "tandem_unsent_notifications" not in values
    assert values['tandem_rq_queue_depth{queue="triage"}'] == 0


def test_metrics_count_requests_by_route_pattern_with_latency_and_sla_breaches(app, client, run_worker):
    with app.app_context():
        make_city()
        submit()
    run_worker()
    client.get("/track/not-a-real-token")
    with app.app_context():
        from casework.models import Case
        case = db.session.scalar(db.select(Case))
        case.resolution_due_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    text = client.get("/metrics").text
    values = metric_values(client.get("/metrics"))
    assert values["tandem_sla_breached_open_cases"] == 1 and values["tandem_open_cases"] == 1
    assert re.search(r'tandem_http_requests_total\{method="GET",route="/track/<token>",status="404"\} [1-9]', text)
    assert 'tandem_http_request_duration_seconds_bucket{le="0.5",route="/metrics"}' in text
    assert "not-a-real-token" not in text  # patterns, never paths
