"""95% confidence intervals from Student's t distribution, without a statistics library.

A t interval is deterministic (the same data always gives the same interval, unlike a
bootstrap) and is what a finance officer can check in a spreadsheet with ``T.INV.2T``. The
t quantile is found by bisection on the t distribution's cumulative probability, which is
computed from the regularised incomplete beta function (continued fraction, as in
Numerical Recipes); that is accurate to far more places than a pound needs.
"""

from __future__ import annotations

import math

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
