"""Bad input on the public form gets a clear answer and creates nothing; limits protect it."""
import io

import pytest

from core import create_app
from tests.conftest import csrf_token_from, test_config
from tests.submissions import filled_form, jpeg_with_location, request_count


@pytest.mark.parametrize("missing, message", [
    ("description", "Enter a description of the problem"),
    ("address", "Enter the address or place"),
    ("contact_email", "Enter your email address"),
    ("service_code", "Select the service you need"),
])
def test_a_missing_answer_is_named_and_nothing_is_created(app, client, city, missing, message):
    response = client.post("/request", data=filled_form(client, **{missing: None}))
    assert response.status_code == 400
    assert "There is a problem" in response.text and message in response.text
    assert request_count(app) == 0


def test_a_100_kb_description_is_refused_with_the_limit_and_the_text_is_kept(app, client, city):
    long_text = "The road is broken. " * 5000  # 100,000 characters
    response = client.post("/request", data=filled_form(client, description=long_text))
    assert response.status_code in (400, 413)
    assert "5,000 characters or fewer" in response.text or "too large" in response.text.lower()
    assert request_count(app) == 0


def test_a_service_that_does_not_exist_is_refused(app, client, city):
    response = client.post("/request", data=filled_form(client, service_code="no-such-service"))
    assert response.status_code == 400
    assert "Select one of the services listed" in response.text
    assert request_count(app) == 0


def test_a_form_without_its_sessions_token_records_nothing_and_comes_back_as_typed(app, client, city):
    """An expired session (or a forged post) is refused; the citizen gets their words back, not a page whose
    advice (reload) empties the form, and can send them on with the fresh token."""
    sent = filled_form(client, csrf_token="forged-token", description="A long description typed over an hour")
    response = client.post("/request", data=sent)
    assert response.status_code == 400
    assert "This form had expired, so nothing was sent" in response.text
    assert ">A long description typed over an hour</textarea>" in response.text
    assert 'value="1 Station Avenue"' in response.text and "Choose your photos again" not in response.text
    assert request_count(app) == 0
    again = client.post("/request", data=sent | {"csrf_token": csrf_token_from(response.text), "step": "check"})
    assert again.status_code == 200 and "Check your answers" in again.text
    assert request_count(app) == 0  # still nothing until the citizen sends from the check page


def test_photos_sent_with_an_expired_form_are_asked_for_again(app, client, city):
    sent = filled_form(client, csrf_token="stale") | {"photos": (io.BytesIO(jpeg_with_location()), "hole.jpg")}
    response = client.post("/request", data=sent, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Check what you entered and send it again. Choose your photos again." in response.text
    assert request_count(app) == 0


def test_an_email_that_is_not_one_is_refused(app, client, city):
    response = client.post("/request", data=filled_form(client, contact_email="ana at example"))
    assert response.status_code == 400
    assert "Enter an email address in the correct format" in response.text
    assert request_count(app) == 0


def test_a_body_over_the_size_limit_gets_413_not_a_crash(app, client, city):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024  # (16 MB by default, for photos)
    response = client.post("/request", data=filled_form(client, description="x" * (2 * 1024 * 1024)))
    assert response.status_code == 413
    assert "What you sent is too large" in response.text
    assert request_count(app) == 0


def test_submissions_over_the_rate_limit_are_refused_politely(tmp_path, app, client, city):
    app.config["SUBMISSION_RATE_LIMIT"] = "2 per minute"
    for _ in range(2):
        assert client.post("/request", data=filled_form(client)).status_code == 303
    refused = client.post("/request", data=filled_form(client))
    assert refused.status_code == 429
    assert "Please wait a minute and try again" in refused.text
    assert request_count(app) == 2


def test_the_rate_limit_fails_open_when_redis_is_down(tmp_path, app, city):
    """A Redis outage must never stop a citizen's submission; the sweep triages it later."""
    from tests.conftest import DATABASE_URL
    offline = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=DATABASE_URL,
                                     REDIS_URL="redis://127.0.0.1:1/0", SUBMISSION_RATE_LIMIT="1 per minute"))
    client = offline.test_client()
    for _ in range(3):
        assert client.post("/request", data=filled_form(client)).status_code == 303
    assert request_count(app) == 3


def test_a_robot_filling_the_hidden_field_creates_nothing_and_a_person_is_told_what_to_do(app, client, city):
    response = client.post("/request", data=filled_form(client, website="http://spam.example"))
    assert response.status_code == 400 and "Do not fill this in" in response.text
    assert request_count(app) == 0


@pytest.mark.parametrize("step", ["check", None])
def test_a_service_code_no_service_has_is_refused_at_the_check_step_too(app, client, city, step):
    sent = client.post("/request", data=filled_form(client, service_code="no-such-service", step=step))
    assert sent.status_code == 400 and "Select one of the services listed" in sent.text
    assert request_count(app) == 0
