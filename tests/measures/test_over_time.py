"""The difference over time against usual-practice sites, and its seeded bootstrap interval.

A site runs usual practice until a date and three conversations after it; another team runs
usual practice throughout. The tests set each period's figures, read the difference in
differences back, and check the bootstrap: seeded and stated, the same for the same seed,
resampling distinct values with their counts like resampling requests, and covering about
95% over a few hundred simulated data sets.
"""

from __future__ import annotations

import math
import random
from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from evaluation.measures.bootstrap import SEED, _resampled_means, mean_bootstrap, rate_bootstrap
from evaluation.measures.over_time import conversion_over_time, cost_over_time, suggested_change
from evaluation.measures.selection import Selection
from evaluation.present.compare import over_time_caption, over_time_verdict
from evaluation.store.connection import Store
from tests.fixtures.mix import Group, load

UP, TC = "usual practice", "three conversations"
CHANGED, OLD = "Changed site", "Old team"
BEFORE, AFTER = date(2024, 1, 1), date(2024, 6, 10)
ON = date(2024, 6, 1)
WHO = ("65+", "Physical support")


def before(site: str, approach: str, **figures: object) -> Group:
    return Group(site, approach, *WHO, start=BEFORE, days=140, **figures)  # type: ignore[arg-type]


def after(site: str, approach: str, **figures: object) -> Group:
    return Group(site, approach, *WHO, start=AFTER, days=140, **figures)  # type: ignore[arg-type]


# Conversion at the site falls from 20% to 10% when it changes; at the old team it stays 20%.
CHANGED_GROUPS = [
    before(CHANGED, UP, new=40, long_term=8, changes=[50] * 10 + [0] * 10),
    after(CHANGED, TC, new=40, long_term=4, changes=[0] * 20),
    before(OLD, UP, new=50, long_term=10, changes=[20] * 20),
    after(OLD, UP, new=50, long_term=10, changes=[20] * 10 + [10, 30] * 5),
]


@pytest.fixture
def changed(store: Store) -> Store:
    load(store, CHANGED_GROUPS)
    return store


def test_conversion_over_time_against_usual_practice(changed: Store) -> None:
    found = conversion_over_time(changed, "changed SITE ", ON)
    assert found.site == CHANGED and found.comparison_sites == (OLD,)
    assert {k: (c.requests, c.value) for k, c in found.cells.items()} == {
        "site before": (40, 20.0),
        "site after": (40, 10.0),
        "comparison before": (50, 20.0),
        "comparison after": (50, 20.0),
    }
    assert (found.site_change, found.comparison_change) == (-10.0, 0.0)
    assert found.difference == -10.0
    assert (found.seed, found.replicates) == (SEED, 2000)
    assert found.ci95 == rate_bootstrap([(8, 40), (4, 40), (10, 50), (10, 50)], SEED, 2000)
    low, high = found.ci95  # type: ignore[misc]
    assert low < -10 < high
    assert conversion_over_time(changed, CHANGED, ON) == found  # same seed, same interval
    other = conversion_over_time(changed, CHANGED, ON, seed=7)
    assert other.ci95 != found.ci95 and other.seed == 7
    assert "seed 18" in over_time_caption(found) and "2,000 resamples" in over_time_caption(found)
    assert found.as_dict()["cells"]["site_before"] == {"new_requests": 40, "rate": 20.0}


def test_cost_change_over_time_against_usual_practice(changed: Store) -> None:
    found = cost_over_time(changed, CHANGED, ON)
    # Harrow's average counts every completed request: the new ones changed by nothing
    assert {k: (c.requests, c.value) for k, c in found.cells.items()} == {
        "site before": (60, Decimal("8.33")),  # 10 × £50 over 60
        "site after": (60, Decimal("0.00")),
        "comparison before": (70, Decimal("5.71")),  # 20 × £20 over 70
        "comparison after": (70, Decimal("5.71")),
    }
    assert found.difference == Decimal("-8.33")
    low, high = found.ci95  # type: ignore[misc]
    assert low < Decimal("-8.33") < high < 0
    assert "fell by £8.33 a week more" in over_time_verdict(found)


def test_a_period_with_too_few_requests_shows_no_figure(changed: Store) -> None:
    found = conversion_over_time(changed, CHANGED, date(2024, 1, 2))
    assert "site before" in found.too_small and "comparison before" in found.too_small
    assert found.difference is None and found.ci95 is None
    small = [c for k, c in found.cells.items() if k in found.too_small]
    assert all(c.value is None for c in small)  # no rate rests on fewer than 5 requests
    assert over_time_verdict(found).startswith("Too small to compare over time")


def test_the_period_and_the_site_are_checked(changed: Store) -> None:
    window = Selection(date_from=date(2024, 3, 1), date_to=date(2024, 9, 1), sites=("ignored",))
    found = conversion_over_time(changed, CHANGED, ON, window)
    assert sum(c.requests for c in found.cells.values()) < 180
    assert found.date_from == date(2024, 3, 1)
    with pytest.raises(ValueError, match="no site called 'Nowhere'"):
        conversion_over_time(changed, "Nowhere", ON)


def test_the_first_guess_is_the_first_three_conversations_conversation(changed: Store) -> None:
    guess = suggested_change(changed, CHANGED)
    assert guess is not None and AFTER <= guess <= date(2024, 7, 1)
    old = suggested_change(changed, OLD)
    assert old is not None and BEFORE < old < date(2024, 11, 1)  # the middle of its span


# --- the bootstrap ------------------------------------------------------------------------


def test_resampling_distinct_values_with_counts_is_resampling_requests() -> None:
    values = np.array([-42.9, 0.0, 64.35, 214.5])
    counts = np.array([30, 500, 60, 10])
    means = _resampled_means(np.random.default_rng(1), values, counts, 4000)
    requests = np.repeat(values, counts)
    assert means.mean() == pytest.approx(requests.mean(), abs=0.3)
    assert means.std() == pytest.approx(requests.std() / math.sqrt(len(requests)), rel=0.06)
    # drawn in blocks, the same as drawn at once
    blocked = _resampled_means(np.random.default_rng(2), values, counts, 10)
    assert blocked.shape == (10,)


def test_the_rate_bootstrap_covers_about_95_percent() -> None:
    rng = np.random.default_rng(18)
    sizes, rates = (60, 80, 100, 120), (0.12, 0.08, 0.13, 0.125)
    truth = 100 * ((rates[1] - rates[0]) - (rates[3] - rates[2]))
    draws, covered = 1000, 0
    for i in range(draws):
        cells = [(int(rng.binomial(n, p)), n) for n, p in zip(sizes, rates, strict=True)]
        low, high = rate_bootstrap(cells, seed=i, replicates=1000)
        covered += low <= truth <= high
    assert 0.92 <= covered / draws <= 0.97


def test_the_mean_bootstrap_covers_about_95_percent() -> None:
    rng = random.Random(21)
    values, chances = (0, 43.2, 107.25, -42.9), ((0.8, 0.1, 0.05), (0.75, 0.1, 0.1))
    cells_shares = (chances[0], chances[1], chances[0], chances[0])

    def expected(shares: tuple[float, float, float]) -> float:
        return shares[1] * 43.2 + shares[2] * 107.25 + (1 - sum(shares)) * -42.9

    truth = (expected(cells_shares[1]) - expected(cells_shares[0])) - 0.0
    draws, covered = 600, 0
    for i in range(draws):
        cells = []
        for shares in cells_shares:
            counts = [0, 0, 0, 0]
            for _ in range(80):
                u = rng.random()
                counts[
                    0
                    if u < shares[0]
                    else 1
                    if u < sum(shares[:2])
                    else 2
                    if u < sum(shares)
                    else 3
                ] += 1
            cells.append([(v, n) for v, n in zip(values, counts, strict=True) if n])
        low, high = mean_bootstrap(cells, seed=i, replicates=1000)
        covered += low <= truth <= high
    assert 0.92 <= covered / draws <= 0.97
