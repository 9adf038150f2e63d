"""Finding work: a queue's cases filtered, sorted and paged by keyset; the counts beside them.

Lists read open cases through the partial indexes on ``closed_at IS NULL``
(the predicate is written literally so the planner can use them) and page by
keyset: a page is "the 50 after this row", never an OFFSET, so it costs the
same on page 1 and page 1,000 and does not shift while new cases arrive.
Counts come from ``queue_count`` or from small index-bounded queries.
"""
import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import tuple_
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import joinedload, load_only, raiseload

from casework.clock.agency_time import agency_zone
from casework.models import OPEN, OPEN_STATES, Case, CaseState, Queue, QueueCount
from core.extensions import db
from core.accounts.models import Staff
from core.timeutil import utcnow
from intake.models import Service, ServiceRequest

PAGE_SIZE = 50
# a filtered list says "1,000+" rather than count everything that matches
COUNT_CAP = 1000

SORTS = {
    "due": ("resolution_due_at", "id"),
    "priority": ("priority_rank", "resolution_due_at", "id"),
    "age": ("opened_at", "id"),
}
SORT_LABELS = {"due": "Due soonest", "priority": "Most urgent", "age": "Oldest first"}
DUE_WINDOWS = {"overdue": "Overdue", "today": "Due today", "week": "Due this week"}


class BadCursor(ValueError):
    """A page link that was not made by Tandem, or for another sort."""


@dataclass(frozen=True)
class CaseFilter:
    """What a list shows: ``None`` and empty mean "any"; without states, open cases only."""

    queue_ids: tuple = ()
    states: tuple = ()
    priorities: tuple = ()
    service_id: int | None = None
    # "nobody", a staff id, or None for anyone
    assignee: int | str | None = None
    due: str | None = None
    tag: str | None = None
    language: str | None = None
    district_id: int | None = None
    # how the request came in (web, api, phone, counter, email, field)
    channel: str | None = None
    sort: str = "due"

    def only_open(self):
        return not self.states or set(self.states) <= set(OPEN_STATES)


@dataclass
class CasePage:
    """One page of a list, with the cursors of the pages either side (None at an end)."""

    cases: list
    next_cursor: str | None
    previous_cursor: str | None
    matching: int | None = None
    capped: bool = False
    viewers: dict = field(default_factory=dict)


def due_bounds(window, now):
    """The due-date range ``(after, before)`` of "overdue", "today" or "week", in the agency's days."""
    local = now.astimezone(agency_zone())
    start_of_day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if window == "overdue":
        return None, now
    if window == "today":
        return None, start_of_day + timedelta(days=1)
    # this week: up to the end of Sunday
    return None, start_of_day + timedelta(days=7 - local.weekday())


def filtered(query, case_filter, now=None):
    """``query`` over ``Case`` narrowed by ``case_filter``."""
    if case_filter.only_open():
        query = query.where(OPEN)
    if case_filter.queue_ids:
        query = query.where(Case.queue_id.in_(case_filter.queue_ids))
    if case_filter.states:
        query = query.where(Case.state.in_(case_filter.states))
    if case_filter.priorities:
        query = query.where(Case.priority.in_(case_filter.priorities))
    if case_filter.service_id is not None:
        query = query.where(Case.service_id == case_filter.service_id)
    if case_filter.assignee == "nobody":
        query = query.where(Case.assignee_id.is_(None))
    elif case_filter.assignee is not None:
        query = query.where(Case.assignee_id == case_filter.assignee)
    if case_filter.due:
        _, before = due_bounds(case_filter.due, now or utcnow())
        query = query.where(Case.resolution_due_at < before)
    if case_filter.language:
        query = query.where(Case.language == case_filter.language)
    if case_filter.district_id is not None:
        query = query.where(Case.district_id == case_filter.district_id)
    if case_filter.channel:
        # each candidate case's own request, by its key
        query = query.where(Case.request.has(ServiceRequest.channel == case_filter.channel))
    if case_filter.tag:
        query = query.where(tag_condition(case_filter.tag))
    return query


def tag_condition(tag):
    """Cases carrying ``tag`` (tags are a JSON list of words)."""
    if db.engine.dialect.name == "postgresql":
        return db.cast(Case.tags, JSONB).op("@>")(db.func.jsonb_build_array(tag))
    # SQLite keeps the list as JSON text; a tag is a quoted word in it
    return db.cast(Case.tags, db.String).like(f'%"{tag}"%')


def sort_columns(sort):
    return [getattr(Case, name) for name in SORTS[sort]]


def encode_cursor(case, sort, direction):
    values = []
    for name in SORTS[sort]:
        value = getattr(case, name)
        values.append(value.isoformat() if isinstance(value, datetime) else value)
    raw = json.dumps([sort, direction, values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor, sort):
    """``(direction, values)`` of a cursor made by ``encode_cursor`` for ``sort``; raise ``BadCursor``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        made_for, direction, values = json.loads(raw)
        names = SORTS[sort]
        if made_for != sort or direction not in ("after", "before") or len(values) != len(names):
            raise BadCursor(cursor)
        parsed = []
        for name, value in zip(names, values):
            if name in ("resolution_due_at", "opened_at"):
                parsed.append(datetime.fromisoformat(value))
            elif isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31:
                parsed.append(value)
            else:
                raise BadCursor(cursor)
        return direction, parsed
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError):
        raise BadCursor(cursor) from None


def list_query():
    """Cases with just what a list row shows, in one query."""
    return db.select(Case).options(
        load_only(Case.id, Case.request_id, Case.queue_id, Case.assignee_id, Case.state, Case.priority,
                  Case.priority_rank, Case.opened_at, Case.resolution_due_at, Case.sla_paused_at, Case.service_id,
                  Case.tags, Case.version),
        joinedload(Case.request).load_only(ServiceRequest.id, ServiceRequest.reference, ServiceRequest.address),
        joinedload(Case.service).load_only(Service.id, Service.name),
        joinedload(Case.assignee).load_only(Staff.id, Staff.name),
        raiseload("*"),
    )


def case_page(case_filter, cursor=None, size=PAGE_SIZE):
    """The page of ``size`` cases ``case_filter`` selects after (or before) ``cursor``. Raises ``BadCursor``."""
    columns = sort_columns(case_filter.sort)
    query = filtered(list_query(), case_filter)
    direction = "after"
    if cursor:
        direction, values = decode_cursor(cursor, case_filter.sort)
        key = tuple_(*columns)
        query = query.where(key > tuple_(*values) if direction == "after" else key < tuple_(*values))
    order = columns if direction == "after" else [column.desc() for column in columns]
    rows = db.session.scalars(query.order_by(*order).limit(size + 1)).all()
    more = len(rows) > size
    rows = rows[:size]
    if direction == "before":
        rows.reverse()
    if not rows:
        return CasePage([], None, None)
    has_next = more if direction == "after" else True
    has_previous = bool(cursor) if direction == "after" else more
    return CasePage(
        cases=rows,
        next_cursor=encode_cursor(rows[-1], case_filter.sort, "after") if has_next else None,
        previous_cursor=encode_cursor(rows[0], case_filter.sort, "before") if has_previous else None,
    )


def capped_count(case_filter):
    """``(n, capped)``: how many cases match, counting no further than ``COUNT_CAP``."""
    matching = filtered(db.select(Case.id), case_filter).limit(COUNT_CAP + 1).subquery()
    n = db.session.scalar(db.select(db.func.count()).select_from(matching))
    return min(n, COUNT_CAP), n > COUNT_CAP


def open_counts(queue_ids):
    """``{queue_id: {state: n}}`` of open cases, from the maintained counters."""
    counts = {queue_id: dict.fromkeys(OPEN_STATES, 0) for queue_id in queue_ids}
    if not queue_ids:
        return counts
    rows = db.session.execute(
        db.select(QueueCount.queue_id, QueueCount.state, db.func.sum(QueueCount.n))
        .where(QueueCount.queue_id.in_(queue_ids), QueueCount.state.in_(OPEN_STATES))
        .group_by(QueueCount.queue_id, QueueCount.state)
    )
    for queue_id, state, n in rows:
        counts[queue_id][CaseState(state)] = int(n)
    return counts


def unassigned_counts(queue_ids):
    """``{queue_id: n}`` of open unassigned cases (waiting on the citizen left out), from the counters."""
    rows = db.session.execute(
        db.select(QueueCount.queue_id, db.func.sum(QueueCount.n))
        .where(QueueCount.queue_id.in_(queue_ids), QueueCount.assignee_id == 0,
               QueueCount.state.in_([state for state in OPEN_STATES if state != CaseState.WAITING_ON_CITIZEN]))
        .group_by(QueueCount.queue_id)
    ) if queue_ids else []
    return {queue_id: int(n) for queue_id, n in rows}


def my_open_count(staff_id):
    """How many open cases ``staff_id`` holds, from the counters."""
    return int(db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(QueueCount.n), 0))
        .where(QueueCount.assignee_id == staff_id, QueueCount.state.in_(OPEN_STATES))
    ))


def clock_counts(queue_ids, now=None):
    """``{queue_id: (overdue, near breach)}``: read from the open-case due-date index up to the warning line."""
    if not queue_ids:
        return {}
    now = now or utcnow()
    near = now + timedelta(hours=current_app.config.get("SLA_NEAR_BREACH_HOURS", 4))
    overdue = db.func.sum(db.case((Case.resolution_due_at < now, 1), else_=0))
    rows = db.session.execute(
        db.select(Case.queue_id, overdue, db.func.count())
        .where(OPEN, Case.queue_id.in_(queue_ids), Case.resolution_due_at < near,
               Case.state != CaseState.WAITING_ON_CITIZEN)
        .group_by(Case.queue_id)
    )
    found = {queue_id: (int(late or 0), int(total) - int(late or 0)) for queue_id, late, total in rows}
    return {queue_id: found.get(queue_id, (0, 0)) for queue_id in queue_ids}


def oldest_open(queue_ids):
    """``{queue_id: opened_at of its oldest open case or None}``, one index probe per queue in one query."""
    if not queue_ids:
        return {}
    oldest = (
        db.select(db.func.min(Case.opened_at)).where(OPEN, Case.queue_id == Queue.id)
        .correlate(Queue).scalar_subquery()
    )
    return dict(db.session.execute(db.select(Queue.id, oldest).where(Queue.id.in_(queue_ids))).all())


@dataclass(frozen=True)
class QueueSummary:
    """A queue as the home page shows it."""

    queue: Queue
    by_state: dict
    unassigned: int
    overdue: int
    near_breach: int
    oldest_opened_at: datetime | None

    @property
    def open_total(self):
        return sum(self.by_state.values())


def queue_summaries(queues, now=None):
    """A ``QueueSummary`` per queue: a fixed handful of queries whatever the number of queues or cases."""
    ids = [queue.id for queue in queues]
    counts, unassigned = open_counts(ids), unassigned_counts(ids)
    clocks, oldest = clock_counts(ids, now), oldest_open(ids)
    return [QueueSummary(queue, counts[queue.id], unassigned.get(queue.id, 0), *clocks[queue.id], oldest[queue.id])
            for queue in queues]


@dataclass(frozen=True)
class MyWork:
    """The caseworker's own open cases, grouped by how urgent their due date is."""

    groups: list
    total: int
    shown: int


def my_work(staff, now=None, limit=PAGE_SIZE):
    """The open cases ``staff`` holds, soonest due first, grouped: overdue, due today, near breach, later."""
    now = now or utcnow()
    rows = db.session.scalars(
        list_query().where(OPEN, Case.assignee_id == staff.id)
        .order_by(Case.resolution_due_at, Case.id).limit(limit)
    ).all()
    _, end_of_today = due_bounds("today", now)
    near = now + timedelta(hours=current_app.config.get("SLA_NEAR_BREACH_HOURS", 4))
    labels = ("Overdue", "Due today", "Near breach", "Later")
    grouped = {label: [] for label in labels}
    for case in rows:
        due = case.resolution_due_at
        if due < now:
            grouped["Overdue"].append(case)
        elif due < end_of_today:
            grouped["Due today"].append(case)
        elif due < near:
            grouped["Near breach"].append(case)
        else:
            grouped["Later"].append(case)
    return MyWork(groups=[(label, grouped[label]) for label in labels if grouped[label]],
                  total=my_open_count(staff.id), shown=len(rows))
