"""Continuous improvement: a marked process change shows before and after; the staff pulse is kept without the person."""
import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect as schema_of

from casework.insight import compare, reading
from casework.insight.models import ProcessChange, PulseAnswer, PulseTurn
from casework.insight.pulse import fortnight_of
from casework.insight.rollup import measure_pending
from core.extensions import db
from core.models import AuditEvent
from tests.conftest import csrf_token_from
from tests.factories import make_staff
from tests.insight_cases import history, insight_city

UTC = ZoneInfo("UTC")
CHANGE_DAY = date(2026, 10, 1)


@pytest.fixture
def city(app):
    with app.app_context():
        city = insight_city()
        return city


def cases_around_the_change(city, before=30, after=30):
    """Before 1 October inspections were hard and cases took about three days; after, about one, and easy."""
    rng = random.Random(7)
    for number in range(before):
        submitted = datetime(2026, 9, 1, 9, tzinfo=UTC) + timedelta(hours=20 * number)
        history(city, submitted, inspect=(5, 40), resolved_after=rng.uniform(60, 84), friction=5,
                reason="missing_information")
    for number in range(after):
        submitted = datetime(2026, 10, 1, 9, tzinfo=UTC) + timedelta(hours=20 * number)
        history(city, submitted, inspect=(5, 20), resolved_after=rng.uniform(18, 30), friction=2)


def mark(city, made_on=CHANGE_DAY):
    change = ProcessChange(service_id=city.pothole.id, made_on=made_on, title="Photo made required")
    db.session.add(change)
    db.session.commit()
    return change


def test_a_change_that_worked_shows_as_better_beyond_noise(app, city):
    with app.app_context():
        cases_around_the_change(city)
        measure_pending()
        found = compare.compare(mark(city), today=date(2026, 11, 30))
    # 61 days since the change: 61 days either side
    assert (found.before.start, found.after.end) == (date(2026, 8, 1), date(2026, 12, 1))
    overall = {d.measure: d for d in found.differences}
    resolution = overall["Time to resolution"]
    assert resolution.n_before == 30 and resolution.n_after == 30
    assert resolution.before > 2.5 and resolution.after < 1.3 and resolution.p_value < 0.001
    assert resolution.verdict == "better"
    inspect = dict(found.stages)["Inspect the site"]
    minutes, hard = inspect[1], inspect[2]
    assert (minutes.before, minutes.after, minutes.verdict) == (40, 20, "better")
    assert (hard.before, hard.after, hard.verdict) == (1.0, 0.0, "better")
    # nobody answered the survey on either side
    assert overall["Citizens satisfied (agree or strongly agree)"].verdict == "not enough data yet"


def test_a_large_side_is_read_from_the_rollup_and_comes_to_the_same_verdicts(app, city):
    """The same comparison through both readings of each side: case by case, and from the daily rollup's spreads."""
    with app.app_context():
        cases_around_the_change(city)
        measure_pending()
        change = mark(city)
        whole = compare.compare(change, today=date(2026, 11, 30), read=reading.CaseByCase)
        rolled = compare.compare(change, today=date(2026, 11, 30), read=reading.from_rollup)
    for exact, estimated in zip(whole.differences, rolled.differences):
        assert (estimated.n_before, estimated.n_after) == (exact.n_before, exact.n_after)
        for side in ("before", "after"):
            value = getattr(exact, side)
            # (shown to 0.01 day; no survey answers: None either way)
            assert getattr(estimated, side) == (None if value is None else pytest.approx(value, rel=0.01, abs=0.015))
        assert estimated.verdict == exact.verdict
    assert [d.verdict for d in whole.differences[:3]] == ["better", "better", "better"]
    inspect_whole, inspect_rolled = dict(whole.stages)["Inspect the site"], dict(rolled.stages)["Inspect the site"]
    assert [d.verdict for d in inspect_rolled] == [d.verdict for d in inspect_whole]
    assert [d.before for d in inspect_rolled] == pytest.approx([d.before for d in inspect_whole], rel=0.01)


def test_too_few_cases_or_no_difference_is_said_plainly(app, city):
    with app.app_context():
        cases_around_the_change(city, before=6, after=30)
        measure_pending()
        found = compare.compare(mark(city), today=date(2026, 11, 30))
        assert {d.measure: d for d in found.differences}["Time to resolution"].verdict == "not enough data yet"
        same = compare.share_difference("Reopened", 3, 30, 3, 30)
        assert same.verdict == "no clear change (within noise)" and same.p_value == 1.0


def test_a_supervisor_marks_a_change_and_the_blueprint_compares_either_side(app, client, login_as, city):
    with app.app_context():
        cases_around_the_change(city)
        measure_pending()
    login_as(city.supervisor)
    page = client.get("/insight/changes")
    refused = client.post("/insight/changes", data={"csrf_token": csrf_token_from(page.text), "service": "pothole",
                                                    "made_on": "1 Oct", "title": "x"})
    assert refused.status_code == 400
    assert "Enter the day as YYYY-MM-DD" in refused.text and "Name the change in 3 to 120 characters" in refused.text
    assert 'value="1 Oct"' in refused.text  # what was typed stays
    marked = client.post("/insight/changes", data={"csrf_token": csrf_token_from(page.text), "service": "pothole",
                                                   "made_on": "2026-10-01", "title": "Photo made required"})
    assert marked.status_code == 303
    blueprint = client.get("/insight/blueprint", query_string={"service": "pothole"})
    assert "Before and after: Photo made required" in blueprint.text
    assert 'data-measure="Time to resolution"' in blueprint.text and 'data-verdict="better"' in blueprint.text
    with app.app_context():
        change = db.session.scalar(db.select(ProcessChange))
        assert db.session.scalar(db.select(AuditEvent).filter_by(action="process_change_marked")).actor_id == \
            city.supervisor.id
    removed = client.post(f"/insight/changes/{change.id}/remove",
                          data={"csrf_token": csrf_token_from(client.get("/insight/changes").text)})
    assert removed.status_code == 303
    assert "No process change is marked" in client.get("/insight/blueprint", query_string={"service": "pothole"}).text


def answer(client, **fields):
    page = client.get("/insight/pulse/answer")
    return client.post("/insight/pulse/answer", data={"csrf_token": csrf_token_from(page.text), **fields})


def test_the_pulse_is_offered_once_a_fortnight_and_kept_without_the_person(app, client, login_as, city):
    login_as(city.caseworker)
    assert "Answer the pulse" in client.get("/console/").text
    missing = answer(client, queue_id=str(city.roads_queue.id), manageable="2")
    assert missing.status_code == 400 and "Choose an answer to \u201cHow much did the tools help" in missing.text
    foreign = answer(client, queue_id=str(city.parks_queue.id), manageable="2", tools_help="3")
    assert foreign.status_code == 400 and "Choose one of your teams" in foreign.text
    sent = answer(client, queue_id=str(city.roads_queue.id), manageable="2", tools_help="3", comment="Too many calls")
    assert sent.status_code == 303
    assert "Answer the pulse" not in client.get("/console/").text
    assert "You have had this fortnight's turn" in client.get("/insight/pulse/answer").text
    with app.app_context():
        columns = {column["name"] for column in schema_of(db.engine).get_columns("pulse_answer")}
        assert columns == {"id", "queue_id", "fortnight", "manageable", "tools_help", "comment"}
        (kept,) = db.session.scalars(db.select(PulseAnswer)).all()
        assert (kept.queue_id, kept.manageable, kept.tools_help) == (city.roads_queue.id, 2, 3)
        assert db.session.scalar(db.select(db.func.count()).select_from(PulseTurn)) == 1


def test_a_team_is_shown_from_five_answers_never_per_person(app, client, login_as, city):
    with app.app_context():
        fortnight = fortnight_of(date.today())
        earlier = fortnight - timedelta(weeks=2)
        for manageable in (4, 4, 5, 2):  # four this fortnight: not shown
            db.session.add(PulseAnswer(queue_id=city.roads_queue.id, fortnight=fortnight, manageable=manageable,
                                       tools_help=3))
        for manageable in (1, 2, 2, 4, 3):  # five the fortnight before: shown
            db.session.add(PulseAnswer(queue_id=city.roads_queue.id, fortnight=earlier, manageable=manageable,
                                       tools_help=4, comment="Forms are slow" if manageable == 1 else None))
        db.session.commit()
    login_as(city.supervisor)
    page = client.get("/insight/pulse")
    assert "Fewer than 5 answers: not shown" in page.text
    assert "20%" in page.text and "2.4" in page.text  # one of five agrees; mean 2.4
    assert "Forms are slow" in page.text
    with app.app_context():
        db.session.add(PulseAnswer(queue_id=city.roads_queue.id, fortnight=fortnight, manageable=5, tools_help=3))
        db.session.commit()
    page = client.get("/insight/pulse")
    # now both fortnights show: 4 of 5 agree against 1 of 5
    assert "Finding the workload manageable: 20% in the fortnight of" in page.text and "80% in that of" in page.text


def test_someone_who_works_no_queue_is_not_asked(app, client, login_as, city):
    with app.app_context():
        loner = make_staff("Lee Loner", email="lee@example.org")
    login_as(loner)
    assert "Answer the pulse" not in client.get("/console/").text


def test_all_teams_together_never_gives_away_a_hidden_team(app, client, login_as, city):
    with app.app_context():
        fortnight = fortnight_of(date.today())
        for queue, answers in ((city.roads_queue, (4, 4, 4, 4, 4)), (city.parks_queue, (1, 1))):
            for manageable in answers:
                db.session.add(PulseAnswer(queue_id=queue.id, fortnight=fortnight, manageable=manageable,
                                           tools_help=3))
        db.session.commit()
        from casework.insight import pulse

        teams = pulse.summary(date.today())
        # roads (5) is shown; parks (2) is not, so all seven together must not be: 7 - 5 would give parks away
        assert [row.shown for row in teams["Road repairs"]] == [True]
        assert [row.shown for row in teams["Parks team"]] == [False]
        assert [(row.answers, row.shown) for row in teams[pulse.ALL_TEAMS]] == [(7, False)]
    login_as(city.supervisor)
    page = client.get("/insight/pulse").text
    # seven answers, hidden for another reason than "fewer than 5": the page says which
    assert "it would give away a team of fewer than 5 answers" in page
    with app.app_context():
        for manageable in (2, 2, 2):
            db.session.add(PulseAnswer(queue_id=city.parks_queue.id, fortnight=fortnight, manageable=manageable,
                                       tools_help=3))
        db.session.commit()
        together = pulse.summary(date.today())[pulse.ALL_TEAMS][0]
        assert (together.answers, together.shown, together.manageable_agree) == (10, True, 0.5)
