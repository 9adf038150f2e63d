"""Hot spots: the few stages where improving would help citizens and staff most, with why, in sentences.

A stage's score is the mean of three shares, each 0 to 1:

- its share of all the business hours citizens waited (volume times wait);
- its share of all the staff minutes spent beyond the standard (volume times
  minutes over standard);
- the share of its steps staff rated hard (4 or 5 of 5), where at least 5 rated.

The page prints this explanation beside the ranking.
"""
from dataclasses import dataclass

from core.numbers import whole_percent

from casework.insight.measures import STEP

SHOWN = 3
EXPLANATION = ("Each stage scores the mean of three shares: of all the business hours citizens waited, of all the "
               "staff minutes spent beyond the standard, and of its steps staff rated hard (4 or 5 of 5). "
               "The highest scores are listed.")


@dataclass
class HotSpot:
    key: str
    name: str
    score: float
    wait_share: float
    over_standard_share: float
    hard_share: float | None
    minutes_share: float
    sentence: str


def hot_spots(stages, hours_per_day):
    """The ``SHOWN`` highest-scoring of ``stages`` (``StageSummary``) with a score above 0, best first."""
    wait_total = sum(stage.wait_business_hours_total for stage in stages)
    over_total = sum(stage.over_standard_minutes for stage in stages)
    minutes_total = sum(stage.effort_minutes_total for stage in stages)
    spots = []
    for stage in stages:
        wait_share = stage.wait_business_hours_total / wait_total if wait_total else 0.0
        over_share = stage.over_standard_minutes / over_total if over_total else 0.0
        hard = stage.hard_share
        score = (wait_share + over_share + (hard or 0.0)) / 3
        if score <= 0:
            continue
        minutes_share = stage.effort_minutes_total / minutes_total if minutes_total else 0.0
        spots.append(HotSpot(stage.key, stage.name, round(score, 3), round(wait_share, 3), round(over_share, 3), hard,
                             round(minutes_share, 3), sentence(stage, minutes_share, hours_per_day)))
    return sorted(spots, key=lambda spot: -spot.score)[:SHOWN]


def sentence(stage, minutes_share, hours_per_day):
    """"Site visit: 38% of staff minutes, a median 3.2 business days of citizen wait, 41% of staff rate it hard,
    most often: missing information." (parts without data are left out)."""
    parts = []
    if stage.kind == STEP or stage.effort_minutes_total:
        parts.append(f"{minutes_share:.0%} of staff minutes")
    if stage.wait_business_hours_median is not None:
        days = stage.wait_business_hours_median / hours_per_day
        parts.append(f"a median {days:.1f} business days of citizen wait" if days >= 1 else
                     f"a median {stage.wait_business_hours_median:.1f} business hours of citizen wait")
    if stage.over_standard_minutes and stage.steps:
        over = round(stage.over_standard_minutes / stage.steps)
        parts.append(f"{over} minute{'' if over == 1 else 's'} a step over the standard")
    if stage.hard_share is not None:
        parts.append(f"{whole_percent(stage.hard_share)} of its steps were rated hard")
        if stage.top_reasons:
            parts.append(f"most often: {stage.top_reasons[0][0].lower()}")
    return f"{stage.name}: {', '.join(parts)}."
