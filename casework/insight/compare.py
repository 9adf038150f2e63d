"""Before and after a process change: each measure either side, the difference, and whether it is more than noise.

Waits and minutes are compared with the Mann-Whitney rank test (no
assumption that they are normal, which they are not): case by case where a
side has at most ``days.EXACT_UP_TO`` cases; on a larger side, on ``samples.SAMPLE``
values read off the daily rollup's spread at evenly spaced ranks, while the
medians shown are over all of its cases. Shares (steps
rated hard, resolved by the due date, reopened, citizens satisfied) with a
two-proportion test (chi-squared on the 2x2 table, Fisher's exact test where
a cell expects fewer than 5). Both from ``scipy.stats``. Below ``MIN_CASES``
on a side a measure says "not enough data yet" rather than guess.
"""
from dataclasses import dataclass
from datetime import timedelta

from casework.insight import stages
from casework.insight.reading import reading_of
from casework.insight.samples import Side
from casework.insight.scope import Period, Scope

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


def compare(change, today, read=reading_of):
    """The ``Comparison`` of ``change``'s service either side of it; ``read`` reads each side (see
    ``insight.reading``)."""
    before, after = sides(change, today)
    scope = Scope(service_id=change.service_id)
    readings = [read(scope, side) for side in (before, after)]
    cases = [reading.case_side() for reading in readings]
    shares = [rates(reading) for reading in readings]
    differences = [
        rank_difference("Time to resolution", "days", *[c["wait"] for c in cases]),
        rank_difference("Staff minutes a case", "minutes", *[c["effort"] for c in cases]),
        share_difference("Resolved by the due date", *shares[0]["sla"], *shares[1]["sla"], lower_is_better=False),
        share_difference("Reopened", *shares[0]["reopened"], *shares[1]["reopened"]),
        share_difference("Citizens satisfied (agree or strongly agree)", *shares[0]["satisfied"],
                         *shares[1]["satisfied"], lower_is_better=False),
    ]
    summaries = [reading.stage_totals() for reading in readings]
    samples = [reading.stage_samples() for reading in readings]
    by_stage = []
    for key, name in stages.names_in_order({*summaries[0], *summaries[1]}):
        sides_of = [(summary.get(key, {}), sample.get(key, ([], []))) for summary, sample in zip(summaries, samples)]
        waits = [Side(totals.get("wait_median"), totals.get("cases", 0), sample[0]) for totals, sample in sides_of]
        minutes = [Side(totals.get("effort_median"), totals.get("cases", 0) if sample[1] else 0, sample[1])
                   for totals, sample in sides_of]
        hard = [(int(totals.get("hard") or 0), int(totals.get("rated") or 0)) for totals, _sample in sides_of]
        by_stage.append((name, [
            rank_difference("Citizen wait", "days", *waits),
            rank_difference("Staff minutes", "minutes", *minutes),
            share_difference("Steps rated hard", *hard[0], *hard[1]),
        ]))
    return Comparison(change, before, after, differences, by_stage)


def rank_difference(measure, unit, before, after):
    """Medians either side (``Side``) and the Mann-Whitney p-value on their samples; hours shown in days."""
    scale = 1 / 24 if unit == "days" else 1
    p_value = None
    if before.n >= MIN_CASES and after.n >= MIN_CASES and len(before.sample) >= MIN_CASES \
            and len(after.sample) >= MIN_CASES:
        from scipy import stats  # (here, not at the top: it takes a second to import, in every process)

        p_value = float(stats.mannwhitneyu(before.sample, after.sample, alternative="two-sided").pvalue)
    return Difference(measure, unit, scaled(before.median, scale), scaled(after.median, scale), before.n, after.n,
                      p_value)


def scaled(value, scale):
    return None if value is None else round(float(value) * scale, 2)


def share_difference(measure, hits_before, n_before, hits_after, n_after, lower_is_better=True):
    """Shares either side and the two-proportion test's p-value."""
    p_value = None
    if n_before >= MIN_CASES and n_after >= MIN_CASES:
        table = [[hits_before, n_before - hits_before], [hits_after, n_after - hits_after]]
        if hits_before + hits_after in (0, n_before + n_after):
            p_value = 1.0  # the same on both sides
        else:
            from scipy import stats  # (see rank_difference)

            expected = stats.contingency.expected_freq(table)
            p_value = float(stats.fisher_exact(table).pvalue if expected.min() < 5
                            else stats.chi2_contingency(table, correction=False).pvalue)
    return Difference(measure, "share", share(hits_before, n_before), share(hits_after, n_after), n_before, n_after,
                      p_value, lower_is_better)


def share(hits, n):
    return round(hits / n, 3) if n else None


def rates(reading):
    """``{measure: (hits, n)}`` of a side's shares, counted as the blueprint's voice counts them."""
    cases, sla_cases, sla_met, reopened = reading.case_counts()
    satisfaction_n, satisfied, _mean = reading.answer_counts()["satisfaction"]
    return {"sla": (sla_met, sla_cases), "reopened": (reopened, cases), "satisfied": (satisfied, satisfaction_n)}
