"""Stage by stage, over the cases of a scope resolved in a period: waits, effort, hand-offs, friction.

A period of more than ``days.EXACT_UP_TO`` cases is read from the daily
rollup (``casework.insight.days``: a ``Rolled``, medians within 1%); a
smaller one from ``stage_measure``, exactly: on PostgreSQL the medians and
90th percentiles are ``percentile_cont`` in one grouped query over the
service's index; on SQLite the values are read and the same interpolation is
done here.
"""
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Float, Integer, case, cast, func, select, true, type_coerce
from sqlalchemy.dialects import postgresql

from casework.insight.measures import (CONTACT, FIRST_RESPONSE, RECEIVED, RESOLVED, REWORK, STEP, WAITING,
                                       stage_of_key)
from casework.insight.models import StageMeasureRow
from casework.insight.scope import within
from casework.models import FRICTION_REASONS, StepType
from core.extensions import db
from intake.models import Service

NAMES = {CONTACT: "Contact (phone, counter, field)", RECEIVED: "Received and triaged", FIRST_RESPONSE: "First response", WAITING: "Waiting on the citizen",
         RESOLVED: "Resolution", REWORK: "Rework after reopening", "step:none": "Other work"}
# where each kind stands on the line (steps by their workflow position in between)
ORDER = {CONTACT: -1, RECEIVED: 0, FIRST_RESPONSE: 1, STEP: 2, WAITING: 3, RESOLVED: 4, REWORK: 5}
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


def exact_totals(scope, period):
    """``{key: {"cases", "business", "effort", "steps", "rated", "hard", "handoffs", spreads...}}``, one scan.

    Waits in hours; effort spreads in minutes over the cases with steps in the stage. On PostgreSQL the
    medians and 90th percentiles come from ``percentile_cont`` in the same grouped query, read from the
    service's covering index.
    """
    row = StageMeasureRow
    worked = case((row.steps > 0, row.effort_minutes))
    sums = [func.count().label("cases"), func.sum(row.wait_business_hours).label("business"),
            func.sum(row.effort_minutes).label("effort"), func.sum(row.steps).label("steps"),
            func.sum(row.rated).label("rated"), func.sum(row.hard).label("hard"),
            func.sum(row.handoffs).label("handoffs")]
    spread_names = ["wait_median", "wait_p90", "business_median", "business_p90", "effort_median", "effort_p90"]
    if db.engine.dialect.name == "postgresql":
        # both quantiles from one sort per column: percentile_cont of an array
        both = postgresql.array([0.5, 0.9])

        def cont(column, name):
            # (SQLAlchemy types the result as the column's; it is an array of them)
            return type_coerce(func.percentile_cont(both).within_group(column), postgresql.ARRAY(Float)).label(name)

        spreads = [cont(row.wait_hours, "wait_q"), cont(row.wait_business_hours, "business_q"),
                   cont(worked, "effort_q")]
        found = {}
        for r in db.session.execute(scoped(select(row.key, *sums, *spreads), scope, period).group_by(row.key)):
            found[r.key] = {name: getattr(r, name) for name in r._fields}
            for name in ("wait", "business", "effort"):
                median, p90 = found[r.key].pop(f"{name}_q") or (None, None)
                found[r.key].update({f"{name}_median": median, f"{name}_p90": p90})
        return found
    found = {r.key: {name: getattr(r, name) for name in r._fields}
             for r in db.session.execute(scoped(select(row.key, *sums), scope, period).group_by(row.key))}
    values = {}
    for key, wait, business, effort in db.session.execute(
            scoped(select(row.key, row.wait_hours, row.wait_business_hours, worked), scope, period)):
        for bucket, value in zip(values.setdefault(key, ([], [], [])), (wait, business, effort)):
            bucket.append(value)
    for key, (waits, business, effort) in values.items():
        found[key].update(zip(spread_names, (percentile(waits, 0.5), percentile(waits, 0.9), percentile(
            business, 0.5), percentile(business, 0.9), percentile(effort, 0.5), percentile(effort, 0.9))))
    return found


def rolled_totals(rolled):
    """``exact_totals``'s answer from the rollup (a ``days.Rolled``), quantiles within its accuracy."""
    found = {}
    for key in rolled.stage_keys():
        t = rolled.totals[key]
        found[key] = {"cases": t["cases"], "business": t["wait_business_hours"], "effort": t["effort_minutes"],
                      "steps": t["steps"], "rated": t["rated"], "hard": t["hard"], "handoffs": t["handoffs"]}
        for name, spread_name in (("wait", "wait_spread"), ("business", "business_spread"),
                                  ("effort", "effort_spread")):
            found[key][f"{name}_median"], found[key][f"{name}_p90"] = rolled.quantiles(key, spread_name)
    return found


def minute_rates():
    """``{service id: cost of a staff minute}``."""
    return dict(db.session.execute(select(Service.id, Service.cost_per_minute)).all())


def rolled_costs(rolled, totals):
    """``exact_costs``'s answer from the rollup's minutes per service."""
    rates = minute_rates()
    return {key: sum(minutes * (rates.get(int(service_id)) or 0.0)
                     for service_id, minutes in rolled.totals[key]["minutes_by_service"].items())
            for key in totals}


def exact_costs(scope, period, totals):
    """``{key: cost}``: each stage's minutes times the cost of a minute of the services they were spent on."""
    row = StageMeasureRow
    rates = minute_rates()
    if scope.service_id is not None:
        # one service, one rate: no second scan
        return {key: float(t["effort"] or 0) * (rates.get(scope.service_id) or 0.0) for key, t in totals.items()}
    costs = {}
    query = scoped(select(row.key, row.service_id, func.sum(row.effort_minutes)), scope, period) \
        .group_by(row.key, row.service_id)
    for key, service_id, minutes in db.session.execute(query):
        costs[key] = costs.get(key, 0.0) + float(minutes or 0) * (rates.get(service_id) or 0.0)
    return costs


def stage_summaries(reading):
    """``[StageSummary]`` of the stages a ``reading`` (``insight.reading``) reads, in line order (received
    first, rework last)."""
    found = reading.stage_totals()
    if not found:
        return []
    costs = reading.stage_costs(found)
    reasons = reading.stage_reasons(found)
    places = placed(found)
    summaries = []
    for key, t in found.items():
        kind, step_type_id = stage_of_key(key)
        name, step_type, position = places[key]
        summaries.append(StageSummary(
            key=key, kind=kind, step_type_id=step_type_id, name=name,
            cases=t["cases"], wait_business_hours_total=float(t["business"] or 0),
            wait_hours_median=number(t["wait_median"]), wait_hours_p90=number(t["wait_p90"]),
            wait_business_hours_median=number(t["business_median"]),
            wait_business_hours_p90=number(t["business_p90"]), effort_minutes_median=number(t["effort_median"]),
            effort_minutes_p90=number(t["effort_p90"]), effort_minutes_total=int(t["effort"] or 0),
            standard_minutes=step_type.standard_minutes if step_type else None, steps=int(t["steps"] or 0),
            rated=int(t["rated"] or 0), hard=int(t["hard"] or 0), handoffs=int(t["handoffs"] or 0),
            cost=round(costs.get(key, 0.0), 2),
            top_reasons=top_reasons(reasons.get(key, Counter())),
            position=position))
    return sorted(summaries, key=lambda s: s.position)


def top_reasons(counted, how_many=3):
    """``[(label, count)]`` of the most common reasons, ties by label (so every reading gives the same)."""
    labelled = [(FRICTION_REASONS.get(reason, reason), count) for reason, count in counted.items() if count > 0]
    return sorted(labelled, key=lambda pair: (-pair[1], pair[0]))[:how_many]


def placed(keys):
    """``{key: (name, step type or None, position)}``: each stage's name and where it stands on the line."""
    types = {t.id: t for t in db.session.scalars(select(StepType).where(StepType.id.in_(
        [stage_of_key(key)[1] for key in keys if stage_of_key(key)[1] is not None])))}
    # across services two steps may share a name ("Inspect the site"): then each says its service
    services = {t.service_id for t in types.values()}
    service_names = dict(db.session.execute(select(Service.id, Service.name).where(Service.id.in_(services)))) \
        if len(services) > 1 else {}
    found = {}
    for key in keys:
        kind, step_type_id = stage_of_key(key)
        step_type = types.get(step_type_id)
        name = step_type.name if step_type else NAMES.get(key, "Removed step type")
        if step_type and service_names:
            name = f"{service_names[step_type.service_id]}: {name}"
        found[key] = (name, step_type, (ORDER[kind], step_type.position if step_type else 99, key))
    return found


def names_in_order(keys):
    """``[(key, name)]`` of stage ``keys`` in line order, as ``stage_summaries`` puts them."""
    return [(key, name) for key, (name, _type, _position) in sorted(placed(keys).items(), key=lambda i: i[1][2])]


def number(value):
    return None if value is None else float(value)


def reasons_of(scope, period):
    """``{key: Counter(reason)}`` of the steps rated hard, counted in the database from each row's JSON."""
    row = StageMeasureRow
    each = func.json_each_text(row.reasons) if db.engine.dialect.name == "postgresql" else func.json_each(row.reasons)
    pairs = each.table_valued("key", "value").alias("reason")
    query = scoped(select(row.key, pairs.c.key, func.sum(cast(pairs.c.value, Integer)))
                   .select_from(row).join(pairs, true()).where(row.hard > 0), scope, period) \
        .group_by(row.key, pairs.c.key)
    reasons = {}
    for key, reason, count in db.session.execute(query):
        reasons.setdefault(key, Counter())[reason] = int(count)
    return reasons
