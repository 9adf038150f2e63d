"""Before and after a process change: each measure either side, the difference, and whether it is more than noise.

Waits and minutes are compared case by case with the Mann-Whitney rank test
(no assumption that they are normal, which they are not); shares (steps
rated hard, resolved by the due date, reopened, citizens satisfied) with a
two-proportion test (chi-squared on the 2x2 table, Fisher's exact test where
a cell expects fewer than 5). Both from ``scipy.stats``. Below ``MIN_CASES``
on a side a measure says "not enough data yet" rather than guess.
"""
from dataclasses import dataclass
from datetime import timedelta

from scipy import stats
from sqlalchemy import func, select

from casework.insight import stages
from casework.insight.models import CaseMeasure, StageMeasureRow
from casework.insight.scope import Period, Scope, within
from core.extensions import db
from intake.survey import Feedback

MIN_CASES = 10
# a difference is called more than noise below this p-value
SIGNIFICANCE = 0.05
LONGEST_SIDE_DAYS = 90


@dataclass
class Difference:
    measure: str
    unit: str
    before: float | None
    after: float | None
    n_before: int
    n_after: int
    p_value: float | None
    # "lower is better" for waits, minutes, hard steps and reopening; "higher" for SLA met and satisfaction
    lower_is_better: bool = True

    @property
    def enough(self):
        return self.n_before >= MIN_CASES and self.n_after >= MIN_CASES and self.p_value is not None

    @property
    def change(self):
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def beyond_noise(self):
        return self.enough and self.p_value < SIGNIFICANCE

    @property
    def verdict(self):
        """In words: "better", "worse", "no clear change", or "not enough data yet"."""
        if not self.enough:
            return "not enough data yet"
        if not self.beyond_noise or not self.change:
            return "no clear change (within noise)"
        better = (self.change < 0) == self.lower_is_better
        return "better" if better else "worse"


@dataclass
class Comparison:
    change: object  # ProcessChange
    before: Period
    after: Period
    differences: list
    stages: list  # (stage name, [Difference])


def sides(change, today):
    """Equal periods either side of the change's day: as long as the days since it (today included), at most 90."""
    length = max(0, min(LONGEST_SIDE_DAYS, (today - change.made_on).days + 1))
    return (Period(change.made_on - timedelta(days=length), change.made_on),
            Period(change.made_on, change.made_on + timedelta(days=length)))


def compare(change, today):
    """The ``Comparison`` of ``change``'s service either side of it."""
    before, after = sides(change, today)
    scope = Scope(service_id=change.service_id)
    differences = [
        rank_difference("Time to resolution", "days", case_values(scope, before), case_values(scope, after)),
        rank_difference("Staff minutes a case", "minutes", case_values(scope, before, CaseMeasure.effort_minutes),
                        case_values(scope, after, CaseMeasure.effort_minutes)),
        share_difference("Resolved by the due date", *sla(scope, before), *sla(scope, after), lower_is_better=False),
        share_difference("Reopened", *reopened(scope, before), *reopened(scope, after)),
        share_difference("Citizens satisfied (agree or strongly agree)", *satisfied(scope, before),
                         *satisfied(scope, after), lower_is_better=False),
    ]
    names = {s.key: s.name for s in stages.stage_summaries(scope, Period(before.start, after.end))}
    by_stage = []
    for key, name in names.items():
        waits = [stage_values(scope, side, key, StageMeasureRow.wait_hours) for side in (before, after)]
        minutes = [stage_values(scope, side, key, StageMeasureRow.effort_minutes, worked=True) for side in (before, after)]
        hard = [hard_counts(scope, side, key) for side in (before, after)]
        by_stage.append((name, [
            rank_difference("Citizen wait", "days", *waits),
            rank_difference("Staff minutes", "minutes", *minutes),
            share_difference("Steps rated hard", *hard[0], *hard[1]),
        ]))
    return Comparison(change, before, after, differences, by_stage)


def rank_difference(measure, unit, before, after):
    """Medians either side and the Mann-Whitney p-value; waits given in hours are shown in days."""
    scale = 1 / 24 if unit == "days" else 1
    p_value = None
    if len(before) >= MIN_CASES and len(after) >= MIN_CASES:
        p_value = float(stats.mannwhitneyu(before, after, alternative="two-sided").pvalue)
    return Difference(measure, unit, median(before, scale), median(after, scale), len(before), len(after), p_value)


def share_difference(measure, hits_before, n_before, hits_after, n_after, lower_is_better=True):
    """Shares either side and the two-proportion test's p-value."""
    p_value = None
    if n_before >= MIN_CASES and n_after >= MIN_CASES:
        table = [[hits_before, n_before - hits_before], [hits_after, n_after - hits_after]]
        if hits_before + hits_after in (0, n_before + n_after):
            p_value = 1.0  # the same on both sides
        else:
            expected = stats.contingency.expected_freq(table)
            p_value = float(stats.fisher_exact(table).pvalue if expected.min() < 5
                            else stats.chi2_contingency(table, correction=False).pvalue)
    return Difference(measure, "share", share(hits_before, n_before), share(hits_after, n_after), n_before, n_after,
                      p_value, lower_is_better)


def median(values, scale=1):
    found = stages.percentile(values, 0.5)
    return None if found is None else round(found * scale, 2)


def share(hits, n):
    return round(hits / n, 3) if n else None


def case_values(scope, period, column=CaseMeasure.wait_hours):
    return list(db.session.scalars(select(column).where(*within(CaseMeasure, scope, period))))


def stage_values(scope, period, key, column, worked=False):
    query = select(column).where(*within(StageMeasureRow, scope, period), StageMeasureRow.key == key)
    if worked:
        query = query.where(StageMeasureRow.steps > 0)
    return list(db.session.scalars(query))


def hard_counts(scope, period, key):
    hard, rated = db.session.execute(select(func.coalesce(func.sum(StageMeasureRow.hard), 0),
                                            func.coalesce(func.sum(StageMeasureRow.rated), 0))
                                     .where(*within(StageMeasureRow, scope, period), StageMeasureRow.key == key)).one()
    return int(hard), int(rated)


def sla(scope, period):
    met, n = db.session.execute(select(func.sum(db.case((CaseMeasure.sla_met.is_(True), 1), else_=0)),
                                       func.count(CaseMeasure.sla_met))
                                .where(*within(CaseMeasure, scope, period))).one()
    return int(met or 0), int(n)


def reopened(scope, period):
    hits, n = db.session.execute(select(func.sum(db.case((CaseMeasure.reopened.is_(True), 1), else_=0)), func.count())
                                 .where(*within(CaseMeasure, scope, period))).one()
    return int(hits or 0), int(n)


def satisfied(scope, period):
    hits, n = db.session.execute(
        select(func.sum(db.case((Feedback.satisfaction >= 4, 1), else_=0)), func.count(Feedback.satisfaction))
        .join(CaseMeasure, CaseMeasure.request_id == Feedback.request_id)
        .where(*within(CaseMeasure, scope, period))).one()
    return int(hits or 0), int(n)
