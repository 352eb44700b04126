"""95% confidence intervals from Student's t distribution, without a statistics library.

A t interval is deterministic (the same data always gives the same interval, unlike a
bootstrap) and is what a finance officer can check in a spreadsheet with ``T.INV.2T``. The
t quantile is found by bisection on the t distribution's cumulative probability, which is
computed from the regularised incomplete beta function (continued fraction, as in
Numerical Recipes); that is accurate to far more places than a pound needs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

LEVEL = 0.95


def _beta_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta function (modified Lentz's method)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > tiny else tiny
        step = d * c
        h *= step
        if abs(step - 1.0) < 1e-15:
            break
    return h


def _incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T ≤ t) for Student's t with ``df`` degrees of freedom (df may be fractional)."""
    tail = 0.5 * _incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


@lru_cache(maxsize=4096)  # a view's groups share their sizes; ~40 incomplete betas a call
def t_quantile(p: float, df: float) -> float:
    """The t value with P(T ≤ t) = p; for a 95% interval, ``t_quantile(0.975, n - 1)``."""
    if not 0.0 < p < 1.0 or df <= 0:
        raise ValueError("p must be between 0 and 1 and df positive")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
        if high - low < 1e-12:
            break
    return (low + high) / 2.0


def mean_interval(mean: float, sd: float | None, n: int) -> tuple[float, float] | None:
    """The 95% t interval for a mean of ``n`` values with sample standard deviation ``sd``.

    None when there are fewer than two values: one value says nothing about its spread.
    """
    if n < 2 or sd is None:
        return None
    half = t_quantile(0.5 + LEVEL / 2, n - 1) * sd / math.sqrt(n)
    return (mean - half, mean + half)


def interval_from_sums(
    total: float | None, squares: float | None, n: int
) -> tuple[float, float] | None:
    """``mean_interval`` from a group's sum and sum of squares (what survey cells add up)."""
    if n < 2 or total is None or squares is None:
        return None
    mean = float(total) / n
    variance = max((float(squares) - n * mean * mean) / (n - 1), 0.0)
    return mean_interval(mean, math.sqrt(variance), n)


def difference_interval(
    difference: float, sd_a: float | None, n_a: int, sd_b: float | None, n_b: int
) -> tuple[float, float] | None:
    """The 95% Welch t interval for the difference between two means (unequal spreads).

    Welch's interval does not assume the two groups vary alike, which they rarely do when
    one approach changes care far more often than the other.
    """
    if n_a < 2 or n_b < 2 or sd_a is None or sd_b is None:
        return None
    va, vb = sd_a * sd_a / n_a, sd_b * sd_b / n_b
    se = math.sqrt(va + vb)
    if se == 0.0:
        return (difference, difference)
    df = (va + vb) ** 2 / (va * va / (n_a - 1) + vb * vb / (n_b - 1))
    half = t_quantile(0.5 + LEVEL / 2, df) * se
    return (difference - half, difference + half)


Z95 = 1.959963984540054  # two-sided 95% normal quantile, for the Wilson interval


def wilson(successes: int, total: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for a rate, in percent. Used rather than p ± 1.96·se because it
    stays inside 0–100% and behaves for the small areas and the low rates (5%) conversion
    produces. None when there is nothing to divide by."""
    if total == 0:
        return None
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    low = 0.0 if successes == 0 else 100.0 * max(0.0, centre - half)
    high = 100.0 if successes == total else 100.0 * min(1.0, centre + half)
    return (low, high)


def linear_proportions_interval(
    terms: Sequence[tuple[float, int, int]],
) -> tuple[float, float] | None:
    """The 95% interval for Σ c·x/n over independent proportions, on the 0–1 scale.

    ``terms`` are (coefficient, successes, trials). Price and Bonett's adjusted Wald interval
    ("An improved confidence interval for a linear function of binomial proportions",
    Computational Statistics & Data Analysis 45, 2004): each of the k proportions gets 2/k
    more successes and 4/k more trials, p̃ = (x + 2/k) / (n + 4/k), and the interval is
    Σ c·p̃ ± z·√(Σ c² p̃(1−p̃) / (n + 4/k)). The plain normal approximation, Σ c² p(1−p)/n
    about Σ c·p, covers far less than 95% when strata hold 5–20 requests and rates are near
    5%, and has no width at all where a stratum saw nothing happen; this one stays near 95%
    (the tests' simulation checks both). The caller keeps a rate's interval within 0–1.
    None when a term has no trials.
    """
    if not terms or any(n <= 0 for _, _, n in terms):
        return None
    k = len(terms)
    centre = variance = 0.0
    for c, x, n in terms:
        trials = n + 4.0 / k
        p = (x + 2.0 / k) / trials
        centre += c * p
        variance += c * c * p * (1.0 - p) / trials
    half = Z95 * math.sqrt(variance)
    return (centre - half, centre + half)


def linear_means_interval(
    estimate: float, terms: Sequence[tuple[float, float | None, int]]
) -> tuple[float, float] | None:
    """The 95% t interval for Σ c·mean over independent groups (coefficient, sd, n).

    The variance is Σ c² sd²/n and the degrees of freedom Welch–Satterthwaite's, so with
    one group this is ``mean_interval`` and with two of coefficients 1 and −1 it is
    ``difference_interval``. None when a group has fewer than two values.
    """
    if not terms or any(n < 2 or sd is None for _, sd, n in terms):
        return None
    parts = [(c * c * sd * sd / n, n) for c, sd, n in terms if sd is not None]
    variance = sum(v for v, _ in parts)
    if variance == 0.0:
        return (estimate, estimate)
    df = variance**2 / sum(v * v / (n - 1) for v, n in parts if v > 0)
    half = t_quantile(0.5 + LEVEL / 2, df) * math.sqrt(variance)
    return (estimate - half, estimate + half)
