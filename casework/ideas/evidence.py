"""The figures that bear on an idea, beside it: what staff and citizens say of its step and service lately.

The same numbers the supervisor's blueprint shows, for the last ``DAYS``
days: the share of the step's recorded steps rated hard and their top
reasons, the stage's wait and minutes a step, and the service's citizens
satisfied. Read from the steps' own index and the daily rollup.
"""
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select

from casework.clock.agency_time import local_midnight, today_in_agency
from casework.insight.models import StageRollup
from casework.models import Step
from core.extensions import db

DAYS = 90
HARD = 4


@dataclass
class Evidence:
    days: int
    rated: int = 0
    hard: int = 0
    reasons: list = field(default_factory=list)  # (reason, count), most first
    stage_cases: int = 0
    stage_wait_days: float | None = None  # mean a case
    stage_minutes: float | None = None  # mean a step
    answers: int = 0
    satisfied: int = 0

    @property
    def hard_share(self):
        return self.hard / self.rated if self.rated else None

    @property
    def satisfied_share(self):
        return self.satisfied / self.answers if self.answers >= 10 else None


def evidence_for(idea):
    """The ``Evidence`` of ``idea``'s step type and service over the last ``DAYS`` days."""
    today = today_in_agency()
    start, end = today - timedelta(days=DAYS - 1), today + timedelta(days=1)
    found = Evidence(DAYS)
    if idea.step_type_id is not None:
        reasons = Counter()
        for friction, reason in db.session.execute(select(Step.friction, Step.friction_reason).where(
                Step.step_type_id == idea.step_type_id, Step.friction.is_not(None),
                Step.ended_at >= local_midnight(start), Step.ended_at < local_midnight(end))):
            found.rated += 1
            if friction >= HARD:
                found.hard += 1
                if reason:
                    reasons[reason] += 1
        found.reasons = reasons.most_common(3)
    if idea.service_id is not None:
        scope = (StageRollup.grain == "service", StageRollup.scope_id == idea.service_id,
                 StageRollup.resolved_on >= start, StageRollup.resolved_on < end)
        if idea.step_type_id is not None:
            cases, wait, minutes, steps = db.session.execute(select(
                func.coalesce(func.sum(StageRollup.cases), 0), func.coalesce(func.sum(StageRollup.wait_hours), 0),
                func.coalesce(func.sum(StageRollup.effort_minutes), 0), func.coalesce(func.sum(StageRollup.steps), 0))
                .where(*scope, StageRollup.key == f"step:{idea.step_type_id}")).one()
            found.stage_cases = int(cases)
            found.stage_wait_days = float(wait) / cases / 24 if cases else None
            found.stage_minutes = float(minutes) / steps if steps else None
        for (survey,) in db.session.execute(select(StageRollup.survey).where(*scope, StageRollup.key == "case")):
            found.answers += (survey or {}).get("satisfaction_n", 0)
            found.satisfied += (survey or {}).get("satisfaction_agree", 0)
    return found

