"""The service blueprint as a supervisor sees it: the page, its print view, the CSV, the JSON and the API agree.

Histories are written as the console would have left them (times chosen so
each figure can be worked out by hand), then measured by the worker's job.
"""
import csv
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from casework.console import case_actions
from casework.insight.rollup import measure_pending
from casework.models import Case
from core.extensions import db
from intake.survey import Feedback
from tests.api_calls import token_of
from tests.insight_cases import history, insight_city

UTC = ZoneInfo("UTC")
# a Monday; the test app's calendar is open around the clock ("always"), so business hours are wall-clock hours
MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PERIOD = {"from": "2026-11-01", "to": "2026-12-01"}


@pytest.fixture
def city(app):
    with app.app_context():
        city = insight_city()
        return city


def three_cases(city):
    # received 1 h each; inspections end at 5, 9 and 13 h; repairs scheduled at 29, 33 and 61 h; resolved at 48/48/72
    history(city, MONDAY, inspect=(5, 20), schedule=(29, 10), resolved_after=48, friction=5, reason="missing_information")
    history(city, MONDAY + timedelta(days=1), inspect=(9, 30), schedule=(33, 10), resolved_after=48, friction=4,
            reason="missing_information")
    history(city, MONDAY + timedelta(days=2), inspect=(13, 40), schedule=(61, 16), resolved_after=72, friction=2)


def stage(found, name):
    return next(s for s in found["stages"] if s["name"] == name)


def test_the_blueprint_gives_each_stage_its_median_wait_and_minutes(app, client, login_as, city):
    with app.app_context():
        three_cases(city)
        assert measure_pending() == 3
    login_as(city.supervisor)
    found = client.get("/insight/blueprint.json", query_string={"service": "pothole", **PERIOD}).json
    assert found["cases"] == 3 and found["service"] == "pothole"
    assert [s["kind"] for s in found["stages"]] == ["received", "step", "step", "resolved"]
    inspect = stage(found, "Inspect the site")
    # waits 4, 8 and 12 hours (from triage at 1 h to the inspection's end)
    assert inspect["wait_hours_median"] == 8.0 and inspect["wait_business_hours_median"] == 8.0
    assert inspect["wait_hours_p90"] == pytest.approx(11.2)
    assert inspect["effort_minutes_median"] == 30 and inspect["standard_minutes"] == 20
    assert inspect["hard_share"] is None  # three ratings are too few to show
    assert inspect["top_reasons"] == [{"reason": "Missing information", "count": 2}]
    # 24, 24 and 48 hours from inspection to scheduling; then 19, 15 and 11 hours to the resolution
    assert stage(found, "Schedule the repair")["wait_hours_median"] == 24.0
    assert stage(found, "Resolution")["wait_hours_median"] == 15.0
    assert stage(found, "Received and triaged")["wait_hours_median"] == 1.0
    # 0.75 a minute: (20+10+5) + (30+10+5) + (40+16+5) = 141 minutes
    assert found["cost"]["minutes"] == 141 and found["cost"]["total"] == pytest.approx(105.75)
    assert found["cost"]["per_request"] == pytest.approx(35.25)
    assert found["voice"]["sla_met_share"] == 1.0 and found["voice"]["shown"] is False
    # inspection: 24 of the 168 hours waited, 30 of the 36 minutes over standard -> (0.143 + 0.833) / 3
    assert [spot["name"] for spot in found["hot_spots"]] == ["Inspect the site", "Schedule the repair", "Resolution"]
    assert found["hot_spots"][0]["score"] == pytest.approx(0.325, abs=0.001)
    assert found["hot_spots"][0]["sentence"] == ("Inspect the site: 64% of staff minutes, a median 8.0 business hours "
                                                 "of citizen wait, 10 minutes a step over the standard.")


def test_the_chart_the_table_the_csv_and_the_json_agree(app, client, login_as, city):
    with app.app_context():
        three_cases(city)
        measure_pending()
    login_as(city.supervisor)
    query = {"service": "pothole", **PERIOD}
    found = client.get("/insight/blueprint.json", query_string=query).json
    page = client.get("/insight/blueprint", query_string=query)
    assert page.status_code == 200
    rows = list(csv.DictReader(io.StringIO(client.get("/insight/blueprint.csv", query_string=query).text)))
    assert [row["name"] for row in rows] == [s["name"] for s in found["stages"]]
    svg = page.text[page.text.index("<svg"):page.text.index("</svg>")]
    table = page.text[page.text.index('<table id="stages"'):]
    for expected, row in zip(found["stages"], rows):
        days = round(expected["wait_hours_median"] / 24, 2)
        assert float(row["wait_hours_median"]) == expected["wait_hours_median"]
        assert row["effort_minutes_median"] == ("" if expected["effort_minutes_median"] is None
                                                else str(expected["effort_minutes_median"]))
        assert f'data-wait-days="{days}"' in svg
        assert re.search(rf'<tr data-stage="{re.escape(expected["name"])}"><th scope="row">[^<]+</th>'
                         rf'<td data-n>{expected["cases"]}</td>\s*<td data-wait-days>{days}</td>', table)
        if expected["effort_minutes_median"] is not None:
            assert f'data-minutes="{expected["effort_minutes_median"]}"' in svg
        assert f'data-n="{expected["cases"]}"' in svg
    assert "role=\"img\"" in svg and "<title id=\"blueprint-title\">" in svg and "<desc" in svg
    printed = client.get("/insight/blueprint/print", query_string=query)
    assert printed.status_code == 200 and "Printable view" not in printed.text
    assert svg in printed.text  # the same chart


def test_a_case_resolved_in_the_console_is_measured_and_a_reopened_one_leaves_until_resolved_again(
        app, client, login_as, city):
    with app.app_context():
        from tests.console_cases import open_cases

        (case_id,) = open_cases(city.roads_queue, city.pothole, 1, assignee=city.caseworker)
        case = db.session.get(Case, case_id)
        worker = db.session.get(type(city.caseworker), city.caseworker.id)
        case_actions.record_step(case, worker, 25, city.inspect_id, "Looked at it", friction=4,
                             friction_reason="tool_too_slow")
        case_actions.resolve_case(case, worker, "Filled.", 5)
        assert measure_pending() == 1
        assert db.session.scalar(db.select(Case.measured_at).filter_by(id=case_id)) is not None
        version = db.session.get(Case, case_id).version
        case_actions.reopen_case(db.session.get(Case, case_id), worker, "Not filled properly")
        assert measure_pending() == 1
    login_as(city.supervisor)
    today = {"service": "pothole"}  # the last 90 days, today included
    assert client.get("/insight/blueprint.json", query_string=today).json["cases"] == 0
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.version > version  # (the reopening moved it; the measuring never does)
        worker = db.session.get(type(city.caseworker), city.caseworker.id)
        case_actions.resolve_case(case, worker, "Filled again.", 30)
        measure_pending()
    found = client.get("/insight/blueprint.json", query_string=today).json
    assert found["cases"] == 1
    rework = stage(found, "Rework after reopening")
    assert rework["kind"] == "rework" and rework["effort_minutes_median"] == 30


def test_the_citizens_voice_shows_from_ten_answers(app, client, login_as, city):
    with app.app_context():
        requests = [history(city, MONDAY + timedelta(hours=n), resolved_after=24).request_id for n in range(12)]
        for number, request_id in enumerate(requests[:9]):
            db.session.add(Feedback(request_id=request_id, fixed=number != 0, satisfaction=5 if number < 6 else 2))
        db.session.commit()
        measure_pending()
    login_as(city.supervisor)
    query = {"service": "pothole", **PERIOD}
    assert client.get("/insight/blueprint.json", query_string=query).json["voice"]["shown"] is False
    page = client.get("/insight/blueprint", query_string=query)
    assert "shown once at least 10 citizens have answered; 9 have so far" in page.text
    with app.app_context():
        db.session.add(Feedback(request_id=requests[9], fixed=True, satisfaction=4))
        db.session.commit()
    voice = client.get("/insight/blueprint.json", query_string=query).json["voice"]
    assert voice["shown"] and voice["answers"] == 10 and voice["response_rate"] == pytest.approx(10 / 12, abs=0.001)
    assert voice["fixed_share"] == 0.9 and voice["items"]["satisfaction"]["agree_share"] == 0.7
    assert voice["items"]["trust"]["agree_share"] is None  # nobody answered it


def test_unused_capacity_is_what_the_team_could_give_less_what_it_logged(app, client, login_as, city):
    with app.app_context():
        three_cases(city)
        measure_pending()
    login_as(city.supervisor)
    found = client.get("/insight/blueprint.json", query_string={"service": "pothole", **PERIOD}).json
    (team,) = found["cost"]["teams"]
    # Casey works 2,100 minutes a week; November 2026 has 21 weekdays (the test calendar is always open)
    assert team["name"] == "Road repairs" and team["members"] == 1
    assert team["supplied_minutes"] == 2100 * 21 / 5 and team["used_minutes"] == 141
    assert team["unused_minutes"] == team["supplied_minutes"] - 141


def test_the_desk_s_minutes_are_the_contact_stage_first_on_the_line_in_cost_and_in_capacity(
        app, client, login_as, city):
    """A phone request's agent spent 6 minutes, a second caller added to it 3 more; a web request has no contact
    stage; a question answered on the spot (4 minutes) is the team's work but no request's."""
    from casework.agency_setup import ContactTopic
    from casework.desk.models import Contact
    from intake.models import ServiceRequest, TriageState

    with app.app_context():
        history(city, MONDAY, inspect=(5, 20), resolved_after=48)
        by_phone = history(city, MONDAY + timedelta(days=1), inspect=(9, 30), resolved_after=48, channel="phone",
                           contact_minutes=6)
        # the second caller's own request, merged into the first as the desk's "add the caller" does
        again = ServiceRequest(service_id=city.pothole.id, description="Same hole", address="1 High Street",
                               triage_state=TriageState.DONE, submitted_at=MONDAY + timedelta(days=1, hours=3),
                               language="en", channel="counter")
        db.session.add_all([again, Case(request=again, service_id=city.pothole.id, queue_id=city.roads_queue.id,
                                        state="closed", closed_at=MONDAY + timedelta(days=1, hours=3),
                                        opened_at=MONDAY + timedelta(days=1, hours=3), duplicate_of_id=by_phone.id),
                            Contact(request=again, staff_id=city.caseworker.id, channel="counter", minutes=3,
                                    at=MONDAY + timedelta(days=1, hours=3))])
        topic = ContactTopic(name="Collection days")
        db.session.add_all([topic, Contact(topic=topic, staff_id=city.caseworker.id, channel="phone", minutes=4,
                                           at=MONDAY + timedelta(days=3))])
        db.session.commit()
        measure_pending()
    login_as(city.supervisor)
    found = client.get("/insight/blueprint.json", query_string={"service": "pothole", **PERIOD}).json
    assert found["cases"] == 2
    first = found["stages"][0]
    assert (first["kind"], first["name"]) == ("contact", "Contact (phone, counter, field)")
    assert (first["cases"], first["steps"], first["effort_minutes_total"]) == (1, 2, 6 + 3)
    assert first["wait_hours_median"] == 0.0  # the call is over when the request is submitted
    # 0.75 a minute: steps (20 + 5) + (30 + 5) and the contacts' 9
    assert found["cost"]["minutes"] == 69 and found["cost"]["per_request"] == 25.88  # 69 x 0.75 / 2, to the cent
    (team,) = found["cost"]["teams"]
    assert (team["used_minutes"], team["contact_minutes"]) == (60 + 9 + 4, 13)
    page = client.get("/insight/blueprint", query_string={"service": "pothole", **PERIOD}).text
    rows = re.findall(r'<tr data-stage="([^"]+)"', page)
    assert rows[:2] == ["Contact (phone, counter, field)", "Received and triaged"]


@pytest.mark.parametrize("query, field, message", [
    ({"service": "pothole", "from": "2026-13-01", "to": "2026-12-01"}, "from", "YYYY-MM-DD"),
    ({"service": "pothole", "from": "2026-12-01", "to": "2026-11-01"}, "to", "after the start"),
    ({"service": "pothole", "from": "2026-11-01"}, "to", "Enter both dates"),
    ({"service": "pothole", "from": "2020-01-01", "to": "2026-01-01"}, "from", "two years"),
    ({"service": "no-such-thing"}, "service", "Choose a service"),
    ({"service": "pothole", "queue_id": "1"}, "service", "not several"),
    ({"queue_id": "99999"}, "queue_id", "Choose a queue"),
])
def test_a_bad_choice_gets_a_message_beside_its_field(client, login_as, city, query, field, message):
    login_as(city.supervisor)
    page = client.get("/insight/blueprint", query_string=query)
    assert page.status_code == 400 and message in page.text and f'href="#{field}"' in page.text
    assert client.get("/insight/blueprint.csv", query_string=query).status_code == 400


def test_the_api_answers_the_blueprint_of_a_service(app, client, city):
    with app.app_context():
        three_cases(city)
        measure_pending()
        token = token_of(city.supervisor, write=False)
        caseworker_token = token_of(city.caseworker, write=False)
    headers = {"Authorization": f"Bearer {token}"}
    answer = client.get("/api/v1/services/pothole/blueprint", query_string=PERIOD, headers=headers)
    assert answer.status_code == 200
    assert answer.json["from"] == "2026-11-01" and answer.json["to"] == "2026-12-01" and answer.json["cases"] == 3
    page = client.get("/api/v1/services/pothole/blueprint", query_string=PERIOD, headers=headers).json
    assert stage(page, "Inspect the site")["wait_hours_median"] == 8.0
    assert client.get("/api/v1/services/nothing/blueprint", headers=headers).status_code == 404
    refused = client.get("/api/v1/services/pothole/blueprint", query_string={"from": "2026-12-01", "to": "2026-11-01"},
                         headers=headers)
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    assert "after the start" in str(refused.json["errors"])
    assert client.get("/api/v1/services/pothole/blueprint",
                      headers={"Authorization": f"Bearer {caseworker_token}"}).status_code == 403


def stage_summary(key, kind, name, cases, median_hours, business_total, effort_total=0, effort_median=None, steps=0):
    from casework.insight.stages import StageSummary
    return StageSummary(key=key, kind=kind, name=name, step_type_id=None, cases=cases, wait_hours_median=median_hours,
                        wait_hours_p90=median_hours * 2, wait_business_hours_median=median_hours / 3,
                        wait_business_hours_p90=median_hours, wait_business_hours_total=business_total,
                        effort_minutes_median=effort_median, effort_minutes_p90=None, effort_minutes_total=effort_total,
                        standard_minutes=None, steps=steps, rated=0, hard=0, handoffs=0, cost=0.0)


def test_the_summary_sentence_says_where_citizens_wait_on_the_agency_and_names_medians_and_totals():
    """Waiting on the citizen is the agency waiting; a rare stage is said to be rare; totals are called totals."""
    from casework.insight.chart import describe
    from casework.insight.measures import RECEIVED, REWORK, STEP, WAITING
    stages = [stage_summary(RECEIVED, RECEIVED, "Received and triaged", 100, 2, 150),
              stage_summary("step:1", STEP, "Inspect the site", 90, 30, 1900, effort_total=2700, effort_median=28,
                            steps=95),
              stage_summary(WAITING, WAITING, "Waiting on the citizen", 30, 80, 900),
              stage_summary(REWORK, REWORK, "Rework after reopening", 4, 60, 160)]
    sentence = describe(stages)
    assert "Waiting on the citizen" not in sentence
    assert sentence.startswith("Citizens wait on the agency longest at Rework after reopening: a median of 2.5 days "
                               "a case (only 4 cases)")
    assert "most waiting adds up at Inspect the site: 1,900 business hours over 90 cases" in sentence
    assert sentence.endswith("Staff spend the most minutes at Inspect the site: 2,700 minutes in all; a median of 28 "
                             "a case.")


def test_every_services_22_stages_keep_readable_labels_on_a_chart_that_grows_sideways():
    from casework.insight.chart import MIN_SLOT, WIDTH, blueprint_chart
    from casework.insight.measures import STEP
    names = [f"{service}: {step}" for service in ("Pothole", "Broken sidewalk", "Streetlight out", "Graffiti",
                                                   "Missed collection", "Bulky item pickup", "Fallen tree or branch")
             for step in ("Inspect the site", "Schedule the repair", "Confirm the repair")][:22]
    stages = [stage_summary(f"step:{n}", STEP, name, 40, 20, 300, effort_total=400, effort_median=10, steps=40)
              for n, name in enumerate(names)]
    chart = blueprint_chart(stages)
    assert chart.width >= MIN_SLOT * 22 > WIDTH
    for drawn, name in zip(chart.stages, names):
        assert " ".join(drawn.label) == name and not any(line.endswith("…") for line in drawn.label), drawn.label
    # two steps called alike say their service
    assert {" ".join(s.label) for s in chart.stages} >= {"Pothole: Inspect the site", "Broken sidewalk: Inspect the site"}


def test_a_share_reads_the_same_on_the_case_page_the_table_and_the_hot_spots():
    """One rounding (half up) for every share shown: 46.9% was 46% in the table and 47% in the hot spots."""
    from core.numbers import whole_percent
    assert [whole_percent(share) for share in (0.469, 0.465, 0.464, 0.125, 1.0)] == ["47%", "47%", "46%", "13%", "100%"]
