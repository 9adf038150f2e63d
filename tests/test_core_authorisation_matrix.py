"""Every route of the URL map, for every kind of visitor: who gets in, who is refused, and that refusals are audited.

The matrix is built from ``app.url_map``, so a route added without a check
fails here until it is given one and listed below.
"""
import re

import pytest

from casework.agency_setup import RoutingRule
from casework.models import Case, DuplicateLink, StepType
from core.extensions import db
from core.models import AuditEvent
from intake.models import ServiceRequest
from tests.conftest import csrf_token_from
from tests.factories import loaded, make_city

# the least role each staff route needs; anything not listed here or in PUBLIC fails the test
MINIMUM_ROLE = {
    "console.": "caseworker", "desk.": "caseworker", "desk.summary": "supervisor", "console.triage_health": "supervisor", "supervision.": "supervisor", "insight.": "supervisor", "insight.pulse_answer": "caseworker", "console.route_by_hand": "supervisor",
    "admin.": "admin", "admin_api_keys.": "admin", "admin_catalogue.": "admin", "admin_services.": "admin", "admin_departments.": "admin", "admin_calendar.": "admin", "admin_case_lists.": "admin", "admin_mail.": "admin", "admin_publishing.": "admin", "voice.": "caseworker", "ideas.": "caseworker", "ideas.answer": "supervisor", "auth.change_password": "any staff", "auth.account": "any staff", "auth.keep_alive": "any staff", "totp.enrol": "any staff", "tokens.": "any staff", "auth.logout": "any staff",
}
PUBLIC = {"intake.", "survey.", "health.", "notifications.", "static", "favicon", "auth.login", "auth.second_factor", "open311.", "public.", "open_data.",
          "api_docs.", "api-docs."}
# the staff API takes a bearer token only: a session cookie grants nothing (tests/test_api_authorisation.py)
TOKEN = {"api_cases.", "api_directory.", "api_supervision.", "api_insight.", "api_desk.", "api_ideas."}
# needs an Open311 API key whoever asks: a staff session grants no API access
API_KEY = {"open311.create_request", "open311.create_update"}
RANK = {"anonymous": 0, "caseworker": 1, "supervisor": 2, "admin": 3}
NEEDED = {"any staff": 1, "caseworker": 1, "supervisor": 2, "admin": 3}
# routes on one case, which a caseworker outside the case's queue must not reach
CASE_ROUTES = re.compile(r"^/console/cases/<int:case_id>")


def rule_class(endpoint):
    if endpoint in API_KEY:
        return "api key"
    if endpoint.split(".")[0] + "." in TOKEN:
        return "token"
    if endpoint in MINIMUM_ROLE:
        return MINIMUM_ROLE[endpoint]
    if endpoint in PUBLIC:
        return "public"
    prefix = endpoint.split(".")[0] + "."
    if prefix in MINIMUM_ROLE:
        return MINIMUM_ROLE[prefix]
    if prefix in PUBLIC:
        return "public"
    raise AssertionError(f"{endpoint} has no place in the authorisation matrix: add it")


@pytest.fixture
def world(app, client, run_worker):
    """A city with one triaged roads case (with a duplicate link) and every id a route can take."""
    with app.app_context():
        city = make_city()
        for _ in range(2):
            db.session.add(ServiceRequest(service_id=city.pothole.id, description="Pothole by the school",
                                          address="1 School Lane", contact_email="a@example.org"))
        db.session.commit()
        from casework.triage.engine import triage
        first, second = (triage(r.id) for r in db.session.scalars(db.select(ServiceRequest).order_by(ServiceRequest.id)))
        link = db.session.scalar(db.select(DuplicateLink)) or DuplicateLink(case=second, original=first, score=0.9,
                                                                          reasons="test")
        db.session.add(link)
        db.session.commit()
        rule_id = db.session.scalar(db.select(RoutingRule.id))
        step_id = db.session.scalar(db.select(StepType.id).filter_by(service_id=city.pothole.id))
        loaded(*vars(city).values())
        values = {"case_id": second.id, "queue_id": city.roads_queue.id, "rule_id": rule_id, "link_id": link.id,
                  "request_id": second.request_id, "event": "request_routed", "language": "en",
                  "token": second.request.tracking_token, "filename": "tandem.css",
                  "fmt": "json", "code": "pothole", "question_code": "depth", "step_id": step_id, "reference": second.request.reference, "client_id": 1,
                  "photo_token": "no-such-photo", "kind": "reply", "outcome_id": 1, "template_id": 1,
                  "token_id": 1, "topic_id": 1, "plan_id": "no-such-plan", "change_id": 1, "staff_id": city.caseworker.id, "absence_id": 1,
                  "mail_id": 1, "number": 1, "day": "2026-11-30", "idea_id": 1}
    return city, values


def url_for_rule(rule, values):
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda match: str(values[match.group(1)]), rule.rule)


def sign_in(app, staff):
    from tests.factories import PASSWORD
    client = app.test_client()
    if staff is not None:
        page = client.get("/staff/login")
        assert client.post("/staff/login", data={"email": staff.email, "password": PASSWORD,
                                                 "csrf_token": csrf_token_from(page.text)}).status_code == 302
    return client


def visit(client, method, url):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": csrf_token_from(client.get("/request").text)})


def refused(response):
    return response.status_code == 403


def sent_to_sign_in(response):
    return response.status_code in (302, 401) and "/staff/login" in response.headers.get("Location", "")


@pytest.mark.parametrize("who", ["anonymous", "caseworker", "supervisor", "admin"])
def test_every_route_lets_in_exactly_the_roles_it_should(app, world, who):
    city, values = world
    staff = {"anonymous": None, "caseworker": city.caseworker, "supervisor": city.supervisor, "admin": city.admin}[who]
    client = sign_in(app, staff)
    checked = 0
    for rule in app.url_map.iter_rules():
        needs = rule_class(rule.endpoint)
        if rule.endpoint == "auth.logout":
            continue  # would end the session the rest of the loop uses; covered in the session tests
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = visit(client, method, url_for_rule(rule, values))
            # a streamed answer (open data) is closed here, as a WSGI server closes it, not later by the collector
            response.close()
            assert response.status_code != 500, (method, rule.rule)
            checked += 1
            if needs == "api key":
                assert refused(response), (who, method, rule.rule)
            elif needs == "token":
                assert response.status_code == 401, (who, method, rule.rule, response.status_code)
            elif needs == "public":
                # (the second sign-in step sends a visitor with no password step behind them back to it)
                assert not refused(response), (who, method, rule.rule)
            elif who == "anonymous":
                assert sent_to_sign_in(response), (who, method, rule.rule, response.status_code)
            elif RANK[who] < NEEDED[needs]:
                assert refused(response), (who, method, rule.rule, response.status_code)
            else:
                assert not refused(response) and not sent_to_sign_in(response), (who, method, rule.rule)
    assert checked > 40


def test_a_caseworker_outside_the_cases_queue_is_refused_on_every_case_route_and_it_is_audited(app, world):
    city, values = world
    outsider = sign_in(app, city.parks_worker)  # works the parks queue only
    case_rules = [rule for rule in app.url_map.iter_rules() if CASE_ROUTES.match(rule.rule)]
    assert len(case_rules) >= 8
    for rule in case_rules:
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert refused(visit(outsider, method, url_for_rule(rule, values))), (method, rule.rule)
    with app.app_context():
        refusals = db.session.scalars(db.select(AuditEvent).filter_by(action="access_refused")).all()
        assert len(refusals) >= len(case_rules)
        assert all(event.actor_id == city.parks_worker.id for event in refusals)
        # the case is unchanged by all those attempts
        assert db.session.get(Case, values["case_id"]).assignee_id is None


def test_a_refused_staff_member_stays_in_the_staff_pages_and_is_told_what_they_may_not_do_and_whom_to_ask(
        app, client, login_as):
    from tests.console_cases import open_cases

    with app.app_context():
        city = make_city()
        [parks_case] = open_cases(city.parks_queue, city.graffiti, 1)
        loaded(city.caseworker)
    login_as(city.caseworker)
    page = client.get("/supervision/")
    assert page.status_code == 403
    assert "My work" in page.text and "Take next" in page.text  # the staff frame, not the public one
    assert "This page is for supervisors and those above, and your account is a caseworker account." in page.text
    assert "ask Alex Admin" in page.text and "read-protected" not in page.text
    case_page = client.get(f"/console/cases/{parks_case}")
    assert case_page.status_code == 403 and "in a queue you do not work" in case_page.text
    client.post("/staff/logout", data={"csrf_token": csrf_token_from(page.text)})
    public = client.get("/console/cases/1")
    assert public.status_code in (302, 401)  # a citizen is sent to sign in, never shown staff words
