"""PostgreSQL restarts under the Procfile's processes while a partner system posts requests.

The cluster is the test's own (initdb in a temporary folder), so restarting it
disturbs nothing else; the processes run with the deployment's default
settings (bench/harness/faults.py). Every answer must be a success or a 503
with Retry-After (never a 500), every accepted request must become exactly one
case within 30 s of the database's return, and every acknowledgement be sent
once, over SMTP to a real server.
"""
import pytest

from bench.harness.faults import run_scenario

pytestmark = pytest.mark.slow


def test_a_database_restart_costs_no_500_and_no_request_and_work_resumes_within_30_s(deployment):
    outcome = run_scenario(deployment, [deployment.postgres_restart])
    print(outcome)
    assert outcome.server_errors == 0 and outcome.no_answer == 0, (outcome.statuses, deployment.web_errors())
    assert outcome.refused > 0, "the partner never met the outage: the test proves nothing"
    assert outcome.missing_retry_after == 0, "every 503 says when to try again"
    assert outcome.accepted >= 20, outcome.statuses
    # nothing half-done: each accepted request has one case, and no case exists twice
    assert outcome.missing == 0 and outcome.doubled == 0
    assert outcome.acknowledged_once
    assert all(outcome.alive.values()), outcome.alive
    assert outcome.recovery_seconds is not None and outcome.recovery_seconds <= 30


def test_a_citizen_whose_send_meets_the_outage_sends_again_from_the_page_and_keeps_their_photos(tmp_path):
    """Check step with a photo, PostgreSQL stops, Send: a page keeping everything; PostgreSQL back, Send it again."""
    import io
    import re
    import shutil
    import tempfile

    from PIL import Image

    from core import create_app
    from core.extensions import db
    from intake.models import ServiceRequest
    from intake.photos import RequestPhoto
    from tests.conftest import csrf_token_from, test_config
    from tests.factories import make_city
    from bench.harness.processes import PostgresCluster

    folder = tempfile.mkdtemp(prefix="tandem-postgres-")
    cluster = PostgresCluster(folder).start()
    try:
        app = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=cluster.url))
        assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
        with app.app_context():
            make_city()
            db.session.remove()
        citizen = app.test_client()
        form = citizen.get("/request?service=pothole")
        picture = io.BytesIO()
        Image.new("RGB", (320, 240), (40, 120, 200)).save(picture, format="JPEG")
        fields = {"csrf_token": csrf_token_from(form.text), "service_code": "pothole",
                  "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
                  "description": "Pothole by the bus stop", "address": "Bus stop 4", "contact_email": "ana@example.org"}
        checked = citizen.post("/request", content_type="multipart/form-data",
                               data={**fields, "step": "check", "photos": [(io.BytesIO(picture.getvalue()), "hole.jpg")]})
        assert checked.status_code == 200 and "Photos (optional)</dt><dd>1</dd>" in checked.text

        cluster.stop("fast")
        refused = citizen.post("/request", data=fields)
        assert refused.status_code == 503 and "Send it again" in refused.text
        kept = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', refused.text))
        assert kept["description"] == "Pothole by the bus stop" and kept["submission_key"] == fields["submission_key"]
        assert kept["service_code"] == "pothole"

        cluster.start()
        again = citizen.post("/request", data=kept)
        assert again.status_code == 303, re.findall(r"<li><a href=\"#[^\"]+\">([^<]+)<", again.text) or again.text[-600:]
        with app.app_context():
            [stored] = db.session.scalars(db.select(ServiceRequest)).all()
            assert stored.description == "Pothole by the bus stop"
            assert db.session.scalar(db.select(db.func.count(RequestPhoto.id)).filter_by(request_id=stored.id)) == 1
            db.session.remove()
            db.engine.dispose()
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
