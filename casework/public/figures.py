"""The performance page's figures: per service, per district and for everything, over a chosen period.

Every figure comes with the number of cases it rests on and is withheld
(``FEW``) below the agency's minimum, so no figure points at a handful of
people; nothing names or ranks staff or teams. Definitions: docs/measures.md
("Published performance"). Resolved cases are read as ``tallies`` chooses
(exact, or the daily rollup past ``days.EXACT_UP_TO``); arrivals from
``arrival_day``; open requests from the open cases' own index. The result
of a period is kept ``CACHE_SECONDS`` in the process, the measuring job's
interval, so a figure is never older than one run of it.
"""
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import func, select

from casework.clock.agency_time import local_midnight
from casework.clock.calendar_settings import agency_calendar
from casework.insight.voice import MIN_ANSWERS
from casework.models import OPEN, Case
from casework.public import tallies
from casework.public.models import ArrivalDay, min_cases
from core.extensions import db
from intake.models import Service

# a figure resting on fewer cases than the agency's minimum
FEW = "few"
CACHE_SECONDS = 30
# grain -> the arrival_day and case columns that name its scope
ARRIVAL_SCOPES = {"service": ArrivalDay.service_id, "district": ArrivalDay.district_id}


@dataclass
class Row:
    """One line of the page: a service (``scope_id`` its id), a district, or everything (``scope_id`` 0)."""

    scope_id: int
    received: object = FEW
    resolved: object = FEW
    still_open: object = FEW
    median_days: object = None
    p90_days: object = None
    on_time: object = None
    goal: int | None = None
    # CityScore: the on-time share over the goal (1.0: on target)
    ratio: object = None
    reopened: object = None
    satisfied: object = None
    # {channel: share of the requests received}, or FEW
    channels: object = FEW
    # the counts behind them, for the page's "based on" notes and the tests
    counts: dict = field(default_factory=dict)


def shown(value, n, minimum):
    """``value`` where it rests on at least ``minimum`` cases, else ``FEW`` (None stays None: nothing to say)."""
    if n < minimum:
        return FEW
    return value


def share(part, whole):
    return part / whole if whole else None


def row_of(scope_id, tally, arrivals, still_open, goal, minimum, working_day_hours):
    """The ``Row`` of one scope from its resolved ``tally``, ``{channel: received}`` and open count."""
    received = sum(arrivals.values())
    median, p90 = tally.business_hours(0.5, 0.9)
    on_time = share(tally.sla_met, tally.sla_cases)
    row = Row(scope_id=scope_id, goal=goal, counts={
        "received": received, "resolved": tally.cases, "still_open": still_open, "sla_cases": tally.sla_cases,
        "sla_met": tally.sla_met, "reopened": tally.reopened, "rated": tally.rated, "satisfied": tally.satisfied})
    row.received = shown(received, received, minimum)
    row.resolved = shown(tally.cases, tally.cases, minimum)
    row.still_open = shown(still_open, still_open, minimum)
    if tally.cases:
        row.median_days = shown(median / working_day_hours, tally.cases, minimum)
        row.p90_days = shown(p90 / working_day_hours, tally.cases, minimum)
        row.reopened = shown(share(tally.reopened, tally.cases), tally.cases, minimum)
    if on_time is not None:
        row.on_time = shown(on_time, tally.sla_cases, minimum)
        if goal:
            row.ratio = shown(on_time / (goal / 100), tally.sla_cases, minimum)
    if tally.rated:
        row.satisfied = shown(share(tally.satisfied, tally.rated), tally.rated, max(MIN_ANSWERS, minimum))
    if received:
        row.channels = shown({channel: count / received for channel, count in arrivals.items()}, received, minimum)
    return row


@dataclass
class Performance:
    rows: list  # Row per scope, in the page's order
    everything: Row
    minimum: int
    working_day_hours: float
    channels: list  # the channels requests came by in the period, most used first: the channel table's columns


def performance(grain, period, scope_ids):
    """The ``Performance`` of ``scope_ids`` (services' or districts' ids, by ``grain``) over ``period``; cached."""
    key = (str(db.engine.url), grain, period, tuple(scope_ids), min_cases())
    return cached(key, lambda: compute(grain, period, scope_ids))


def compute(grain, period, scope_ids):
    minimum = min_cases()
    working_day_hours = agency_calendar().working_day_hours
    exact = tallies.exact_enough(period)
    by_scope = tallies.read(grain, period, key=lambda scope_id, _day: scope_id, exact=exact)
    # "everything" counts every case, also those of no district
    everything = tallies.total(by_scope.values()) if grain == "service" else \
        tallies.total(tallies.read("all", period, key=lambda _scope, _day: 0, exact=exact).values())
    arrivals, all_arrivals = received_by_channel(grain, period)
    still_open, all_open = open_counts(grain, period)
    goals = dict(db.session.execute(select(Service.id, Service.on_time_goal)).all()) if grain == "service" else {}
    rows = [row_of(scope_id, by_scope.get(scope_id, tallies.Tally()), arrivals.get(scope_id, {}),
                   still_open.get(scope_id, 0), goals.get(scope_id), minimum, working_day_hours)
            for scope_id in scope_ids]
    overall_goal = weighted_goal(by_scope, goals) if grain == "service" else None
    total = row_of(0, everything, all_arrivals, all_open, overall_goal, minimum, working_day_hours)
    channels = [channel for channel, _count in sorted(all_arrivals.items(), key=lambda item: (-item[1], item[0]))]
    return Performance(rows, total, minimum, working_day_hours, channels)


def weighted_goal(by_scope, goals):
    """The services' goals weighted by their cases with a due date: what "everything" is held to."""
    weights = {scope_id: tally.sla_cases for scope_id, tally in by_scope.items() if goals.get(scope_id)}
    if not sum(weights.values()):
        return None
    return round(sum(goals[scope_id] * weight for scope_id, weight in weights.items()) / sum(weights.values()))


def received_by_channel(grain, period):
    """``({scope_id: {channel: received}}, {channel: received in all})`` of requests that arrived in ``period``."""
    column = ARRIVAL_SCOPES[grain]
    by_scope, everything = {}, {}
    for scope_id, channel, received in db.session.execute(
            select(column, ArrivalDay.channel, func.sum(ArrivalDay.received))
            .where(ArrivalDay.received_on >= period.start, ArrivalDay.received_on < period.end)
            .group_by(column, ArrivalDay.channel)):
        by_scope.setdefault(scope_id, {})[channel] = int(received)
        everything[channel] = everything.get(channel, 0) + int(received)
    return by_scope, everything


def open_counts(grain, period):
    """``({scope_id: cases still open}, in all)`` of the requests opened in ``period``, by ``grain``."""
    by_scope, everything = {}, 0
    for (service_id, district_id), count in open_cells(period).items():
        scope_id = service_id if grain == "service" else district_id
        by_scope[scope_id] = by_scope.get(scope_id, 0) + count
        everything += count
    return by_scope, everything


def open_cells(period):
    """``{(service, district or 0): cases still open}`` opened in ``period``: one query for every grain, kept as
    long as the figures are."""
    def count():
        return {(service_id, district_id or 0): n for service_id, district_id, n in db.session.execute(
            select(Case.service_id, Case.district_id, func.count())
            .where(OPEN, Case.opened_at >= local_midnight(period.start), Case.opened_at < local_midnight(period.end))
            .group_by(Case.service_id, Case.district_id))}
    return cached((str(db.engine.url), "open", period), count)


_cache, _lock = {}, threading.Lock()


def cached(key, compute_it):
    """``compute_it()``, or its result from the last ``CACHE_SECONDS`` for ``key``."""
    now = time.monotonic()
    with _lock:
        found = _cache.get(key)
        if found and now - found[0] < CACHE_SECONDS:
            return found[1]
    value = compute_it()
    with _lock:
        if len(_cache) > 256:
            _cache.clear()
        _cache[key] = (now, value)
    return value


def forget():
    """Empty the cache (after a recount, and in tests that change the rows under a page)."""
    with _lock:
        _cache.clear()
