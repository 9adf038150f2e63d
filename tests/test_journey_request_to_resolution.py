"""The walking skeleton end to end: a citizen's request to a resolved case, as each user sees it."""
import re

from casework.models import Case, CaseEvent, Step
from core.extensions import db
from intake.models import ServiceRequest
from tests.conftest import case_form, csrf_token_from
from tests.factories import make_city
from bench.harness.mailserver import body_of
from tests.submissions import REFERENCE, submit_pothole


def test_a_request_travels_from_the_public_form_to_a_resolved_case(app, client, run_worker, login_as, mail_server):
    with app.app_context():
        city = make_city()
        caseworker = city.caseworker

    # 1. the citizen submits and gets a reference and a private tracking link
    confirmation = submit_pothole(client)
    assert confirmation.status_code == 200
    reference = REFERENCE.search(confirmation.text).group()
    tracking_path = re.search(r'href="(/track/[A-Za-z0-9_-]{32,})\?lang=en"', confirmation.text).group(1)
    assert "Request received" in confirmation.text

    # 2. the worker triages it into the service's queue and says why; the acknowledgement is delivered
    run_worker()
    with app.app_context():
        case = db.session.scalar(db.select(Case))
        assert case.queue.name == "Road repairs"
        assert case.request.reference == reference
        assert any("default queue" in line for line in case.triage_explanation)
        case_id = case.id
    acknowledgement, routed = mail_server.messages_to("ana@example.org")
    assert acknowledgement["Subject"] == f"We have your request {reference}: Pothole"
    assert f"http://tandem.test{tracking_path}" in body_of(acknowledgement)
    assert reference in routed["Subject"] and "Roads and Streets" in body_of(routed)

    tracking = client.get(tracking_path)
    assert "With the team" in tracking.text and "Roads and Streets" in tracking.text

    # 3. a caseworker signs in and finds the case in the queue
    assert login_as(caseworker).status_code == 302
    console = client.get("/console/")
    assert "Road repairs" in console.text
    queue_page = client.get(f"/console/queues/{city.roads_queue.id}")
    assert reference in queue_page.text
    case_page = client.get(f"/console/cases/{case_id}")
    assert "Why it is here" in case_page.text and "default queue" in case_page.text

    # 4. records a step with its effort, then resolves with a public note
    step_type_id = re.search(r'<option value="(\d+)">Inspect the site', case_page.text).group(1)
    recorded = client.post(f"/console/cases/{case_id}/steps", data=case_form(
        case_page.text, step_type_id=step_type_id, effort_minutes="25", note="Measured: 40 cm wide"))
    assert recorded.status_code == 303
    case_page = client.get(f"/console/cases/{case_id}")
    assert re.search(r"Inspect the site</strong>\s*<span class=\"visually-hidden\">\(done\)</span>: Casey Worker, 25 min",
                     case_page.text)
    resolved = client.post(f"/console/cases/{case_id}/resolve", data=case_form(
        case_page.text, outcome="Fixed", public_note="Our crew filled the pothole this morning.", effort_minutes="40",
        confirm_unfinished="true"))
    assert resolved.status_code == 303
    case_page = client.get(f"/console/cases/{case_id}")
    assert "Case resolved" in case_page.text
    timeline = case_page.text.split("<h2>Timeline</h2>")[1].split("</ol>")[0]
    titles = [title.strip() for title in re.findall(r"<h3 class=\"timeline-title\">(\w[\w ]*)", timeline)]
    # the step not done ("Schedule the repair") is named on the timeline, for staff
    assert titles == ["Resolved", "Resolved with steps not done", "Step", "State changed", "Assigned", "Routed", "Triaged"]
    assert timeline.count("by Casey Worker") == 5 and timeline.count("by Tandem") == 2
    assert "65 min recorded so far" in case_page.text and "<dd>Fixed</dd>" in case_page.text
    with app.app_context():
        assert [step.effort_minutes for step in db.session.scalars(db.select(Step).order_by(Step.id))] == [25, 40]
        events = db.session.scalars(db.select(CaseEvent).order_by(CaseEvent.id)).all()
        assert all(event.at is not None for event in events)
        assert {event.actor.name for event in events if event.actor} == {"Casey Worker"}

    # 5. the citizen sees the resolution, and the resolution email is delivered
    tracking = client.get(tracking_path)
    assert "Resolved" in tracking.text
    assert "Our crew filled the pothole this morning." in tracking.text
    run_worker()
    resolution = [m for m in mail_server.messages_to("ana@example.org") if "resolved" in m["Subject"]]
    assert len(resolution) == 1
    assert "Our crew filled the pothole this morning." in body_of(resolution[0])
    assert len(mail_server.messages) == 3  # received, routed, resolved: nothing twice


def test_a_double_submitted_form_makes_one_request_and_no_duplicate_email(app, client, run_worker, mail_server):
    with app.app_context():
        make_city()
    form = client.get("/request?service=pothole")
    fields = {
        "csrf_token": csrf_token_from(form.text),
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
        "service_code": "pothole", "description": "Pothole by the school gate",
        "address": "School Lane", "contact_email": "ana@example.org",
    }
    first = client.post("/request", data=fields)
    second = client.post("/request", data=fields)
    assert first.location == second.location
    run_worker()
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ServiceRequest.id))) == 1
        assert db.session.scalar(db.select(db.func.count(Case.id))) == 1
    subjects = sorted(message["Subject"].split(" R-")[0] for message in mail_server.messages)
    assert subjects == ["We have your request", "Your request"]  # received and routed, once each
