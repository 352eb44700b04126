"""An estimate of the cost avoided when fewer new requests need long-term support.

Never a saving proven: (baseline conversion − current conversion) × new requests × an average
weekly package cost, which the user can change (Medway: 7% of 388 = 27.16 expected, 20 did,
7.16 fewer). Pounds are Decimal to the penny; a year is 52 weeks.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from evaluation.core.vocabulary import LONG_TERM
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

    @property
    def weeks_in_year(self) -> int:
        return WEEKS_IN_YEAR


def cost_avoided(
    baseline_rate: Decimal | float | str,
    new_requests: int,
    long_term: int,
    weekly_cost: Decimal | float | str,
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
    return CostAvoided(
        baseline_rate=baseline,
        current_rate=current,
        new_requests=new_requests,
        people_avoided=people,
        weekly_cost=cost,
        per_week=per_week,
        per_year=per_week * WEEKS_IN_YEAR,
    )


def average_weekly_package_cost(store: Store) -> Decimal | None:
    """Mean gross weekly cost of the active care packages in the store: a starting value for the
    estimate, which the user can change. Summed as DECIMAL so pence stay exact."""
    total_cost, count = one(
        store,
        "SELECT sum(gross_weekly_cost), count(*) FROM care_packages "
        f"WHERE status = 'active' AND coalesce(support, '{LONG_TERM}') = '{LONG_TERM}' "
        "AND gross_weekly_cost IS NOT NULL",  # a cost not recorded (CLD) is not a cost of 0
    )
    if not count:
        return None
    return (Decimal(total_cost) / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
