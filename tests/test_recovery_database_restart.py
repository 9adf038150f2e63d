"""PostgreSQL stops under a citizen's send: the page keeps what they wrote, and they send it again once it is back.

The cluster is the test's own (initdb in a temporary folder), so stopping it
disturbs nothing else. The partner systems' side of a restart, under the
Procfile's processes, is in test_recovery_deployment.py.
"""
import pytest

pytestmark = pytest.mark.slow


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
