"""An estimate of the cost avoided when fewer new requests need long-term support.

Never a saving proven: (baseline conversion − current conversion) × new requests × an average
weekly package cost, which the user can change (Medway: 7% of 388 = 27.16 expected, 20 did,
7.16 fewer). Pounds are Decimal to the penny; a year is 52 weeks. The range comes from the
rates' 95% intervals (Wilson): the current rate's always, the baseline's when it is a measured
rate (usual practice's) rather than a figure typed in, so a small team's estimate shows how
little it can promise.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from evaluation.core.vocabulary import LONG_TERM
from evaluation.measures.intervals import wilson
from evaluation.store.connection import Store
from evaluation.store.query import one

WEEKS_IN_YEAR = 52


@dataclass(frozen=True)
class CostAvoided:
    """An estimate, never a saving proven: what the fall in conversion would cost if the people
    who did not need long-term support had needed an average package."""

    baseline_rate: Decimal  # percent
    current_rate: Decimal  # percent, exact to 4 places
    new_requests: int
    people_avoided: Decimal  # baseline × requests − long-term, to 2 places
    weekly_cost: Decimal  # the average weekly package cost entered
    per_week: Decimal  # £ a week, to the penny
    per_year: Decimal  # per_week × 52
    people_range: tuple[Decimal, Decimal]  # from the rates' 95% intervals, to 2 places
    per_year_range: tuple[Decimal, Decimal]  # the same in £ a year, to the penny

    @property
    def weeks_in_year(self) -> int:
        return WEEKS_IN_YEAR


def cost_avoided(
    baseline_rate: Decimal | float | str,
    new_requests: int,
    long_term: int,
    weekly_cost: Decimal | float | str,
    *,
    baseline_interval: tuple[float, float] | None = None,
) -> CostAvoided:
    """(baseline conversion − current conversion) × new requests × weekly package cost.

    (baseline − long_term/new) × new is the same as baseline × new − long_term: the people
    expected to need long-term support at the old rate, less those who did (Medway: 7% of 388
    = 27.16 expected, 20 did, 7.16 fewer). Pounds are Decimal to the penny; a year is 52 weeks.
    """
    baseline = Decimal(str(baseline_rate))
    cost = Decimal(str(weekly_cost))
    people = (baseline / 100 * new_requests - long_term).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    exact = baseline / 100 * new_requests - long_term
    per_week = (exact * cost).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    current = (
        (Decimal(long_term) * 100 / new_requests).quantize(Decimal("0.0001"))
        if new_requests
        else Decimal(0)
    )
    b_low, b_high = (
        (Decimal(str(baseline_interval[0])), Decimal(str(baseline_interval[1])))
        if baseline_interval
        else (baseline, baseline)
    )
    c_low, c_high = (Decimal(str(v)) for v in (wilson(long_term, new_requests) or (0.0, 0.0)))
    low = (b_low - c_high) / 100 * new_requests
    high = (b_high - c_low) / 100 * new_requests
    cent = Decimal("0.01")
    return CostAvoided(
        baseline_rate=baseline,
        current_rate=current,
        new_requests=new_requests,
        people_avoided=people,
        weekly_cost=cost,
        per_week=per_week,
        per_year=per_week * WEEKS_IN_YEAR,
        people_range=(
            low.quantize(cent, rounding=ROUND_HALF_UP),
            high.quantize(cent, rounding=ROUND_HALF_UP),
        ),
        per_year_range=(
            (low * cost * WEEKS_IN_YEAR).quantize(cent, rounding=ROUND_HALF_UP),
            (high * cost * WEEKS_IN_YEAR).quantize(cent, rounding=ROUND_HALF_UP),
        ),
    )


def average_weekly_package_cost(store: Store) -> Decimal | None:
    """Mean gross weekly cost of the active care packages in the store: a starting value for the
    estimate, which the user can change. Summed as DECIMAL so pence stay exact."""
    total_cost, count = one(
        store,
        "SELECT sum(gross_weekly_cost), count(*) FROM care_packages "
        f"WHERE status = 'active' AND coalesce(support, '{LONG_TERM}') = '{LONG_TERM}'",
    )
    if not count:
        return None
    return (Decimal(total_cost) / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
