"""Next week per queue: arrivals forecast by weekday, whether the backlog clears, and the staff hours it needs.

- **Arrivals**: the seasonal mean, each weekday's average over the last
  ``HISTORY_WEEKS`` weeks. Its error is shown as MASE: the forecast's mean
  absolute error on the last week (forecast from the weeks before it) over
  the in-sample error of the seasonal-naive forecast ("same as last week").
  Under 1 beats "same as last week".
- **Throughput**: closures a day over the last four weeks. The backlog clears
  at ``backlog / (throughput - arrivals a day)`` days if that is positive,
  else it grows by the difference each day.
- **Hours needed**: forecast volume × minutes per case ÷ occupancy ÷ (1 -
  shrinkage). Minutes per case is measured (the effort of cases closed in the
  history window); shrinkage is measured from absences (staff-days away over
  staff-days, in the coming week); occupancy is an assumption. Each measured
  value can be overridden on the page, and both are shown.
- **Little's law**: expected wait = backlog ÷ throughput, beside the measured
  median and 90th percentile age of the open cases.
"""
import math
import statistics
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, literal

from casework.clock.agency_time import agency_zone
from casework.models import OPEN, Absence, Case, Queue, queue_member
from casework.supervision.backlog import of_channel
from core.extensions import db
from core.timeutil import utcnow

HISTORY_WEEKS = 8
THROUGHPUT_DAYS = 28
DEFAULT_OCCUPANCY = 0.85
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass
class Assumptions:
    occupancy: float = DEFAULT_OCCUPANCY
    shrinkage: float | None = None  # None: use the measured value
    minutes_per_case: float | None = None


@dataclass
class QueueForecast:
    queue_id: int
    name: str
    daily: list  # arrivals per day, oldest first, HISTORY_WEEKS * 7 of them
    next_week: list  # forecast arrivals Monday..Sunday
    mase: float | None
    throughput_per_day: float
    backlog: int
    clears_in_days: float | None
    grows_per_day: float | None
    minutes_per_case_measured: float | None
    minutes_per_case_used: float | None
    shrinkage_measured: float
    shrinkage_used: float
    occupancy: float
    hours_needed: float | None
    expected_wait_days: float | None
    age_p50_days: float | None
    age_p90_days: float | None
    # the members' capacity next week (absences off), each person's shared equally among the queues they work
    hours_available: float | None = None

    @property
    def volume(self):
        return sum(self.next_week)

    def clears_on(self, today):
        return today + timedelta(days=math.ceil(self.clears_in_days)) if self.clears_in_days is not None else None


def seasonal_mean(daily, start_weekday):
    """Each weekday's mean over ``daily`` (which starts on ``start_weekday``), Monday first."""
    by_weekday = [[] for _ in range(7)]
    for offset, count in enumerate(daily):
        by_weekday[(start_weekday + offset) % 7].append(count)
    return [statistics.fmean(values) if values else 0.0 for values in by_weekday]


def mase(daily, start_weekday):
    """MASE of the seasonal mean on the last week, forecast from the weeks before; None without two weeks."""
    if len(daily) < 14:
        return None
    train, test = daily[:-7], daily[-7:]
    forecast = seasonal_mean(train, start_weekday)
    test_start = (start_weekday + len(train)) % 7
    error = statistics.fmean(abs(test[n] - forecast[(test_start + n) % 7]) for n in range(7))
    naive = [abs(train[n] - train[n - 7]) for n in range(7, len(train))]
    scale = statistics.fmean(naive) if naive else 0
    if not scale:
        return None if error else 0.0
    return round(error / scale, 2)


def day_column():
    """A case's opening day in the agency's time zone, as SQL."""
    if db.engine.dialect.name == "postgresql":
        # the zone written into the SQL (it is the agency's setting, a valid zone name), so the SELECT
        # and the GROUP BY are the very same expression
        return func.date(func.timezone(literal(str(agency_zone()), literal_execute=True), Case.opened_at))
    return func.date(Case.opened_at)


def arrivals_by_day(queue_ids, first_day, days, channel=None):
    """``{queue_id: [count per day]}`` from ``first_day`` for ``days`` days."""
    zone = agency_zone()
    start = datetime.combine(first_day, time(), zone)
    found = {queue_id: [0] * days for queue_id in queue_ids}
    for queue_id, day, n in db.session.execute(of_channel(
            db.select(Case.queue_id, day_column(), func.count())
            .where(Case.opened_at >= start, Case.opened_at < start + timedelta(days=days),
                   Case.queue_id.in_(queue_ids)).group_by(Case.queue_id, day_column()), channel)):
        day = day if not isinstance(day, str) else datetime.strptime(day, "%Y-%m-%d").date()
        offset = (day - first_day).days
        if 0 <= offset < days:
            found[queue_id][offset] += n
    return found


def closures(queue_ids, since, channel=None):
    return dict(db.session.execute(of_channel(db.select(Case.queue_id, func.count()).where(
        Case.closed_at >= since, Case.queue_id.in_(queue_ids)).group_by(Case.queue_id), channel)).all())


def minutes_per_closed_case(queue_ids, since, channel=None):
    """The mean effort of cases closed since ``since``, by queue (None where none closed)."""
    return {queue_id: float(minutes) for queue_id, minutes in db.session.execute(of_channel(
        db.select(Case.queue_id, func.avg(Case.spent_minutes)).where(
            Case.closed_at >= since, Case.queue_id.in_(queue_ids)).group_by(Case.queue_id), channel))
        if minutes is not None}


def open_ages(queue_ids, now, channel=None):
    """``{queue_id: (backlog, p50 days, p90 days)}`` of open cases."""
    result = {queue_id: (0, None, None) for queue_id in queue_ids}
    if db.engine.dialect.name == "postgresql":
        age = func.extract("epoch", now - Case.opened_at) / 86400
        for queue_id, n, p50, p90 in db.session.execute(of_channel(
                db.select(Case.queue_id, func.count(), func.percentile_cont(0.5).within_group(age),
                          func.percentile_cont(0.9).within_group(age))
                .where(OPEN, Case.queue_id.in_(queue_ids)).group_by(Case.queue_id), channel)):
            result[queue_id] = (n, round(float(p50), 1), round(float(p90), 1))
        return result
    ages = {}
    for queue_id, opened in db.session.execute(of_channel(db.select(Case.queue_id, Case.opened_at).where(
            OPEN, Case.queue_id.in_(queue_ids)), channel)):
        ages.setdefault(queue_id, []).append((now - opened).total_seconds() / 86400)
    for queue_id, values in ages.items():
        values.sort()
        result[queue_id] = (len(values), round(percentile(values, 0.5), 1), round(percentile(values, 0.9), 1))
    return result


def percentile(ordered, share):
    """Linear-interpolated percentile of sorted ``ordered`` (as PostgreSQL's percentile_cont)."""
    if not ordered:
        return None
    position = share * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def measured_shrinkage(queue_id, today):
    """Staff-days away over staff-days, for the queue's members on the coming week's working days."""
    members = db.session.scalars(db.select(queue_member.c.staff_id).where(queue_member.c.queue_id == queue_id)).all()
    days = [today + timedelta(days=n) for n in range(7) if (today + timedelta(days=n)).weekday() < 5]
    if not members or not days:
        return 0.0
    away = db.session.scalars(db.select(Absence).where(Absence.staff_id.in_(members), Absence.ends_on >= today,
                                                       Absence.starts_on <= days[-1])).all()
    away_days = sum(1 for staff_id in members for day in days
                    if any(a.staff_id == staff_id and a.starts_on <= day <= a.ends_on for a in away))
    return round(away_days / (len(members) * len(days)), 3)


def forecasts(queue_ids=None, assumptions=None, now=None, channel=None):
    """A ``QueueForecast`` for each chosen queue (every queue by default); of the requests that came in by
    ``channel`` only, when one is given (the hours available stay the whole team's)."""
    assumptions = assumptions or Assumptions()
    now = now or utcnow()
    today = now.astimezone(agency_zone()).date()
    queues = db.session.scalars(db.select(Queue).where(Queue.id.in_(queue_ids)) if queue_ids
                                else db.select(Queue)).all()
    queues = sorted(queues, key=lambda queue: queue.name)
    ids = [queue.id for queue in queues]
    if not ids:
        return []
    days = HISTORY_WEEKS * 7
    first_day = today - timedelta(days=days)
    daily = arrivals_by_day(ids, first_day, days, channel)
    closed = closures(ids, now - timedelta(days=THROUGHPUT_DAYS), channel)
    effort = minutes_per_closed_case(ids, now - timedelta(days=days), channel)
    ages = open_ages(ids, now, channel)
    available = hours_available(ids, now)
    result = []
    for queue in queues:
        counts = daily[queue.id]
        means = seasonal_mean(counts, first_day.weekday())
        throughput = closed.get(queue.id, 0) / THROUGHPUT_DAYS
        arrivals_a_day = sum(means) / 7
        backlog, p50, p90 = ages[queue.id]
        net = throughput - arrivals_a_day
        measured_minutes = effort.get(queue.id)
        minutes = assumptions.minutes_per_case if assumptions.minutes_per_case is not None else measured_minutes
        shrink_measured = measured_shrinkage(queue.id, today)
        shrink = assumptions.shrinkage if assumptions.shrinkage is not None else shrink_measured
        hours = (sum(means) * minutes / 60 / assumptions.occupancy / (1 - shrink)
                 if minutes is not None and assumptions.occupancy > 0 and shrink < 1 else None)
        result.append(QueueForecast(
            queue.id, queue.name, counts, [round(value, 1) for value in means], mase(counts, first_day.weekday()),
            round(throughput, 2), backlog,
            clears_in_days=round(backlog / net, 1) if net > 0 else None,
            grows_per_day=(round(-net, 2) or 0.0) if net <= 0 else None,
            minutes_per_case_measured=round(measured_minutes, 1) if measured_minutes is not None else None,
            minutes_per_case_used=round(minutes, 1) if minutes is not None else None,
            shrinkage_measured=shrink_measured, shrinkage_used=shrink, occupancy=assumptions.occupancy,
            hours_needed=round(hours, 1) if hours is not None else None,
            expected_wait_days=round(backlog / throughput, 1) if throughput else None,
            age_p50_days=p50, age_p90_days=p90, hours_available=available.get(queue.id)))
    return result


def hours_available(queue_ids, now):
    """Staff hours each queue has next week: every member's capacity (absences off) split among their queues."""
    from casework.supervision.workload import board

    names = {queue.name: queue.id for queue in db.session.scalars(db.select(Queue).where(Queue.id.in_(queue_ids)))}
    minutes = {queue_id: 0.0 for queue_id in queue_ids}
    for row in board(queue_ids, now=now):
        if not row.queue_names:
            continue
        share = row.capacity_minutes / len(row.queue_names)
        for name in row.queue_names:
            if name in names:
                minutes[names[name]] += share
    return {queue_id: round(total / 60, 1) for queue_id, total in minutes.items()}
