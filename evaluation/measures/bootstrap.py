"""The percentile bootstraps of a difference in differences (``over_time``), and the
intervals an import works out ahead for the first view (``mean_interval``).

Both resample each of four groups on its own with numpy's generator seeded as given
(docs/method.md): a rate's group is one binomial draw, an average's one multinomial draw over
its distinct values. An average's bootstrap at a million conversations takes seconds, so the
import keeps the Cost change page's first one under a hash of its exact inputs
(``store.kept_tables``): equal inputs give the equal interval, so a kept one is never stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from decimal import Decimal

import numpy as np

from evaluation.store import kept_tables
from evaluation.store.connection import Store
from evaluation.store.query import cursor

SEED = 18
REPLICATES = 2000
_DRAWS_AT_ONCE = 4_000_000  # multinomial cells drawn per block: bounds the memory used


def rate_bootstrap(
    cells: Sequence[tuple[int, int]], seed: int = SEED, replicates: int = REPLICATES
) -> tuple[float, float]:
    """The 95% percentile interval, in points, of (rate 2 − rate 1) − (rate 4 − rate 3) for
    four cells of (successes, requests): each cell's resample is one binomial draw."""
    generator = np.random.default_rng(seed)
    draws = [generator.binomial(n, x / n, size=replicates) / n for x, n in cells]
    spread = 100 * ((draws[1] - draws[0]) - (draws[3] - draws[2]))
    low, high = np.quantile(spread, [0.025, 0.975])
    return float(low), float(high)


def mean_bootstrap(
    cells: Sequence[Sequence[tuple[Decimal | float, int]]],
    seed: int = SEED,
    replicates: int = REPLICATES,
) -> tuple[float, float]:
    """The 95% percentile interval of (mean 2 − mean 1) − (mean 4 − mean 3) for four cells,
    each given as its distinct values with how many requests had each."""
    generator = np.random.default_rng(seed)
    draws = []
    for cell in cells:
        amounts = np.array([float(v) for v, _ in cell])
        counts = np.array([n for _, n in cell], dtype=np.int64)
        draws.append(_resampled_means(generator, amounts, counts, replicates))
    spread = (draws[1] - draws[0]) - (draws[3] - draws[2])
    low, high = np.quantile(spread, [0.025, 0.975])
    return float(low), float(high)


def _resampled_means(
    generator: np.random.Generator, values: np.ndarray, counts: np.ndarray, replicates: int
) -> np.ndarray:
    """The mean of ``replicates`` resamples of a cell, from its distinct values and counts."""
    n = int(counts.sum())
    shares = counts / n
    means = np.empty(replicates)
    block = max(1, _DRAWS_AT_ONCE // len(values))
    for start in range(0, replicates, block):
        size = min(block, replicates - start)
        means[start : start + size] = generator.multinomial(n, shares, size=size) @ values / n
    return means


def interval_key(cells: Sequence[Sequence[tuple[Decimal, int]]], seed: int, replicates: int) -> str:
    """The exact inputs of a ``mean_bootstrap``, in a few bytes: equal keys, equal intervals."""
    text = repr(("mean", [[(str(v), n) for v, n in cell] for cell in cells], seed, replicates))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def mean_interval(
    store: Store, cells: Sequence[Sequence[tuple[Decimal, int]]], seed: int, replicates: int
) -> tuple[float, float]:
    """``mean_bootstrap`` of the cells, or the interval an import worked out for exactly these
    inputs (``measures.prepared``: the Cost change page's first comparison, seconds at 1M)."""
    with cursor(store) as cur:
        found = kept_tables.find_interval(cur, interval_key(cells, seed, replicates))
    return found if found is not None else mean_bootstrap(cells, seed, replicates)
