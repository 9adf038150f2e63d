"""How a period's cases are read: case by case, exactly, or from the daily rollup; one interface, chosen here.

The blueprint and a change's comparison ask a reading for every figure
(counts, the survey, stage totals, costs, reasons, samples) and never which
kind it is. ``reading_of`` chooses in one place: the rollup where it keeps
the scope and the period holds more than ``days.EXACT_UP_TO`` cases (its
quantiles within ``spread.ALPHA`` of the exact ones), else case by case.
"""
from sqlalchemy import select

from casework.insight import days, samples, stages, voice
from casework.insight.models import CaseMeasure
from casework.insight.scope import within
from core.extensions import db


class CaseByCase:
    """The scope's cases resolved in ``period``, read one by one: exact."""

    from_rollup = False

    def __init__(self, scope, period):
        self.scope, self.period = scope, period

    def case_counts(self):
        return voice.exact_case_counts(self.scope, self.period)

    def answer_counts(self):
        return voice.exact_answer_counts(self.scope, self.period)

    def stage_totals(self):
        return stages.exact_totals(self.scope, self.period)

    def stage_costs(self, totals):
        return stages.exact_costs(self.scope, self.period, totals)

    def stage_reasons(self, totals):
        return stages.reasons_of(self.scope, self.period)

    def queue_ids(self):
        return db.session.scalars(select(CaseMeasure.queue_id).distinct()
                                  .where(*within(CaseMeasure, self.scope, self.period))).all()

    def service_ids(self):
        return db.session.scalars(select(CaseMeasure.service_id).distinct()
                                  .where(*within(CaseMeasure, self.scope, self.period))).all()

    def case_side(self):
        return samples.exact_case_side(self.scope, self.period)

    def stage_samples(self):
        return samples.exact_stage_samples(self.scope, self.period)


class FromRollup:
    """The scope's cases resolved in ``period``, read from the daily rollup: days x stages rows, however many
    cases; sums exact, quantiles within ``spread.ALPHA``."""

    from_rollup = True

    def __init__(self, scope, period, rolled):
        self.scope, self.period, self.rolled = scope, period, rolled

    def case_counts(self):
        return voice.rolled_case_counts(self.rolled)

    def answer_counts(self):
        return voice.rolled_answer_counts(self.rolled)

    def stage_totals(self):
        return stages.rolled_totals(self.rolled)

    def stage_costs(self, totals):
        return stages.rolled_costs(self.rolled, totals)

    def stage_reasons(self, totals):
        return {key: self.rolled.totals[key]["reasons"] for key in totals}

    def queue_ids(self):
        return [int(queue_id) for queue_id in self.rolled.case_totals()["cases_by_queue"]]

    def service_ids(self):
        return [int(service_id) for service_id in self.rolled.case_totals()["minutes_by_service"]]

    def case_side(self):
        return samples.rolled_case_side(self.rolled)

    def stage_samples(self):
        return samples.rolled_stage_samples(self.rolled)


def from_rollup(scope, period):
    """The rollup's reading of the period, or the exact one where the rollup does not keep the scope."""
    rolled = days.rolled(scope, period)
    return FromRollup(scope, period, rolled) if rolled is not None else CaseByCase(scope, period)


def reading_of(scope, period):
    """The reading the pages use: from the rollup past ``days.EXACT_UP_TO`` cases, else case by case."""
    rolled = days.rolled(scope, period)
    if rolled is not None and rolled.cases > days.EXACT_UP_TO:
        return FromRollup(scope, period, rolled)
    return CaseByCase(scope, period)
