"""Citizens may add map coordinates to the address (typed, or from their device); never required."""
import pytest

from core.extensions import db
from intake.models import ServiceRequest
from tests.submissions import filled_form, request_count


def test_coordinates_are_checked_shown_before_sending_and_kept_with_the_request(app, client, city):
    form = client.get("/request?service=pothole")
    assert "Add the exact location (optional)" in form.text and 'id="lat"' in form.text
    fields = filled_form(client, lat=" 38.8977 ", long="-77.0365")
    check = client.post("/request", data={**fields, "step": "check"})
    assert "Exact location" in check.text and "38.897700, -77.036500" in check.text
    assert client.post("/request", data={**fields, "step": "send"}).status_code == 303
    with app.app_context():
        stored = db.session.scalar(db.select(ServiceRequest))
        assert (stored.lat, stored.long, stored.address) == (38.8977, -77.0365, "1 Station Avenue")


def test_the_address_alone_is_enough(app, client, city):
    assert client.post("/request", data=filled_form(client)).status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(ServiceRequest.lat)) is None


@pytest.mark.parametrize("lat, long, message", [
    ("north", "-77.0365", "Enter the latitude as a number, like 38.8977"),
    ("95", "-77.0365", "Latitude must be between -90 and 90"),
    ("38.8977", "-200", "Longitude must be between -180 and 180"),
    ("nan", "inf", "Enter the latitude as a number"),
    ("38.8977", "", "Enter both the latitude and the longitude, or neither"),
])
def test_bad_coordinates_are_explained_beside_the_field_and_nothing_is_sent(app, client, city, lat, long, message):
    response = client.post("/request", data=filled_form(client, lat=lat, long=long))
    assert response.status_code == 400 and message in response.text
    assert "<details class=\"details\" open>" in response.text  # opened, so the error is visible
    assert f'value="{lat}"' in response.text  # the input is kept
    assert request_count(app) == 0


def test_the_form_explains_coordinate_errors_in_spanish(client, city):
    client.get("/?lang=es")
    response = client.post("/request", data=filled_form(client, lat="norte", long="-77"))
    assert "Escriba la latitud como un número" in response.text


def test_staff_see_the_coordinates_on_the_case(app, client, city, login_as, run_worker):
    assert client.post("/request", data=filled_form(client, lat="38.8977", long="-77.0365")).status_code == 303
    run_worker()
    login_as(city.caseworker)
    with app.app_context():
        from casework.models import Case
        case_id = db.session.scalar(db.select(Case.id))
    assert "38.897700, -77.036500" in client.get(f"/console/cases/{case_id}").text
