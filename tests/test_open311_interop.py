"""A published Open311 client (georeport, from PyPI) and an old-style form POST, against a live Tandem on loopback."""
import threading
import urllib.parse
import urllib.request
from xml.etree import ElementTree

import pytest
from georeport import GeoReport
from werkzeug.serving import make_server

from core.extensions import db
from intake.models import QuestionType, ServiceQuestion
from intake.open311.models import ApiClient
from tests.factories import make_city


@pytest.fixture
def live_tandem(app):
    """Tandem served by a real HTTP server on a free loopback port, with an API key and a question."""
    with app.app_context():
        city = make_city()
        db.session.add(ServiceQuestion(service_id=city.pothole.id, code="where", position=1, required=True,
                                       datatype=QuestionType.SINGLE, prompt="Where is it?",
                                       values=[{"key": "road", "name": "In the road"}]))
        client, key = ApiClient.issue("Legacy 311 app")
        db.session.add(client)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # polled every 50 ms, not werkzeug's 500: shutting down after each test then takes no half second
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/open311/v2", key
    server.shutdown()


def post_like_an_old_client(root, key, fields):
    """What python-open311 1.x did: the key in the query string, the request as a form body, XML back."""
    url = f"{root}/requests.xml?" + urllib.parse.urlencode({"api_key": key, "jurisdiction_id": ""})
    body = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST"), timeout=10) as response:
        return ElementTree.fromstring(response.read())


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_a_published_client_lists_services_submits_and_reads_the_request_back(live_tandem, run_worker, output_format):
    root, key = live_tandem
    georeport = GeoReport(root, api_key=key, output_format=output_format)

    services = georeport.get_service_list()
    codes = {service["service_code"] for service in services}
    assert {"pothole", "graffiti"} <= codes
    definition = georeport.get_service_definition("pothole")
    attributes = definition["attributes"]
    # xmltodict gives a lone attribute as a dict, JSON as a list: both name the question
    first = attributes[0] if isinstance(attributes, list) else attributes["attribute"]
    assert first["code"] == "where"

    answer = post_like_an_old_client(root, key, {
        "service_code": "pothole", "lat": "51.5007", "long": "-0.1246", "description": "Pothole by the kerb",
        "attribute[where]": "road", "email": "ana@example.org",
    })
    reference = answer.findtext("request/service_request_id")
    assert reference and reference.startswith("R-")
    run_worker()

    read = georeport.get_service_request(reference)
    assert read["service_request_id"] == reference and read["status"] == "open"
    assert read["agency_responsible"] == "Roads and Streets"
    listed = georeport.get_service_requests(service_code="pothole")
    listed = listed if isinstance(listed, list) else [listed]
    assert reference in {row["service_request_id"] for row in listed}
