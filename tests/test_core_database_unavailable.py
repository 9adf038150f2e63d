"""When the database cannot be reached (a restart, a failover), every answer is a 503 with Retry-After, never a 500.

The app here points at a port where no PostgreSQL listens, which is what a
web process sees while the database restarts: connections are refused.
"""
import io
import re
from pathlib import Path

import pytest
from PIL import Image

from core import create_app
from core.extensions import db
from intake.models import ServiceRequest
from intake.photos import RequestPhoto
from tests.conftest import csrf_token_from, test_config
from tests.factories import make_city

NOWHERE = "postgresql+psycopg://postgres@127.0.0.1:1/tandem_unreachable"


@pytest.fixture
def client_without_database(tmp_path):
    app = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=NOWHERE))
    return app.test_client()


def test_open311_answers_503_with_the_specs_error_list_in_the_format_asked(client_without_database):
    for path, kind in (("/open311/v2/services.json", "json"), ("/open311/v2/services.xml", "xml")):
        answer = client_without_database.get(path)
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
        if kind == "json":
            assert answer.json[0]["code"] == 503 and "Try again" in answer.json[0]["description"]
        else:
            assert answer.mimetype == "text/xml" and b"<code>503</code>" in answer.data
    posted = client_without_database.post("/open311/v2/requests.json", data={"api_key": "x", "service_code": "pothole"})
    assert posted.status_code == 503 and posted.json[0]["code"] == 503


def test_the_staff_api_answers_a_problem_with_retry_after(client_without_database):
    for answer in (client_without_database.get("/api/v1/cases", headers={"Authorization": "Bearer tdm_x"}),
                   client_without_database.post("/api/v1/take-next", headers={"Authorization": "Bearer tdm_x"})):
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
        assert answer.mimetype == "application/problem+json" and answer.json["status"] == 503
        assert "Try again" in answer.json["detail"]


def test_the_public_form_keeps_what_the_citizen_typed_and_offers_to_send_it_again(client_without_database):
    home = client_without_database.get("/?lang=es")
    assert home.status_code == 503 and home.headers["Retry-After"] == "5"
    assert 'lang="es"' in home.text and "Lo sentimos" in home.text
    form = client_without_database.get("/request?service=pothole")
    assert form.status_code == 503
    # the sign-in page needs no database: its CSRF token is this session's, good for the form too
    token = csrf_token_from(client_without_database.get("/staff/login").text)
    sent = client_without_database.post("/request", data={
        "csrf_token": token, "submission_key": "k-1", "service_code": "pothole",
        "description": "Hole <b>deep</b> by the school", "address": "12 High Street", "contact_email": "ana@example.org"})
    # (on a rate-limited route Flask-Limiter moves Retry-After out to the end of its window, never earlier)
    assert sent.status_code == 503 and int(sent.headers["Retry-After"]) >= 5
    assert 'name="description" value="Hole &lt;b&gt;deep&lt;/b&gt; by the school"' in sent.text
    assert 'name="contact_email" value="ana@example.org"' in sent.text
    # the citizen chose Spanish on the start page: the page that keeps their words is in Spanish too
    assert re.search(r"<form method=\"post\" action=\"/request\">", sent.text) and "Enviar de nuevo" in sent.text


def test_a_staff_sign_in_never_echoes_the_password(client_without_database):
    page = client_without_database.get("/staff/login")
    sent = client_without_database.post("/staff/login", data={
        "email": "casey@example.org", "password": "secret-password-123", "csrf_token": csrf_token_from(page.text)})
    assert sent.status_code == 503
    assert "secret-password-123" not in sent.text and 'value="casey@example.org"' in sent.text


def test_readyz_reports_the_database(client_without_database):
    ready = client_without_database.get("/readyz")
    assert ready.status_code == 503
    assert "database" in ready.text


def photo(colour):
    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, format="JPEG")
    return out.getvalue()


def test_photos_sent_into_an_outage_are_kept_and_arrive_with_the_request_sent_again(
        client_without_database, app, client):
    """The citizen chose two photos and pressed send while PostgreSQL restarted; they send again once it is back."""
    with app.app_context():
        make_city()
    client_without_database.get("/?lang=pt")  # she reads Portuguese
    token = csrf_token_from(client_without_database.get("/staff/login").text)
    sent = client_without_database.post("/request", content_type="multipart/form-data", data={
        "csrf_token": token, "submission_key": "k-photos", "service_code": "pothole", "step": "send",
        "description": "Hole by the school", "address": "12 High Street", "contact_email": "ana@example.org",
        "photos": [(io.BytesIO(photo((200, 0, 0))), "one.jpg"), (io.BytesIO(photo((0, 0, 200))), "two.jpg")]})
    assert sent.status_code == 503
    assert "As suas 2 fotografias também ficam guardadas" in sent.text and "volte a juntar" not in sent.text
    kept = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', sent.text))
    assert kept["submission_key"] == "k-photos" and kept["description"] == "Hole by the school"

    # the database is back: the page's "Send it again" posts the kept fields, with no files this time
    again = client.post("/request", data={**kept, "csrf_token": csrf_token_from(client.get("/staff/login").text)})
    assert again.status_code == 303
    with app.app_context():
        new_request = db.session.scalar(db.select(ServiceRequest))
        photos = db.session.scalars(db.select(RequestPhoto).filter_by(request_id=new_request.id)
                                    .order_by(RequestPhoto.id)).all()
        assert len(photos) == 2
        reds = [Image.open(io.BytesIO(p.data)).convert("RGB").getpixel((5, 5))[0] for p in photos]
        assert reds[0] > 150 and reds[1] < 60  # both, in the order chosen
    assert not list(Path(app.config["PARKED_PHOTOS_DIR"]).glob("*/*"))  # nothing left on disk once in the database


def test_a_file_that_is_no_photo_is_not_parked(client_without_database):
    token = csrf_token_from(client_without_database.get("/staff/login").text)
    sent = client_without_database.post("/request", content_type="multipart/form-data", data={
        "csrf_token": token, "submission_key": "k-bad", "service_code": "pothole", "description": "Hole",
        "photos": [(io.BytesIO(b"%PDF-1.4 not a photo"), "scan.jpg")]})
    assert sent.status_code == 503 and "Add any photos again after it is sent." in sent.text


@pytest.mark.own_app
def test_a_session_left_broken_by_a_swallowed_outage_error_answers_503_not_500(app, client):
    """The rate limiter swallows the error of its key lookup; the view's query then meets a session needing a
    rollback just as the database returns: that is the outage's tail, a 503 with Retry-After."""
    from sqlalchemy.exc import PendingRollbackError

    def broken():
        raise PendingRollbackError("Can't reconnect until invalid transaction is rolled back")

    app.add_url_rule("/open311/v2/broken.json", "broken_after_outage", broken)
    answer = client.get("/open311/v2/broken.json")
    assert answer.status_code == 503 and answer.headers["Retry-After"] and answer.is_json
