"""Open data: every request, validated by Frictionless, with nothing personal in it wherever personal data lives.

The city's records are seeded with personal data in every place it can be
(names, emails and phone numbers in contact fields, descriptions, answers,
addresses, staff notes, the closing text and the timeline); the CSV and the
JSON must hold none of it.
"""
import csv
import io
import json
from datetime import timedelta

import frictionless
import pytest

from casework.agency_setup import Outcome
from casework.models import Case, CaseEvent, CaseState, Step
from casework.triage.engine import triage
from core.extensions import db
from core.timeutil import utcnow
from intake.models import ServiceRequest
from tests.conftest import csrf_token_from
from tests.factories import make_city
from tests.submissions import filled_form

# what text can be scrubbed of: never anywhere in the export, even in a description a service publishes
NUMBERS = ["ana.lopez@example.org", "617-555-0100", "+1 617 555 0100", "6175550100", "123-45-6789", "AB123456C",
           "555-0199"]
# what only leaving text out keeps out: nowhere but in the descriptions an admin chose to publish
PERSONAL = NUMBERS + ["Ana Lopez", "Casey", "42 Elm Street", "Flat 3"]


@pytest.fixture
def city(app):
    with app.app_context():
        return make_city()


def seed(city):
    """Three requests full of personal data (one kept private), resolved with notes that name people."""
    graffiti = db.session.get(type(city.graffiti), city.graffiti.id)
    graffiti.publish_description = True
    fixed = Outcome(code="fixed_it", label="Fixed")
    db.session.add(fixed)
    made = []
    for number, (service, private) in enumerate(((city.pothole, False), (city.graffiti, False),
                                                  (city.graffiti, True))):
        request = ServiceRequest(
            service_id=service.id, description="Ana Lopez at ana.lopez@example.org or 617-555-0100 says the "
            "wall by 42 Elm Street is covered; my SSN 123-45-6789, NI AB123456C, mobile +1 617 555 0100",
            answers={"where": "call 6175550100"}, address="Flat 3, 42 Elm Street, Springfield",
            lat=42.358431, long=-71.059773, contact_name="Ana Lopez", contact_email="ana.lopez@example.org",
            contact_phone="+16175550100", channel="phone" if number == 0 else "web", keep_private=private,
            submitted_at=utcnow() - timedelta(days=2, hours=number))
        db.session.add(request)
        db.session.commit()
        triage(request.id)
        case = db.session.scalar(db.select(Case).filter_by(request_id=request.id))
        db.session.add(Step(case=case, staff_id=city.caseworker.id, effort_minutes=10, ended_at=utcnow(),
                            note="Casey says call 555-0199 about Ana Lopez"))
        db.session.add(CaseEvent(case=case, kind="note", at=utcnow(), message="Ana Lopez phoned from 617-555-0100"))
        case.state, case.resolved_at, case.outcome_id = CaseState.RESOLVED, utcnow(), fixed.id
        case.closed_at = case.resolved_at
        case.resolution_note = "Casey says call 555-0199; Ana Lopez thanked us"
        db.session.commit()
        made.append(request.reference)
    return made


def test_the_export_holds_nothing_personal_from_anywhere(app, client, city):
    with app.app_context():
        public, published_text, private = seed(city)
    exported = client.get("/open-data/requests.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    text = exported.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["reference"] for row in rows] == [public, published_text]  # the private one left out
    as_json = client.get("/open-data/requests.json").get_data(as_text=True)
    assert [row["reference"] for row in json.loads(as_json)] == [public, published_text]
    pothole, graffiti = rows
    for found in (text, as_json):
        for number in NUMBERS:
            assert number not in found, number
    for row in rows:
        for column, value in row.items():
            if column != "description":
                for personal in PERSONAL:
                    assert personal not in value, (column, personal)
    assert pothole["description"] == ""  # its service does not publish descriptions
    assert "covered" in graffiti["description"] and "[removed]" in graffiti["description"]
    assert pothole["street"] == "Elm Street, Springfield"
    assert (pothole["latitude"], pothole["longitude"]) == ("42.358", "-71.06")
    assert pothole["channel"] == "phone" and pothole["status"] == "resolved" and pothole["outcome"] == "fixed_it"
    assert pothole["on_time"] == "true" and pothole["opened"].endswith("Z")


def test_the_package_and_its_data_pass_the_frictionless_validator(app, client, city, tmp_path):
    with app.app_context():
        seed(city)
        # an open request too: empty closed and on_time must read as missing, not as wrong
        db.session.add(ServiceRequest(service_id=city.pothole.id, description="Hole", address="High Street"))
        db.session.commit()
    (tmp_path / "datapackage.json").write_bytes(client.get("/open-data/datapackage.json").data)
    (tmp_path / "requests.csv").write_bytes(client.get("/open-data/requests.csv").data)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = json.loads((tmp_path / "datapackage.json").read_text())
    described = [field["name"] for field in package["resources"][0]["schema"]["fields"]]
    header = (tmp_path / "requests.csv").read_text().splitlines()[0].split(",")
    assert described == header and all(field["description"] for field in package["resources"][0]["schema"]["fields"])


def test_filters_narrow_the_export_and_bad_ones_are_refused_with_a_reason(app, client, city):
    with app.app_context():
        pothole_reference = seed(city)[0]
        old = ServiceRequest(service_id=city.pothole.id, description="Old hole",
                             submitted_at=utcnow() - timedelta(days=40))
        db.session.add(old)
        db.session.commit()
        old_day = old.submitted_at.date()
    by_service = list(csv.DictReader(io.StringIO(client.get("/open-data/requests.csv?service=pothole").text)))
    assert {row["service_code"] for row in by_service} == {"pothole"} and len(by_service) == 2
    recent = list(csv.DictReader(io.StringIO(client.get(
        f"/open-data/requests.csv?from={(utcnow() - timedelta(days=5)).date()}").text)))
    assert pothole_reference in [row["reference"] for row in recent] and len(recent) == 2
    day = list(csv.DictReader(io.StringIO(client.get(f"/open-data/requests-{old_day}.csv").text)))
    assert [row["status"] for row in day] == ["received"]
    for url, field in (("/open-data/requests.csv?from=yesterday", "from"),
                       ("/open-data/requests.json?from=2026-12-01&to=2026-11-01", "to"),
                       ("/open-data/requests.csv?service=no-such", "service"),
                       ("/open-data/requests.xml", "format"),
                       ("/open-data/requests-2026-02-30.csv", "day")):
        refused = client.get(url)
        assert refused.status_code == 400 and refused.is_json and refused.json["field"] == field, url
        assert refused.json["error"]


def test_a_citizen_can_keep_their_request_out_of_the_open_data(app, client, city):
    data = filled_form(client, keep_private="yes", step="check")
    check = client.post("/request", data=data)
    assert "Left out of the open data" in check.text
    sent = client.post("/request", data={**data, "step": "send", "csrf_token": csrf_token_from(check.text)})
    assert sent.status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(ServiceRequest.keep_private)) is True
    assert len(client.get("/open-data/requests.csv").text.splitlines()) == 1  # the header alone
    assert client.get("/open-data/").status_code == 200


@pytest.mark.parametrize("text, kept, gone", [
    ("Call 617-555-0100 or (617) 555 0100", "Call", ["617", "555"]),
    ("write to a.b+c@example.co.uk today", "today", ["@", "example"]),
    ("SSN 123-45-6789 and NI AB 12 34 56 C", "SSN", ["6789", "34 56"]),
    ("passport X1234567, see https://x.example/?e=a@b.c", "passport", ["X1234567", "https://"]),
    ("a 30 cm hole, 2 feet wide, since 2024", "a 30 cm hole, 2 feet wide, since 2024", []),
])
def test_scrubbing_removes_what_looks_like_contact_or_identity_numbers(text, kept, gone):
    from casework.public.privacy import scrub

    scrubbed = scrub(text)
    assert kept in scrubbed
    for part in gone:
        assert part not in scrubbed


@pytest.mark.parametrize("address, street", [
    ("Flat 3, 12 High Street, Springfield", "High Street, Springfield"),
    ("221B Baker St", "Baker St"),
    ("Apt. 5, 1600 Pennsylvania Ave NW", "Pennsylvania Ave NW"),
    ("12", None),
    ("ana@example.org", None),
])
def test_a_street_keeps_no_number(address, street):
    from casework.public.privacy import street_of

    assert street_of(address) == street
