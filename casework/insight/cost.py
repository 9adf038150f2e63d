"""What the work costs, by time-driven activity-based costing, and the capacity the teams did not use.

TDABC (Kaplan and Anderson): the cost of a stage is its measured minutes times
the cost of a staff minute (``Service.cost_per_minute``). Capacity supplied in
a period is each team member's weekly capacity spread over the agency's
working days, less the days they were away; used is the effort they recorded
in the period, on any case, and their minutes on contacts at the desk (calls
that took a request and those answered on the spot alike).
"""
from dataclasses import dataclass
from datetime import timedelta, timezone

from sqlalchemy import func, select

from casework.clock.agency_time import local_midnight
from casework.clock.calendar_settings import agency_calendar
from casework.desk.models import Contact
from casework.models import Absence, Queue, Step, queue_member
from core.extensions import db
from core.accounts.models import Staff

WORKING_DAYS_A_WEEK = 5
UTC = timezone.utc


@dataclass
class Cost:
    total: float
    per_request: float | None
    minutes: int
    cost_per_minute: float | None  # None where the scope spans services of different costs


@dataclass
class TeamCapacity:
    queue_id: int
    name: str
    members: int
    supplied_minutes: int
    used_minutes: int
    # of the minutes used, those spent on contacts at the desk
    contact_minutes: int = 0

    @property
    def unused_minutes(self):
        return max(0, self.supplied_minutes - self.used_minutes)

    @property
    def overrun_minutes(self):
        """Minutes logged beyond the capacity set for the team's members (capacities set too low, or overtime)."""
        return max(0, self.used_minutes - self.supplied_minutes)

    @property
    def unused_share(self):
        return round(self.unused_minutes / self.supplied_minutes, 3) if self.supplied_minutes else None


def cost_of(stages, cases, rates):
    """The scope's cost from its ``stages`` (``StageSummary``), over ``cases``; ``rates``: the services' costs."""
    total = round(sum(stage.cost for stage in stages), 2)
    minutes = sum(stage.effort_minutes_total for stage in stages)
    return Cost(total=total, per_request=round(total / cases, 2) if cases else None, minutes=minutes,
                cost_per_minute=rates[0] if len(set(rates)) == 1 else None)


def working_days(period, calendar):
    """The days of ``period`` the agency is open (every day but weekends where it keeps no hours)."""
    days, day = [], period.start
    while day < period.end:
        if calendar.always_open and day.weekday() < WORKING_DAYS_A_WEEK or \
                not calendar.always_open and calendar.opening_on(day) is not None:
            days.append(day)
        day += timedelta(days=1)
    return days


def team_capacity(reading):
    """``[TeamCapacity]`` of the queues whose cases a ``reading`` (``insight.reading``) reads, by name."""
    queue_ids, period = reading.queue_ids(), reading.period
    if not queue_ids:
        return []
    calendar = agency_calendar()
    days = working_days(period, calendar)
    begins, ends = (local_midnight(day, calendar.zone) for day in (period.start, period.end))
    queues = db.session.scalars(select(Queue).where(Queue.id.in_(queue_ids)).order_by(Queue.name)).all()
    members = {queue.id: [] for queue in queues}
    for queue_id, person in db.session.execute(
            select(queue_member.c.queue_id, Staff).join(Staff, Staff.id == queue_member.c.staff_id)
            .where(queue_member.c.queue_id.in_(queue_ids), Staff.active)):
        members[queue_id].append(person)
    everyone = {person.id for people in members.values() for person in people}
    absences = db.session.scalars(select(Absence).where(
        Absence.staff_id.in_(everyone), Absence.starts_on < period.end, Absence.ends_on >= period.start)).all()
    # one range scan of the period's steps (the index by end time carries the person and the minutes)
    used = dict(db.session.execute(
        select(Step.staff_id, func.sum(Step.effort_minutes))
        .where(Step.ended_at >= begins, Step.ended_at < ends, Step.staff_id.in_(everyone))
        .group_by(Step.staff_id)).all()) if everyone else {}
    on_contacts = dict(db.session.execute(
        select(Contact.staff_id, func.sum(Contact.minutes))
        .where(Contact.at >= begins, Contact.at < ends, Contact.staff_id.in_(everyone))
        .group_by(Contact.staff_id)).all()) if everyone else {}
    teams = []
    for queue in queues:
        supplied = 0
        for member in members[queue.id]:
            away = {day for a in absences if a.staff_id == member.id for day in days if a.starts_on <= day <= a.ends_on}
            supplied += member.capacity_minutes * (len(days) - len(away)) / WORKING_DAYS_A_WEEK
        contacts = int(sum(on_contacts.get(member.id) or 0 for member in members[queue.id]))
        steps = int(sum(used.get(member.id) or 0 for member in members[queue.id]))
        teams.append(TeamCapacity(queue.id, queue.name, len(members[queue.id]), round(supplied), steps + contacts,
                                  contacts))
    return teams
