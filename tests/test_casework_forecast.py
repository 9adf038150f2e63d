"""The staffing forecast, against numbers worked out by hand."""
from datetime import timedelta

import pytest

from casework.models import Absence, Case, CaseState
from casework.supervision import forecast
from core.extensions import db
from core.timeutil import utcnow
from tests.console_cases import open_cases
from tests.factories import loaded, make_city


def test_the_seasonal_mean_and_its_error_against_same_as_last_week():
    # two weeks, Monday first: the second week is the first plus 2 on Monday
    daily = [10, 8, 6, 6, 4, 1, 1] + [12, 8, 6, 6, 4, 1, 1]
    assert forecast.seasonal_mean(daily, 0) == [11, 8, 6, 6, 4, 1, 1]
    # three weeks: forecast of week 3 from weeks 1-2 is their mean; naive error in-sample is week 2 - week 1
    three = daily + [14, 8, 6, 6, 4, 1, 1]
    # forecast Monday = 11, actual 14: error 3/7 a day; naive: |12 - 10| = 2 over 7 days: 2/7. MASE = 1.5
    assert forecast.mase(three, 0) == 1.5
    assert forecast.mase(daily[:10], 0) is None  # under two weeks: not enough data yet
    assert forecast.percentile([1, 2, 3, 4], 0.5) == 2.5


@pytest.fixture
def queue_history(app):
    """Road repairs: 2 cases opened every day for 8 weeks (all but 10 closed, 4 minutes of effort each)."""
    with app.app_context():
        city = make_city()
        now = utcnow()
        ids = open_cases(city.roads_queue, city.pothole, 112)
        for number, case_id in enumerate(ids):
            case = db.session.get(Case, case_id)
            case.opened_at = now - timedelta(days=56) + timedelta(hours=12 * number + 1)
            if number < 102:
                case.state, case.closed_at = CaseState.RESOLVED, now - timedelta(days=20) + timedelta(hours=4 * number)
                case.spent_minutes = 40
        db.session.add(Absence(staff_id=city.caseworker.id, starts_on=now.date(), ends_on=now.date() + timedelta(days=6)))
        db.session.commit()
        loaded(*vars(city).values())
        return city


def test_a_queue_forecast_worked_out_by_hand(app, queue_history):
    city = queue_history
    with app.app_context():
        [roads] = forecast.forecasts([city.roads_queue.id])
        closed_in_window = db.session.scalar(db.select(db.func.count()).select_from(Case).where(
            Case.closed_at >= utcnow() - timedelta(days=28)))
    assert roads.backlog == 10
    assert roads.volume == pytest.approx(14, abs=0.3)  # two a day
    assert roads.throughput_per_day == round(closed_in_window / 28, 2)
    # Casey, the queue's one member, is away all next week: shrinkage 100% measured
    assert roads.shrinkage_measured == 1.0 and roads.hours_needed is None
    assert roads.minutes_per_case_measured == 40
    with app.app_context():
        [assumed] = forecast.forecasts([city.roads_queue.id], forecast.Assumptions(occupancy=0.8, shrinkage=0.2))
    # 14 cases × 40 min = 560 min = 9.33 h; ÷ 0.8 ÷ 0.8 = 14.6 h
    assert assumed.hours_needed == pytest.approx(14 * 40 / 60 / 0.8 / 0.8, rel=0.03)
    net = assumed.throughput_per_day - assumed.volume / 7
    if net > 0:
        assert assumed.clears_in_days == round(10 / net, 1)
    else:
        assert assumed.grows_per_day == round(-net, 2)
    assert assumed.expected_wait_days == round(10 / assumed.throughput_per_day, 1)
    # the ten open cases were opened over the last five days: median age about two and a half days
    assert 1.5 < assumed.age_p50_days < 3.5 and assumed.age_p90_days > assumed.age_p50_days


def test_the_forecast_page_shows_assumptions_and_refuses_bad_ones(app, client, login_as, queue_history):
    city = queue_history
    login_as(city.supervisor)
    page = client.get("/supervision/forecast?occupancy=80&shrinkage=20")
    assert page.status_code == 200 and "Road repairs" in page.text and "measured 100%" in page.text
    assert "20% used" in page.text and "80% (assumed)" in page.text
    bad = client.get("/supervision/forecast?occupancy=500")
    assert bad.status_code == 400 and "from 10 to 100" in bad.text
