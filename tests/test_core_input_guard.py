"""A NUL character anywhere in a request is refused with a clear 400, never a 500 from the database."""
import pytest

from core.extensions import db
from intake.models import ServiceRequest
from tests.submissions import filled_form, request_count

MESSAGE = "contains a character we cannot store"


def test_a_nul_in_the_public_form_is_refused_in_the_citizens_language_and_nothing_is_created(app, client, city):
    for field in ("description", "contact_name", "address", "q_notes"):
        response = client.post("/request", data=filled_form(client, **{field: "Pothole\x00here"}))
        assert response.status_code == 400 and MESSAGE in response.text, field
    client.get("/?lang=es")
    spanish = client.post("/request", data=filled_form(client, description="Bache\x00"))
    assert spanish.status_code == 400 and "carácter que no podemos guardar" in spanish.text
    assert request_count(app) == 0
    # the same form without it goes through
    assert client.post("/request", data=filled_form(client)).status_code == 303


@pytest.mark.parametrize("path", ["/track/abc%00def", "/?q=pot%00hole", "/request?service=pot%00hole",
                                  "/open311/v2/requests.json?service_code=pot%00hole",
                                  "/open311/v2/requests/R-%00.json"])
def test_a_nul_in_an_address_or_query_gets_a_400_not_a_500(client, city, path):
    response = client.get(path)
    assert response.status_code == 400
    if path.startswith("/open311/"):
        assert MESSAGE in response.get_json()["description"]
    else:
        assert MESSAGE in response.text


def test_a_nul_escaped_in_a_json_body_is_refused(client, city):
    response = client.post("/open311/v2/requests.json", json={"service_code": "pothole", "description": "a\u0000b"})
    assert response.status_code == 400 and MESSAGE in response.get_json()["description"]


def test_a_photo_with_nul_bytes_in_it_is_still_accepted(app, client, city):
    from tests.submissions import jpeg_with_location
    import io
    photo = jpeg_with_location()
    assert b"\x00" in photo
    response = client.post("/request", content_type="multipart/form-data",
                           data={**filled_form(client), "photos": [(io.BytesIO(photo), "a.jpg")]})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ServiceRequest.id))) == 1


def test_numbers_past_what_a_database_id_can_be_are_a_404_or_a_clear_error(app, client, city, login_as):
    huge = "99999999999999999999"
    login_as(city.admin)
    for path in (f"/console/cases/{huge}", f"/console/queues/{huge}", f"/admin/routing/{huge}",
                 f"/admin/catalogue/services/pothole/steps/{huge}"):
        assert client.get(path).status_code == 404, path
    # and in forms: a huge id is "choose from the list", not a database error
    from tests.conftest import csrf_token_from
    page = client.get("/admin/routing/new")
    response = client.post("/admin/routing/new", data={"csrf_token": csrf_token_from(page.text), "name": "Huge",
                                                         "queue_id": huge, "service_id": huge, "action": "save"})
    assert response.status_code == 400 and "Choose the queue the request goes to" in response.text
    assert client.get(f"/open311/v2/requests.json?page={huge}&page_size=5").status_code == 200
