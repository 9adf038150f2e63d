"""Spreads (pure): a period's median and 90th percentile read off daily spreads are within 1% of the exact ones."""
import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

from casework.insight import spread

hours = st.floats(min_value=0, max_value=5e4, allow_nan=False)
minutes = st.integers(min_value=0, max_value=50_000)


def exact(values, q):
    return float(np.percentile(np.asarray(values, dtype=float), q * 100))  # linear, as percentile_cont


def day_by_day(values, scale, days=3):
    """The values counted in ``days`` stored spreads, then merged, as the rollup reads a period."""
    chunks = [values[day::days] for day in range(days)]
    return spread.merge([spread.encode(spread.counts_of(chunk, scale)) for chunk in chunks], scale)


@settings(max_examples=200, deadline=None)
@given(st.lists(hours, min_size=1, max_size=300), st.sampled_from([0.5, 0.9]))
def test_a_quantile_of_waits_is_within_one_percent(values, q):
    found = spread.quantile(day_by_day(values, spread.HOURS), q, spread.HOURS)
    # (anything under 0.36 seconds counts as no wait)
    assert abs(found - exact(values, q)) <= spread.ALPHA * exact(values, q) + spread.HOURS.low


@settings(max_examples=200, deadline=None)
@given(st.lists(minutes, min_size=1, max_size=300), st.sampled_from([0.5, 0.9]))
@example([0, 37], 0.9)
def test_a_quantile_of_minutes_is_within_one_percent_and_exact_up_to_two_hours(values, q):
    found = spread.quantile(day_by_day(values, spread.MINUTES), q, spread.MINUTES)
    assert abs(found - exact(values, q)) <= spread.ALPHA * exact(values, q) + 1e-9
    if max(values) <= spread.EXACT_MINUTES:
        # exact up to the float arithmetic of interpolation (33.300000000000004 for 33.3)
        assert found == pytest.approx(exact(values, q), rel=1e-12, abs=1e-9)


@given(st.dictionaries(st.integers(0, spread.HOURS.size - 1), st.integers(1, 1000), max_size=50),
       st.dictionaries(st.integers(0, spread.HOURS.size - 1), st.integers(1, 1000), max_size=50))
def test_taking_away_what_was_added_leaves_what_was_there(kept, added):
    stored = spread.encode(kept)
    grown = spread.add(stored, added)
    assert spread.add(grown, {bucket: -count for bucket, count in added.items()}) == stored


def test_a_sample_for_a_rank_test_keeps_the_shape_and_at_most_the_size_asked():
    rng = np.random.default_rng(3)
    values = rng.lognormal(2, 1, 20_000)
    counts = spread.merge([spread.encode(spread.counts_of(values, spread.HOURS))], spread.HOURS)
    taken = spread.sample(counts, spread.HOURS, 500)
    assert len(taken) == 500 and taken == sorted(taken)
    assert abs(np.median(taken) - np.median(values)) <= 0.02 * np.median(values)
    assert len(spread.sample(counts, spread.HOURS, 50_000)) == 20_000
    assert spread.quantile(np.zeros(spread.HOURS.size, dtype=np.int64), 0.5, spread.HOURS) is None
