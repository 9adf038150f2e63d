"""The contact desk: an agent takes requests for callers, as the public form does, with the caller's channel."""
import re

import pytest

from casework.models import Case
from core.extensions import db
from core.models import AuditEvent
from intake.models import ServiceRequest
from tests.conftest import csrf_token_from
from bench.harness.mailserver import body_of

DESK = "/console/desk/"


def call(client, **fields):
    """Post the desk's form as the page has it, with ``fields`` over its defaults."""
    page = client.get(DESK).text
    key = re.search(r'name="submission_key" value="([^"]*)"', page).group(1)
    form = {"csrf_token": csrf_token_from(page), "submission_key": key, "channel": "phone", "for_whom": "caller",
            "hear_by": "email", "language": "en", "step": "save", "contact_minutes": "6", **fields}
    return client.post(DESK, data={name: value for name, value in form.items() if value is not None})


def sign_out(client):
    client.post("/staff/logout", data={"csrf_token": csrf_token_from(client.get("/console/").text)})


def pothole_call(**changes):
    return {"caller_phone": "(202) 555-0143", "caller_email": "rosa@example.org", "caller_name": "Rosa Díaz",
            "language": "es", "service_code": "pothole", "description": "Un bache enorme en la esquina",
            "address": "12 High Street", **changes}


def test_a_caller_is_looked_up_and_their_request_taken_triaged_and_acknowledged_in_their_language(
        app, client, city, login_as, run_worker, mail_server):
    login_as(city.caseworker)
    first = call(client, **pothole_call())
    assert first.status_code == 303 and "/console/desk/taken/" in first.headers["Location"]
    taken = client.get(first.headers["Location"]).text
    with app.app_context():
        service_request = db.session.scalar(db.select(ServiceRequest))
        assert service_request.reference in taken and "goes to them by email" in taken
        assert (service_request.channel, service_request.contact_phone, service_request.language) == \
            ("phone", "+12025550143", "es")
    run_worker()
    with app.app_context():
        assert db.session.scalar(db.select(Case.queue_id)) == city.roads_queue.id
    [received, *_] = mail_server.messages_to("rosa@example.org")
    assert received["Subject"].startswith("Hemos recibido su solicitud") and service_request.reference in body_of(
        received)

    # she calls again: the number said another way finds her open request, and the look is on the record
    page = client.get(DESK).text
    found = client.post(DESK, data={"csrf_token": csrf_token_from(page), "step": "lookup",
                                    "caller_phone": "202-555-0143"}).text
    assert service_request.reference in found and "1 open or recent request from this caller" in found
    with app.app_context():
        looked = db.session.scalar(db.select(AuditEvent).filter_by(action="caller_looked_up"))
        assert looked.actor_id == city.caseworker.id and "202" not in str(looked.details)


@pytest.mark.parametrize("changes, field, message", [
    ({"channel": None}, "channel", "Choose how the contact came in"),
    ({"caller_phone": "call me maybe"}, "caller_phone", "Enter a telephone number"),
    ({"service_code": "no_such_service"}, "service_code", "Choose one of the services listed"),
    ({"description": "x" * 10_000}, "description", "Describe the problem in 5 to 5,000 characters"),
    ({"caller_email": None}, "caller_email", "Enter their email address, or choose another way"),
    ({"language": "xx"}, "language", "Choose a language from the list"),
    ({"contact_minutes": None}, "contact_minutes", "Enter the minutes this contact took"),
    ({"contact_minutes": "481"}, "contact_minutes", "a whole number from 0 to 480"),
    ({"contact_minutes": "soon"}, "contact_minutes", "a whole number from 0 to 480"),
    ({"address": "12 High\x00 Street"}, "address", "Remove the invisible null character"),
])
def test_bad_input_is_refused_beside_its_field_and_nothing_is_saved(app, client, city, login_as, changes, field,
                                                                    message):
    login_as(city.caseworker)
    refused = call(client, **pothole_call(**changes))
    assert refused.status_code == 400
    assert f'id="{field}-error"' in refused.text and message in refused.text
    assert "Un bache enorme" in refused.text or field == "description"  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ServiceRequest.id))) == 0


def test_a_problem_staff_found_keeps_no_contact_and_sends_nothing(app, client, city, login_as, run_worker, mail_server):
    login_as(city.caseworker)
    saved = call(client, **pothole_call(channel="field", for_whom="agency"))
    assert saved.status_code == 303
    confirmation = client.get(saved.headers["Location"]).text
    assert "They will not hear from us" in confirmation and "found by staff in the field." in confirmation
    run_worker()
    with app.app_context():
        service_request = db.session.scalar(db.select(ServiceRequest))
        assert service_request.channel == "field"
        assert (service_request.contact_email, service_request.contact_phone, service_request.contact_name) == \
            (None, None, None)
    assert mail_server.messages == []


def test_saving_twice_makes_one_request(app, client, city, login_as):
    login_as(city.caseworker)
    page = client.get(DESK).text
    key = re.search(r'name="submission_key" value="([^"]*)"', page).group(1)
    form = {"csrf_token": csrf_token_from(page), "submission_key": key, "channel": "counter", "for_whom": "caller",
            "hear_by": "none", "step": "save", "contact_minutes": "3", **pothole_call(caller_email=None)}
    assert client.post(DESK, data=form).status_code == 303
    assert client.post(DESK, data=form).status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ServiceRequest.id))) == 1


def test_a_call_sent_on_a_stale_token_comes_back_as_typed_to_its_agent_and_to_nobody_else(app, client, city, login_as):
    """The agent signed in again in another tab while the call's page was open: its token went stale. The call
    comes back whole to save again; someone not signed in gets the plain refusal and none of it."""
    login_as(city.caseworker)
    page = client.get(DESK).text
    form = {"csrf_token": "stale", "submission_key": re.search(r'name="submission_key" value="([^"]*)"', page).group(1),
            "channel": "phone", "for_whom": "caller", "hear_by": "email", "step": "save", "contact_minutes": "6",
            **pothole_call()}
    refused = client.post(DESK, data=form)
    assert refused.status_code == 400
    assert "This form had expired, so nothing was saved" in refused.text
    assert "Un bache enorme en la esquina</textarea>" in refused.text and 'value="(202) 555-0143"' in refused.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ServiceRequest.id))) == 0
    assert client.post(DESK, data=form | {"csrf_token": csrf_token_from(refused.text)}).status_code == 303

    stranger = app.test_client().post(DESK, data=form | {"submission_key": "another"})
    assert stranger.status_code == 400 and "Your form expired" in stranger.text
    assert "Un bache" not in stranger.text and "555-0143" not in stranger.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ServiceRequest.id))) == 1


def test_only_the_agent_who_took_the_call_or_a_supervisor_sees_its_confirmation(app, client, city, login_as):
    login_as(city.caseworker)
    location = call(client, **pothole_call()).headers["Location"]
    from tests.factories import PASSWORD
    other = app.test_client()
    page = other.get("/staff/login")
    other.post("/staff/login", data={"email": city.parks_worker.email, "password": PASSWORD,
                                     "csrf_token": csrf_token_from(page.text)})
    assert other.get(location).status_code == 403


def test_a_caller_added_to_an_open_case_nearby_hears_its_resolution_once_in_their_language(
        app, client, city, login_as, run_worker, mail_server):
    from casework.console import case_actions
    from core.accounts.models import Staff
    from tests.submissions import submit_pothole

    submit_pothole(app.test_client())  # a resident reported it on the web at 12 High Street
    run_worker()
    with app.app_context():
        original = db.session.scalar(db.select(Case))
        original_id, reference = original.id, original.request.reference
    login_as(city.caseworker)
    page = client.get(DESK).text
    key = re.search(r'name="submission_key" value="([^"]*)"', page).group(1)
    form = {"csrf_token": csrf_token_from(page), "submission_key": key, "channel": "phone", "for_whom": "caller",
            "hear_by": "email", "contact_minutes": "5", **pothole_call(address="12 high street")}
    checked = client.post(DESK, data={**form, "step": "nearby"}).text
    assert f"Add the caller to {reference} (same address" in checked
    saved = client.post(DESK, data={**form, "step": "save", "join_case_id": str(original_id)})
    assert saved.status_code == 303
    run_worker()
    with app.app_context():
        callers_case = db.session.scalar(db.select(Case).where(Case.id != original_id))
        assert callers_case.duplicate_of_id == original_id and callers_case.request.channel == "phone"
        case_actions.resolve_case(db.session.get(Case, original_id), db.session.get(Staff, city.caseworker.id),
                                  "Bache reparado.", 20)
    run_worker()
    resolved = [message for message in mail_server.messages_to("rosa@example.org")
                if "Bache reparado." in body_of(message)]
    assert len(resolved) == 1 and resolved[0]["Subject"].startswith("Su solicitud")  # once, in Spanish


def test_joining_a_case_that_is_not_near_is_refused_and_nothing_is_saved(app, client, city, login_as, run_worker):
    from tests.submissions import submit_pothole

    submit_pothole(app.test_client())
    run_worker()
    with app.app_context():
        original_id = db.session.scalar(db.select(Case.id))
    login_as(city.caseworker)
    refused = call(client, **pothole_call(address="99 Far Away Road"), join_case_id=str(original_id))
    assert refused.status_code == 400 and "not open near here any more" in refused.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ServiceRequest.id))) == 1


def test_a_call_answered_on_the_spot_is_counted_without_personal_data(app, client, city, login_as):
    """Admins list the topics; agents record answered calls under them; supervisors see the share answered."""
    from casework.agency_setup import ContactTopic
    from casework.desk.models import Contact

    login_as(city.admin)
    page = client.get("/admin/case-lists/").text
    for name, service in (("Collection days", ""), ("When will it be fixed?", "pothole")):
        saved = client.post("/admin/case-lists/topics", data={"csrf_token": csrf_token_from(page), "name": name,
                                                              "service_code": service})
        assert saved.status_code == 303
    with app.app_context():
        topic_id = db.session.scalar(db.select(ContactTopic.id).filter_by(name="Collection days"))
    sign_out(client)
    login_as(city.caseworker)
    desk = client.get(DESK).text
    assert "Pothole: When will it be fixed?" in desk
    token = csrf_token_from(desk)
    refused = client.post(f"{DESK}answered", data={"csrf_token": token, "topic_id": topic_id,
                                                  "contact_channel": "phone", "answered_minutes": "900"})
    assert refused.status_code == 400 and 'id="answered_minutes-error"' in refused.text
    assert client.post(f"{DESK}answered", data={"csrf_token": token, "topic_id": topic_id, "contact_channel": "counter",
                                                "contact_case": "R-NONE-NONE", "answered_minutes": "4"}).status_code == 400
    answered = client.post(f"{DESK}answered", data={"csrf_token": token, "topic_id": topic_id,
                                                   "contact_channel": "phone", "answered_minutes": "4"})
    assert answered.status_code == 303
    call(client, **pothole_call(), contact_minutes="7")  # and one call that became a request
    with app.app_context():
        [contact, took] = db.session.scalars(db.select(Contact).order_by(Contact.id)).all()
        assert (contact.channel, contact.minutes, contact.case_id, contact.staff_id) == ("phone", 4, None,
                                                                                         city.caseworker.id)
        assert (took.minutes, took.request.reference[:2], took.topic_id) == (7, "R-", None)
    assert client.get(f"{DESK}summary").status_code == 403  # a supervisor's page
    sign_out(client)
    login_as(city.supervisor)
    summary = client.get(f"{DESK}summary").text
    assert "1 contacts were answered on the spot and 1 became requests taken at the desk" in summary
    assert "50%" in summary and "Collection days" in summary
    minutes = re.search(r'<th scope="row">Phone</th><td>(\d+)</td><td>(\d+)</td>', summary)
    assert minutes.groups() == ("7", "4")  # taking requests, answering on the spot


def test_a_queue_list_filters_by_how_the_request_came_in(app, client, city, login_as, run_worker):
    from tests.submissions import submit_pothole

    submit_pothole(app.test_client(), description="Reported on the web form, a deep one")
    login_as(city.caseworker)
    call(client, **pothole_call(description="Reported by phone, by the bus stop"))
    run_worker()
    queue = client.get(f"/console/queues/{city.roads_queue.id}").text
    assert 'id="filter-channel"' in queue
    by_phone = client.get(f"/console/queues/{city.roads_queue.id}?state=&priority=&channel=phone").text
    with app.app_context():
        web, phone = db.session.scalars(db.select(ServiceRequest.reference).order_by(ServiceRequest.id)).all()
    assert phone in by_phone and web not in by_phone
    refused = client.get(f"/console/queues/{city.roads_queue.id}?channel=pigeon")
    assert refused.status_code == 400 and "Choose how the request came in from the list" in refused.text


def test_a_caller_who_used_the_web_form_is_found_by_their_number_said_another_way(app, client, city, login_as):
    """The public form keeps numbers in E.164 too, so the desk finds a web request by phone."""
    from tests.submissions import filled_form

    assert client.post("/request", data=filled_form(client, contact_phone="(202) 555-0143")).status_code == 303
    with app.app_context():
        web = db.session.scalar(db.select(ServiceRequest))
        assert web.contact_phone == "+12025550143"
    login_as(city.caseworker)
    page = client.get(DESK).text
    found = client.post(DESK, data={"csrf_token": csrf_token_from(page), "step": "lookup",
                                    "caller_phone": "+1 202 555 0143"}).text
    assert web.reference in found


def test_the_agent_finds_the_service_by_the_caller_s_words_and_sees_its_questions(app, client, city, login_as):
    login_as(city.caseworker)
    page = client.get(DESK).text
    found = client.post(DESK, data={"csrf_token": csrf_token_from(page), "step": "find", "language": "en",
                                    "service_words": "a crack in the road", "caller_name": "Rosa"}).text
    assert "1 service matches those words: Pothole is chosen" in found
    assert re.search(r'<option value="pothole" selected>', found) and 'value="Rosa"' in found  # typed, kept
    nothing = client.post(DESK, data={"csrf_token": csrf_token_from(page), "step": "find",
                                      "service_words": "zzzz"}).text
    assert "No service matches those words: choose from the full list" in nothing
    assert '<option value="pothole">' in nothing and '<option value="graffiti">' in nothing


def test_an_answer_that_stops_the_public_form_tells_the_agent_what_to_do_instead(app, client, city, login_as):
    from intake.models import QuestionType, ServiceQuestion

    with app.app_context():
        db.session.add(ServiceQuestion(service_id=city.pothole.id, code="danger", position=1, required=True,
                                       datatype=QuestionType.SINGLE, prompt="Is anyone in danger right now?",
                                       values=[{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}],
                                       stop_values=["yes"], stop_notice="Call 911 now."))
        db.session.commit()
    login_as(city.caseworker)
    stopped = call(client, **pothole_call(), q_danger="yes")
    assert stopped.status_code == 400 and 'id="q_danger-error"' in stopped.text
    assert "Tell the caller: &#34;Call 911 now.&#34; If they are in danger, transfer the call" in stopped.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ServiceRequest.id))) == 0
    assert call(client, **pothole_call(), q_danger="no").status_code == 303
