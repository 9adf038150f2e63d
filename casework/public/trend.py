"""A scope's performance week by week (or month by month over longer periods), with its chart.

The same counting as ``figures`` (and the same withholding below the
minimum), per week starting Monday or per calendar month, clipped to the
period. ``trend_chart`` draws received and resolved as paired bars and says
in one sentence what they show.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date, gettext, ngettext
from sqlalchemy import func, select

from casework.clock.calendar_settings import agency_calendar
from casework.public import tallies
from casework.public.figures import ARRIVAL_SCOPES, FEW, cached, shown
from casework.public.models import ArrivalDay, min_cases
from casework.supervision.charts import HEIGHT, LEFT, TOP, WIDTH, BOTTOM, Bar, Chart, nice_top
from core.extensions import db


@dataclass
class Bucket:
    starts_on: date
    received: object
    resolved: object
    on_time: object
    median_days: object
    # unwithheld counts, for the chart's bar heights (bars under the minimum are drawn as zero and say so)
    received_n: int
    resolved_n: int


def bucket_start(day, monthly):
    return day.replace(day=1) if monthly else day - timedelta(days=day.weekday())


def trend(grain, scope_id, choice):
    """``[Bucket]`` of ``grain`` scope ``scope_id`` (None: everything) over ``choice``'s period; cached."""
    key = (str(db.engine.url), "trend", grain, scope_id, choice.period, choice.long, min_cases())
    return cached(key, lambda: compute(grain, scope_id, choice))


def compute(grain, scope_id, choice):
    period, monthly = choice.period, choice.long
    minimum = min_cases()
    hours = agency_calendar().working_day_hours
    starts, day = [], bucket_start(period.start, monthly)
    while day < period.end:
        starts.append(day)
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1) if monthly else day + timedelta(days=7)
    read_grain = grain if scope_id is not None else "all"
    resolved = tallies.read(read_grain, period, scope_id if scope_id is not None else 0,
                            key=lambda _scope, day: bucket_start(day, monthly))
    received = dict.fromkeys(starts, 0)
    query = select(ArrivalDay.received_on, func.sum(ArrivalDay.received)).where(
        ArrivalDay.received_on >= period.start, ArrivalDay.received_on < period.end)
    if scope_id is not None:
        query = query.where(ARRIVAL_SCOPES[grain] == scope_id)
    for day, count in db.session.execute(query.group_by(ArrivalDay.received_on)):
        received[bucket_start(day, monthly)] += int(count)
    buckets = []
    for start in starts:
        tally = resolved.get(start) or tallies.Tally()
        median = tally.business_hours(0.5)[0]
        buckets.append(Bucket(
            starts_on=start, received=shown(received[start], received[start], minimum),
            resolved=shown(tally.cases, tally.cases, minimum),
            on_time=shown(tally.sla_met / tally.sla_cases, tally.sla_cases, minimum) if tally.sla_cases else None,
            median_days=shown(median / hours, tally.cases, minimum) if median is not None else None,
            received_n=received[start], resolved_n=tally.cases))
    return buckets


def bucket_label(bucket, monthly):
    return format_date(bucket.starts_on, "MMM yyyy" if monthly else "d MMM")


def trend_chart(buckets, monthly):
    """Received and resolved as paired bars per week or month; a bar under the minimum is drawn empty."""
    plot_height = HEIGHT - BOTTOM - TOP
    visible = [value for b in buckets for value in (b.received, b.resolved) if value != FEW]
    # at least 4, so the axis's five ticks are whole and distinct
    top = max(4, nice_top(max(visible or [0])))
    slot = (WIDTH - LEFT) / max(len(buckets), 1)
    bar_width = slot * 0.35

    def y_of(value):
        return TOP + plot_height - plot_height * value / top

    bars, labels = [], []
    every = max(1, round(len(buckets) / 8))
    for index, bucket in enumerate(buckets):
        x = LEFT + slot * index + slot * 0.1
        label = bucket_label(bucket, monthly)
        for offset, series, value in ((0, "received", bucket.received), (bar_width, "resolved", bucket.resolved)):
            height = 0 if value == FEW else value
            bars.append(Bar(x + offset, y_of(height), bar_width, TOP + plot_height - y_of(height), value, label,
                            series))
        if index % every == 0:
            labels.append((x + bar_width, label))
    ticks = [(y_of(top * n / 4), round(top * n / 4)) for n in range(5)]
    title = gettext("Requests received and resolved by month") if monthly else \
        gettext("Requests received and resolved by week")
    return Chart(title, describe(buckets, monthly), bars, [], ticks, labels)


def describe(buckets, monthly):
    """One sentence of what the chart shows, with only figures the page may show."""
    received = sum(b.received_n for b in buckets)
    resolved = sum(b.resolved_n for b in buckets)
    minimum = min_cases()
    if received < minimum and resolved < minimum:
        return gettext("Too few requests in this period to show a trend.")
    count = len(buckets)
    span = ngettext("Over %(num)d month", "Over %(num)d months", count) if monthly else \
        ngettext("Over %(num)d week", "Over %(num)d weeks", count)
    busiest = max(buckets, key=lambda b: b.received_n)
    sentence = gettext("%(span)s, %(received)s requests were received and %(resolved)s resolved; the most arrived "
                       "in the %(unit)s of %(label)s.", span=span, received=f"{received:,}", resolved=f"{resolved:,}",
                       unit=gettext("month") if monthly else gettext("week"),
                       label=bucket_label(busiest, monthly))
    if received < minimum or resolved < minimum:
        sentence = gettext("%(span)s, fewer than %(minimum)s requests were received or resolved.", span=span,
                           minimum=minimum)
    return sentence
