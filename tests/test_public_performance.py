"""The public performance page: its figures equal a fresh count of the raw rows, small numbers are withheld, and the
form tells citizens what to expect of the service they choose.

Cases are written as the console would have left them, at times chosen so
each figure can be worked out by hand (the test calendar is open around the
clock, so a working day is 24 hours), then measured by the worker's job.
"""
import re
from datetime import timedelta

import numpy as np
import pytest

from casework.agency_setup import District
from casework.insight.models import ProcessChange
from casework.insight.rollup import measure_pending
from casework.models import Case, CaseState
from casework.public import arrivals, figures, tallies
from casework.public.periods import choose
from core.extensions import db
from core.timeutil import utcnow
from intake.models import Channel, ServiceRequest, TriageState
from intake.survey import Feedback
from tests.conftest import csrf_token_from, sign_out
from tests.insight_cases import history, insight_city

# resolution hours of the twelve potholes resolved in the period; due 72 hours after submission
POTHOLE_HOURS = [24, 30, 36, 40, 48, 50, 60, 70, 80, 96, 120, 150]
DUE_AFTER = 72


@pytest.fixture
def city(app):
    with app.app_context():
        return insight_city()


def the_city_in_the_last_weeks(city, start_days_ago=40):
    """Twelve potholes resolved (ten of them rated), three graffiti reports resolved, four potholes still open.

    Returns ``(now, pothole cases)``.
    """
    now = utcnow()
    start = now - timedelta(days=start_days_ago)
    cases = []
    for index, hours in enumerate(POTHOLE_HOURS):
        channel = "phone" if index % 3 == 0 else "web"
        cases.append(history(city, start + timedelta(days=2 * index), inspect=(2, 10), resolved_after=hours,
                             due_after=DUE_AFTER, channel=channel))
    for index in range(3):
        history(city, start + timedelta(days=index), inspect=(2, 10), resolved_after=10, service=city.graffiti,
                queue=city.parks_queue)
    for index in range(4):
        request = ServiceRequest(service_id=city.pothole.id, description="Pothole", address="2 High Street",
                                 triage_state=TriageState.DONE, submitted_at=now - timedelta(days=3 + index),
                                 channel="web")
        db.session.add_all([request, Case(request=request, service_id=city.pothole.id, queue_id=city.roads_queue.id,
                                          state=CaseState.TRIAGED, opened_at=request.submitted_at)])
    # ten citizens answer the survey: seven agree they are satisfied (4 or 5), three do not
    for case, satisfaction in zip(cases[:10], [5, 4, 4, 5, 4, 4, 5, 2, 3, 1]):
        db.session.add(Feedback(request_id=case.request_id, fixed=True, satisfaction=satisfaction))
    db.session.commit()
    measure_pending()
    arrivals.recount()
    figures.forget()
    return now, cases


def row_of(page, table, scope_id):
    """``{figure: text}`` of one row of a table on the page."""
    body = page.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    row = body.split(f'data-scope="{scope_id}"', 1)[1].split("</tr>", 1)[0]
    return {name: re.sub(r"<[^>]+>", "", text).strip()
            for name, text in re.findall(r'data-figure="(\w+)">(.*?)</td>', row, re.S)}


def test_each_figure_of_a_service_equals_a_fresh_count_of_its_rows(app, client, city):
    with app.app_context():
        the_city_in_the_last_weeks(city)
        pothole_id = city.pothole.id
    page = client.get("/performance?period=90d")
    assert page.status_code == 200
    row = row_of(page.text, "services", pothole_id)
    # worked by hand: 12 + 4 received, 12 resolved, 4 still open
    assert row["received"] == "16"
    assert row["resolved"] == "12"
    with app.app_context():
        # and the same from the raw tables: what the page says is what the rows say
        period = choose("90d", utcnow().date()).period
        fresh_received = db.session.scalar(db.select(db.func.count()).select_from(ServiceRequest).where(
            ServiceRequest.service_id == pothole_id, ServiceRequest.submitted_at >= utcnow() - timedelta(days=89)))
        assert fresh_received == 16
        assert period.days == 90
    assert row["still_open"] == "fewer than 10"  # four: withheld, as any count under the minimum
    hours = np.array(POTHOLE_HOURS, dtype=float)
    assert row["median_days"] == f"{np.median(hours) / 24:.1f}"  # 55 hours: 2.3 working days of 24 hours
    assert row["p90_days"] == f"{np.percentile(hours, 90) / 24:.1f}"
    # resolved by the due date (72 hours): 8 of 12
    assert row["on_time"] == "67%"
    assert row["goal"] == "80%"
    assert row["ratio"] == f"{(8 / 12) / 0.8:.2f}"
    assert row["reopened"] == "0%"
    assert row["satisfied"] == "70%"
    # four of the twelve resolved came by phone, the four open ones and eight others by the web form: in a table of
    # their own, a column per channel, the most used first (as the figures' last column they ran off the page)
    page = page.text
    assert row_of(page, "services-channels", pothole_id) == {"web": "75%", "phone": "25%"}
    channels = page.split('id="services-channels"', 1)[1].split("</thead>", 1)[0]
    assert re.findall(r'<th scope="col">([^<]+)</th>', channels) == ["Service", "Web form", "Phone"]
    assert 'data-figure="channels"' not in page.split('id="services"', 1)[1].split("</table>", 1)[0]


def test_figures_resting_on_fewer_cases_than_the_minimum_are_withheld(app, client, city, login_as):
    with app.app_context():
        the_city_in_the_last_weeks(city)
        graffiti_id = city.graffiti.id
    row = row_of(client.get("/performance?period=90d").text, "services", graffiti_id)
    # three graffiti reports: not one of their figures is shown
    assert set(row.values()) <= {"fewer than 10", "none yet", "80%"}, row
    assert row["resolved"] == "fewer than 10" and row["median_days"] == "fewer than 10"
    assert row_of(client.get("/performance?period=90d").text, "services-channels", graffiti_id) == \
        {"channels": "fewer than 10"}
    # an admin lowers the minimum to 5: still withheld; the page never shows a figure of 3 cases
    login_as(city.admin)
    form = client.get("/admin/publishing/")
    refused = client.post("/admin/publishing/", data={"min_cases": "2", "csrf_token": csrf_token_from(form.text)})
    assert refused.status_code == 400 and "from 5 to 1,000" in refused.text
    assert client.post("/admin/publishing/", data={"min_cases": "abc", "csrf_token": csrf_token_from(form.text)}) \
        .status_code == 400
    assert client.post("/admin/publishing/", data={"min_cases": "5", "csrf_token": csrf_token_from(form.text)}) \
        .status_code == 303
    sign_out(client)
    page = client.get("/performance?period=90d").text
    assert row_of(page, "services", graffiti_id)["resolved"] == "fewer than 5"
    assert row_of(page, "services", city.pothole.id)["still_open"] == "fewer than 5"


def test_figures_per_district_count_only_the_cases_in_it(app, client, city):
    with app.app_context():
        north = District(name="North", postcodes="N1")
        db.session.add(north)
        db.session.commit()
        now = utcnow()
        hours = [20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]
        for index, resolved_after in enumerate(hours):
            case = history(city, now - timedelta(days=20 - index), inspect=(2, 10), resolved_after=resolved_after)
            case.district_id = north.id
        # outside any district: counted for everything, not for the North
        history(city, now - timedelta(days=5), inspect=(2, 10), resolved_after=10)
        db.session.commit()
        measure_pending()
        arrivals.recount()
        figures.forget()
        north_id = north.id
    page = client.get("/performance?period=30d").text
    row = row_of(page, "districts", north_id)
    assert row["resolved"] == "11" and row["received"] == "11"
    assert row["median_days"] == f"{np.median(hours) / 24:.1f}"
    assert 'data-figure="ratio"' not in page.split('id="districts"', 1)[1].split("</table>", 1)[0]
    overall = page.split('id="overall"', 1)[1].split("</dl>", 1)[0]
    assert '<dd data-figure="resolved">12</dd>' in overall


def test_the_rollup_gives_the_figures_the_exact_count_gives(app, city):
    """Past ``days.EXACT_UP_TO`` cases the page reads the rollup: its counts are the same and its quantiles within
    the spread's accuracy."""
    with app.app_context():
        the_city_in_the_last_weeks(city)
        period = choose("90d", utcnow().date()).period
        exact = tallies.total(tallies.read_exact("service", period, city.pothole.id).values())
        rolled = tallies.total(tallies.read_rolled("service", period, city.pothole.id).values())
        assert (exact.cases, exact.sla_cases, exact.sla_met, exact.reopened, exact.rated, exact.satisfied) == \
            (rolled.cases, rolled.sla_cases, rolled.sla_met, rolled.reopened, rolled.rated, rolled.satisfied) == \
            (12, 12, 8, 0, 10, 7)
        for exact_value, rolled_value in zip(exact.business_hours(0.5, 0.9), rolled.business_hours(0.5, 0.9)):
            assert rolled_value == pytest.approx(exact_value, rel=0.02)


def test_the_form_tells_what_to_expect_of_the_chosen_service(app, client, city):
    with app.app_context():
        the_city_in_the_last_weeks(city)
    # the pothole's target is 72 business hours: three working days of 24 hours on the test calendar
    page = client.get("/request?service=pothole").text
    assert "We aim to resolve requests about “Pothole” within 3 working days." in page
    # twelve resolved in 90 days: too few (under 20) to say how long they took lately
    assert "Lately" not in page
    with app.app_context():
        now = utcnow()
        for index in range(8):
            history(city, now - timedelta(days=30 - index), inspect=(2, 10), resolved_after=24)
        measure_pending()
        figures.forget()
        hours = sorted(POTHOLE_HOURS + [24] * 8)
    page = client.get("/request?service=pothole").text
    assert (f"Lately, half of these requests were resolved within {np.median(hours) / 24:.1f} working days (20 "
            "requests in the last 90 days).") in page
    spanish = client.get("/request?service=pothole&lang=es").text
    assert "en 3 días hábiles" in spanish
    # an admin's own wording takes its place, in each language where written
    with app.app_context():
        service = db.session.get(type(city.pothole), city.pothole.id)
        service.public_standard = "We aim to fill potholes within a week."
        service.translations = {"es": {"public_standard": "Tapamos los baches en una semana."}}
        db.session.commit()
    assert "We aim to fill potholes within a week." in client.get("/request?service=pothole&lang=en").text
    assert "Tapamos los baches en una semana." in client.get("/request?service=pothole&lang=es").text


def test_bad_choices_are_refused_in_the_readers_language_and_the_page_is_cached_publicly(app, client, city):
    page = client.get("/performance?period=forever")
    assert page.status_code == 400
    assert "Choose a period from the list" in page.text and page.headers["Cache-Control"] == "no-store"
    spanish = client.get("/performance?period=forever&lang=es")
    assert spanish.status_code == 400 and "Elija un periodo de la lista" in spanish.text
    assert client.get("/performance?trend=no-such-service").status_code == 400
    fine = client.get("/performance?period=30d")
    assert fine.status_code == 200
    assert fine.headers["Cache-Control"] == f"public, max-age={figures.CACHE_SECONDS}"
    assert "Cookie" in fine.headers["Vary"] and "Set-Cookie" not in fine.headers
    # no sign-in, and nothing about staff: no staff member's or team's name on the page
    with app.app_context():
        the_city_in_the_last_weeks(city)
    text = client.get("/performance?period=90d").text
    for name in ("Casey Worker", "Sam Supervisor", "Road repairs", "Parks team"):
        assert name not in text


def test_a_published_change_says_what_it_did_and_an_unpublished_one_stays_internal(app, client, city, login_as):
    with app.app_context():
        now = utcnow()
        made_on = (now - timedelta(days=12)).date()
        # before the change, 96 hours to resolve; after it, 24
        for index in range(12):
            history(city, now - timedelta(days=24, hours=-index), inspect=(2, 10), resolved_after=96)
            history(city, now - timedelta(days=11, hours=-index), inspect=(2, 10), resolved_after=24)
        db.session.add_all([
            ProcessChange(service_id=city.pothole.id, made_on=made_on, title="Crews book repairs on the spot"),
            ProcessChange(service_id=city.pothole.id, made_on=made_on, title="A trial nobody should see")])
        db.session.commit()
        measure_pending()
        published_id = db.session.scalar(db.select(ProcessChange.id).filter_by(title="Crews book repairs on the spot"))
    assert "Crews book repairs on the spot" not in client.get("/performance").text
    login_as(city.supervisor)
    changes = client.get("/insight/changes")
    refused = client.post(f"/insight/changes/{published_id}/publish",
                          data={"published": "maybe", "csrf_token": csrf_token_from(changes.text)})
    assert refused.status_code == 303
    published = client.post(f"/insight/changes/{published_id}/publish",
                            data={"published": "1", "csrf_token": csrf_token_from(changes.text)})
    assert published.status_code == 303
    figures.forget()
    page = client.get("/performance").text
    section = page.split('id="changes"', 1)[1]
    assert "Crews book repairs on the spot" in section
    assert "A trial nobody should see" not in page
    assert "a median of 1.0 days, against 4.0 days before (more than noise)" in section
    with app.app_context():
        from core.audit import AuditEvent

        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)
                                 .filter_by(action="process_change_published")) == 1


def test_arrivals_are_counted_within_a_run_of_the_periodic_job(app, city):
    with app.app_context():
        now = utcnow()
        for channel in (Channel.WEB, Channel.PHONE, Channel.PHONE):
            db.session.add(ServiceRequest(service_id=city.pothole.id, description="Pothole", submitted_at=now,
                                          channel=channel))
        db.session.commit()
        assert arrivals.count_recent() == 2
        counted = dict(db.session.execute(db.select(arrivals.ArrivalDay.channel, arrivals.ArrivalDay.received)).all())
        assert counted == {"web": 1, "phone": 2}
