"""The backlog and its trend: the numbers are right, and the chart, table, CSV and API all show the same ones."""
import csv
import io
import re
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.models import Case, CaseState
from casework.supervision import backlog, charts
from core.extensions import db
from core.timeutil import utcnow
from tests.api_calls import Caller, token_of
from tests.console_cases import open_cases
from tests.factories import loaded, make_city


@pytest.fixture
def history(app):
    """Roads: 6 open cases (1 overdue, 1 urgent, 1 to 100 days old), 3 closed a week ago; parks: 2 open."""
    with app.app_context():
        city = make_city()
        now = utcnow()
        ids = open_cases(city.roads_queue, city.pothole, 6, start=now - timedelta(hours=2), spacing=timedelta(days=1))
        ages = [1, 1, 5, 10, 40, 100]
        for case_id, days in zip(ids, ages):
            db.session.get(Case, case_id).opened_at = now - timedelta(days=days)
        db.session.get(Case, ids[0]).priority = "urgent"
        closed = open_cases(city.roads_queue, city.pothole, 3)
        for case_id in closed:
            case = db.session.get(Case, case_id)
            case.opened_at = now - timedelta(days=9)
            case.state = CaseState.RESOLVED
            case.closed_at = now - timedelta(days=7)
        open_cases(city.parks_queue, city.graffiti, 2)
        db.session.commit()
        loaded(*vars(city).values())
        return city, ids


def test_the_backlog_counts_by_queue_state_priority_age_and_due(app, history):
    city, ids = history
    with app.app_context():
        found = backlog.summary([city.roads_queue.id])
    [roads] = found.queues
    assert roads.open == 6 and roads.by_priority["urgent"] == 1 and roads.by_state["triaged"] == 6
    assert roads.by_age == {"0-2 days": 2, "3-7 days": 1, "8-30 days": 1, "over 30 days": 2}
    assert roads.overdue == 1  # due two hours ago; the next, in 22 hours, is neither overdue nor near
    assert found.weeks[-1].backlog_at_end == 6
    assert sum(week.arrivals for week in found.weeks) == 6 + 3 - 1  # the 100-day-old one arrived before the 12 weeks
    assert sum(week.closures for week in found.weeks) == 3


def test_the_chart_the_table_the_csv_and_the_api_show_the_same_numbers(app, client, login_as, history):
    city, ids = history
    login_as(city.supervisor)
    page = client.get("/supervision/backlog").text
    bars = [int(value) for value in re.findall(r'class="chart-bar chart-arrivals" data-value="(\d+)"', page)]
    closed = [int(value) for value in re.findall(r'class="chart-bar chart-closures" data-value="(\d+)"', page)]
    points = [int(value) for value in re.findall(r'class="chart-point" data-value="(\d+)"', page)]
    weeks_table = re.search(r'<table id="weeks">(.*?)</table>', page, re.S).group(1)
    rows = [[int(cell) for cell in re.findall(r"<td>(\d+)</td>", row)] for row in re.findall(r'<tr><th scope="row">.*?</tr>', weeks_table)]
    assert [row[0] for row in rows] == bars and [row[1] for row in rows] == closed and [row[2] for row in rows] == points
    download = client.get("/supervision/backlog.csv?table=weeks")
    assert download.mimetype == "text/csv"
    csv_rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [int(row["arrivals"]) for row in csv_rows] == bars
    assert [int(row["backlog_at_end"]) for row in csv_rows] == points
    with app.app_context():
        api = Caller(client, token_of(city.supervisor, write=False))
    weeks = api.get("/api/v1/backlog").get_json()["weeks"]
    assert [week["arrivals"] for week in weeks] == bars and [week["backlog_at_end"] for week in weeks] == points
    by_queue = list(csv.DictReader(io.StringIO(client.get("/supervision/backlog.csv").text)))
    assert {row["queue"]: int(row["open"]) for row in by_queue}["Road repairs"] == 6
    assert 'role="img"' in page and "<title id=\"trend-title\">" in page and "growing" in page


def test_the_backlog_filters_by_department(app, client, login_as, history):
    city, ids = history
    login_as(city.supervisor)
    page = client.get(f"/supervision/backlog?department_id={city.parks.id}").text
    table = re.search(r'<table id="queues">(.*?)</table>', page, re.S).group(1)
    assert "Parks team" in table and "Road repairs" not in table


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 200), st.integers(0, 200), st.integers(0, 400)), min_size=1, max_size=12))
def test_the_chart_draws_every_number_it_is_given(values):
    from datetime import date

    weeks = [backlog.Week(date(2026, 1, 5) + timedelta(weeks=n), arrivals, closures, level)
             for n, (arrivals, closures, level) in enumerate(values)]
    chart = charts.trend_chart(weeks)
    assert [bar.value for bar in chart.bars if bar.series == "arrivals"] == [w.arrivals for w in weeks]
    assert [value for _, _, value, _ in chart.line] == [w.backlog_at_end for w in weeks]
    top = chart.ticks[-1][1]
    assert top >= max(max(a, c, level) for a, c, level in values)
    # bars stand on the axis and taller values draw taller bars
    assert all(bar.height >= 0 and abs(bar.y + bar.height - (chart.height - 36)) < 0.01 for bar in chart.bars)


def test_the_backlog_and_the_forecast_read_by_channel(app, client, login_as, history):
    """Two of the six open road cases were phoned in, one closed one came at the counter: read by channel,
    the supervisor sees those alone, on the backlog page, its API and the forecast."""
    from intake.models import ServiceRequest

    city, ids = history
    with app.app_context():
        for case_id, channel in ((ids[0], "phone"), (ids[4], "phone")):
            db.session.get(Case, case_id).request.channel = channel
        closed = db.session.scalar(db.select(Case.id).where(Case.closed_at.is_not(None)))
        db.session.get(Case, closed).request.channel = "counter"
        db.session.commit()
        by_phone = backlog.summary([city.roads_queue.id], channel="phone")
        assert db.session.scalar(db.select(db.func.count(ServiceRequest.id)).filter_by(channel="phone")) == 2
    [roads] = by_phone.queues
    assert (roads.open, roads.overdue, roads.by_priority["urgent"]) == (2, 1, 1)
    assert roads.by_age == {"0-2 days": 1, "3-7 days": 0, "8-30 days": 0, "over 30 days": 1}
    login_as(city.supervisor)
    page = client.get("/supervision/backlog", query_string={"channel": "phone"}).text
    assert "2 open cases" in page and '<option value="phone" selected>' in page
    counter = client.get("/supervision/backlog", query_string={"channel": "counter"}).text
    assert "0 open cases" in counter
    forecast = client.get("/supervision/forecast", query_string={"channel": "phone"}).text
    roads_part = forecast.split("<h2>Road repairs</h2>")[1].split("<h2>")[0]
    assert re.search(r"<dt>Open now</dt><dd>2</dd>", roads_part)
    refused = client.get("/supervision/forecast", query_string={"channel": "pigeon"})
    assert refused.status_code == 400 and "Choose how the requests came in from the list" in refused.text
    with app.app_context():
        agent = Caller(client, token_of(city.supervisor))
    api = agent.get("/api/v1/backlog", query_string={"channel": "phone", "queue_id": city.roads_queue.id})
    assert api.status_code == 200 and api.json["total"]["open"] == 2
    assert agent.get("/api/v1/backlog", query_string={"channel": "pigeon"}).status_code == 422
