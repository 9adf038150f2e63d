"""Stage by stage, over the cases of a scope resolved in a period: waits, effort, hand-offs, friction.

Reads ``stage_measure`` only. On PostgreSQL the medians and 90th percentiles
are ``percentile_cont`` in one grouped query over the service's index; on
SQLite the values are read and the same interpolation is done here.
"""
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from casework.insight.measures import FIRST_RESPONSE, RECEIVED, RESOLVED, REWORK, STEP, WAITING, stage_of_key
from casework.insight.models import StageMeasureRow
from casework.insight.scope import within
from casework.models import FRICTION_REASONS, StepType
from core.extensions import db
from intake.models import Service

NAMES = {RECEIVED: "Received and triaged", FIRST_RESPONSE: "First response", WAITING: "Waiting on the citizen",
         RESOLVED: "Resolution", REWORK: "Rework after reopening", "step:none": "Other work"}
# where each kind stands on the line (steps by their workflow position in between)
ORDER = {RECEIVED: 0, FIRST_RESPONSE: 1, STEP: 2, WAITING: 3, RESOLVED: 4, REWORK: 5}
# a share of steps rated hard is shown from this many ratings (fewer says little and may point at a person)
MIN_RATINGS = 5


@dataclass
class StageSummary:
    key: str
    kind: str
    name: str
    step_type_id: int | None
    cases: int
    wait_hours_median: float
    wait_hours_p90: float
    wait_business_hours_median: float
    wait_business_hours_p90: float
    wait_business_hours_total: float
    effort_minutes_median: float | None
    effort_minutes_p90: float | None
    effort_minutes_total: int
    standard_minutes: int | None
    steps: int
    rated: int
    hard: int
    handoffs: int
    cost: float
    top_reasons: list = field(default_factory=list)  # [(label, count)]
    position: tuple = ()

    @property
    def hard_share(self):
        return round(self.hard / self.rated, 3) if self.rated >= MIN_RATINGS else None

    @property
    def over_standard_minutes(self):
        """Minutes beyond the standard for the steps done (0 where none is set or it was met)."""
        if self.standard_minutes is None:
            return 0
        return max(0, self.effort_minutes_total - self.standard_minutes * self.steps)


def scoped(query, scope, period):
    """``query`` limited to the scope's stages of cases resolved in ``period``."""
    return query.where(*within(StageMeasureRow, scope, period))


def percentile(values, q):
    """The ``q`` quantile of ``values`` by linear interpolation (as PostgreSQL's ``percentile_cont``)."""
    values = sorted(value for value in values if value is not None)
    if not values:
        return None
    rank = q * (len(values) - 1)
    low = int(rank)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (rank - low)


def stage_summaries(scope, period):
    """``[StageSummary]`` of the scope's stages in line order (received first, rework last)."""
    row = StageMeasureRow
    cost = func.sum(row.effort_minutes * func.coalesce(Service.cost_per_minute, 0))
    totals = select(row.key, func.count().label("cases"), func.sum(row.wait_business_hours).label("business"),
                    func.sum(row.effort_minutes).label("effort"), func.sum(row.steps).label("steps"),
                    func.sum(row.rated).label("rated"), func.sum(row.hard).label("hard"),
                    func.sum(row.handoffs).label("handoffs"), cost.label("cost"))
    totals = scoped(totals.outerjoin(Service, Service.id == row.service_id), scope, period).group_by(row.key)
    found = {r.key: r for r in db.session.execute(totals)}
    if not found:
        return []
    spreads = spreads_of(scope, period)
    reasons = reasons_of(scope, period)
    types = {t.id: t for t in db.session.scalars(select(StepType).where(StepType.id.in_(
        [stage_of_key(key)[1] for key in found if stage_of_key(key)[1] is not None])))}
    summaries = []
    for key, totals_row in found.items():
        kind, step_type_id = stage_of_key(key)
        step_type = types.get(step_type_id)
        spread = spreads[key]
        summaries.append(StageSummary(
            key=key, kind=kind, step_type_id=step_type_id,
            name=step_type.name if step_type else NAMES.get(key, "Removed step type"),
            cases=totals_row.cases, wait_business_hours_total=float(totals_row.business or 0),
            wait_hours_median=spread[0], wait_hours_p90=spread[1], wait_business_hours_median=spread[2],
            wait_business_hours_p90=spread[3], effort_minutes_median=spread[4], effort_minutes_p90=spread[5],
            effort_minutes_total=int(totals_row.effort or 0),
            standard_minutes=step_type.standard_minutes if step_type else None, steps=int(totals_row.steps or 0),
            rated=int(totals_row.rated or 0), hard=int(totals_row.hard or 0), handoffs=int(totals_row.handoffs or 0),
            cost=round(float(totals_row.cost or 0), 2),
            top_reasons=[(FRICTION_REASONS.get(reason, reason), count)
                         for reason, count in reasons.get(key, Counter()).most_common(3)],
            position=(ORDER[kind], step_type.position if step_type else 99, key)))
    return sorted(summaries, key=lambda s: s.position)


def spreads_of(scope, period):
    """``{key: (wait median, wait p90, business median, business p90, effort median, effort p90)}``.

    Waits in hours; effort in minutes, over the cases with steps in the stage.
    """
    row = StageMeasureRow
    worked = case((row.steps > 0, row.effort_minutes))
    if db.engine.dialect.name == "postgresql":
        def cont(q, column):
            return func.percentile_cont(q).within_group(column)

        query = select(row.key, cont(0.5, row.wait_hours), cont(0.9, row.wait_hours),
                       cont(0.5, row.wait_business_hours), cont(0.9, row.wait_business_hours), cont(0.5, worked),
                       cont(0.9, worked))
        return {r[0]: tuple(None if v is None else float(v) for v in r[1:])
                for r in db.session.execute(scoped(query, scope, period).group_by(row.key))}
    values = {}
    for r in db.session.execute(scoped(select(row.key, row.wait_hours, row.wait_business_hours, worked), scope,
                                       period)):
        waits, business, effort = values.setdefault(r[0], ([], [], []))
        waits.append(r[1])
        business.append(r[2])
        effort.append(r[3])
    return {key: (percentile(w, 0.5), percentile(w, 0.9), percentile(b, 0.5), percentile(b, 0.9),
                  percentile(e, 0.5), percentile(e, 0.9)) for key, (w, b, e) in values.items()}


def reasons_of(scope, period):
    """``{key: Counter(reason)}`` of the steps rated hard."""
    reasons = {}
    query = scoped(select(StageMeasureRow.key, StageMeasureRow.reasons).where(StageMeasureRow.hard > 0), scope, period)
    for key, counted in db.session.execute(query):
        reasons.setdefault(key, Counter()).update(counted or {})
    return reasons
