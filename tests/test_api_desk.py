"""The contact desk over the staff API: the page's checks and outcome, by token."""
import pytest

from casework.agency_setup import ContactTopic
from casework.desk.models import Contact
from casework.models import Case
from core.extensions import db
from core.models import AuditEvent
from intake.models import ServiceRequest
from tests.api_calls import Caller, token_of


@pytest.fixture
def agent(app, client, city):
    with app.app_context():
        return Caller(client, token_of(city.caseworker))


def a_call(**changes):
    return {"channel": "phone", "caller_phone": "(202) 555-0143", "caller_email": "rosa@example.org",
            "language": "es", "service_code": "pothole", "description": "Un bache enorme", "address": "12 High Street",
            **changes}


def test_a_request_taken_by_a_script_opens_its_case_at_once_and_a_retry_returns_it(app, agent, city):
    taken = agent.post("/api/v1/requests", json=a_call(contact_minutes=8), headers={"Idempotency-Key": "call-77"})
    assert taken.status_code == 201, taken.json
    body = taken.json
    assert body["created"] and body["case_id"] and body["reference"].startswith("R-")
    again = agent.post("/api/v1/requests", json=a_call(), headers={"Idempotency-Key": "call-77"})
    assert again.status_code == 201 and again.json["reference"] == body["reference"] and not again.json["created"]
    with app.app_context():
        [request] = db.session.scalars(db.select(ServiceRequest)).all()
        assert (request.channel, request.contact_phone) == ("phone", "+12025550143")
        # the call's minutes are the contact stage's effort, once however often the script retries
        assert db.session.scalars(db.select(Contact.minutes).filter_by(request_id=request.id)).all() == [8]
        assert db.session.get(Case, body["case_id"]).queue_id == city.roads_queue.id
    # the caller calls back: looked up by the number said another way, audited
    found = agent.get("/api/v1/callers?phone=202.555.0143")
    assert found.status_code == 200 and [row["reference"] for row in found.json] == [body["reference"]]
    with app.app_context():
        assert db.session.scalar(db.select(AuditEvent).filter_by(action="caller_looked_up"))


def test_bad_fields_are_refused_one_by_one_with_422_and_nothing_saved(app, agent):
    refused = agent.post("/api/v1/requests", json=a_call(channel="pigeon", caller_phone="call me", language="xx",
                                                         service_code="nope"))
    assert refused.status_code == 422
    errors = refused.json["errors"]
    assert set(errors) >= {"channel", "caller_phone", "language", "service_code"}
    too_long = agent.post("/api/v1/requests", json=a_call(contact_minutes=481))
    assert too_long.status_code == 422 and "contact_minutes" in too_long.json["errors"]
    assert agent.get("/api/v1/callers").status_code == 422  # neither phone nor email
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ServiceRequest.id))) == 0


def test_a_contact_answered_on_the_spot_by_a_script(app, agent):
    with app.app_context():
        topic = ContactTopic(name="Collection days", active=True)
        db.session.add(topic)
        db.session.commit()
        topic_id = topic.id
    made = agent.post("/api/v1/contacts", json={"topic_id": topic_id, "channel": "phone", "minutes": 3})
    assert made.status_code == 201 and made.json["minutes"] == 3 and made.json["case_id"] is None
    refused = agent.post("/api/v1/contacts", json={"topic_id": topic_id, "channel": "phone", "minutes": 900})
    assert refused.status_code == 422 and "minutes" in refused.json["errors"]


def test_half_a_character_in_json_is_refused_with_400_not_a_database_error(app, agent):
    sent = agent.client.post("/api/v1/requests", data='{"channel": "phone", "description": "pothole \\ud800 here"}',
                             headers={**agent.headers(), "Content-Type": "application/json"})
    assert sent.status_code == 400 and "half of a character" in sent.json["detail"]
    whole = agent.client.post("/api/v1/contacts", data='{"topic_id": 1, "channel": "\\ud83d\\udcde", "minutes": 2}',
                              headers={**agent.headers(), "Content-Type": "application/json"})
    assert whole.status_code == 422  # a whole emoji is text like any other: refused only as a channel
