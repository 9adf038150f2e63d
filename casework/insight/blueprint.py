"""The service blueprint of a scope (a service, a queue or a department) over a period, as one value.

``blueprint_of(scope, period)`` puts together the stages, cost, capacity,
the citizens' voice and the hot spots; the page, its print view, the CSV and
the API all render this one value (``as_json``, ``csv_rows``), so they cannot
disagree.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from casework.clock.calendar_settings import agency_calendar
from casework.insight import cost, hot_spots, rollup, spread, stages, voice
from casework.insight.reading import reading_of
from casework.insight.scope import Period, Scope
from core.extensions import db
from core.timeutil import utcnow
from intake.models import Service

DEFAULT_DAYS = 90
HOURS_A_DAY_ALWAYS_OPEN = 24


@dataclass
class Blueprint:
    scope: Scope
    label: str
    service_code: str | None
    period: Period
    cases: int
    stages: list
    cost: cost.Cost
    capacity: list
    voice: voice.Voice
    hot_spots: list
    hours_per_day: float
    pending: int
    made_at: datetime
    # medians and 90th percentiles read off the daily rollup's spreads (within spread.ALPHA), not case by case
    from_rollup: bool = False
    explanation: str = hot_spots.EXPLANATION


def default_period(today):
    """The last ``DEFAULT_DAYS`` days, today included."""
    return Period(today - timedelta(days=DEFAULT_DAYS - 1), today + timedelta(days=1))


def hours_per_day(calendar):
    """The mean opening hours of a day the agency is open: business days are this many business hours."""
    if calendar.always_open or not calendar.hours:
        return HOURS_A_DAY_ALWAYS_OPEN
    lengths = [(datetime.combine(date.min, closes if closes != time(0) else time.max) -
                datetime.combine(date.min, opens)).total_seconds() / 3600 for opens, closes in calendar.hours.values()]
    return round(sum(lengths) / len(lengths), 2)


def blueprint_of(scope, period, now=None, read=reading_of):
    """The blueprint of ``scope``'s cases resolved in ``period``; ``read`` reads them (``insight.reading``: by
    default a large period from the daily rollup, a small one case by case)."""
    calendar = agency_calendar()
    per_day = hours_per_day(calendar)
    reading = read(scope, period)
    found = stages.stage_summaries(reading)
    the_voice = voice.voice_of(reading)
    service = db.session.get(Service, scope.service_id) if scope.service_id else None
    services = reading.service_ids()
    rates = [service.cost_per_minute] if service else [rate for (rate,) in db.session.execute(
        db.select(Service.cost_per_minute).distinct().where(Service.id.in_(services)))]
    return Blueprint(
        scope=scope, label=scope.label(), service_code=service.code if service else None, period=period,
        cases=the_voice.cases, stages=found, cost=cost.cost_of(found, the_voice.cases, rates),
        capacity=cost.team_capacity(reading), voice=the_voice,
        hot_spots=hot_spots.hot_spots(found, per_day), hours_per_day=per_day, pending=rollup.pending_count(),
        made_at=now or utcnow(), from_rollup=reading.from_rollup)


def rounded(value, places=2):
    return None if value is None else round(value, places)


def stage_json(stage):
    return {
        "name": stage.name, "kind": stage.kind, "key": stage.key, "step_type_id": stage.step_type_id,
        "cases": stage.cases, "wait_hours_median": rounded(stage.wait_hours_median),
        "wait_hours_p90": rounded(stage.wait_hours_p90),
        "wait_business_hours_median": rounded(stage.wait_business_hours_median),
        "wait_business_hours_p90": rounded(stage.wait_business_hours_p90),
        "effort_minutes_median": rounded(stage.effort_minutes_median, 1),
        "effort_minutes_p90": rounded(stage.effort_minutes_p90, 1),
        "effort_minutes_total": stage.effort_minutes_total, "standard_minutes": stage.standard_minutes,
        "steps": stage.steps, "handoffs": stage.handoffs, "rated": stage.rated, "hard_share": stage.hard_share,
        "top_reasons": [{"reason": reason, "count": count} for reason, count in stage.top_reasons],
        "cost": stage.cost,
    }


def as_json(found):
    """The blueprint as the API and the JSON export give it."""
    the_voice = found.voice
    return {
        "service": found.service_code, "scope": found.label,
        "from": found.period.start.isoformat(), "to": found.period.end.isoformat(), "cases": found.cases,
        "measured_at": found.made_at.isoformat(), "cases_waiting_to_be_measured": found.pending,
        "business_hours_per_day": found.hours_per_day,
        # "exact", or "within 1%" where a large period is read from the daily rollup
        "quantiles": f"within {spread.ALPHA:.0%}" if found.from_rollup else "exact",
        "stages": [stage_json(stage) for stage in found.stages],
        "cost": {"total": found.cost.total, "per_request": found.cost.per_request, "minutes": found.cost.minutes,
                 "cost_per_minute": found.cost.cost_per_minute,
                 "teams": [{"queue_id": team.queue_id, "name": team.name, "members": team.members,
                            "supplied_minutes": team.supplied_minutes, "used_minutes": team.used_minutes,
                            "contact_minutes": team.contact_minutes,
                            "unused_minutes": team.unused_minutes, "unused_share": team.unused_share}
                           for team in found.capacity]},
        "voice": {"answers": the_voice.answers, "shown": the_voice.shown,
                  "minimum_answers": voice.MIN_ANSWERS, "response_rate": the_voice.response_rate,
                  "fixed_share": the_voice.fixed_share, "items": the_voice.items,
                  "sla_met_share": the_voice.sla_met_share, "reopened_share": the_voice.reopened_share},
        "hot_spots": [{"key": spot.key, "name": spot.name, "score": spot.score, "wait_share": spot.wait_share,
                       "over_standard_share": spot.over_standard_share, "hard_share": spot.hard_share,
                       "sentence": spot.sentence} for spot in found.hot_spots],
        "hot_spot_score": found.explanation,
    }


CSV_COLUMNS = ["name", "kind", "step_type_id", "cases", "wait_hours_median", "wait_hours_p90",
               "wait_business_hours_median", "wait_business_hours_p90", "effort_minutes_median", "effort_minutes_p90",
               "effort_minutes_total", "standard_minutes", "steps", "handoffs", "rated", "hard_share", "top_reasons",
               "cost"]


def csv_rows(found):
    """One row per stage with the JSON's numbers (reasons joined with "; ")."""
    for stage in found.stages:
        row = stage_json(stage)
        row["top_reasons"] = "; ".join(f"{r['reason']} ({r['count']})" for r in row["top_reasons"])
        yield [("" if row[column] is None else row[column]) for column in CSV_COLUMNS]
