"""The staff API as an integration uses it: lists and cursors, a case and its ETag, actions, errors, audit."""
from datetime import timedelta

import pytest

from casework.agency_setup import Outcome
from casework.models import Case, CaseEvent, CaseState, Step
from core.extensions import db
from core.models import AuditEvent
from tests.api_calls import Caller, token_of
from tests.console_cases import open_cases


@pytest.fixture
def worker_api(app, client, city):
    with app.app_context():
        return Caller(client, token_of(city.caseworker))


@pytest.fixture
def cases(app, city):
    """120 open roads cases and 3 parks cases (a caseworker of roads must never see those)."""
    with app.app_context():
        roads = open_cases(city.roads_queue, city.pothole, 120, email="ana@example.org")
        parks = open_cases(city.parks_queue, city.graffiti, 3)
        return roads, parks


def problem_of(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"]
    return body


def test_the_list_pages_by_cursor_through_every_case_once_in_due_order(app, worker_api, cases):
    roads, parks = cases
    seen, url, pages = [], "/api/v1/cases?limit=50", 0
    while url:
        answer = worker_api.get(url)
        assert answer.status_code == 200
        body = answer.get_json()
        seen += [case["id"] for case in body["cases"]]
        url, pages = body["next"], pages + 1
    assert seen == roads  # soonest due first, none twice, none of the parks queue
    assert pages == 3
    assert worker_api.get("/api/v1/cases?limit=100").get_json()["cases"][0]["reference"].startswith("R-")


def test_filters_search_and_a_foreign_queue(app, worker_api, cases, city):
    roads, parks = cases
    with app.app_context():
        db.session.get(Case, roads[5]).priority = "urgent"
        db.session.commit()
    urgent = worker_api.get("/api/v1/cases?priority=urgent").get_json()["cases"]
    assert [case["id"] for case in urgent] == [roads[5]]
    # asking for a queue they do not work gives nothing, never its cases
    assert worker_api.get(f"/api/v1/cases?queue_id={city.parks_queue.id}").get_json()["cases"] == []
    found = worker_api.get("/api/v1/cases?q=ana@example.org").get_json()["cases"]
    assert len(found) == 50 and set(case["id"] for case in found) <= set(roads)
    with app.app_context():
        searched = db.session.scalar(db.select(AuditEvent).filter_by(action="personal_data_searched"))
        assert searched is not None and "ana@example.org" not in str(searched.details)


def test_a_case_the_caller_may_not_work_is_not_found_and_the_refusal_is_audited(app, worker_api, cases):
    roads, parks = cases
    body = problem_of(worker_api.get(f"/api/v1/cases/{parks[0]}"), 404)
    assert "queues you work" in body["detail"]
    problem_of(worker_api.post(f"/api/v1/cases/{parks[0]}/notes", json={"text": "hello"}, version=1), 404)
    with app.app_context():
        assert db.session.scalar(db.select(AuditEvent).filter_by(action="access_refused")) is not None
        assert db.session.scalar(db.select(CaseEvent).filter_by(case_id=parks[0], kind="note")) is None


def test_a_write_needs_the_current_version_and_a_stale_one_changes_nothing(app, worker_api, cases):
    case_id = cases[0][0]
    read = worker_api.get(f"/api/v1/cases/{case_id}")
    etag = read.headers["ETag"]
    assert etag == f'"{read.get_json()["version"]}"'
    problem_of(worker_api.post(f"/api/v1/cases/{case_id}/notes", json={"text": "no version"}), 428)
    noted = worker_api.post(f"/api/v1/cases/{case_id}/notes", json={"text": "Checked the site"},
                            headers={"If-Match": etag})
    assert noted.status_code == 200 and noted.headers["ETag"] != etag
    assert noted.get_json()["timeline"][-1]["message"] == "Checked the site"
    # the old ETag is stale now: refused, and the priority is untouched
    stale = problem_of(worker_api.post(f"/api/v1/cases/{case_id}/priority", json={"priority": "urgent"},
                                       headers={"If-Match": etag}), 412)
    assert stale["current_version"] == noted.get_json()["version"]
    with app.app_context():
        assert db.session.get(Case, case_id).priority == "normal"
    # a note overwrites nothing, so the old ETag still carries one
    again = worker_api.post(f"/api/v1/cases/{case_id}/notes", json={"text": "Cones placed"}, headers={"If-Match": etag})
    assert again.status_code == 200 and again.get_json()["timeline"][-1]["message"] == "Cones placed"


def test_every_console_action_works_through_the_api_and_is_audited_with_the_token(app, worker_api, cases, city):
    case_id = cases[0][0]
    with app.app_context():
        step_type = city.pothole.id and db.session.scalar(db.select(Case).filter_by(id=case_id)).service_id
        inspect = db.session.execute(db.text("SELECT id FROM step_type WHERE name = 'Inspect the site'")).scalar()
        fixed = db.session.scalar(db.select(Outcome.id).filter_by(code="fixed"))
    assert step_type
    claimed = worker_api.act(case_id, "claim")
    assert claimed.status_code == 200 and claimed.get_json()["assignee"]["id"] == city.caseworker.id
    assert worker_api.act(case_id, "steps/start", {"step_type_id": inspect}).get_json()["steps"][-1]["ended_at"] is None
    done = worker_api.act(case_id, "steps/complete", {"effort_minutes": 25, "friction": 4,
                                                      "friction_reason": "missing_information"}).get_json()
    assert done["steps"][-1]["effort_minutes"] == 25 and done["steps"][-1]["friction"] == 4
    assert worker_api.act(case_id, "replies", {"message": "We will fix it this week.", "effort_minutes": 3}
                          ).get_json()["first_response_at"] is not None
    assert worker_api.act(case_id, "priority", {"priority": "high", "reason": "School route"}
                          ).get_json()["priority"] == "high"
    asked = worker_api.act(case_id, "information-requests", {"question": "Which side of the road?",
                                                             "effort_minutes": 2}).get_json()
    assert asked["state"] == CaseState.WAITING_ON_CITIZEN and asked["waiting_on_citizen_since"]
    unfinished = worker_api.act(case_id, "resolve", {"outcome_id": fixed, "public_note": "Filled the pothole.",
                                                     "effort_minutes": 40})
    assert unfinished.status_code == 409 and "Not done yet: Schedule the repair" in unfinished.get_json()["detail"]
    resolved = worker_api.act(case_id, "resolve", {"outcome_id": fixed, "public_note": "Filled the pothole.",
                                                   "effort_minutes": 40, "confirm_unfinished": True}).get_json()
    assert resolved["state"] == CaseState.RESOLVED and resolved["outcome"]["code"] == "fixed"
    assert worker_api.act(case_id, "reopen", {"reason": "It opened again"}).get_json()["state"] != "resolved"
    assert worker_api.act(case_id, "release").get_json()["assignee"] is None
    merged = worker_api.act(cases[0][1], "merge", {"reference": resolved["reference"]}).get_json()
    assert merged["duplicate_of_id"] == case_id
    with app.app_context():
        writes = db.session.scalars(db.select(AuditEvent).filter_by(action="api_write")).all()
        assert len(writes) == 10 and {write.details["token"] for write in writes} == {"test script"}
        assert db.session.scalar(db.select(db.func.count(Step.id)).filter_by(case_id=case_id)) >= 4


def test_actions_that_do_not_fit_or_the_role_may_not_take_are_refused(app, worker_api, cases, city):
    case_id = cases[0][0]
    # a caseworker may not give a case to someone else: 403, and nothing changed
    body = problem_of(worker_api.act(case_id, "assign", {"staff_id": city.parks_worker.id}), 403)
    assert "supervisors" in body["detail"]
    problem_of(worker_api.act(case_id, "release"), 409)  # nobody holds it
    problem_of(worker_api.act(case_id, "merge", {"reference": "R-AAAA-BBBB"}), 409)
    assert problem_of(worker_api.get("/api/v1/staff"), 403)["detail"].startswith("This needs the supervisor")
    with app.app_context():
        assert db.session.get(Case, case_id).assignee_id is None
        assert db.session.scalar(db.select(AuditEvent).filter_by(action="api_write")) is None


@pytest.mark.parametrize("body, field", [
    ({"text": 5}, "text"),                                   # wrong type
    ({"text": "fine", "colour": "red"}, "colour"),           # unknown field
    ({"text": "x" * 5001}, "text"),                          # too long
    ({}, "text"),                                            # missing
    ({"text": None}, "text"),                                # null
])
def test_bad_bodies_are_422_problems_with_field_errors(app, worker_api, cases, body, field):
    case_id = cases[0][0]
    answer = worker_api.post(f"/api/v1/cases/{case_id}/notes", json=body, version=1)
    problem = problem_of(answer, 422)
    assert field in problem["errors"]
    with app.app_context():
        assert db.session.scalar(db.select(CaseEvent).filter_by(case_id=case_id, kind="note")) is None


def test_other_bad_input_is_a_problem_never_a_500(app, worker_api, cases):
    case_id = cases[0][0]
    path = f"/api/v1/cases/{case_id}/priority"
    headers = {"If-Match": '"1"', "Content-Type": "application/json"}
    assert problem_of(worker_api.client.post(path, data="{not json", headers=worker_api.headers(headers)), 400)
    assert problem_of(worker_api.client.post(path, data='["urgent"]', headers=worker_api.headers(headers)), 422)
    assert problem_of(worker_api.client.post(path, data='{"priority": "urg\\u0000ent"}',
                                             headers=worker_api.headers(headers)), 400)
    assert problem_of(worker_api.post(f"/api/v1/cases/{case_id}/queue", json={"queue_id": 10**30}, version=1), 422)
    assert problem_of(worker_api.get(f"/api/v1/cases/{10**12}"), 404)
    assert problem_of(worker_api.get("/api/v1/cases?limit=101"), 422)["errors"]["limit"]
    assert problem_of(worker_api.get("/api/v1/cases?cursor=bm90LWEtY3Vyc29y"), 400)["errors"]["cursor"]
    assert problem_of(worker_api.get("/api/v1/cases?q=ab"), 400)["errors"]["q"]
    assert problem_of(worker_api.get("/api/v1/no-such-thing"), 404)
    assert problem_of(worker_api.client.delete(f"/api/v1/cases/{case_id}", headers=worker_api.headers()), 405)


def test_take_next_gives_the_most_urgent_case_then_nothing(app, worker_api, city):
    with app.app_context():
        [later] = open_cases(city.roads_queue, city.pothole, 1, start=None)
        [sooner] = open_cases(city.roads_queue, city.pothole, 1, start=None, priority="urgent")
    taken = worker_api.post("/api/v1/take-next")
    assert taken.status_code == 200 and taken.get_json()["id"] == sooner
    assert worker_api.post("/api/v1/take-next").get_json()["id"] == later
    assert worker_api.post("/api/v1/take-next").status_code == 204


def test_bulk_preview_then_apply_skips_a_case_changed_in_between(app, worker_api, cases, city):
    first, second = cases[0][:2]
    preview = worker_api.post("/api/v1/cases/bulk/preview", json={
        "case_ids": [first, second], "action": "priority", "priority": "high"}).get_json()
    assert [item["effect"] for item in preview["cases"]] == ["Set high priority"] * 2
    worker_api.act(second, "notes", {"text": "A colleague was here"})
    applied = worker_api.post("/api/v1/cases/bulk", json={
        "action": "priority", "priority": "high", "reason": "School run",
        "cases": [{"case_id": item["case_id"], "version": item["version"]} for item in preview["cases"]]})
    body = applied.get_json()
    assert applied.status_code == 200 and len(body["changed"]) == 1
    assert body["skipped"][0]["reason"] == "changed since the preview"
    with app.app_context():
        assert db.session.get(Case, first).priority == "high" and db.session.get(Case, second).priority == "normal"


def test_the_directory_shows_people_without_their_credentials(app, client, city):
    with app.app_context():
        supervisor = Caller(client, token_of(city.supervisor, write=False))
    staff = supervisor.get("/api/v1/staff").get_json()
    casey = next(person for person in staff if person["name"] == "Casey Worker")
    assert set(casey) == {"id", "name", "role", "active", "languages", "capacity_minutes", "queue_ids", "absences"}
    assert sorted(casey["queue_ids"]) == sorted([city.roads_queue.id, city.urgent_queue.id])
    services = supervisor.get("/api/v1/services").get_json()
    pothole = next(service for service in services if service["code"] == "pothole")
    assert [step["name"] for step in pothole["step_types"]] == ["Inspect the site", "Schedule the repair"]
    rules = supervisor.get("/api/v1/routing-rules").get_json()
    assert rules[0]["name"] == "Sinkholes are emergencies"
    me = supervisor.get("/api/v1/me").get_json()
    assert me["staff"]["name"] == "Sam Supervisor" and me["token"]["can_write"] is False


def test_a_case_audit_trail_holds_the_api_writes_and_looks_at_contact_details(app, client, worker_api, cases, city):
    case_id = cases[0][0]
    worker_api.act(case_id, "notes", {"text": "Looked into it"})
    contact = worker_api.post(f"/api/v1/cases/{case_id}/contact").get_json()
    assert contact["email"] == "ana@example.org"
    with app.app_context():
        supervisor = Caller(client, token_of(city.supervisor, write=False))
    trail = supervisor.get(f"/api/v1/cases/{case_id}/audit").get_json()
    assert [entry["action"] for entry in trail] == ["api_write", "api_write", "contact_viewed"]
    assert trail[1]["details"]["operation"] == "api_cases.reveal_contact"
    assert problem_of(worker_api.get(f"/api/v1/cases/{case_id}/audit"), 403)


def test_a_timeline_from_the_api_matches_what_the_console_shows(app, worker_api, cases):
    case_id = cases[0][0]
    worker_api.act(case_id, "notes", {"text": "Internal only"})
    detail = worker_api.get(f"/api/v1/cases/{case_id}").get_json()
    [note] = [event for event in detail["timeline"] if event["kind"] == "note"]
    assert note["public"] is False and note["actor"]["name"] == "Casey Worker"
    assert detail["request"]["description"] == "Pothole outside the school"
    assert "contact_email" not in detail["request"] and "email" not in detail["request"]
    assert detail["resolution_due_at"] > detail["opened_at"]


def test_answers_are_never_cached(app, worker_api, cases):
    assert worker_api.get(f"/api/v1/cases/{cases[0][0]}").headers["Cache-Control"] == "no-store"


def test_due_filters_follow_the_agency_day(app, worker_api, city):
    from core.timeutil import utcnow

    with app.app_context():
        overdue = open_cases(city.roads_queue, city.pothole, 2, start=utcnow() - timedelta(days=2))
        open_cases(city.roads_queue, city.pothole, 2, start=utcnow() + timedelta(days=30))
    found = worker_api.get("/api/v1/cases?due=overdue").get_json()["cases"]
    assert [case["id"] for case in found] == overdue
