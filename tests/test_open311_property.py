"""Whatever a client posts to Open311: a request saved whole (201), or a 4xx JSON error and nothing saved."""
import pytest
from hypothesis import HealthCheck, event, example, given, settings, strategies as st

from core.extensions import db
from intake.models import ServiceRequest
from tests.submissions import open311_city, partner_key


@pytest.fixture
def city(app):
    with app.app_context():
        return open311_city()


@pytest.fixture
def api_key(app, city):
    with app.app_context():
        return partner_key()


ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)
NUMBER_TEXT = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(str), st.integers().map(str), ANY_TEXT)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(service_code=st.sampled_from(["pothole", "graffiti"]) | ANY_TEXT,
       lat=st.sampled_from([None, "51.5007"]) | NUMBER_TEXT, long=st.sampled_from([None, "-0.1246"]) | NUMBER_TEXT,
       address=st.sampled_from([None, "12 High Street"]) | ANY_TEXT, description=st.none() | ANY_TEXT,
       where=st.sampled_from(["road", "bike_lane", None]) | ANY_TEXT,
       email=st.sampled_from([None, "ana@example.org"]) | ANY_TEXT,
       phone=st.none() | ANY_TEXT, first_name=st.none() | ANY_TEXT, media_url=st.none() | ANY_TEXT,
       idempotency=st.none() | ANY_TEXT)
@example(service_code="pothole", lat="51.5007", long="-0.1246", address=None, description="Deep pothole",
         where="road", email="ana@example.org", phone=None, first_name="Ana", media_url=None, idempotency="retry-1")
@example(service_code="graffiti", lat=None, long=None, address="Station wall", description=None, where=None,
         email=None, phone="+1 555 0100", first_name=None, media_url="http://example.org/p.jpg", idempotency=None)
def test_open311_posts_are_saved_whole_or_refused_with_a_json_error(app, client, api_key, service_code, lat, long,
                                                                    address, description, where, email, phone,
                                                                    first_name, media_url, idempotency):
    with app.app_context():
        before = db.session.scalar(db.select(db.func.count(ServiceRequest.id)))
    headers = {"Idempotency-Key": idempotency} if idempotency and idempotency.isprintable() and idempotency.isascii() else {}
    response = client.post("/open311/v2/requests.json", headers=headers, data={k: v for k, v in {
        "api_key": api_key, "service_code": service_code, "lat": lat, "long": long, "address_string": address,
        "description": description, "attribute[where]": where, "email": email, "phone": phone,
        "first_name": first_name, "media_url": media_url}.items() if v is not None})
    event(f"answered {response.status_code}")
    assert response.status_code in (200, 201, 400, 404), response.status_code
    assert response.is_json
    with app.app_context():
        after = db.session.scalar(db.select(db.func.count(ServiceRequest.id)))
    if response.status_code == 201:
        assert after in (before, before + 1)  # the same Idempotency-Key again returns the first request
    else:
        assert after == before
