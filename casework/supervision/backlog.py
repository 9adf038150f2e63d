"""The backlog: open cases by queue, state, priority and age, overdue and near breach; and its 12-week trend.

Two grouped queries over open cases (partial indexes on ``closed_at IS
NULL``) and two range scans over the opening and closing times of the last
twelve weeks; the backlog at each week's end is worked back from today's:
open now, plus what closed since, less what arrived since.
"""
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask import current_app
from marshmallow import Schema, fields, validate
from sqlalchemy import and_, case as when, func

from casework.clock.agency_time import agency_zone
from casework.forms import LARGEST_ID
from casework.models import OPEN, OPEN_STATES, PRIORITY_RANK, Case, Priority, Queue
from core.extensions import db
from core.timeutil import utcnow
from intake.models import Channel, ServiceRequest

WEEKS = 12
AGE_BANDS = (("0-2 days", 0, 3), ("3-7 days", 3, 8), ("8-30 days", 8, 31), ("over 30 days", 31, None))
PRIORITIES = [str(level) for level in Priority]
PRIORITY_OF_RANK = {rank: str(level) for level, rank in PRIORITY_RANK.items()}
STATES = [str(state) for state in OPEN_STATES]


@dataclass
class QueueBacklog:
    queue_id: int
    name: str
    department: str
    open: int = 0
    by_state: dict = field(default_factory=dict)
    by_priority: dict = field(default_factory=dict)
    by_age: dict = field(default_factory=dict)
    overdue: int = 0
    near_breach: int = 0


@dataclass
class Week:
    starts_on: object
    arrivals: int
    closures: int
    backlog_at_end: int


@dataclass
class Backlog:
    queues: list
    weeks: list
    total: QueueBacklog


CHANNELS = [str(channel) for channel in Channel]


def of_channel(query, channel):
    """``query`` (over cases) limited to those whose request came in by ``channel``; all when it is None."""
    if channel is None:
        return query
    return query.join(ServiceRequest, ServiceRequest.id == Case.request_id).where(ServiceRequest.channel == channel)


def chosen_queues(queue_ids=None, department_id=None):
    query = db.select(Queue).order_by(Queue.name)
    if queue_ids:
        query = query.where(Queue.id.in_(queue_ids))
    if department_id:
        query = query.where(Queue.department_id == department_id)
    return db.session.scalars(query).all()


def summary(queue_ids=None, department_id=None, now=None, channel=None):
    """The backlog of the chosen queues (every queue by default) as of ``now``: of the requests that came in by
    ``channel`` only, when one is given."""
    now = now or utcnow()
    queues = chosen_queues(queue_ids, department_id)
    ids = [queue.id for queue in queues]
    rows = {queue.id: QueueBacklog(queue.id, queue.name, queue.department.name,
                                   by_state=dict.fromkeys(STATES, 0), by_priority=dict.fromkeys(PRIORITIES, 0),
                                   by_age={band: 0 for band, _, _ in AGE_BANDS}) for queue in queues}
    near = now + timedelta(hours=current_app.config["SLA_NEAR_BREACH_HOURS"])
    ages = [func.sum(when((and_(Case.opened_at <= now - timedelta(days=low),
                                *([Case.opened_at > now - timedelta(days=high)] if high else [])), 1), else_=0))
            for _, low, high in AGE_BANDS]
    if ids:
        for queue_id, rank, state, n, overdue, soon, *by_age in db.session.execute(of_channel(
                db.select(Case.queue_id, Case.priority_rank, Case.state, func.count(),
                          func.sum(when((Case.resolution_due_at < now, 1), else_=0)),
                          func.sum(when((and_(Case.resolution_due_at >= now, Case.resolution_due_at < near), 1),
                                        else_=0)), *ages)
                .where(OPEN, Case.queue_id.in_(ids)).group_by(Case.queue_id, Case.priority_rank, Case.state),
                channel)):
            # by rank, not name: the open-cases index carries the rank, so the count never reads the table
            priority = PRIORITY_OF_RANK[rank]
            row = rows[queue_id]
            row.open += n
            row.by_state[state] = row.by_state.get(state, 0) + n
            row.by_priority[priority] = row.by_priority.get(priority, 0) + n
            row.overdue += int(overdue or 0)
            row.near_breach += int(soon or 0)
            for (band, _, _), count in zip(AGE_BANDS, by_age):
                row.by_age[band] += int(count or 0)
    total = QueueBacklog(0, "All chosen queues", "", by_state=dict.fromkeys(STATES, 0),
                         by_priority=dict.fromkeys(PRIORITIES, 0), by_age={band: 0 for band, _, _ in AGE_BANDS})
    for row in rows.values():
        total.open += row.open
        total.overdue += row.overdue
        total.near_breach += row.near_breach
        for part in ("by_state", "by_priority", "by_age"):
            for key, value in getattr(row, part).items():
                getattr(total, part)[key] = getattr(total, part).get(key, 0) + value
    return Backlog(list(rows.values()), trend(ids, total.open, now, channel), total)


def week_starts(now):
    """The Mondays (agency time) starting each of the last ``WEEKS`` weeks, this week last."""
    today = now.astimezone(agency_zone()).date()
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=WEEKS - 1 - n) for n in range(WEEKS)]


def counts_by_week(column, queue_ids, starts, channel=None):
    """How many cases of ``queue_ids`` have ``column`` in each week from ``starts`` (and since the last)."""
    zone = agency_zone()
    edges = [datetime.combine(day, time(), zone) for day in starts] + [datetime.max.replace(tzinfo=zone)]
    sums = [func.sum(when((and_(column >= low, column < high), 1), else_=0)) for low, high in zip(edges, edges[1:])]
    found = db.session.execute(of_channel(db.select(*sums).select_from(Case).where(
        column >= edges[0], Case.queue_id.in_(queue_ids)), channel)).one()
    return [int(value or 0) for value in found]


def trend(queue_ids, open_now, now, channel=None):
    """Arrivals, closures and the backlog at each week's end, for the last ``WEEKS`` weeks."""
    starts = week_starts(now)
    if not queue_ids:
        return [Week(day, 0, 0, 0) for day in starts]
    arrivals = counts_by_week(Case.opened_at, queue_ids, starts, channel)
    closures = counts_by_week(Case.closed_at, queue_ids, starts, channel)
    weeks, backlog = [], open_now
    # walk back from now: before this week's arrivals and closures, the backlog was now's, less, plus
    for index in reversed(range(WEEKS)):
        weeks.append(Week(starts[index], arrivals[index], closures[index], backlog))
        backlog = backlog - arrivals[index] + closures[index]
    weeks.reverse()
    return weeks


# -- the API's shapes ---------------------------------------------------------------------------


class BacklogQuery(Schema):
    queue_id = fields.List(fields.Integer(validate=validate.Range(min=1, max=LARGEST_ID)), load_default=list,
                           validate=validate.Length(max=100))
    department_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=LARGEST_ID))
    channel = fields.String(load_default=None, validate=validate.OneOf(CHANNELS),
                            metadata={"description": "Only requests that came in this way (web, phone, ...)"})


class QueueBacklogOut(Schema):
    queue_id = fields.Integer(required=True)
    name = fields.String(required=True)
    department = fields.String(required=True)
    open = fields.Integer(required=True)
    by_state = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    by_priority = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    by_age = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                         metadata={"description": "Open cases by days since they were opened"})
    overdue = fields.Integer(required=True)
    near_breach = fields.Integer(required=True)


class WeekOut(Schema):
    starts_on = fields.Date(required=True, metadata={"description": "The week's Monday, agency time"})
    arrivals = fields.Integer(required=True)
    closures = fields.Integer(required=True)
    backlog_at_end = fields.Integer(required=True, metadata={"description": "Open at the week's end (now, this week)"})


class BacklogOut(Schema):
    queues = fields.List(fields.Nested(QueueBacklogOut), required=True)
    total = fields.Nested(QueueBacklogOut, required=True)
    weeks = fields.List(fields.Nested(WeekOut), required=True)
