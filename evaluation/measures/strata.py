"""The strata of a like-for-like comparison, their weights, and the standardised figures.

``evaluation.measures.standardise`` counts each side's requests per stratum in SQL and says
why the method is what it is; here those cells become one group's comparison with usual
practice: which strata are kept and why others are left out, usual practice's weights, the
group's standardised figure and usual practice's on the same strata, their difference and the
95% intervals. Exact fractions until a figure leaves: percentages as floats, money in pounds
to the penny.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from evaluation.core.money import to_pence
from evaluation.measures.intervals import linear_means_interval, linear_proportions_interval

CONVERSION, COST_CHANGE = "conversion", "cost change"
# Why a stratum is left out of a comparison.
NOT_IN_GROUP, NOT_IN_REFERENCE = "not in group", "not in reference"
FEW_IN_GROUP, FEW_IN_REFERENCE = "few in group", "few in reference"
# Why a group has no standardised figure.
NO_REFERENCE, NO_REQUESTS, NO_SHARED_STRATA = "no reference", "no requests", "no shared strata"


@dataclass(frozen=True)
class Cell:
    """One side's requests in one stratum: how many, and the sum of their outcomes (requests
    that led to long-term support, or pounds of weekly change) and of its squares."""

    n: int = 0
    total: Fraction = Fraction(0)
    squares: float = 0.0

    def __add__(self, other: Cell) -> Cell:
        return Cell(self.n + other.n, self.total + other.total, self.squares + other.squares)

    @property
    def value(self) -> Fraction:
        return self.total / self.n

    @property
    def sd(self) -> float | None:
        if self.n < 2:
            return None
        mean = float(self.total) / self.n
        return math.sqrt(max(0.0, (self.squares - self.n * mean * mean) / (self.n - 1)))


@dataclass(frozen=True)
class Stratum:
    """A stratum of one comparison: both sides' cells, its weight, or why it is left out."""

    key: dict[str, str]
    group: Cell
    reference: Cell
    weight: Fraction | None  # usual practice's share of the strata kept; None if left out
    left_out: str | None


@dataclass(frozen=True)
class Comparison:
    """One group standardised to usual practice's mix, beside its crude figure.

    Rates are percentages (0–100) and differences points; money is pounds to the penny.
    """

    measure: str
    group: dict[str, Any]
    label: str
    crude: float | Decimal | None
    requests: int  # the group's requests (new for conversion, completed for cost change)
    strata: list[Stratum]
    too_small: str | None
    is_reference: bool  # the group is usual practice itself: nothing to compare
    standardised: float | Decimal | None = None
    ci95: tuple[Any, Any] | None = None
    reference_value: float | Decimal | None = None  # usual practice on the same strata
    reference_ci95: tuple[Any, Any] | None = None
    difference: float | Decimal | None = None
    difference_ci95: tuple[Any, Any] | None = None
    crude_difference: float | Decimal | None = None  # as it is: all of both sides' requests

    @property
    def kept(self) -> list[Stratum]:
        return [s for s in self.strata if s.left_out is None]

    @property
    def left_out(self) -> list[Stratum]:
        return [s for s in self.strata if s.left_out is not None]

    @property
    def covered(self) -> int:
        """The group's requests in the strata compared."""
        return sum(s.group.n for s in self.kept)

    def as_dict(self) -> dict[str, Any]:
        """The report's ``standardised_…`` fields for this group."""
        value = "rate" if self.measure == CONVERSION else "mean_weekly_change"
        count = "new_requests" if self.measure == CONVERSION else "completed"

        def pair(ci: tuple[Any, Any] | None) -> list[Any] | None:
            return list(ci) if ci else None

        def outcome(cell: Cell) -> dict[str, Any]:
            if self.measure == CONVERSION:
                return {"long_term": int(cell.total)}
            return {"mean_weekly_change": _money(cell.value)}

        return {
            f"standardised_{value}": self.standardised,
            "standardised_ci95": pair(self.ci95),
            f"standardised_reference_{value}": self.reference_value,
            "standardised_difference": self.difference,
            "standardised_difference_ci95": pair(self.difference_ci95),
            "standardised_requests": self.covered,
            "standardised_too_small": self.too_small,
            "standardised_strata": [
                {
                    **s.key,
                    "weight": float(s.weight or 0),
                    count: s.group.n,
                    **outcome(s.group),
                    f"reference_{count}": s.reference.n,
                    **{f"reference_{k}": v for k, v in outcome(s.reference).items()},
                }
                for s in self.kept
            ],
            "standardised_left_out": [
                {
                    **s.key,
                    "reason": s.left_out,
                    count: s.group.n,
                    f"reference_{count}": s.reference.n,
                }
                for s in self.left_out
            ],
        }


@dataclass(frozen=True)
class Standardised:
    """Every group of a report standardised to one reference: usual practice's requests."""

    measure: str
    by: tuple[str, ...]
    fields: tuple[str, ...]
    reference_label: str  # 'usual practice', or 'usual practice, all sites'
    reference: dict[tuple[str, ...], Cell]  # usual practice's mix, every stratum
    threshold: int
    groups: list[Comparison]

    @property
    def reference_requests(self) -> int:
        return sum(c.n for c in self.reference.values())

    @property
    def reference_crude(self) -> float | Decimal | None:
        """Usual practice's own figure, over all its requests."""
        total = sum(self.reference.values(), Cell())
        if not total.n:
            return None
        return _percent(total.value) if self.measure == CONVERSION else _money(total.value)

    def group(self, key: Iterable[Any]) -> Comparison | None:
        wanted = tuple(key)
        return next((g for g in self.groups if tuple(g.group.values()) == wanted), None)

    def fields_for(self, key: Iterable[Any]) -> dict[str, Any]:
        """The ``standardised_…`` fields of the group with these values; for a group with no
        requests to standardise (no new requests, no completed ones), the same fields empty."""
        found = self.group(key)
        if found is not None:
            return found.as_dict()
        empty = Comparison(self.measure, {}, "", None, 0, [], NO_REQUESTS, False)
        return empty.as_dict()

    def as_dict(self) -> dict[str, Any]:
        """What the report says once: the fields, the reference and its whole mix."""
        total = self.reference_requests
        count = "new_requests" if self.measure == CONVERSION else "completed"
        value = "rate" if self.measure == CONVERSION else "mean_weekly_change"
        return {
            "fields": list(self.fields),
            "reference": self.reference_label,
            f"reference_{count}": total,
            f"reference_{value}": self.reference_crude,
            "threshold": self.threshold,
            "interval": "Price and Bonett adjusted Wald"
            if self.measure == CONVERSION
            else "t, Welch-Satterthwaite",
            "mix": [
                {**dict(zip(self.fields, key, strict=True)), count: c.n, "share": c.n / total}
                for key, c in sorted(self.reference.items())
            ],
        }


def _money(value: Fraction) -> Decimal:
    return to_pence(Decimal(value.numerator) / Decimal(value.denominator))


def _percent(value: Fraction) -> float:
    return float(100 * value)


def _strata(
    group: dict[tuple[str, ...], Cell],
    reference: dict[tuple[str, ...], Cell],
    fields: tuple[str, ...],
    threshold: int,
) -> list[Stratum]:
    """Every stratum either side has, with the reason one is left out, and the weights."""
    found = []
    for key in sorted(set(group) | set(reference)):
        g, r = group.get(key, Cell()), reference.get(key, Cell())
        reason = (
            NOT_IN_GROUP
            if g.n == 0
            else NOT_IN_REFERENCE
            if r.n == 0
            else FEW_IN_GROUP
            if g.n < threshold
            else FEW_IN_REFERENCE
            if r.n < threshold
            else None
        )
        found.append((dict(zip(fields, key, strict=True)), g, r, reason))
    kept = sum(r.n for _, _, r, reason in found if reason is None)
    return [
        Stratum(key, g, r, Fraction(r.n, kept) if reason is None else None, reason)
        for key, g, r, reason in found
    ]


def compare(
    measure: str,
    key: dict[str, Any],
    label: str,
    group: dict[tuple[str, ...], Cell],
    reference: dict[tuple[str, ...], Cell],
    fields: tuple[str, ...],
    threshold: int,
) -> Comparison:
    strata = _strata(group, reference, fields, threshold)
    total = sum(group.values(), Cell())
    write = _percent if measure == CONVERSION else _money
    crude = write(total.value) if total.n else None
    is_reference = group == reference
    kept = [s for s in strata if s.weight is not None]
    too_small = (
        NO_REFERENCE
        if not reference
        else NO_REQUESTS
        if not total.n
        else NO_SHARED_STRATA
        if not kept
        else None
    )
    usual = sum(reference.values(), Cell())
    gap = write(total.value - usual.value) if total.n and usual.n and not is_reference else None
    found = Comparison(
        measure, key, label, crude, total.n, strata, too_small, is_reference, crude_difference=gap
    )
    if too_small:
        return found
    mine = sum((s.weight * s.group.value for s in kept if s.weight), Fraction(0))
    theirs = sum((s.weight * s.reference.value for s in kept if s.weight), Fraction(0))
    weights = [float(s.weight or 0) for s in kept]
    if measure == CONVERSION:
        own = [(w, int(s.group.total), s.group.n) for w, s in zip(weights, kept, strict=True)]
        usual = [
            (w, int(s.reference.total), s.reference.n) for w, s in zip(weights, kept, strict=True)
        ]
        negated = [(-w, x, n) for w, x, n in usual]
        intervals = (
            _rate_ci(linear_proportions_interval(own)),
            _rate_ci(linear_proportions_interval(usual)),
            _points_ci(linear_proportions_interval(own + negated)),
        )
    else:
        own_sd = [(w, s.group.sd, s.group.n) for w, s in zip(weights, kept, strict=True)]
        usual_sd = [(w, s.reference.sd, s.reference.n) for w, s in zip(weights, kept, strict=True)]
        intervals = (
            _money_ci(linear_means_interval(float(mine), own_sd)),
            _money_ci(linear_means_interval(float(theirs), usual_sd)),
            _money_ci(
                linear_means_interval(
                    float(mine - theirs), own_sd + [(-w, sd, n) for w, sd, n in usual_sd]
                )
            ),
        )
    return replace(
        found,
        standardised=write(mine),
        ci95=intervals[0],
        reference_value=write(theirs),
        reference_ci95=intervals[1],
        difference=None if is_reference else write(mine - theirs),
        difference_ci95=None if is_reference else intervals[2],
    )


def _rate_ci(ci: tuple[float, float] | None) -> tuple[float, float] | None:
    return None if ci is None else (100 * max(0.0, ci[0]), 100 * min(1.0, ci[1]))


def _points_ci(ci: tuple[float, float] | None) -> tuple[float, float] | None:
    return None if ci is None else (100 * ci[0], 100 * ci[1])


def _money_ci(ci: tuple[float, float] | None) -> tuple[Decimal, Decimal] | None:
    if ci is None:
        return None
    return (to_pence(Decimal(repr(ci[0]))), to_pence(Decimal(repr(ci[1]))))
