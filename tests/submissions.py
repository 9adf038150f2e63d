"""Test helpers that send Tandem requests as citizens and partners do, and count what came of them.

Shared by the test modules (which never import each other).
"""
import io
import re
from pathlib import Path

from PIL import Image

from sqlalchemy.engine import make_url

from casework.models import Case
from core.extensions import db
from intake.models import QuestionType, ServiceQuestion, ServiceRequest, TriageState
from intake.open311.models import ApiClient
from notifications.models import DeliveryStatus, Notification
from tests.conftest import DATABASE_URL, csrf_token_from
from tests.factories import loaded, make_city
REFERENCE = re.compile(r"R-[0-9A-Z]{4}-[0-9A-Z]{4}")


def submit_pothole(client, description="A deep pothole in front of number 12, cyclists swerve round it."):
    """Fill in the public form as a citizen would; return the confirmation page."""
    home = client.get("/")
    assert "Pothole" in home.text
    form = client.get("/request?service=pothole")
    submission_key = re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1)
    response = client.post("/request", data={
        "csrf_token": csrf_token_from(form.text),
        "submission_key": submission_key,
        "service_code": "pothole",
        "description": description,
        "address": "12 High Street",
        "contact_name": "Ana Citizen",
        "contact_email": "ana@example.org",
    })
    assert response.status_code == 303
    return client.get(response.location)


def filled_form(client, **changes):
    """A valid submission from a freshly loaded form, with ``changes`` applied (None removes a field)."""
    form = client.get("/request?service=pothole")
    data = {
        "csrf_token": csrf_token_from(form.text),
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
        "service_code": "pothole",
        "description": "Pothole by the bus stop",
        "address": "1 Station Avenue",
        "contact_email": "ana@example.org",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def request_count(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(ServiceRequest.id)))


def post_request(client, key, fmt="json", **fields):
    data = {"api_key": key, "service_code": "pothole", "lat": "51.5007", "long": "-0.1246",
            "address_string": "12 High Street", "description": "Deep pothole", "attribute[where]": "road",
            "email": "ana@example.org", "first_name": "Ana", **fields}
    return client.post(f"/open311/v2/requests.{fmt}", data={k: v for k, v in data.items() if v is not None})


def submit_many(app, count, first=0):
    """Submit ``count`` requests (numbered from ``first``) through the public form; every one must be confirmed."""
    client = app.test_client()
    form = client.get("/request?service=pothole")
    token = csrf_token_from(form.text)
    for number in range(first, first + count):
        response = client.post("/request", data={
            "csrf_token": token, "submission_key": f"fault-test-{number}", "service_code": "pothole",
            "description": f"Pothole number {number} on the long road", "address": f"{number} Long Road",
            "contact_email": f"citizen{number}@example.org",
        })
        assert response.status_code == 303, response.text


def counts(app):
    with app.app_context():
        db.session.expire_all()
        return {
            "requests": db.session.scalar(db.select(db.func.count(ServiceRequest.id))),
            "pending": db.session.scalar(db.select(db.func.count(ServiceRequest.id))
                                         .filter_by(triage_state=TriageState.PENDING)),
            "cases": db.session.scalar(db.select(db.func.count(Case.id))),
            "case_requests": db.session.scalar(db.select(db.func.count(db.distinct(Case.request_id)))),
            "messages": db.session.scalar(db.select(db.func.count(Notification.id))),
            "received": db.session.scalar(
                db.select(db.func.count(Notification.id)).filter_by(template="request_received")),
            "routed": db.session.scalar(db.select(db.func.count(Notification.id)).filter_by(template="request_routed")),
            "sent": db.session.scalar(db.select(db.func.count(Notification.id)).filter_by(status=DeliveryStatus.SENT)),
        }


def mailbox_references(app):
    """References in the subjects of the .eml files written, one entry per file."""
    files = list(Path(app.config["MAILBOX_DIR"]).glob("*.eml"))
    found = (re.search(rb"R-[0-9A-Z]{4}-[0-9A-Z]{4}", path.read_bytes()) for path in files)
    return [match.group() if match else None for match in found]


def worker_environment(app, redis_server):
    return {
        "DATABASE_URL": make_url(DATABASE_URL).render_as_string(hide_password=False),
        "REDIS_URL": redis_server.url, "SECRET_KEY": "test-secret-key", "SMTP_URL": "",
        "MAILBOX_DIR": app.config["MAILBOX_DIR"], "PUBLIC_URL": "http://tandem.test",
        "TRIAGE_JOB_TIMEOUT": "3", "WORKER_MAINTENANCE_SECONDS": "2", "WORKER_TTL_SECONDS": "5",
        # small batches, so a kill lands in the middle of one with others committed before it
        "TRIAGE_BATCH_SIZE": "5",
    }


def open311_city():
    """The test city with a required multiple-choice question on potholes, as partners' apps meet it."""
    city = make_city()
    db.session.add(ServiceQuestion(service_id=city.pothole.id, code="where", position=1, required=True,
                                   datatype=QuestionType.SINGLE, prompt="Where is it?",
                                   values=[{"key": "road", "name": "In the road"},
                                           {"key": "bike_lane", "name": "In a bike lane"}]))
    db.session.commit()
    loaded(*vars(city).values())
    return city


def partner_key():
    """A new Open311 key of a partner's app; commits."""
    client, key = ApiClient.issue("City app")
    db.session.add(client)
    db.session.commit()
    return key


# where a photo's EXIF keeps the GPS position
GPS_IFD = 0x8825


def jpeg_with_location(size=(640, 480)):
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()
