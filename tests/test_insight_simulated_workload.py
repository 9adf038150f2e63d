"""A simulated city with known truth: eight weeks of requests shaped like public 311 data run through the real
intake, triage and console services, the clock moved by time-machine; the blueprint must recover each stage's
true median wait and minutes within 5%, and the backlog it reports must follow Little's law.

The generator draws every duration itself (log-normal waits and handling minutes, weekday arrival peaks, a
few types with different volumes and targets), so the truth is known without the blueprint's own code.
"""
import random
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from casework.console import case_actions, citizen_input
from casework.insight import days
from casework.insight.models import CaseMeasure
from casework.insight.rollup import measure_pending
from casework.models import Case, StepType
from casework.supervision import backlog
from casework.triage.engine import triage
from core.extensions import db
from core.accounts.models import Staff
from intake.models import Service
from intake.services import submit_request
from tests.factories import loaded, make_city

UTC = timezone.utc
END = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)  # a Friday evening
WEEKS = 8
# (code, share of arrivals, [(step type, standard minutes, median wait hours before it ends, median minutes)])
TYPES = [
    ("pothole", 0.5, [("Inspect the site", 20, 20.0, 25.0), ("Schedule the repair", 10, 30.0, 12.0)]),
    ("graffiti", 0.3, [("Clean it off", 30, 40.0, 45.0)]),
    ("missed_bin", 0.2, [("Book the pickup", 10, 6.0, 8.0)]),
]
WEEKDAY_WEIGHTS = [22, 19, 16, 15, 14, 7, 7]
ARRIVALS_A_DAY = 3.0


@dataclass
class Truth:
    """What the generator decided, stage by stage: {(service, stage name): [hours]} and minutes."""

    waits: dict = field(default_factory=dict)
    minutes: dict = field(default_factory=dict)
    # (opened, resolved) of every case, for the backlog at any moment
    spans: list = field(default_factory=list)

    def add(self, service, stage, hours, minutes=None):
        self.waits.setdefault((service, stage), []).append(hours)
        if minutes is not None:
            self.minutes.setdefault((service, stage), []).append(minutes)

    def open_at(self, moment):
        return sum(1 for opened, resolved in self.spans if opened <= moment < resolved)


def arrivals(rng):
    """Submission moments over ``WEEKS`` weeks before END, busier on Mondays and in working hours."""
    start = END - timedelta(weeks=WEEKS)
    moments = []
    for day in range(WEEKS * 7):
        date = start + timedelta(days=day)
        mean = ARRIVALS_A_DAY * 7 * WEEKDAY_WEIGHTS[date.weekday()] / sum(WEEKDAY_WEIGHTS)
        for _ in range(poisson(rng, mean)):
            moments.append(date.replace(hour=0) + timedelta(hours=rng.uniform(7, 20)))
    return sorted(moments)


def poisson(rng, mean):
    count, threshold, product = 0, pow(2.718281828459045, -mean), rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


def lognormal(rng, median, sigma=0.6):
    return median * rng.lognormvariate(0, sigma)


@pytest.fixture
def city(app):
    with app.app_context():
        city = make_city()
        roads = db.session.merge(city.roads)
        db.session.add(Service(code="missed_bin", name="Missed bin", group="Waste", department=roads,
                               resolution_hours=48))
        db.session.flush()
        for code, _share, steps in TYPES:
            service = db.session.scalar(db.select(Service).filter_by(code=code))
            db.session.execute(db.delete(StepType).where(StepType.service_id == service.id))
            for position, (name, standard, _wait, _minutes) in enumerate(steps, start=1):
                db.session.add(StepType(service=service, name=name, position=position, standard_minutes=standard))
        db.session.commit()
        loaded(city.caseworker, city.supervisor)
        return city


def at(moment):
    return time_machine.travel(moment, tick=False)


def simulate(city, seed=311):
    """Run every request of the generated city through the real services; return the truth."""
    rng = random.Random(seed)
    truth = Truth()
    worker = db.session.get(Staff, city.caseworker.id)
    step_ids = {code: db.session.scalars(db.select(StepType.id).join(Service).filter(Service.code == code)
                                         .order_by(StepType.position)).all() for code, _s, _t in TYPES}
    for number, submitted in enumerate(arrivals(rng)):
        code, _share, steps = rng.choices(TYPES, [share for _c, share, _s in TYPES])[0]
        with at(submitted):
            request, _created = submit_request({"service_code": code, "description": f"Report {number}",
                                                "address": f"{number} High Street",
                                                "contact_email": f"c{number}@example.org"})
        triaged = submitted + timedelta(minutes=rng.uniform(0.5, 5))
        with at(triaged):
            case_id = triage(request.id).id
        moment = triaged + timedelta(hours=lognormal(rng, 3.0))
        if moment >= END:
            continue
        with at(moment):
            case_actions.reply_to_citizen(db.session.get(Case, case_id), worker, "We are on it.", 2)
        first_response = moment
        pieces = [("Received and triaged", (triaged - submitted).total_seconds() / 3600, None),
                  ("First response", (first_response - triaged).total_seconds() / 3600, None)]
        waited = 0.0
        for index, (name, _standard, wait_hours, median_minutes) in enumerate(steps):
            gap = lognormal(rng, wait_hours)
            if index == 0 and rng.random() < 0.2:
                # the crew asks the citizen something on the way; the clock of this stage stops meanwhile
                asked = moment + timedelta(hours=gap / 2)
                answered = asked + timedelta(hours=lognormal(rng, 10.0))
                if answered >= END:
                    break
                with at(asked):
                    case_actions.request_information(db.session.get(Case, case_id), worker, "Which side?", 1)
                with at(answered):
                    citizen_input.record_citizen_answer(request.id, "The north side.")
                waited = (answered - asked).total_seconds() / 3600
                gap += waited
            minutes = max(1, min(480, round(lognormal(rng, median_minutes, 0.5))))
            moment += timedelta(hours=gap)
            if moment >= END:
                break
            with at(moment):
                case_actions.record_step(db.session.get(Case, case_id), worker, minutes, step_ids[code][index])
            pieces.append((name, gap - waited, minutes))
            waited = 0.0
        else:
            resolved = moment + timedelta(hours=lognormal(rng, 2.0))
            if resolved >= END:
                continue
            with at(resolved):
                case_actions.resolve_case(db.session.get(Case, case_id), worker, "Done.", 5)
            for name, hours, minutes in pieces:
                truth.add(code, name, hours, minutes)
            truth.add(code, "Resolution", (resolved - moment).total_seconds() / 3600)
            truth.spans.append((triaged, resolved))
            continue
        truth.spans.append((triaged, END + timedelta(days=365)))
    return truth


def recovered(client, truth, quantiles):
    """Check every stage's median wait and minutes against the generator's own; return how many were checked."""
    checked = 0
    for code, _share, _steps in TYPES:
        found = client.get("/insight/blueprint.json", query_string={
            "service": code, "from": (END - timedelta(weeks=WEEKS + 1)).date().isoformat(),
            "to": (END + timedelta(days=1)).date().isoformat()}).json
        assert found["quantiles"] == quantiles
        stages = {stage["name"]: stage for stage in found["stages"]}
        for (service, name), hours in truth.waits.items():
            if service != code:
                continue
            true_median = statistics.median(hours)
            assert stages[name]["wait_hours_median"] == pytest.approx(true_median, rel=0.05, abs=0.01), \
                (code, name)
            checked += 1
        for (service, name), minutes in truth.minutes.items():
            if service == code:
                assert stages[name]["effort_minutes_median"] == pytest.approx(statistics.median(minutes), rel=0.05)
                checked += 1
    return checked


def test_the_blueprint_recovers_the_truth_of_a_simulated_city(app, client, login_as, city, monkeypatch):
    with app.app_context():
        truth = simulate(city)
        with at(END):
            measure_pending()
    with at(END + timedelta(minutes=1)):
        login_as(city.supervisor)
        assert recovered(client, truth, "exact") >= 12
        # and as a city a hundred times larger would read it: from the daily rollup
        monkeypatch.setattr(days, "EXACT_UP_TO", 0)
        assert recovered(client, truth, "within 1%") >= 12
        monkeypatch.undo()

    # Little's law: the backlog the supervisor sees is the open cases at each week's end, and over the weeks the
    # average open (hour by hour) is the arrival rate it reports times the mean time a case is open it measured
    with app.app_context(), at(END):
        weeks = backlog.summary().weeks
        week_ends = [datetime.combine(week.starts_on + timedelta(days=7), datetime.min.time(), UTC) for week in weeks]
        settled = [(week, end) for week, end in zip(weeks, week_ends) if END - timedelta(weeks=WEEKS - 1) < end <= END]
        window = (settled[0][1] - timedelta(days=7), settled[-1][1])
        days_open = db.session.scalar(db.select(db.func.avg(CaseMeasure.wait_hours)).where(
            CaseMeasure.resolved_at >= window[0], CaseMeasure.resolved_at < window[1])) / 24
    for week, end in settled:
        assert week.backlog_at_end == truth.open_at(end), week.starts_on
    arrival_rate = sum(week.arrivals for week, _end in settled) / (7 * len(settled))
    hours = int((window[1] - window[0]).total_seconds() // 3600)
    average_open = statistics.mean(truth.open_at(window[0] + timedelta(hours=h)) for h in range(hours))
    assert average_open == pytest.approx(arrival_rate * days_open, rel=0.15)


def test_a_done_idea_is_told_what_it_did_once_the_simulated_city_has_run_past_it(app, city):
    """An idea from a step rated hard, supported by two colleagues and answered "done" by the supervisor becomes a
    process change; once the simulated city has run past it, the team and the author are told its measured
    effect, once."""
    from casework.ideas import loop, proposals
    from casework.insight.models import ProcessChange
    from notifications.models import Notification
    from tests.factories import make_staff

    start = END - timedelta(weeks=WEEKS)
    with app.app_context():
        queue = db.session.merge(city.roads_queue)
        mates = [make_staff(name, queues=[queue]) for name in ("Dana Mate", "Eli Mate")]
        author, supervisor = db.session.get(Staff, city.caseworker.id), db.session.get(Staff, city.supervisor.id)
        inspect = db.session.scalar(db.select(StepType.id).filter_by(name="Inspect the site"))
        with at(start):
            idea = proposals.propose(author, {"queue_id": queue.id, "service": "", "step_type_id": inspect,
                                              "hurts": "Addresses are vague", "change": "Ask for a landmark",
                                              "helps": "both", "anonymous": False})
            for mate in mates:
                assert proposals.support(db.session.get(Staff, mate.id), idea)
            proposals.answer(supervisor, idea, "done", "The form asks for a landmark from today")
        change = db.session.get(ProcessChange, idea.process_change_id)
        change.made_on = (END - timedelta(days=27)).date()  # the city runs four weeks either side of it
        db.session.commit()
        with at(start + timedelta(hours=1)):
            assert loop.tell_effects() == 0  # nothing resolved after it yet
        simulate(city)
        with at(END):
            measure_pending()
            assert loop.tell_effects() == 1
            assert loop.tell_effects() == 0
        told = db.session.scalars(db.select(Notification).filter_by(template="idea_effect")).all()
        members = {member.email for member in db.session.merge(city.roads_queue).members}
        assert {message.recipient for message in told} == members | {city.caseworker.email}
        effects = told[0].payload["effects"]
        assert "Citizen wait to resolution: " in effects and ("more than noise" in effects or "within noise" in effects)
