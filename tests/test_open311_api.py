"""Open311 GeoReport v2 as an existing 311 app uses it: JSON and XML, keys, errors, filters."""
import re
from xml.etree import ElementTree

import pytest

from core.extensions import db
from intake.models import QuestionType, ServiceQuestion, ServiceRequest
from intake.open311.models import ApiClient
from tests.submissions import open311_city, partner_key, post_request


@pytest.fixture
def city(app):
    with app.app_context():
        return open311_city()


@pytest.fixture
def api_key(app, city):
    with app.app_context():
        return partner_key()


def test_discovery_and_service_list_in_both_formats(client, city):
    discovery = client.get("/open311/discovery.json").json
    assert discovery["endpoints"][0]["url"].endswith("/open311/v2/")
    assert ElementTree.fromstring(client.get("/open311/discovery.xml").data).find("endpoints/endpoint/url") is not None

    services = client.get("/open311/v2/services.json").json
    assert isinstance(services, list)
    pothole = next(s for s in services if s["service_code"] == "pothole")
    assert pothole["metadata"] is True and pothole["type"] == "realtime" and pothole["group"] == "Streets"
    xml = ElementTree.fromstring(client.get("/open311/v2/services.xml").data)
    assert xml.tag == "services" and {s.findtext("service_code") for s in xml.findall("service")} == {
        "pothole", "graffiti"}


def test_a_service_definition_lists_its_attributes_including_the_old_singular_path(client, city):
    definition = client.get("/open311/v2/services/pothole.json").json
    [where] = definition["attributes"]
    assert (where["code"], where["datatype"], where["required"], where["variable"]) == (
        "where", "singlevaluelist", True, True)
    assert where["values"] == [{"key": "road", "name": "In the road"}, {"key": "bike_lane", "name": "In a bike lane"}]
    assert client.get("/open311/v2/service/pothole.json").json == definition
    xml = ElementTree.fromstring(client.get("/open311/v2/services/pothole.xml").data)
    assert xml.findtext("attributes/attribute/code") == "where"
    missing = client.get("/open311/v2/services/nope.json")
    assert missing.status_code == 404 and missing.json[0]["code"] == 404


def test_a_request_posted_with_a_key_is_triaged_and_read_back(app, client, city, api_key, run_worker):
    created = post_request(client, api_key)
    assert created.status_code == 201
    [answer] = created.json
    reference = answer["service_request_id"]
    run_worker()
    [read] = client.get(f"/open311/v2/requests/{reference}.json").json
    assert read["status"] == "open" and read["service_code"] == "pothole"
    assert read["agency_responsible"] == "Roads and Streets"
    assert read["expected_datetime"].endswith("+00:00") and read["requested_datetime"].endswith("+00:00")
    assert read["lat"] == pytest.approx(51.5007)
    assert "email" not in read and "ana@example.org" not in str(read)  # contact details never leave
    with app.app_context():
        stored = db.session.scalar(db.select(ServiceRequest).filter_by(reference=reference))
        assert stored.channel == "api" and stored.api_client_id is not None
        assert stored.answers == {"where": "road"}
    xml = ElementTree.fromstring(client.get(f"/open311/v2/requests/{reference}.xml").data)
    assert xml.tag == "service_requests" and xml.findtext("request/service_request_id") == reference


@pytest.mark.parametrize("changes, status, words", [
    ({"api_key": None}, 403, "api_key"),
    ({"api_key": "t311_not-a-real-key"}, 403, "api_key"),
    ({"service_code": None}, 400, "service_code is required"),
    ({"service_code": "nope"}, 400, "no service with code nope"),
    ({"lat": None, "long": None, "address_string": None}, 400, "location is required"),
    ({"lat": "north"}, 400, "decimal degrees"),
    ({"attribute[where]": None}, 400, "attribute[where] is required"),
    ({"attribute[where]": "sky"}, 400, "must be one of"),
    ({"email": "not-an-email"}, 400, "email"),
])
def test_bad_submissions_get_the_specs_error_list_and_create_nothing(app, client, city, api_key, changes, status, words):
    for fmt in ("json", "xml"):
        response = post_request(client, api_key, fmt=fmt, **changes)
        assert response.status_code == status
        if fmt == "json":
            [problem] = response.json
            assert problem["code"] == status and words in problem["description"]
        else:
            assert ElementTree.fromstring(response.data).findtext("error/code") == str(status)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ServiceRequest.id))) == 0


def test_a_retry_with_the_same_idempotency_key_makes_one_request(app, client, city, api_key):
    headers = {"Idempotency-Key": "app-retry-1"}
    data = {"api_key": api_key, "service_code": "graffiti", "address_string": "Station wall"}
    first = client.post("/open311/v2/requests.json", data=data, headers=headers).json
    again = client.post("/open311/v2/requests.json", data=data, headers=headers).json
    assert first == again
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ServiceRequest.id))) == 1


def test_the_request_list_filters_and_pages_and_ids_override_other_filters(app, client, city, api_key, run_worker):
    refs = [post_request(client, api_key).json[0]["service_request_id"] for _ in range(3)]
    graffiti = client.post("/open311/v2/requests.json", data={
        "api_key": api_key, "service_code": "graffiti", "address_string": "Station wall"}).json[0]["service_request_id"]
    run_worker()
    assert {r["service_request_id"] for r in client.get("/open311/v2/requests.json?service_code=graffiti").json} == {
        graffiti}
    assert len(client.get("/open311/v2/requests.json?service_code=pothole,graffiti&status=open").json) == 4
    assert client.get("/open311/v2/requests.json?status=closed").json == []
    assert len(client.get("/open311/v2/requests.json?page_size=2&page=2").json) == 2
    by_id = client.get(f"/open311/v2/requests.json?service_request_id={refs[0]},{graffiti}&service_code=nope").json
    assert {r["service_request_id"] for r in by_id} == {refs[0], graffiti}
    assert client.get("/open311/v2/requests.json?start_date=yesterday").status_code == 400
    assert client.get("/open311/v2/requests.json?start_date=&service_code=").status_code == 200  # blank = absent
    assert client.get("/open311/v2/requests/R-0000-0000.json").json[0]["code"] == 404
    assert client.get(f"/open311/v2/tokens/{refs[1]}.json").json == [{"service_request_id": refs[1], "token": refs[1]}]


def test_api_keys_are_issued_once_and_stored_only_as_a_digest(app, runner):
    issued = runner.invoke(args=["open311", "issue-key", "Partner CRM"])
    key = issued.output.strip().splitlines()[-1]
    assert key.startswith("t311_")
    with app.app_context():
        client = db.session.scalar(db.select(ApiClient))
        assert key not in (client.key_digest, client.key_hint) and client.key_hint == key[:9]
    assert runner.invoke(args=["open311", "revoke-key", str(client.id)]).exit_code == 0


def test_admins_issue_and_revoke_keys_in_the_console_and_cases_name_the_client(app, client, city, login_as, run_worker):
    from tests.conftest import csrf_token_from
    login_as(city.admin)
    page = client.get("/admin/api-keys/")
    issued = client.post("/admin/api-keys/", data={"csrf_token": csrf_token_from(page.text), "name": "Partner CRM"})
    key = re.search(r'<code class="secret-key">(t311_[^<]+)</code>', issued.text).group(1)
    assert "shown this once" in issued.text
    assert key not in client.get("/admin/api-keys/").text  # never shown again
    refused = client.post("/admin/api-keys/", data={"csrf_token": csrf_token_from(page.text), "name": ""})
    assert refused.status_code == 400 and "Enter who the key is for" in refused.text

    reference = post_request(client, key).json[0]["service_request_id"]
    run_worker()
    with app.app_context():
        from casework.models import Case
        case_id = db.session.scalar(db.select(Case.id))
        client_id = db.session.scalar(db.select(ApiClient.id))
    assert "(Partner app (Open311), by Partner CRM)" in client.get(f"/console/cases/{case_id}").text
    client.post(f"/admin/api-keys/{client_id}/revoke", data={"csrf_token": csrf_token_from(page.text)})
    assert post_request(client, key).status_code == 403
    assert reference


def test_caseworkers_cannot_reach_the_api_keys_page(client, city, login_as):
    login_as(city.caseworker)
    assert client.get("/admin/api-keys/").status_code == 403


def test_a_partner_follows_and_feeds_a_case_through_service_request_updates(app, client, city, api_key, run_worker):
    reference = post_request(client, api_key).json[0]["service_request_id"]
    early = client.post("/open311/v2/servicerequestupdates.json", data={
        "api_key": api_key, "service_request_id": reference, "description": "Crew booked"})
    assert early.status_code == 400 and "not been triaged" in early.json[0]["description"]
    run_worker()
    posted = client.post("/open311/v2/servicerequestupdates.json", data={
        "api_key": api_key, "service_request_id": reference, "description": "Crew booked for Tuesday"})
    assert posted.status_code == 201
    updates = client.get(f"/open311/v2/servicerequestupdates.json?service_request_id={reference}").json
    assert [u["service_request_id"] for u in updates] == [reference, reference]
    assert updates[-1]["description"] == "Update from our partner: Crew booked for Tuesday"
    assert updates[-1]["status"] == "open" and updates[-1]["updated_datetime"].endswith("+00:00")
    xml = ElementTree.fromstring(client.get("/open311/v2/servicerequestupdates.xml").data)
    assert len(xml.findall("request_update")) == 2
    with app.app_context():
        token = db.session.scalar(db.select(ServiceRequest.tracking_token))
    assert "Crew booked for Tuesday" in client.get(f"/track/{token}").text  # the citizen sees it too
    assert client.post("/open311/v2/servicerequestupdates.json", data={
        "service_request_id": reference, "description": "x"}).status_code == 403
    assert client.post("/open311/v2/servicerequestupdates.json", data={
        "api_key": api_key, "service_request_id": "R-NONE-0000", "description": "x"}).status_code == 404


def test_a_photo_uploaded_as_multipart_media_is_kept_without_its_metadata(app, client, city, api_key):
    import io
    from intake.photos import RequestPhoto
    from tests.submissions import GPS_IFD, jpeg_with_location
    from PIL import Image
    created = client.post("/open311/v2/requests.json", content_type="multipart/form-data", data={
        "api_key": api_key, "service_code": "graffiti", "address_string": "Station wall",
        "media": (io.BytesIO(jpeg_with_location()), "photo.jpg")})
    assert created.status_code == 201
    with app.app_context():
        [photo] = db.session.scalars(db.select(RequestPhoto)).all()
        assert photo.request_id is not None
        assert not Image.open(io.BytesIO(photo.data)).getexif().get_ifd(GPS_IFD)
    refused = client.post("/open311/v2/requests.json", content_type="multipart/form-data", data={
        "api_key": api_key, "service_code": "graffiti", "address_string": "Station wall",
        "media": (io.BytesIO(b"not an image"), "photo.jpg")})
    assert refused.status_code == 400 and "media" in refused.json[0]["description"]


def test_multi_value_answers_come_as_attribute_code_brackets(app, client, city, api_key):
    with app.app_context():
        db.session.add(ServiceQuestion(service_id=city.graffiti.id, code="surfaces", position=1,
                                       datatype=QuestionType.MULTI, prompt="Where is it painted?",
                                       values=[{"key": "wall", "name": "Wall"}, {"key": "sign", "name": "Sign"}]))
        db.session.commit()
    created = client.post("/open311/v2/requests.json?api_key=" + api_key, data={
        "service_code": "graffiti", "address_string": "Station", "attribute[surfaces][]": ["wall", "sign"]})
    assert created.status_code == 201
    with app.app_context():
        assert db.session.scalar(db.select(ServiceRequest.answers)) == {"surfaces": ["wall", "sign"]}


def test_the_status_filter_pages_through_every_matching_request_however_many_are_newer(app, client, city, monkeypatch):
    """Filtered in the database: five closed requests under far more open ones still page as five, not none."""
    from datetime import timedelta

    from intake.open311 import schemas
    from tests.console_cases import open_cases
    from casework.models import Case, CaseState
    from core.timeutil import utcnow

    monkeypatch.setattr(schemas, "MAX_ROWS", 3)  # the list's largest page: open ones fill many pages before a closed one
    with app.app_context():
        closed = open_cases(city.roads_queue, city.pothole, 5)
        for number, case_id in enumerate(closed):
            case = db.session.get(Case, case_id)
            case.state, case.resolved_at = CaseState.RESOLVED, utcnow()
            case.request.submitted_at = utcnow() - timedelta(days=2, minutes=number)
        db.session.commit()
        open_cases(city.roads_queue, city.pothole, 30)
        references = {db.session.get(Case, case_id).request.reference for case_id in closed}
    pages = [client.get(f"/open311/v2/requests.json?status=closed&page={n}").json for n in (1, 2, 3)]
    assert [len(page) for page in pages] == [3, 2, 0]
    assert {row["service_request_id"] for page in pages for row in page} == references
    assert all(row["status"] == "closed" for page in pages for row in page)
    assert len(client.get("/open311/v2/requests.json?status=open&page=10").json) == 3
