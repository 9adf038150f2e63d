"""Routing rules: the first rule whose conditions all hold decides; admins test a change before saving it."""
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.triage import routing
from casework.agency_setup import District, RoutingRule
from casework.models import Case
from core.extensions import db
from core.models import AuditEvent
from tests.conftest import csrf_token_from

# ---- the pure matcher ------------------------------------------------------------------------

POTHOLE = routing.RequestFacts(service_id=1, service_name="Pothole", description="A sinkhole opened near the school",
                               answers={"size": "large", "hazards": ["traffic", "cyclists"]},
                               address="12 School Lane, 02139", lat=42.36, long=-71.10)


def rule(name="r", queue_id=1, **conditions):
    return routing.Rule(name=name, queue_id=queue_id, **conditions)


@pytest.mark.parametrize("conditions, matches", [
    ({}, True),
    ({"service_id": 1}, True),
    ({"service_id": 2}, False),
    ({"keywords": ("sinkhole",)}, True),
    ({"keywords": ("hole",)}, False),  # whole words only: "sinkhole" is not "hole"
    ({"answer_code": "size", "answer_value": "large"}, True),
    ({"answer_code": "size", "answer_value": "small"}, False),
    ({"answer_code": "hazards", "answer_value": "cyclists"}, True),  # one of a multi-value answer
    ({"district": routing.District("Cambridgeport", postcodes=("02139",))}, True),
    ({"district": routing.District("Allston", postcodes=("02134",))}, False),
    ({"district": routing.District("Box", polygon=((42.3, -71.2), (42.4, -71.2), (42.4, -71.0), (42.3, -71.0)))}, True),
    ({"district": routing.District("Far", polygon=((40.0, -70.0), (40.1, -70.0), (40.1, -69.9)))}, False),
    ({"channel": "api"}, False),
    ({"language": "en"}, True),
    ({"service_id": 1, "keywords": ("sinkhole",), "channel": "web"}, True),
    ({"service_id": 1, "keywords": ("sinkhole",), "channel": "phone"}, False),
])
def test_a_rule_matches_only_when_all_its_conditions_hold(conditions, matches):
    assert (rule(**conditions).reasons(POTHOLE) is not None) == matches


def test_the_explanation_names_the_rule_and_every_reason():
    matched, reasons = routing.first_match(
        [rule("Sinkholes are emergencies", service_id=1, keywords=("sinkhole", "collapse"))], POTHOLE)
    assert routing.explain(matched, reasons) == (
        "Rule “Sinkholes are emergencies” matched because the service is Pothole "
        "and the description mentions “sinkhole”."
    )


words = st.lists(st.sampled_from(["pothole", "sinkhole", "light", "tree", "graffiti", "bin", "water"]), max_size=6)
conditions = st.fixed_dictionaries({}, optional={
    "service_id": st.integers(1, 3),
    "keywords": words.map(tuple),
    "channel": st.sampled_from(["web", "api", "phone"]),
    "language": st.sampled_from(["en", "es", "pt"]),
})
rules_strategy = st.lists(st.builds(lambda c, q: rule(queue_id=q, **c), conditions, st.integers(1, 4)), max_size=6)
facts_strategy = st.builds(
    lambda service, text, channel, language: routing.RequestFacts(
        service_id=service, service_name="S", description=" ".join(text), channel=channel, language=language),
    st.integers(1, 3), words, st.sampled_from(["web", "api", "phone"]), st.sampled_from(["en", "es", "pt"]),
)


@settings(max_examples=300, deadline=None)
@given(rules_strategy, facts_strategy)
def test_the_first_matching_rule_wins_and_no_earlier_rule_matches(rules, facts):
    chosen, reasons = routing.first_match(rules, facts)
    if chosen is None:
        assert all(candidate.reasons(facts) is None for candidate in rules)
    else:
        index = rules.index(chosen)
        assert reasons and all(candidate.reasons(facts) is None for candidate in rules[:index])


@settings(max_examples=300, deadline=None)
@given(rules_strategy, rules_strategy, facts_strategy)
def test_rules_added_after_a_match_never_change_it(rules, more_rules, facts):
    before, _ = routing.first_match(rules, facts)
    after, _ = routing.first_match(rules + more_rules, facts)
    if before is not None:
        assert after is before


@settings(max_examples=200, deadline=None)
@given(rules_strategy, st.lists(st.tuples(st.integers(), facts_strategy), max_size=20))
def test_an_unchanged_rule_set_moves_nothing(rules, requests):
    assert routing.outcome_changes(rules, list(rules), requests, lambda facts: 0) == []


# ---- triage with stored rules, and the admin pages ----------------------------------------


def submit(client, description, address="1 Main Street"):
    form = client.get("/request?service=pothole")
    return client.post("/request", data={
        "csrf_token": csrf_token_from(form.text),
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
        "service_code": "pothole", "description": description, "address": address,
        "contact_email": "ana@example.org",
    })


def test_triage_applies_area_rules_with_their_tags_and_sla(app, client, city, run_worker):
    with app.app_context():
        district = District(name="Riverside", postcodes="02139")
        db.session.add(district)
        db.session.add(RoutingRule(name="Riverside potholes", position=5, district=district, service_id=city.pothole.id,
                                   queue_id=city.urgent_queue.id, priority="high", tags="riverside flood-zone",
                                   resolution_hours=8))
        db.session.commit()
    submit(client, "Pothole by the river", address="4 River Road, 02139")
    submit(client, "Pothole uptown", address="9 Hill Road, 02140")
    run_worker()
    with app.app_context():
        riverside, uptown = db.session.scalars(db.select(Case).order_by(Case.id)).all()
        assert (riverside.queue.name, riverside.priority, riverside.tags) == ("Road emergencies", "high",
                                                                              ["riverside", "flood-zone"])
        assert "the place is in Riverside" in riverside.triage_explanation[0]
        assert riverside.resolution_due_at < uptown.resolution_due_at
        assert uptown.queue.name == "Road repairs"


def test_an_admin_tests_a_new_rule_against_recent_requests_then_saves_it(app, client, city, run_worker, login_as):
    for text in ("Big pothole", "Water everywhere from a burst main", "Another water leak", "Pothole again"):
        submit(client, text)
    run_worker()
    login_as(city.admin)
    page = client.get("/admin/routing/new")
    assert page.status_code == 200
    draft = {"csrf_token": csrf_token_from(page.text), "name": "Leaks are urgent", "position": "1", "active": "y",
             "service_id": str(city.pothole.id), "keywords": "water leak", "queue_id": str(city.urgent_queue.id),
             "priority": "urgent"}
    tested = client.post("/admin/routing/new", data={**draft, "action": "test"})
    assert tested.status_code == 200
    assert ("This would have changed 2 of the last 4 requests: the queue of 2, the priority of 2, the due date of 2."
            in tested.text)
    assert tested.text.count("<td>Queue</td><td>Road repairs</td><td>Road emergencies</td>") == 2
    assert tested.text.count("<td>Priority</td><td>normal</td><td>urgent</td>") == 2
    assert tested.text.count("<td>Due date</td><td>72 business hours</td><td>18 business hours</td>") == 2

    # a rule that changes only the priority is reported too (it moved nothing, so it used to say "0")
    same_queue = {**draft, "queue_id": str(city.roads_queue.id), "priority": "high"}
    tested = client.post("/admin/routing/new", data={**same_queue, "action": "test"})
    assert "This would have changed 2 of the last 4 requests: the priority of 2, the due date of 2." in tested.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(RoutingRule.id))) == 1  # only the city's own rule

    saved = client.post("/admin/routing/new", data={**draft, "action": "save"})
    assert saved.status_code == 303
    listing = client.get("/admin/routing")
    assert "Leaks are urgent" in listing.text and "description mentions water or leak" in listing.text
    with app.app_context():
        assert db.session.scalar(db.select(AuditEvent).filter_by(action="routing_rule_saved")) is not None
    submit(client, "A water leak at the corner")
    run_worker()
    with app.app_context():
        newest = db.session.scalar(db.select(Case).order_by(Case.id.desc()).limit(1))
        assert (newest.queue.name, newest.priority) == ("Road emergencies", "urgent")


@pytest.mark.parametrize("change, field, message", [
    ({"name": ""}, "name", "Give the rule a name"),
    ({"queue_id": ""}, "queue_id", "Choose the queue the request goes to"),
    ({"queue_id": "99999"}, "queue_id", "Choose the queue the request goes to"),
    ({"position": "first"}, "position", "Enter the order as a whole number"),
    ({"answer_code": "size"}, "answer_code", "Give both the question code and the answer"),
    ({"priority": "asap"}, "priority", "Choose a priority from the list"),
])
def test_a_bad_rule_is_refused_with_a_message_and_nothing_is_saved(app, client, city, login_as, change, field, message):
    login_as(city.admin)
    page = client.get("/admin/routing/new")
    form = {"csrf_token": csrf_token_from(page.text), "name": "Rule", "position": "1", "active": "y",
            "queue_id": str(city.roads_queue.id), "priority": "normal", "action": "save", **change}
    refused = client.post("/admin/routing/new", data=form)
    assert refused.status_code == 400
    assert "There is a problem" in refused.text and message in refused.text and f'href="#{field}"' in refused.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(RoutingRule.id))) == 1


def test_a_rule_for_email_requests_in_an_offered_language_is_written_and_routes_them(app, client, city, login_as):
    """The channel list stopped at the counter, so no rule could name email or staff's own finds; any language
    code up to 8 letters was taken, and a rule for one Tandem does not offer never matched."""
    from casework.triage.engine import triage
    from intake.models import ServiceRequest

    login_as(city.admin)
    page = client.get("/admin/routing/new")
    assert '<option value="email"' in page.text and '<option value="field"' in page.text
    form = {"csrf_token": csrf_token_from(page.text), "name": "Spanish email", "position": "1", "active": "y",
            "channel": "email", "language": "es", "queue_id": str(city.urgent_queue.id), "priority": "high",
            "action": "save"}
    refused = client.post("/admin/routing/new", data={**form, "language": "xx"})
    assert refused.status_code == 400 and "Choose a language from the list" in refused.text
    assert client.post("/admin/routing/new", data=form).status_code == 303
    with app.app_context():
        for channel in ("email", "web"):
            request = ServiceRequest(service_id=city.pothole.id, description=f"Bache, por {channel}",
                                     address="Calle Mayor", channel=channel, language="es",
                                     contact_email="ana@example.org")
            db.session.add(request)
            db.session.commit()
            triage(request.id)
        queues = dict(db.session.execute(db.select(ServiceRequest.channel, Case.queue_id).join(
            Case, Case.request_id == ServiceRequest.id)).all())
        assert queues == {"email": city.urgent_queue.id, "web": city.roads_queue.id}


def test_areas_need_a_shape_and_valid_corners(app, client, city, login_as):
    login_as(city.admin)
    token = csrf_token_from(client.get("/admin/routing").text)
    for form, message in [
        ({"name": "Nowhere"}, "Give postcodes, corners, or both"),
        ({"name": "Odd", "polygon": "42.1, -71; 42.2"}, "Write each corner as"),
        ({"name": "Line", "polygon": "42.1, -71; 42.2, -71"}, "at least three corners"),
        ({"name": "Space", "polygon": "142.1, -71; 42.2, -71; 42, -70"}, "is not on Earth"),
    ]:
        refused = client.post("/admin/routing/districts", data={"csrf_token": token, **form})
        assert refused.status_code == 400 and message in refused.text
    added = client.post("/admin/routing/districts", data={"csrf_token": token, "name": "Riverside",
                                                           "polygon": "42.3, -71.2; 42.4, -71.2; 42.4, -71.0"})
    assert added.status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(District)).polygon == [[42.3, -71.2], [42.4, -71.2], [42.4, -71.0]]


def test_caseworkers_cannot_reach_routing(client, city, login_as):
    login_as(city.caseworker)
    assert client.get("/admin/routing").status_code == 403
