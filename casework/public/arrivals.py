"""Requests received per local day, service, area and channel: what the performance page and open data count.

Counted from ``service_request`` (with its case's district once triaged), a
day at a time: the periodic run counts today and yesterday again, so a page
is never more than one run behind; ``recount`` counts every day (after a
history import or any bulk load). A day's rows are replaced in one
transaction, so a reader sees the old count or the new, never half.
"""
from collections import Counter
from datetime import timedelta

from sqlalchemy import delete, func, literal_column, select

from casework.clock.agency_time import local_midnight, today_in_agency
from casework.models import Case
from casework.public.models import ArrivalDay
from core.extensions import db
from core.timeutil import agency_zone
from intake.models import ServiceRequest

# how many days the periodic run counts again: today, and yesterday for requests triaged after midnight
RECENT_DAYS = 2
# days counted in one transaction by ``recount``
RECOUNT_DAYS = 31


def count_recent():
    """Count today's and yesterday's arrivals again (periodic). Commits; returns the rows written."""
    today = today_in_agency()
    written = count_days(today - timedelta(days=RECENT_DAYS - 1), today + timedelta(days=1))
    db.session.commit()
    return written


def first_day():
    """The local day of the first request, or None before any."""
    first = db.session.scalar(select(func.min(ServiceRequest.submitted_at)))
    return None if first is None else first.astimezone(agency_zone()).date()


def days_to_count():
    """How many days ``recount`` counts: from the first request's to today."""
    first = first_day()
    return 0 if first is None else (today_in_agency() - first).days + 1


def recount(progress=None):
    """Count every day from the first request on again. Commits each month of days; returns the rows written.

    ``progress(days_done, days_in_all)`` is called after each.
    """
    start = first_day()
    db.session.execute(delete(ArrivalDay))
    if start is None:
        db.session.commit()
        return 0
    end = today_in_agency() + timedelta(days=1)
    written, day = 0, start
    while day < end:
        until = min(end, day + timedelta(days=RECOUNT_DAYS))
        written += count_days(day, until)
        db.session.commit()
        day = until
        if progress:
            progress((day - start).days, (end - start).days)
    return written


def count_days(start, end):
    """Replace the counts of local days ``start`` .. ``end`` (exclusive) with fresh ones. Does not commit."""
    zone = agency_zone()
    counted = grouped_postgresql(start, end, zone) if db.engine.dialect.name == "postgresql" \
        else grouped_in_python(start, end, zone)
    db.session.execute(delete(ArrivalDay).where(ArrivalDay.received_on >= start, ArrivalDay.received_on < end))
    rows = [{"received_on": day, "service_id": service_id, "district_id": district_id, "channel": channel,
             "received": received} for (day, service_id, district_id, channel), received in counted.items()]
    for index in range(0, len(rows), 5000):
        db.session.execute(db.insert(ArrivalDay), rows[index:index + 5000])
    return len(rows)


def window(start, end, zone):
    return (ServiceRequest.submitted_at >= local_midnight(start, zone),
            ServiceRequest.submitted_at < local_midnight(end, zone))


def grouped_postgresql(start, end, zone):
    """``{(day, service, district, channel): received}``, grouped by the database (a month in well under a
    second at a million requests)."""
    day = func.date(func.timezone(literal_column(f"'{zone.key}'"), ServiceRequest.submitted_at))
    district = func.coalesce(Case.district_id, 0)
    rows = db.session.execute(
        select(day, ServiceRequest.service_id, district, ServiceRequest.channel, func.count())
        .outerjoin(Case, Case.request_id == ServiceRequest.id).where(*window(start, end, zone))
        .group_by(day, ServiceRequest.service_id, district, ServiceRequest.channel))
    return {(row[0], row[1], row[2], row[3]): row[4] for row in rows}


def grouped_in_python(start, end, zone):
    """The same, counted row by row (SQLite, where a trial installation holds few requests)."""
    counted = Counter()
    rows = db.session.execute(
        select(ServiceRequest.submitted_at, ServiceRequest.service_id, Case.district_id, ServiceRequest.channel)
        .outerjoin(Case, Case.request_id == ServiceRequest.id).where(*window(start, end, zone)))
    for submitted_at, service_id, district_id, channel in rows:
        counted[(submitted_at.astimezone(zone).date(), service_id, district_id or 0, channel)] += 1
    return dict(counted)
