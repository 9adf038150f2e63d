"""Who carries what: each caseworker's open work against their capacity for the coming week.

Read in a few grouped queries over open cases (the partial indexes on
``closed_at IS NULL``) and the week's steps, never one query per person.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case as when, func

from casework.clock.agency_time import agency_zone
from casework.clock.agency_time import week_start as agency_week_start
from casework.models import OPEN, Absence, Case, Queue, Step, queue_member
from core.extensions import db
from core.accounts.models import Staff
from core.timeutil import utcnow

WORKING_DAYS = 5
# utilisation past which the board says "overloaded", and under which "has room"
OVERLOADED, ROOM = 1.0, 0.7


@dataclass
class Row:
    staff: Staff
    open_cases: int = 0
    remaining_minutes: int = 0
    capacity_minutes: int = 0
    effort_this_week: int = 0
    overdue: int = 0
    near_breach: int = 0
    oldest_opened_at: datetime | None = None
    queue_names: list = field(default_factory=list)
    absences: list = field(default_factory=list)
    away_today: bool = False

    @property
    def utilisation(self):
        return round(self.remaining_minutes / self.capacity_minutes, 3) if self.capacity_minutes else None

    @property
    def languages(self):
        return self.staff.spoken_languages

    @property
    def standing(self):
        """"overloaded", "room", "away" or "ok": said in words on the board, not by colour alone."""
        if self.away_today or not self.capacity_minutes:
            return "away"
        if self.utilisation > OVERLOADED:
            return "overloaded"
        return "room" if self.utilisation < ROOM else "ok"


def coming_week(today):
    return [today + timedelta(days=n) for n in range(7)]


def week_capacity(staff, absences, today):
    """``staff.capacity_minutes`` less the working days of the coming 7 that they are away."""
    working = [day for day in coming_week(today) if day.weekday() < WORKING_DAYS]
    away = sum(1 for day in working if any(a.starts_on <= day <= a.ends_on for a in absences))
    return round(staff.capacity_minutes * (len(working) - away) / len(working))


def remaining_expression():
    """A case's estimate less the effort already recorded on it, never below 0 (as auto-assignment counts it)."""
    least_nothing = func.greatest if db.engine.dialect.name == "postgresql" else func.max
    return least_nothing(Case.estimated_minutes - Case.spent_minutes, 0)


def team(queue_ids=None):
    """Active staff who work a queue (those of ``queue_ids`` if given), by name."""
    query = db.select(Staff).where(Staff.active, Staff.id.in_(
        db.select(queue_member.c.staff_id).where(queue_member.c.queue_id.in_(queue_ids)) if queue_ids
        else db.select(queue_member.c.staff_id)))
    return db.session.scalars(query.order_by(Staff.name, Staff.id)).all()


def board(queue_ids=None, now=None):
    """One ``Row`` per member of the team (see ``team``), with their open work across every queue they hold."""
    now = now or utcnow()
    today = now.astimezone(agency_zone()).date()
    people = team(queue_ids)
    ids = [person.id for person in people]
    rows = {person.id: Row(person) for person in people}
    if not ids:
        return []
    near = now + timedelta(hours=current_app.config["SLA_NEAR_BREACH_HOURS"])
    for holder, n, remaining, overdue, soon, oldest in db.session.execute(
            db.select(Case.assignee_id, func.count(), func.sum(remaining_expression()),
                      func.sum(when((Case.resolution_due_at < now, 1), else_=0)),
                      func.sum(when((and_(Case.resolution_due_at >= now, Case.resolution_due_at < near), 1), else_=0)),
                      func.min(Case.opened_at))
            .where(OPEN, Case.assignee_id.in_(ids)).group_by(Case.assignee_id)):
        row = rows[holder]
        row.open_cases, row.remaining_minutes = n, int(remaining or 0)
        row.overdue, row.near_breach, row.oldest_opened_at = int(overdue or 0), int(soon or 0), oldest
    week_start = agency_week_start(today)
    for staff_id, minutes in db.session.execute(
            db.select(Step.staff_id, func.sum(Step.effort_minutes))
            .where(Step.staff_id.in_(ids), Step.ended_at >= week_start).group_by(Step.staff_id)):
        rows[staff_id].effort_this_week = int(minutes or 0)
    for staff_id, name in db.session.execute(
            db.select(queue_member.c.staff_id, Queue.name).join(Queue, Queue.id == queue_member.c.queue_id)
            .where(queue_member.c.staff_id.in_(ids)).order_by(Queue.name)):
        rows[staff_id].queue_names.append(name)
    for absence in db.session.scalars(db.select(Absence).where(Absence.staff_id.in_(ids), Absence.ends_on >= today)
                                      .order_by(Absence.starts_on)):
        rows[absence.staff_id].absences.append(absence)
    for row in rows.values():
        row.capacity_minutes = week_capacity(row.staff, row.absences, today)
        row.away_today = any(a.starts_on <= today <= a.ends_on for a in row.absences)
    return [rows[person_id] for person_id in ids]


