"""A person's and a team's own figures over a period: cases resolved, citizens satisfied, minutes a step.

A person's page is theirs alone: the cases they worked (recorded a step on)
resolved in the period, the share of those cases' citizens satisfied (their
latest answers, from ``MIN_ANSWERS``), and their own minutes per step type beside its
standard. A team's (a queue's) are the same for its cases. Nothing ranks
or compares people.
"""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from casework.clock.agency_time import local_midnight, today_in_agency
from casework.insight.models import StageRollup, WorkedCase
from casework.insight.scope import Period
from casework.insight.voice import AGREE
from casework.models import Step, StepType
from core.extensions import db
from intake.models import Service
from intake.survey import Feedback

MIN_ANSWERS = 5
PERIODS = {"30d": 30, "90d": 90, "365d": 365}
DEFAULT_PERIOD = "90d"


@dataclass
class StepMinutes:
    step_type: str
    service: str
    steps: int
    minutes: float  # a step, on average
    standard: int


@dataclass
class Figures:
    period: Period
    resolved: int
    answers: int
    satisfied_share: float | None  # None under MIN_ANSWERS
    steps: list


def period_of(code):
    """The ``Period`` of ``code`` (the last 30, 90 or 365 days, today included). Raises KeyError."""
    today = today_in_agency()
    return Period(today - timedelta(days=PERIODS[code] - 1), today + timedelta(days=1))


def share_of(rated, agreed):
    return agreed / rated if rated >= MIN_ANSWERS else None


def person_figures(staff_id, period):
    """The person's own ``Figures`` over ``period``."""
    resolved, rated, agreed = db.session.execute(
        select(func.count(), func.count(Feedback.satisfaction),
               func.sum(db.case((Feedback.satisfaction >= AGREE, 1), else_=0)))
        .select_from(WorkedCase).outerjoin(Feedback, Feedback.id == WorkedCase.feedback_id)
        .where(WorkedCase.staff_id == staff_id, WorkedCase.resolved_on >= period.start,
               WorkedCase.resolved_on < period.end)).one()
    agreed = int(agreed or 0)
    rows = db.session.execute(
        select(StepType.name, Service.name, func.count(), func.avg(Step.effort_minutes), StepType.standard_minutes)
        .join(StepType, StepType.id == Step.step_type_id).join(Service, Service.id == StepType.service_id)
        .where(Step.staff_id == staff_id, Step.ended_at >= local_midnight(period.start),
               Step.ended_at < local_midnight(period.end))
        .group_by(StepType.id, StepType.name, Service.name, StepType.standard_minutes)
        .order_by(Service.name, StepType.position))
    steps = [StepMinutes(name, service, count, float(mean or 0), standard) for name, service, count, mean, standard
             in rows]
    return Figures(period, resolved, rated, share_of(rated, agreed), steps)


def team_figures(queue_id, period):
    """The team's (queue's) ``Figures`` over ``period``: its resolved cases, their citizens, its steps' minutes
    (from the daily rollup the blueprint keeps)."""
    resolved = rated = agreed = 0
    # the team's cases, their latest answers and its steps' minutes: all from the daily rollup the blueprint keeps
    for cases, survey in db.session.execute(
            select(StageRollup.cases, StageRollup.survey)
            .where(StageRollup.grain == "queue", StageRollup.scope_id == queue_id, StageRollup.key == "case",
                   StageRollup.resolved_on >= period.start, StageRollup.resolved_on < period.end)):
        resolved += cases
        rated += (survey or {}).get("satisfaction_n", 0)
        agreed += (survey or {}).get("satisfaction_agree", 0)
    totals = {}
    for key, effort, count in db.session.execute(
            select(StageRollup.key, func.sum(StageRollup.effort_minutes), func.sum(StageRollup.steps))
            .where(StageRollup.grain == "queue", StageRollup.scope_id == queue_id,
                   StageRollup.key.like("step:%"), StageRollup.resolved_on >= period.start,
                   StageRollup.resolved_on < period.end).group_by(StageRollup.key)):
        if key != "step:none" and count:
            totals[int(key.split(":", 1)[1])] = (int(effort), int(count))
    steps = []
    if totals:
        for step_type_id, name, service, standard in db.session.execute(
                select(StepType.id, StepType.name, Service.name, StepType.standard_minutes)
                .join(Service, Service.id == StepType.service_id).where(StepType.id.in_(totals))
                .order_by(Service.name, StepType.position)):
            effort, count = totals[step_type_id]
            steps.append(StepMinutes(name, service, count, effort / count, standard))
    return Figures(period, resolved, rated, share_of(rated, agreed), steps)
