"""The daily rollup says what the measured cases say: every scope's blueprint read from it matches the one read
case by case, it follows reopened cases, two workers measuring at once lose nothing, and a rebuild agrees."""
import random
import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from casework.console import case_actions
from casework.insight import blueprint, days, reading, spread
from casework.insight.models import StageRollup
from casework.insight.rollup import measure_pending
from casework.insight.scope import Period, Scope
from casework.models import Case
from core.extensions import db
from intake.models import ServiceRequest
from intake.survey import Feedback, record_feedback
from tests.insight_cases import history, insight_city

UTC = ZoneInfo("UTC")
START = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
PERIOD = Period(date(2026, 10, 1), date(2026, 12, 1))


@pytest.fixture
def city(app):
    with app.app_context():
        return insight_city()


def varied_history(city, count=40, seed=5):
    """Potholes in two queues and graffiti in the parks: steps or none, friction with reasons, survey answers."""
    rng = random.Random(seed)
    for number in range(count):
        submitted = START + timedelta(hours=17 * number + rng.uniform(0, 5))
        kind = number % 4
        if kind == 3:
            case = history(city, submitted, resolved_after=rng.uniform(2, 90), service=city.graffiti,
                           queue=city.parks_queue)
        else:
            case = history(city, submitted, inspect=(rng.uniform(1.5, 20), rng.randint(5, 200)),
                           schedule=(rng.uniform(21, 40), rng.randint(3, 30)) if kind else None,
                           resolved_after=rng.uniform(41, 140), due_after=rng.choice([48, 96]),
                           friction=rng.randint(1, 5), reason=rng.choice(["missing_information", "tool_too_slow"]),
                           queue=city.urgent_queue if kind == 2 else None)
        if number % 3 == 0:
            db.session.add(Feedback(request_id=case.request_id, fixed=number % 2 == 0,
                                    satisfaction=rng.randint(1, 5), trust=rng.randint(1, 5)))
    db.session.commit()


def near(estimated, exact, places):
    """Medians and percentiles within the spread's 1% (and the rounding of what is shown)."""
    if exact is None:
        return estimated is None
    return estimated == pytest.approx(exact, rel=spread.ALPHA, abs=1.5 * 10 ** -places)


QUANTILES = {"wait_hours_median": 2, "wait_hours_p90": 2, "wait_business_hours_median": 2,
             "wait_business_hours_p90": 2, "effort_minutes_median": 1, "effort_minutes_p90": 1}


def assert_same_blueprint(rolled, exact):
    assert rolled["quantiles"] == "within 1%" and exact["quantiles"] == "exact"
    for stage_rolled, stage_exact in zip(rolled["stages"], exact["stages"], strict=True):
        for name, value in stage_exact.items():
            if name in QUANTILES:
                assert near(stage_rolled[name], value, QUANTILES[name]), (stage_exact["name"], name)
            else:
                assert stage_rolled[name] == (pytest.approx(value) if isinstance(value, float) else value), \
                    (stage_exact["name"], name)
    for name in ("cases", "cost", "voice"):
        assert rolled[name] == exact[name], name
    # hot spots rank on sums, not on medians: the same
    assert [spot["key"] for spot in rolled["hot_spots"]] == [spot["key"] for spot in exact["hot_spots"]]


@pytest.mark.parametrize("scope_of, voice_shown", [
    # the road repairs queue holds half the potholes, whose 7 survey answers are under the 10 the voice needs
    (lambda city: Scope(service_id=city.pothole.id), True), (lambda city: Scope(queue_id=city.roads_queue.id), False),
    (lambda city: Scope(department_id=city.roads.id), True), (lambda city: Scope(), True)],
    ids=["service", "queue", "department", "every service"])
def test_a_large_period_reads_the_same_blueprint_from_the_rollup_as_case_by_case(app, city, scope_of, voice_shown):
    """The same blueprint through both readings of one period: case by case, and from the daily rollup."""
    with app.app_context():
        varied_history(city)
        measure_pending()
        scope = scope_of(city)
        made_exactly = blueprint.blueprint_of(scope, PERIOD, read=reading.CaseByCase)
        made = blueprint.blueprint_of(scope, PERIOD, read=reading.from_rollup)
        assert made.from_rollup and not made_exactly.from_rollup
        exact, rolled = blueprint.as_json(made_exactly), blueprint.as_json(made)
    assert exact["cases"] >= 10 and len(exact["stages"]) >= 4
    assert_same_blueprint(rolled, exact)
    assert rolled["voice"]["shown"] is voice_shown


def cells():
    """The rollup as comparable values: cell -> (sums, counters, decoded spreads)."""
    found = {}
    for row in db.session.scalars(db.select(StageRollup)):
        found[(row.grain, row.scope_id, row.resolved_on, row.key)] = (
            [getattr(row, name) for name in days.SUMS if name not in ("wait_hours", "wait_business_hours")],
            [round(row.wait_hours, 6), round(row.wait_business_hours, 6)],
            [dict(getattr(row, name)) for name in days.COUNTERS],
            [spread.merge([getattr(row, name)], scale).tolist() for name, scale in days.SPREADS.items()])
    return found


def test_the_rollup_follows_a_case_reopened_and_resolved_again_and_a_rebuild_agrees(app, city):
    with app.app_context():
        from tests.console_cases import open_cases

        varied_history(city, count=12)
        measure_pending()
        before = blueprint.blueprint_of(Scope(service_id=city.pothole.id), PERIOD, read=reading.from_rollup)
        (case_id,) = open_cases(city.roads_queue, city.pothole, 1, assignee=city.caseworker)
        worker = db.session.get(type(city.caseworker), city.caseworker.id)
        case_actions.record_step(db.session.get(Case, case_id), worker, 25, city.inspect_id, "Looked at it")
        case_actions.resolve_case(db.session.get(Case, case_id), worker, "Filled.", 5)
        measure_pending()
        today = Period(date.today() - timedelta(days=1), date.today() + timedelta(days=2))
        assert blueprint.blueprint_of(Scope(service_id=city.pothole.id), today, read=reading.from_rollup).cases == 1
        case_actions.reopen_case(db.session.get(Case, case_id), worker, "Not filled properly")
        measure_pending()
        # reopened: gone from the rollup, whose other days did not move
        assert days.rolled(Scope(service_id=city.pothole.id), today).cases == 0
        assert blueprint.blueprint_of(Scope(service_id=city.pothole.id), PERIOD,
                                      read=reading.from_rollup).stages == before.stages
        case_actions.resolve_case(db.session.get(Case, case_id), worker, "Filled again.", 30)
        measure_pending()
        found = blueprint.as_json(blueprint.blueprint_of(Scope(service_id=city.pothole.id), today,
                                                         read=reading.from_rollup))
        assert found["cases"] == 1
        assert {s["kind"]: s["effort_minutes_median"] for s in found["stages"]}["rework"] == 30
        kept = cells()
        assert days.rebuild() == db.session.scalar(db.select(db.func.count()).select_from(
            db.text("case_measure")))
        assert cells() == kept


def test_two_workers_measuring_the_same_days_at_once_lose_nothing(app, city):
    with app.app_context():
        for number in range(300):
            history(city, START + timedelta(minutes=7 * number), inspect=(2, 10 + number % 40), resolved_after=30)
        errors = []

        def worker():
            with app.app_context():
                try:
                    while measure_pending(batch=20, run_seconds=0):
                        pass
                except Exception as error:  # (reported below: a deadlock would be one)
                    errors.append(error)
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors
        rolled = days.rolled(Scope(service_id=city.pothole.id), PERIOD)
        assert rolled.cases == 300
        assert rolled.totals["step:%d" % city.inspect_id]["effort_minutes"] == sum(10 + n % 40 for n in range(300))
        kept = cells()
        days.rebuild()
        assert cells() == kept


def test_a_survey_answer_given_after_the_case_was_measured_reaches_the_voice(app, city):
    with app.app_context():
        varied_history(city, count=24)  # 8 of them answered before measuring
        measure_pending()
        scope = Scope(service_id=city.pothole.id)
        assert blueprint.blueprint_of(scope, PERIOD, read=reading.from_rollup).voice.answers == 6
        unanswered = db.session.scalars(db.select(ServiceRequest).where(
            ServiceRequest.service_id == city.pothole.id, ~ServiceRequest.id.in_(db.select(Feedback.request_id)))
            .order_by(ServiceRequest.id)).all()
        for service_request in unanswered[:6]:
            record_feedback(service_request, 1, {"fixed": True, "satisfaction": 5, "trust": 4})
        assert measure_pending() == 6  # measured again for their answers
        voice = blueprint.blueprint_of(scope, PERIOD, read=reading.from_rollup).voice
        exact = blueprint.blueprint_of(scope, PERIOD, read=reading.CaseByCase).voice
    assert voice.answers == 12 and voice.shown and voice == exact
    assert voice.items["satisfaction"]["n"] == 12


def test_the_pages_read_a_period_from_the_rollup_only_past_the_exact_limit(app, city, monkeypatch):
    """``reading_of`` is the one place that chooses: case by case up to ``days.EXACT_UP_TO`` cases, then the rollup."""
    with app.app_context():
        varied_history(city, count=12)
        measure_pending()
        scope = Scope(service_id=city.pothole.id)
        assert isinstance(reading.reading_of(scope, PERIOD), reading.CaseByCase)
        monkeypatch.setattr(days, "EXACT_UP_TO", days.rolled(scope, PERIOD).cases - 1)
        assert isinstance(reading.reading_of(scope, PERIOD), reading.FromRollup)
        assert blueprint.blueprint_of(scope, PERIOD).from_rollup
