"""Intervals a finance officer can check in a spreadsheet: T.INV.2T and Wilson's score."""

from __future__ import annotations

import math

import pytest

from evaluation.measures.intervals import (
    difference_interval,
    mean_interval,
    t_cdf,
    t_quantile,
    wilson,
)
from evaluation.measures.rates import mean, percent


@pytest.mark.parametrize(
    ("df", "t"), [(1, 12.7062047), (2, 4.3026527), (10, 2.2281389), (100, 1.9839715)]
)
def test_t_quantiles_match_excel_t_inv_2t(df: int, t: float) -> None:
    assert t_quantile(0.975, df) == pytest.approx(t, abs=1e-6)
    assert t_cdf(t, df) == pytest.approx(0.975, abs=1e-8)
    assert t_quantile(0.025, df) == pytest.approx(-t, abs=1e-6)


def test_a_mean_interval_needs_two_values() -> None:
    assert mean_interval(10.0, None, 1) is None
    low, high = mean_interval(10.0, 2.0, 4)  # type: ignore[misc]
    half = 3.1824463 * 2.0 / 2
    assert (low, high) == pytest.approx((10 - half, 10 + half), abs=1e-6)


def test_welch_interval_for_a_difference() -> None:
    assert difference_interval(1.0, 1.0, 1, 1.0, 5) is None
    assert difference_interval(2.0, 0.0, 3, 0.0, 3) == (2.0, 2.0)
    low, high = difference_interval(5.0, 3.0, 10, 4.0, 12)  # type: ignore[misc]
    assert low < 5.0 < high and (high - 5.0) == pytest.approx(5.0 - low)


def test_wilson_stays_inside_0_to_100_and_matches_medway() -> None:
    assert wilson(0, 0) is None
    low, high = wilson(20, 388)  # type: ignore[misc]
    assert (round(low, 2), round(high, 2)) == (3.36, 7.83)
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == 100.0  # type: ignore[index]


def test_one_percentage_and_one_mean() -> None:
    assert percent(20, 388) == pytest.approx(5.154639, abs=1e-6)
    assert percent(1, 16, 1) == 6.3 and percent(1, 8, 1) == 12.5
    assert percent(3, 0) is None and percent(3, 0, 1) is None
    assert mean(209, 4) == 52.25 and mean(209, 4, 1) == 52.3
    assert mean(None, 3) is None and mean(5, 0) is None
    assert math.isclose(mean(10, 3), 3.33)


def test_a_mean_interval_from_a_groups_sums() -> None:
    """1, 2, 3, 4, 5: mean 3, sd 1.5811, t(0.975, 4) = 2.7764, half-width 1.9632."""
    from evaluation.measures.intervals import interval_from_sums

    low, high = interval_from_sums(15, 55, 5) or (0.0, 0.0)
    assert round(low, 4) == 1.0368 and round(high, 4) == 4.9632
    assert interval_from_sums(4, 16, 1) is None  # one answer says nothing of the spread
    assert interval_from_sums(None, None, 0) is None
