"""What a comparison tests, for one side of a change: medians, counts and the values behind them.

Read case by case, or drawn from the daily rollup's spreads for a large period (``insight.reading`` chooses).
"""
from dataclasses import dataclass

from sqlalchemy import select

from casework.insight import days, spread, stages
from casework.insight.models import CaseMeasure, StageMeasureRow
from casework.insight.scope import within
from core.extensions import db

# values drawn from a rollup's spread to test a large side with (the test's power is long saturated by then)
SAMPLE = 5000


@dataclass
class Side:
    """One side of a rank comparison: its median and count, and the values the test is run on."""

    median: float | None
    n: int
    sample: list


def rolled_case_side(rolled):
    """``exact_case_side``'s answer from the rollup: medians within its accuracy, values drawn from its spreads."""
    waits, efforts = (rolled.spread(days.CASE, name) for name in ("wait_spread", "effort_spread"))
    return {"n": rolled.cases,
            "wait": Side(spread.quantile(waits, 0.5, spread.HOURS), rolled.cases,
                         spread.sample(waits, spread.HOURS, SAMPLE)),
            "effort": Side(spread.quantile(efforts, 0.5, spread.MINUTES), rolled.cases,
                           spread.sample(efforts, spread.MINUTES, SAMPLE))}


def exact_case_side(scope, period):
    """A side's case count, medians of time to resolution (hours) and minutes, and the values to test."""
    rows = db.session.execute(select(CaseMeasure.wait_hours, CaseMeasure.effort_minutes)
                              .where(*within(CaseMeasure, scope, period))).all()
    waits, efforts = [r[0] for r in rows], [r[1] for r in rows]
    return {"n": len(rows), "wait": Side(stages.percentile(waits, 0.5), len(rows), waits),
            "effort": Side(stages.percentile(efforts, 0.5), len(rows), efforts)}


def rolled_stage_samples(rolled):
    """``exact_stage_samples``'s answer drawn from the rollup's spreads."""
    return {key: tuple(spread.sample(rolled.spread(key, name), days.SPREADS[name], SAMPLE)
                       for name in ("wait_spread", "effort_spread")) for key in rolled.stage_keys()}


def exact_stage_samples(scope, period):
    """``{key: ([wait hours], [minutes of cases with steps])}``: every case's."""
    found = {}
    for key, wait, effort, steps in db.session.execute(select(
            StageMeasureRow.key, StageMeasureRow.wait_hours, StageMeasureRow.effort_minutes, StageMeasureRow.steps)
            .where(*within(StageMeasureRow, scope, period))):
        waits, minutes = found.setdefault(key, ([], []))
        waits.append(wait)
        if steps:
            minutes.append(effort)
    return found
