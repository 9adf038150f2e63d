"""Resolved cases of a period, counted per scope and local day: exactly from ``case_measure`` for a small period,
from the daily rollup's ``case`` rows for a large one (as ``casework.insight.reading`` chooses for the blueprint).

A ``Tally`` adds up across scopes and days, and tells its median and 90th
percentile of business hours to resolve: exact over the values where it has
them, within ``spread.ALPHA`` read off the merged spread where it has those.
"""
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, select

from casework.insight import days, spread
from casework.insight.models import CaseMeasure, StageRollup
from casework.insight.voice import AGREE
from core.extensions import db
from intake.survey import Feedback

# grain -> the case_measure column that names the scope ("all": none)
SCOPE_COLUMNS = {"service": CaseMeasure.service_id, "district": CaseMeasure.district_id, "all": None}


@dataclass
class Tally:
    cases: int = 0
    # resolved with a due date, and of them by it
    sla_cases: int = 0
    sla_met: int = 0
    reopened: int = 0
    # survey answers with a satisfaction rating, and of them "agree" or better
    rated: int = 0
    satisfied: int = 0
    values: list = field(default_factory=list)
    # the rollup's stored spreads, merged only when a quantile is asked for
    blobs: list = field(default_factory=list)

    def add(self, other):
        self.cases += other.cases
        self.sla_cases += other.sla_cases
        self.sla_met += other.sla_met
        self.reopened += other.reopened
        self.rated += other.rated
        self.satisfied += other.satisfied
        self.values += other.values
        self.blobs += other.blobs
        return self

    def business_hours(self, *qs):
        """The ``qs`` quantiles of business hours to resolve (each None when nothing was resolved)."""
        if self.blobs:
            merged = spread.merge(self.blobs, spread.HOURS)
            return [spread.quantile(merged, q, spread.HOURS) for q in qs]
        if not self.values:
            return [None] * len(qs)
        return [float(value) for value in np.percentile(self.values, [q * 100 for q in qs])]


def total(tallies):
    found = Tally()
    for tally in tallies:
        found.add(tally)
    return found


def by_scope_and_day(scope_id, day):
    return scope_id, day


def read(grain, period, scope_id=None, key=by_scope_and_day, exact=None):
    """``{key(scope_id, day): Tally}`` of ``grain``'s resolved cases in ``period`` (of one scope if given), added
    up as they are read. ``exact``: read case by case (None: as ``exact_enough`` says)."""
    if exact if exact is not None else exact_enough(period):
        return read_exact(grain, period, scope_id, key)
    return read_rolled(grain, period, scope_id, key)


def exact_enough(period):
    """A period with at most ``days.EXACT_UP_TO`` resolved cases in all is read case by case."""
    cases = db.session.scalar(select(func.coalesce(func.sum(StageRollup.cases), 0)).where(
        StageRollup.grain == "all", StageRollup.key == days.CASE,
        StageRollup.resolved_on >= period.start, StageRollup.resolved_on < period.end))
    return cases <= days.EXACT_UP_TO


def tally_of(found, wanted):
    tally = found.get(wanted)
    if tally is None:
        tally = found[wanted] = Tally()
    return tally


def read_exact(grain, period, scope_id=None, key=by_scope_and_day):
    column = SCOPE_COLUMNS[grain]
    scope = column if column is not None else db.literal(0)
    query = (select(scope, CaseMeasure.resolved_on, CaseMeasure.wait_business_hours, CaseMeasure.sla_met,
                    CaseMeasure.reopened, Feedback.satisfaction)
             .outerjoin(Feedback, Feedback.id == CaseMeasure.feedback_id)
             .where(CaseMeasure.resolved_on >= period.start, CaseMeasure.resolved_on < period.end))
    if column is not None:
        query = query.where(column == scope_id) if scope_id is not None else query.where(column.is_not(None))
    found = {}
    for scope_value, day, hours, sla_met, reopened, satisfaction in db.session.execute(query):
        tally = tally_of(found, key(scope_value, day))
        tally.cases += 1
        tally.sla_cases += sla_met is not None
        tally.sla_met += bool(sla_met)
        tally.reopened += bool(reopened)
        tally.rated += satisfaction is not None
        tally.satisfied += satisfaction is not None and satisfaction >= AGREE
        tally.values.append(hours)
    return found


def read_rolled(grain, period, scope_id=None, key=by_scope_and_day):
    row = StageRollup
    # (the two survey counts read out of the JSON by the database: parsing every day's survey costs more)
    query = (select(row.scope_id, row.resolved_on, row.cases, row.sla_cases, row.sla_met, row.reopened,
                    func.coalesce(row.survey["satisfaction_n"].as_integer(), 0),
                    func.coalesce(row.survey["satisfaction_agree"].as_integer(), 0), row.business_spread)
             .where(row.grain == grain, row.key == days.CASE, row.resolved_on >= period.start,
                    row.resolved_on < period.end))
    if scope_id is not None:
        query = query.where(row.scope_id == scope_id)
    found = {}
    for scope_value, day, cases, sla_cases, sla_met, reopened, rated, satisfied, blob in db.session.execute(query):
        tally = tally_of(found, key(scope_value, day))
        tally.cases += cases
        tally.sla_cases += sla_cases
        tally.sla_met += sla_met
        tally.reopened += reopened
        tally.rated += rated
        tally.satisfied += satisfied
        tally.blobs.append(blob)
    return found
