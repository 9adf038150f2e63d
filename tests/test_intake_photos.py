"""Photos: checked by content, location data removed, seen only through the tracking link and by staff."""
import io
import os
import re
from datetime import timedelta

import pytest
from PIL import Image

from core.extensions import db
from core.timeutil import utcnow
from intake.models import ServiceRequest
from intake.photos import RequestPhoto, discard_abandoned
from tests.conftest import csrf_token_from
from tests.submissions import GPS_IFD, jpeg_with_location

def send(client, files, step="send"):
    form = client.get("/request?service=pothole")
    return client.post("/request", content_type="multipart/form-data", data={
        "csrf_token": csrf_token_from(form.text),
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
        "service_code": "pothole", "description": "Pothole by the bus stop", "address": "Bus stop 4",
        "contact_email": "ana@example.org", "step": step,
        "photos": [(io.BytesIO(data), name) for data, name in files]})


def test_a_photo_arrives_without_its_location_and_is_shown_to_the_citizen_and_staff(app, client, city, run_worker,
                                                                                   login_as):
    raw = jpeg_with_location()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(GPS_IFD)  # the original has a location
    sent = send(client, [(raw, "IMG_0001.jpg")])
    assert sent.status_code == 303
    with app.app_context():
        [photo] = db.session.scalars(db.select(RequestPhoto)).all()
        stored = Image.open(io.BytesIO(photo.data))
        assert not stored.getexif().get_ifd(GPS_IFD) and 0x010F not in stored.getexif()
        token, photo_token = db.session.get(ServiceRequest, photo.request_id).tracking_token, photo.token
    tracking = client.get(f"/track/{token}")
    assert f"/track/{token}/photos/{photo_token}" in tracking.text and 'alt="Photo 1 you sent"' in tracking.text
    image = client.get(f"/track/{token}/photos/{photo_token}")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert image.headers["Cache-Control"] == "no-store"
    assert client.get(f"/track/not-the-token/photos/{photo_token}").status_code == 404

    run_worker()
    login_as(city.caseworker)
    with app.app_context():
        from casework.models import Case
        case_id = db.session.scalar(db.select(Case.id))
    assert client.get(f"/console/cases/{case_id}/photos/{photo_token}").status_code == 200
    other = app.test_client()
    page = other.get("/staff/login")
    other.post("/staff/login", data={"email": city.parks_worker.email, "password": "correct horse battery staple",
                                     "csrf_token": csrf_token_from(page.text)})
    assert other.get(f"/console/cases/{case_id}/photos/{photo_token}").status_code == 403


@pytest.mark.parametrize("files, message", [
    ([(b"%PDF-1.4 not a photo", "photo.jpg")], "JPEG, PNG or WebP"),  # judged by content, not by name
    ([(jpeg_with_location(), f"p{n}.jpg") for n in range(4)], "up to 3 photos"),
])
def test_files_that_are_not_photos_or_too_many_are_refused_and_nothing_is_kept(app, client, city, files, message):
    response = send(client, files)
    assert response.status_code == 400 and message in response.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(RequestPhoto.id))) == 0


def photo_at_the_check_step(client):
    """Fill in the form and add a photo on the way to check-your-answers; return the check page and the fields."""
    form = client.get("/request?service=pothole")
    fields = {"csrf_token": csrf_token_from(form.text),
              "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
              "service_code": "pothole", "description": "Pothole by the bus stop", "address": "Bus stop 4",
              "contact_email": "ana@example.org"}
    check = client.post("/request", content_type="multipart/form-data",
                        data={**fields, "step": "check", "photos": [(io.BytesIO(jpeg_with_location()), "a.jpg")]})
    return check, fields


def test_photos_added_before_checking_answers_are_kept_for_the_request(app, client, city):
    check, fields = photo_at_the_check_step(client)
    assert "Check your answers" in check.text
    assert client.post("/request", data={**fields, "step": "send"}).status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(RequestPhoto.request_id)) is not None


def test_photos_of_a_form_never_sent_are_deleted_after_a_day_and_sent_ones_are_kept(app, client, city):
    photo_at_the_check_step(client)
    with app.app_context():
        assert discard_abandoned() == 0  # a form just filled in may still be sent
        db.session.execute(db.update(RequestPhoto).values(created_at=utcnow() - timedelta(days=2)))
        db.session.commit()
        assert discard_abandoned() == 1
        assert db.session.scalar(db.select(db.func.count(RequestPhoto.id))) == 0
    # a photo that reached its request stays however old it is
    test_photos_added_before_checking_answers_are_kept_for_the_request(app, client, city)
    with app.app_context():
        db.session.execute(db.update(RequestPhoto).values(created_at=utcnow() - timedelta(days=30)))
        db.session.commit()
        assert discard_abandoned() == 0
        assert db.session.scalar(db.select(db.func.count(RequestPhoto.id))) == 1


def phone_photo(width, height, quality):
    """A camera-sized JPEG: noise, which compresses as badly as a real scene of leaves and gravel."""
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, format="JPEG", quality=quality)
    return out.getvalue()


def test_three_photos_of_the_size_phones_take_are_accepted_and_made_smaller(app, client, city):
    raw = phone_photo(3200, 2400, 90)
    assert len(raw) > 6 * 1024 * 1024  # as large as the three that were refused before
    sent = send(client, [(raw, f"IMG_{n}.jpg") for n in range(3)])
    assert sent.status_code == 303
    with app.app_context():
        stored = db.session.scalars(db.select(RequestPhoto)).all()
        assert len(stored) == 3 and all(max(photo.width, photo.height) <= 2000 for photo in stored)


def test_a_photo_over_the_limit_is_refused_beside_its_field_in_the_citizens_language_and_the_form_kept(
        app, client, city):
    huge = phone_photo(4600, 3600, 100)
    assert len(huge) > 20 * 1024 * 1024
    form = client.get("/request?service=pothole", headers={"Accept-Language": "es"})
    response = client.post("/request", content_type="multipart/form-data", headers={"Accept-Language": "es"}, data={
        "csrf_token": csrf_token_from(form.text),
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
        "service_code": "pothole", "description": "Un bache enorme delante del colegio", "address": "Calle Mayor 3",
        "contact_email": "ana@example.org", "step": "send", "photos": [(io.BytesIO(huge), "IMG_9.jpg")]})
    assert response.status_code == 400
    assert "Cada foto debe tener 20 MB o menos" in response.text
    assert 'id="photos-error"' in response.text or "photos" in response.text
    assert "Un bache enorme delante del colegio" in response.text and "Calle Mayor 3" in response.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ServiceRequest.id))) == 0
