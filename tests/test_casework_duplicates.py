"""Triage flags a likely duplicate; a caseworker confirms or rejects; merged citizens hear the outcome."""
import re


from casework.triage import duplicates
from casework.models import Case, CaseState, DuplicateLink
from core.extensions import db
from intake.models import ServiceRequest
from tests.conftest import case_form, csrf_token_from
from bench.harness.mailserver import body_of


def submit(client, description, address, email):
    form = client.get("/request?service=pothole")
    response = client.post("/request", data={
        "csrf_token": csrf_token_from(form.text),
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
        "service_code": "pothole", "description": description, "address": address, "contact_email": email,
    })
    return response.location.replace("/submitted", "")


def test_similarity_is_about_place_first_then_words():
    assert duplicates.distance_m(42.3601, -71.0589, 42.3601, -71.0589) == 0
    assert 100 < duplicates.distance_m(42.3601, -71.0589, 42.3611, -71.0589) < 120
    assert duplicates.text_similarity("Deep pothole in the bike lane", "pothole in bike lane, deep") == 1.0
    assert duplicates.text_similarity("Deep pothole", "Streetlight flickering") == 0.0


def test_a_second_report_of_the_same_hole_is_flagged_and_a_different_place_is_not(app, client, city, run_worker):
    submit(client, "Deep pothole in the bike lane", "12 High Street", "ana@example.org")
    run_worker()
    submit(client, "Pothole in the bike lane, quite deep", "12 High Street", "ben@example.org")
    submit(client, "Deep pothole in the bike lane", "400 Low Road", "cy@example.org")
    run_worker()
    with app.app_context():
        [link] = db.session.scalars(db.select(DuplicateLink)).all()
        first, second, third = db.session.scalars(db.select(Case).order_by(Case.id)).all()
        assert (link.case_id, link.original_id) == (second.id, first.id)
        assert link.score >= 0.5 and "the same address" in link.reasons
        assert any(event.kind == "likely_duplicate" for event in second.events)
        assert not any(event.kind == "likely_duplicate" for event in third.events)


def test_coordinates_within_the_radius_count_as_the_same_place(app, city):
    with app.app_context():
        first = ServiceRequest(service_id=city.pothole.id, description="Pothole by the bus stop", address="A",
                               lat=42.3601, long=-71.0589)
        second = ServiceRequest(service_id=city.pothole.id, description="Pothole near bus stop", address="B",
                                lat=42.3605, long=-71.0589)
        far = ServiceRequest(service_id=city.pothole.id, description="Pothole by the bus stop", address="A",
                             lat=42.3701, long=-71.0589)
        value, reasons = duplicates.score(second, first, radius_m=150)
        assert value >= 0.5 and "m apart" in reasons
        assert duplicates.score(far, first, radius_m=150)[0] == 0


def test_confirming_merges_and_both_citizens_hear_the_resolution(app, client, city, run_worker, login_as, mail_server):
    first_tracking = submit(client, "Deep pothole in the bike lane", "12 High Street", "ana@example.org")
    run_worker()
    second_tracking = submit(client, "Pothole in the bike lane, quite deep", "12 High Street", "ben@example.org")
    run_worker()
    with app.app_context():
        first, second = db.session.scalars(db.select(Case).order_by(Case.id)).all()
        first_id, second_id = first.id, second.id
        link_id = db.session.scalar(db.select(DuplicateLink.id))
    login_as(city.caseworker)
    page = client.get(f"/console/cases/{second_id}")
    assert "Possible duplicate" in page.text
    token = csrf_token_from(page.text)
    merged = client.post(f"/console/cases/{second_id}/duplicates/{link_id}", data={"csrf_token": token,
                                                                                   "decision": "confirm"})
    assert merged.status_code == 303
    with app.app_context():
        assert db.session.get(Case, second_id).state == CaseState.CLOSED
    assert "Joined to an earlier report" in client.get(second_tracking).text
    assert "Also reported by 1 other citizen" in client.get(f"/console/cases/{first_id}").text
    again = client.post(f"/console/cases/{second_id}/duplicates/{link_id}", data={"csrf_token": token,
                                                                                  "decision": "confirm"})
    assert again.status_code == 409 and "already been dealt with" in again.text

    first_page = client.get(f"/console/cases/{first_id}").text
    client.post(f"/console/cases/{first_id}/resolve", data=case_form(first_page, outcome="Fixed", effort_minutes="45", confirm_unfinished="true",
                                                                     public_note="Resurfaced the bike lane."))
    run_worker()
    for address, tracking in (("ana@example.org", first_tracking), ("ben@example.org", second_tracking)):
        resolved = [m for m in mail_server.messages_to(address) if "has been resolved" in m["Subject"]]
        assert len(resolved) == 1 and "Resurfaced the bike lane." in body_of(resolved[0])
        page = client.get(tracking)
        assert "Resolved" in page.text and "Resurfaced the bike lane." in page.text


def test_rejecting_keeps_both_cases_open(app, client, city, run_worker, login_as):
    submit(client, "Deep pothole in the bike lane", "12 High Street", "ana@example.org")
    run_worker()
    submit(client, "Pothole in the bike lane, quite deep", "12 High Street", "ben@example.org")
    run_worker()
    with app.app_context():
        second_id = db.session.scalars(db.select(Case.id).order_by(Case.id)).all()[1]
        link_id = db.session.scalar(db.select(DuplicateLink.id))
    login_as(city.caseworker)
    token = csrf_token_from(client.get(f"/console/cases/{second_id}").text)
    client.post(f"/console/cases/{second_id}/duplicates/{link_id}", data={"csrf_token": token, "decision": "reject"})
    page = client.get(f"/console/cases/{second_id}")
    assert "Possible duplicate" not in page.text and "Not the same problem as" in page.text
    with app.app_context():
        assert db.session.get(Case, second_id).is_open
        assert db.session.get(DuplicateLink, link_id).status == "rejected"
