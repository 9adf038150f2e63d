"""Spreads of values that add up across days: log-spaced histograms whose quantiles are within 1% of the true ones.

The daily rollup (``casework.insight.days``) keeps, per scope, day and stage,
how many cases fell in each bucket of their wait and of their minutes; a
period's spread is the sum of its days' (``merge``), and its median and 90th
percentile are read off it (``quantile``) as PostgreSQL's ``percentile_cont``
would from the values themselves, to within the bucket's accuracy.

Buckets follow DDSketch (Masson, Rim and Lee, VLDB 2019): bucket ``i`` holds
``(low * gamma**(i-1), low * gamma**i]`` and stands for the value whose
relative error to anything in it is at most ``ALPHA``. Whole minutes up to
``EXACT_MINUTES`` have a bucket each, so typical step minutes come back exact.
A spread is stored as bytes: little-endian int32 pairs (bucket, count) of its
non-empty buckets.
"""
import math

import numpy as np

# relative accuracy of a value read off a spread
ALPHA = 0.01
GAMMA = (1 + ALPHA) / (1 - ALPHA)
LOG_GAMMA = math.log(GAMMA)


class Scale:
    """Bucket 0 holds zero (and anything below ``low``); whole numbers up to ``exact`` have their own; then log."""

    def __init__(self, low, high, exact=0):
        self.low, self.exact = low, exact
        # the log part starts above ``exact`` (or above ``low`` where nothing is exact)
        self.base = max(low, exact)
        self.first_log = exact + 1
        self.size = self.first_log + math.ceil(math.log(high / self.base) / LOG_GAMMA) + 1
        logs = np.arange(self.size - self.first_log) + 1
        self.values = np.concatenate([np.arange(self.first_log, dtype=float),
                                      self.base * 2 * GAMMA ** logs / (GAMMA + 1)])
        self.values[0] = 0.0

    def index(self, values):
        """The bucket of each of ``values`` (a numpy array), clamped to the scale."""
        values = np.asarray(values, dtype=float)
        logs = np.ceil(np.log(np.maximum(values, self.base) / self.base) / LOG_GAMMA).astype(np.int64)
        found = np.where(values > self.base, self.first_log - 1 + np.maximum(logs, 1), 0)
        if self.exact:
            found = np.where(values <= self.exact, np.rint(np.maximum(values, 0)).astype(np.int64), found)
        return np.clip(found, 0, self.size - 1)

    def bucket(self, value):
        """The bucket of one value (``index`` without numpy, for the worker's one-at-a-time counting)."""
        if value <= self.exact:
            return max(0, round(value))
        if value <= self.base:
            return 0
        logs = max(1, math.ceil(math.log(value / self.base) / LOG_GAMMA))
        return min(self.first_log - 1 + logs, self.size - 1)


# waits in hours: from 0.36 seconds to 11 years
HOURS = Scale(low=1e-4, high=1e5)
# staff minutes: every whole minute to two hours, then log to 10,000 hours of work
EXACT_MINUTES = 120
MINUTES = Scale(low=1, high=6e5, exact=EXACT_MINUTES)


def counts_of(values, scale):
    """``{bucket: count}`` of ``values`` on ``scale``."""
    if len(values) == 0:
        return {}
    buckets, counts = np.unique(scale.index(values), return_counts=True)
    return dict(zip(buckets.tolist(), counts.tolist()))


def encode(counts):
    """``{bucket: count}`` (empty buckets left out) as the bytes the rollup stores."""
    kept = sorted((bucket, count) for bucket, count in counts.items() if count)
    return np.array(kept, dtype="<i4").tobytes()


def merge(blobs, scale):
    """The dense counts (one per bucket of ``scale``) of several stored spreads added together."""
    pairs = np.frombuffer(b"".join(blob for blob in blobs if blob), dtype="<i4")
    if not len(pairs):
        return np.zeros(scale.size, dtype=np.int64)
    return np.bincount(pairs[0::2], weights=pairs[1::2], minlength=scale.size).astype(np.int64)


def add(blob, delta):
    """``blob`` with ``delta`` (``{bucket: count}``, counts may be negative) added, as bytes."""
    counts = {}
    pairs = np.frombuffer(blob or b"", dtype="<i4")
    for bucket, count in zip(pairs[0::2].tolist(), pairs[1::2].tolist()):
        counts[bucket] = count
    for bucket, count in delta.items():
        counts[bucket] = counts.get(bucket, 0) + count
    return encode(counts)


def quantile(counts, q, scale):
    """The ``q`` quantile of the values counted in ``counts``, interpolated as ``percentile_cont``; None if none."""
    n = int(counts.sum())
    if n == 0:
        return None
    rank = q * (n - 1)
    low = int(rank)
    high = min(low + 1, n - 1)
    running = np.cumsum(counts)
    below, above = scale.values[np.searchsorted(running, [low, high], side="right")]
    return float(below + (above - below) * (rank - low))


def sample(counts, scale, size):
    """At most ``size`` values read off the spread at evenly spaced ranks (what a rank test is run on)."""
    n = int(counts.sum())
    if n == 0:
        return []
    ranks = np.arange(n) if n <= size else np.linspace(0, n - 1, size).round().astype(np.int64)
    return scale.values[np.searchsorted(np.cumsum(counts), ranks, side="right")].tolist()
