"""Whatever a browser can send to the public form: a request saved whole, or a clear refusal and nothing saved."""
import re

from hypothesis import HealthCheck, event, given, settings, strategies as st

from core.extensions import db
from intake.models import ServiceRequest
from tests.conftest import csrf_token_from

# any text a browser can send (no lone surrogates), control characters and NUL included
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
PLAUSIBLE = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF, blacklist_categories=("Cs",)),
                    min_size=5, max_size=200)
NUMBER_TEXT = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(str), st.integers().map(str), ANY_TEXT)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(description=PLAUSIBLE | ANY_TEXT, address=PLAUSIBLE | ANY_TEXT, name=st.just("") | ANY_TEXT,
       email=st.sampled_from(["ana@example.org", ""]) | ANY_TEXT, phone=st.just("") | ANY_TEXT,
       lat=st.just("") | NUMBER_TEXT, long=st.just("") | NUMBER_TEXT,
       notify_by=st.sampled_from(["email", "sms", ""]) | ANY_TEXT,
       language=st.sampled_from(["en", "es", "pt", ""]) | ANY_TEXT,
       service_code=st.sampled_from(["pothole", "graffiti"]) | ANY_TEXT,
       step=st.sampled_from(["send", "check", "change", ""]))
def test_the_public_form_saves_whole_or_refuses_clearly(app, client, city, description, address, name, email, phone,
                                                         lat, long, notify_by, language, service_code, step):
    form = client.get("/request?service=pothole")
    with app.app_context():
        before = db.session.scalar(db.select(db.func.count(ServiceRequest.id)))
    response = client.post("/request", data={
        "csrf_token": csrf_token_from(form.text),
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
        "service_code": service_code, "description": description, "address": address, "contact_name": name,
        "contact_email": email, "contact_phone": phone, "lat": lat, "long": long, "notify_by": notify_by,
        "language": language, "step": step})
    event(f"answered {response.status_code}")
    assert response.status_code in (200, 303, 400), response.status_code
    with app.app_context():
        db.session.expire_all()
        after = db.session.scalar(db.select(db.func.count(ServiceRequest.id)))
        if response.status_code == 303:
            assert after == before + 1
            saved = db.session.scalars(db.select(ServiceRequest).order_by(ServiceRequest.id.desc())).first()
            assert saved.description == description.strip() and saved.address == address.strip()
        else:
            assert after == before
            if response.status_code == 400:
                assert "There is a problem" in response.text or "cannot store" in response.text
