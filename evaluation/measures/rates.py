"""A percentage and a mean, each defined once for every measure.

A rate is kept unrounded (conversion, repeats, hand-offs: the reports give it whole and the
page rounds it for show); a survey's shares and means are published rounded, half up as a
spreadsheet's ROUND does, so a share of 52.25% reads 52.3 everywhere it appears. Nothing to
divide by gives None, never 0: "not known yet" is not a rate of nothing.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def percent(part: int, whole: int, places: int | None = None) -> float | None:
    """``part`` of ``whole`` as a percentage (0–100); rounded half up to ``places`` if given."""
    if not whole:
        return None
    if places is None:
        return 100.0 * part / whole
    value = Decimal(part * 100) / Decimal(whole)
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def mean(total: Decimal | int | float | None, n: int, places: int = 2) -> float | None:
    """``total`` over ``n``, rounded half up to ``places``; None of nothing."""
    if not n or total is None:
        return None
    value = Decimal(str(total)) / Decimal(n)
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
