"""Who may call what in the staff API, built from its own OpenAPI document and the URL map.

Every operation is called by a token of each role, on a case of the
caller's queues and on a foreign one: a role below the operation's minimum
gets 403, a foreign case 404, and everything else an answer that is neither
a refusal nor a server error. An operation missing from the document, or a
documented one the server does not answer, fails here.
"""
import re
from datetime import date

import pytest

from casework.agency_setup import Outcome
from casework.ideas.models import Idea
from casework.models import DuplicateLink, StepType
from core.extensions import db
from tests.api_calls import Caller, token_of
from tests.console_cases import open_cases
from tests.factories import make_city

# the least role of each operation (path and method); the rest need a caseworker
SUPERVISOR_ONLY = {("GET", "/api/v1/staff"), ("GET", "/api/v1/routing-rules"), ("GET", "/api/v1/cases/{case_id}/audit"),
                   ("GET", "/api/v1/workload"), ("GET", "/api/v1/backlog"), ("POST", "/api/v1/rebalance/plan"),
                   ("POST", "/api/v1/rebalance/apply"), ("GET", "/api/v1/services/{code}/blueprint"),
                   ("POST", "/api/v1/ideas/{idea_id}/answer")}
NOT_DOCUMENTED = {"/api/v1/openapi.json", "/api/v1/docs", "/api/v1/static/<path:filename>"}


def valid_bodies(ids):
    """A body each operation accepts, so the check reaches the role and the case."""
    return {
        "claim": {}, "assign": {"staff_id": ids["caseworker"]}, "release": {"reason": "back"},
        "priority": {"priority": "high"}, "queue": {"queue_id": ids["urgent_queue"]},
        "replies": {"message": "On our list", "effort_minutes": 2}, "notes": {"text": "Looked at it"},
        "information-requests": {"question": "Which side?", "effort_minutes": 1},
        "resolve": {"outcome_id": ids["outcome"], "public_note": "Fixed it today", "effort_minutes": 5,
                    "confirm_unfinished": True},
        "reopen": {"reason": "Still broken"}, "merge": {"reference": ids["reference"]},
        "steps": {"effort_minutes": 5, "step_type_id": ids["step_type"]}, "steps/start": {},
        "steps/complete": {"effort_minutes": 3}, "duplicates/{link_id}": {"decision": "reject"},
        "bulk/preview": {"case_ids": [ids["own_case"]], "action": "priority", "priority": "low"},
        "bulk": {"cases": [{"case_id": ids["own_case"], "version": 1}], "action": "priority", "priority": "low"},
        "/api/v1/rebalance/plan": {}, "/api/v1/rebalance/apply": {"plan_id": "no-such-plan"},
        "/api/v1/ideas": {"queue_id": ids["roads_queue"], "hurts": "Vague addresses", "change": "Ask for a photo",
                          "helps": "both"},
        "/api/v1/ideas/{idea_id}/comments": {"text": "Me as well"},
        "/api/v1/ideas/{idea_id}/answer": {"status": "planned"},
    }


@pytest.fixture
def world(app, client):
    with app.app_context():
        city = make_city()
        own = open_cases(city.roads_queue, city.pothole, 3)
        [foreign] = open_cases(city.parks_queue, city.graffiti, 1)
        link = DuplicateLink(case_id=own[0], original_id=own[1], score=0.9, reasons="test")
        db.session.add(link)
        db.session.commit()
        ids = {"caseworker": city.caseworker.id, "urgent_queue": city.urgent_queue.id, "own_case": own[0],
               "outcome": db.session.scalar(db.select(Outcome.id).filter_by(code="fixed")),
               "step_type": db.session.scalar(db.select(StepType.id).filter_by(service_id=city.pothole.id)),
               "reference": db.session.execute(db.text("SELECT reference FROM service_request WHERE id = "
                                                       "(SELECT request_id FROM \"case\" WHERE id = :id)"),
                                               {"id": own[2]}).scalar(),
               "link": link.id, "foreign_case": foreign, "roads_queue": city.roads_queue.id,
               "idea": idea_in(city.roads_queue.id), "foreign_idea": idea_in(city.parks_queue.id)}
        callers = {role: Caller(client, token_of(staff)) for role, staff in
                   (("caseworker", city.caseworker), ("supervisor", city.supervisor), ("admin", city.admin))}
        # a caseworker of another queue: sees none of these cases
        callers["outsider"] = Caller(client, token_of(city.parks_worker))
    return ids, callers


def operations(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method in item:
            if method != "parameters":
                yield method.upper(), path


def idea_in(queue_id):
    """An anonymous idea of ``queue_id``'s team. Commits."""
    idea = Idea(queue_id=queue_id, hurts="Vague addresses", change="Ask for a photo", helps="both",
                proposed_on=date.today())
    db.session.add(idea)
    db.session.commit()
    return idea.id


def call(caller, method, path, ids, case_id, idea_id=None):
    url = path.replace("{case_id}", str(case_id)).replace("{link_id}", str(ids["link"])).replace("{code}", "pothole")
    url = url.replace("{idea_id}", str(idea_id or ids["idea"]))
    if method == "GET":
        return caller.get(url)
    suffix = re.sub(r"^/api/v1/cases/(\{case_id\}/)?", "", path)
    bodies = valid_bodies(ids)
    body = bodies.get(suffix, bodies.get(path, {}))
    # fresh version each time: the role or case check, not staleness, must decide
    return caller.post(url, json=body, headers={"If-Match": "*"})


def test_every_api_route_is_in_the_document_and_every_documented_operation_answers(app, client, world):
    ids, callers = world
    documented = set(operations(client))
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1") and rule.rule not in NOT_DOCUMENTED:
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
            served |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == documented
    assert len(documented) >= 28
    for method, path in sorted(documented):
        answer = call(callers["admin"], method, path, ids, ids["own_case"])
        assert answer.status_code not in (401, 403, 404, 405) and answer.status_code < 500, (method, path, answer.text)


@pytest.mark.parametrize("role", ["caseworker", "supervisor", "admin", "outsider"])
def test_each_role_gets_exactly_what_it_may(app, client, world, role):
    ids, callers = world
    caller = callers[role]
    for method, path in sorted(operations(client)):
        minimum = "supervisor" if (method, path) in SUPERVISOR_ONLY else "caseworker"
        # a case, or an idea, of a team the outsider is not in does not exist for them
        on_case = "{case_id}" in path or "{idea_id}" in path
        answer = call(caller, method, path, ids, ids["own_case"])
        assert answer.status_code < 500, (role, method, path, answer.text)
        assert answer.mimetype in ("application/json", "application/problem+json") or answer.status_code == 204
        if minimum == "supervisor" and role in ("caseworker", "outsider"):
            assert answer.status_code == 403, (role, method, path, answer.status_code)
        elif on_case and role == "outsider":
            assert answer.status_code == 404, (role, method, path, answer.status_code)
        else:
            assert answer.status_code not in (401, 403, 404), (role, method, path, answer.text)
        if on_case and role == "caseworker" and minimum == "caseworker":
            # a case of a queue they do not work does not exist for them
            foreign = call(caller, method, path, ids, ids["foreign_case"], ids["foreign_idea"])
            assert foreign.status_code == 404, (method, path, foreign.status_code)


def test_a_session_cookie_grants_nothing_in_the_api(app, client, login_as, world):
    from tests.factories import make_staff

    with app.app_context():
        admin = make_staff("Other Admin", role="admin")
    login_as(admin)
    for method, path in operations(client):
        url = path.replace("{case_id}", "1").replace("{link_id}", "1").replace("{code}", "pothole").replace(
            "{idea_id}", "1")
        answer = client.get(url) if method == "GET" else client.post(url, json={})
        assert answer.status_code == 401, (method, path)
