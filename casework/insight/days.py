"""The daily rollup: per scope, local day and stage, the sums and spreads a period of any length adds up.

``casework.insight.rollup.measure_batch`` counts into ``Deltas`` the cases it
forgets (-1) and the ones it measures (+1), and ``keep`` writes them in its
transaction, so the rollup always says what ``case_measure`` and
``stage_measure`` say. Each case counts in four grains (its service, its
queue, its department and "all") under each of its stage keys and under
``CASE`` for its own totals and its request's latest survey answer; and, where
it lies in a district, under that district's ``CASE`` alone.

``rolled(scope, period)`` reads a period back as a ``Rolled``: at most days x
stages rows, whatever the number of cases. Medians and 90th percentiles from
it are within ``spread.ALPHA`` of the exact ones; ``insight.reading`` reads
periods of more than ``EXACT_UP_TO`` cases from it and smaller ones case by case.
"""
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import bindparam, delete, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from casework.insight import spread
from casework.insight.models import CaseMeasure, StageMeasureRow, StageRollup
from casework.insight.voice import AGREE
from core.extensions import db
from intake.survey import A11_ITEMS, Feedback

# the key of a case's own totals, beside its stages' keys
CASE = "case"
# the grain that keeps only ``CASE`` (the public performance page's figures per area), not each stage
DISTRICT = "district"
SUMS = ("cases", "worked", "wait_hours", "wait_business_hours", "effort_minutes", "steps", "rated", "hard",
        "handoffs", "sla_cases", "sla_met", "reopened")
COUNTERS = ("reasons", "minutes_by_service", "cases_by_queue", "survey")
SPREADS = {"wait_spread": spread.HOURS, "business_spread": spread.HOURS, "effort_spread": spread.MINUTES}
# a period with more cases than this is read from the rollup; fewer, case by case (exact, and quick)
EXACT_UP_TO = 10_000


def grains_of(service_id, queue_id, department_id, district_id=None):
    """``[(grain, scope_id)]`` a case of this scope counts in."""
    cells = [("queue", queue_id), ("all", 0)]
    if service_id is not None:
        cells.append(("service", service_id))
    if department_id is not None:
        cells.append(("department", department_id))
    if district_id is not None:
        cells.append((DISTRICT, district_id))
    return cells


def grain_of(scope):
    """``(grain, scope_id)`` the rollup keeps for ``scope``, or None where it names two at once."""
    named = [(grain, value) for grain, value in (("service", scope.service_id), ("queue", scope.queue_id),
                                                 ("department", scope.department_id)) if value is not None]
    if len(named) > 1:
        return None
    return named[0] if named else ("all", 0)


class Deltas:
    """What a batch adds to (or takes from) each cell, before it is written.

    A cell is ``{"sums": [one per SUMS], counter name: Counter, spread name: Counter of buckets}``.
    """

    def __init__(self):
        self.cells = {}

    def cell(self, key):
        if key not in self.cells:
            self.cells[key] = {"sums": [0] * len(SUMS), **{name: Counter() for name in (*COUNTERS, *SPREADS)}}
        return self.cells[key]

    def count(self, case, stages, sign, answer=None):
        """Add (``sign`` 1) or take away (-1) one measured case: its ``case_measure`` and ``stage_measure`` values,
        and its request's latest survey ``answer`` (``{"fixed", item: 1-5 or None}``) if any."""
        service = None if case["service_id"] is None else str(case["service_id"])
        # each part: (key, sums in SUMS order, reasons, minutes, buckets of wait, business hours and minutes)
        parts = [(CASE, (1, 1, case["wait_hours"], case["wait_business_hours"], case["effort_minutes"], 0, 0, 0,
                         case["handoffs"], case["sla_met"] is not None, bool(case["sla_met"]),
                         bool(case["reopened"])),
                  {}, case["effort_minutes"], buckets(case["wait_hours"], case["wait_business_hours"],
                                                      case["effort_minutes"]))]
        for stage in stages:
            worked = stage["steps"] > 0
            parts.append((stage["key"], (1, worked, stage["wait_hours"], stage["wait_business_hours"],
                                         stage["effort_minutes"], stage["steps"], stage["rated"], stage["hard"],
                                         stage["handoffs"], 0, 0, 0),
                          stage["reasons"] or {}, stage["effort_minutes"],
                          buckets(stage["wait_hours"], stage["wait_business_hours"],
                                  stage["effort_minutes"] if worked else None)))
        day = case["resolved_on"]
        for grain, scope_id in grains_of(case["service_id"], case["queue_id"], case["department_id"],
                                         case.get("district_id")):
            for key, sums, reasons, minutes, (wait, business, effort) in (parts[:1] if grain == DISTRICT else parts):
                cell = self.cell((grain, scope_id, day, key))
                cell["sums"] = [total + sign * value for total, value in zip(cell["sums"], sums)]
                for reason, times in reasons.items():
                    cell["reasons"][reason] += sign * times
                if service is not None:
                    cell["minutes_by_service"][service] += sign * minutes
                if key == CASE:
                    cell["cases_by_queue"][str(case["queue_id"])] += sign
                    for name, value in survey_counts(answer).items():
                        cell["survey"][name] += sign * value
                cell["wait_spread"][wait] += sign
                cell["business_spread"][business] += sign
                if effort is not None:
                    cell["effort_spread"][effort] += sign


def survey_counts(answer):
    """What one survey answer adds to the voice: ``{"answers": 1, "fixed": 0/1, "<item>_n", "_agree", "_sum"}``."""
    if answer is None:
        return {}
    counted = {"answers": 1, "fixed": int(bool(answer["fixed"]))}
    for name, _text in A11_ITEMS:
        if answer[name] is not None:
            counted.update({f"{name}_n": 1, f"{name}_agree": int(answer[name] >= AGREE), f"{name}_sum": answer[name]})
    return counted


def buckets(wait, business, effort):
    """The spread buckets of a wait, its business hours and minutes (None: no minutes to count)."""
    return (spread.HOURS.bucket(wait), spread.HOURS.bucket(business),
            None if effort is None else spread.MINUTES.bucket(effort))


def keep(deltas):
    """Write ``deltas`` into the rollup, in the caller's transaction."""
    if not deltas.cells:
        return
    keys = sorted(deltas.cells)
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    table = StageRollup.__table__
    cell_key = tuple_(table.c.grain, table.c.scope_id, table.c.resolved_on, table.c.key)
    columns = [table.c.id, table.c.grain, table.c.scope_id, table.c.resolved_on, table.c.key,
               *(table.c[name] for name in (*SUMS, *COUNTERS, *SPREADS))]
    # the cells this batch adds to: made where missing (in key order), then locked in the order of their ids, as
    # every writer does, so two writers at once never wait on each other in a circle
    for start in range(0, len(keys), 1000):
        db.session.execute(dialect.insert(table).on_conflict_do_nothing(), [
            {"grain": grain, "scope_id": scope_id, "resolved_on": day, "key": key, **EMPTY}
            for grain, scope_id, day, key in keys[start:start + 1000]])
    ids = []
    for start in range(0, len(keys), 1000):
        ids += db.session.scalars(select(table.c.id).where(cell_key.in_(keys[start:start + 1000]))).all()
    ids.sort()
    found = {}
    for start in range(0, len(ids), 1000):
        for row in db.session.execute(select(*columns).where(table.c.id.in_(ids[start:start + 1000]))
                                      .order_by(table.c.id).with_for_update()):
            found[(row.grain, row.scope_id, row.resolved_on, row.key)] = row
    changed, emptied = [], []
    for key, row in found.items():
        delta = deltas.cells[key]
        values = {"b_id": row.id, **{name: getattr(row, name) + change for name, change in zip(SUMS, delta["sums"])}}
        for name in COUNTERS:
            counted = Counter(getattr(row, name) or {})
            counted.update(delta[name])
            values[name] = {counter_key: value for counter_key, value in counted.items() if value}
        for name in SPREADS:
            values[name] = spread.add(getattr(row, name), delta[name])
        (emptied if values["cases"] <= 0 else changed).append(values)
    if changed:
        db.session.execute(update(table).where(table.c.id == bindparam("b_id"))
                           .values({name: bindparam(name) for name in (*SUMS, *COUNTERS, *SPREADS)}), changed)
    if emptied:
        db.session.execute(delete(table).where(table.c.id.in_([values["b_id"] for values in emptied])))


EMPTY = {**dict.fromkeys(SUMS, 0), **{name: {} for name in COUNTERS}, **dict.fromkeys(SPREADS, b"")}


def empty_totals():
    return {**dict.fromkeys(SUMS, 0), **{name: Counter() for name in COUNTERS}}


@dataclass
class Rolled:
    """A scope's period read from the rollup: sums and counters per key, spreads merged when asked for."""

    totals: dict = field(default_factory=dict)  # key -> {sum: value, counter: Counter}
    blobs: dict = field(default_factory=dict)  # (key, spread name) -> [bytes]

    @property
    def cases(self):
        return self.totals.get(CASE, {}).get("cases", 0)

    def case_totals(self):
        return self.totals.get(CASE) or empty_totals()

    def stage_keys(self):
        return [key for key, totals in self.totals.items() if key != CASE and totals["cases"] > 0]

    def spread(self, key, name):
        """Dense counts of ``key``'s spread ``name`` ("wait_spread", "business_spread", "effort_spread")."""
        return spread.merge(self.blobs.get((key, name), ()), SPREADS[name])

    def quantiles(self, key, name, qs=(0.5, 0.9)):
        counts = self.spread(key, name)
        return [spread.quantile(counts, q, SPREADS[name]) for q in qs]


def rolled(scope, period):
    """The ``Rolled`` of ``scope``'s cases resolved in ``period``, or None where the rollup does not keep the scope."""
    grain = grain_of(scope)
    if grain is None:
        return None
    found = Rolled()
    rows = db.session.execute(
        select(StageRollup.key, *(getattr(StageRollup, name) for name in (*SUMS, *COUNTERS, *SPREADS)))
        .where(StageRollup.grain == grain[0], StageRollup.scope_id == grain[1],
               StageRollup.resolved_on >= period.start, StageRollup.resolved_on < period.end))
    for row in rows:
        totals = found.totals.get(row.key)
        if totals is None:
            totals = found.totals[row.key] = empty_totals()
        for name in SUMS:
            totals[name] += getattr(row, name)
        for name in COUNTERS:
            totals[name].update(getattr(row, name) or {})
        for name in SPREADS:
            found.blobs.setdefault((row.key, name), []).append(getattr(row, name))
    return found


def rebuild(progress=None):
    """Empty the rollup and add up every measured case again (``flask insight rebuild``); return how many.

    For an operator who doubts it; the worker keeps it without this.
    """
    db.session.execute(delete(StageRollup))
    done, last_id = 0, 0
    while True:
        batch = stored(db.session.scalars(select(CaseMeasure.case_id).where(CaseMeasure.case_id > last_id)
                                          .order_by(CaseMeasure.case_id).limit(5000)).all())
        if not batch:
            break
        deltas = Deltas()
        for case, stages, answer in batch:
            deltas.count(case, stages, 1, answer)
        keep(deltas)
        db.session.commit()
        done += len(batch)
        last_id = max(case["case_id"] for case, _stages, _answer in batch)
        if progress:
            progress(done)
    db.session.commit()
    return done


CASE_COLUMNS = [CaseMeasure.case_id, CaseMeasure.service_id, CaseMeasure.queue_id, CaseMeasure.department_id,
                CaseMeasure.district_id, CaseMeasure.resolved_on, CaseMeasure.wait_hours,
                CaseMeasure.wait_business_hours, CaseMeasure.effort_minutes, CaseMeasure.handoffs, CaseMeasure.reopened,
                CaseMeasure.sla_met]
CASE_NAMES = [column.key for column in CASE_COLUMNS]


def stored(case_ids):
    """``[(case values, [stage values], survey answer or None)]`` of the measured cases among ``case_ids`` (what
    ``Deltas.count`` takes)."""
    if not case_ids:
        return []
    stages = stored_stages(case_ids)
    rows = db.session.execute(select(*CASE_COLUMNS, CaseMeasure.feedback_id)
                              .where(CaseMeasure.case_id.in_(case_ids))).all()
    answers = answers_of([row.feedback_id for row in rows if row.feedback_id is not None])
    return [({name: getattr(row, name) for name in CASE_NAMES}, stages.get(row.case_id, ()),
             answers.get(row.feedback_id)) for row in rows]


def answers_of(feedback_ids):
    """``{feedback_id: {"fixed", item: value}}``."""
    if not feedback_ids:
        return {}
    items = [getattr(Feedback, name) for name, _text in A11_ITEMS]
    return {row.id: dict(row._mapping) for row in db.session.execute(
        select(Feedback.id, Feedback.fixed, *items).where(Feedback.id.in_(feedback_ids)))}


def latest_answers(request_ids):
    """``{request_id: (feedback_id, answer)}`` of each request's latest survey answer."""
    if not request_ids:
        return {}
    latest = dict(db.session.execute(select(Feedback.request_id, db.func.max(Feedback.id))
                                     .where(Feedback.request_id.in_(request_ids)).group_by(Feedback.request_id)).all())
    answers = answers_of(list(latest.values()))
    return {request_id: (feedback_id, answers[feedback_id]) for request_id, feedback_id in latest.items()}


def stored_stages(case_ids):
    """``{case_id: [stage values]}`` of stored ``stage_measure`` rows."""
    row = StageMeasureRow
    found = {}
    for r in db.session.execute(select(
            row.case_id, row.key, row.wait_hours, row.wait_business_hours, row.effort_minutes, row.steps,
            row.rated, row.hard, row.handoffs, row.reasons).where(row.case_id.in_(case_ids))):
        found.setdefault(r.case_id, []).append(dict(r._mapping))
    return found
