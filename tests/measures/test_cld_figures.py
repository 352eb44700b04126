"""Every measure on a CLD extract, unchanged: conversion by approach and request type,
Harrow's cost change with the "cost not recorded" exclusion, the like-for-like groupings —
each against the rules extract's answers worked out by hand (``tests.fixtures.cld``). The extract holds ten people, so the cost-change
tables are asked with a threshold of 1: hiding small groups is tested on its own."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from evaluation.ingest.importer import import_files
from evaluation.measures import cost_change, cost_drill
from evaluation.measures.conversion import conversion
from evaluation.measures.cost_avoided import average_weekly_package_cost
from evaluation.present.cost_tables import drill_rows
from evaluation.store.connection import Store
from tests.fixtures import cld_rules as fx


@pytest.fixture
def imported(store: Store) -> Store:
    import_files(store, [("cld.csv", fx.rules_extract())], as_of=fx.AS_OF, cld_sites=fx.SITES)
    return store


def test_conversion_by_approach_and_request_type(imported: Store) -> None:
    rows = {
        tuple(r.group.values()): (r.requests, r.new_requests, r.long_term)
        for r in conversion(imported, by=("approach", "request_type"))
    }
    # New three conversations requests: A and F led to long-term support, E and J did not;
    # I was already supported. Usual practice: B, D1, D2 new (none led to it), C existing.
    assert rows == {
        ("three conversations", "existing"): (1, 0, 0),
        ("three conversations", "new"): (4, 4, 2),
        ("usual practice", "existing"): (1, 0, 0),
        ("usual practice", "new"): (3, 3, 0),
    }


def test_conversations_reached(imported: Store) -> None:
    (three,) = [
        r for r in conversion(imported, by=("approach",)) if r.group["approach"] == fx.THREE
    ]
    assert (three.reached_conversation_2, three.reached_conversation_3) == (1, 1)


def test_harrows_cost_change_by_approach(imported: Store) -> None:
    report = cost_change.summary(imported, by=("approach",), as_of=fx.AS_OF, threshold=1)
    found = {
        g.key["approach"]: {
            "increases": g.increases,
            "decreases": g.decreases,
            "no_change": g.no_change,
            "ongoing": g.ongoing,
            "excluded": g.excluded,
            "mean_weekly_change": g.mean_weekly_change,
        }
        for g in report.groups
    }
    assert found == fx.COST_CHANGE


def test_a_cost_not_recorded_excludes_the_request_and_says_why(imported: Store) -> None:
    excluded = cost_drill.requests(
        imported, key={"approach": fx.THREE}, klass=cost_change.EXCLUDED, as_of=fx.AS_OF
    )
    reasons = {row["request_id"]: row["reason"] for row in drill_rows(excluded)}
    assert reasons == {
        f"{fx.LA}/R-F1": "died on 01/08/2024",
        # I's home support, its cost not recorded, runs on: it covers both days.
        f"{fx.LA}/R-I1": "the cost of long-term care is not recorded the day before the first "
        "conversation (30/04/2024); the cost of long-term care is not recorded 30 days after "
        "the last conversation ended (01/06/2024)",
    }


def test_cost_change_for_people_already_supported(imported: Store) -> None:
    report = cost_change.summary(imported, by=("request_type",), as_of=fx.AS_OF, threshold=1)
    (existing,) = [g for g in report.groups if g.key["request_type"] == "existing"]
    # C: £900 a week before and after (no change); I: its cost is not recorded (excluded).
    assert (existing.no_change, existing.excluded, existing.mean_weekly_change) == (
        1,
        1,
        Decimal("0.00"),
    )


@pytest.mark.parametrize("by", ["age_band", "support_reason", "request_type"])
def test_the_like_for_like_fields_group_both_measures(imported: Store, by: str) -> None:
    groups = {r.group[by] for r in conversion(imported, by=(by,))}
    columns = {g.key[by] for g in cost_change.summary(imported, by=(by,)).groups}
    assert groups and columns
    if by == "age_band":
        assert groups == {"18-64", "65+", "(not given)"} and columns == {"18-64", "65+", None}


def test_a_cost_not_recorded_is_left_out_of_the_average_package_cost(imported: Store) -> None:
    # The active long-term packages with a cost: 200, 700, 900, 250 and H's ten (ending long
    # ago, but the average reads every active package): the three not recorded are left out.
    costs = [200, 700, 900, 250, 250, 400, 1000, 700, Decimal("136.50"), 0, 0, 300]
    costs += [Decimal("230.77"), Decimal("136.88")]
    expected = (sum(Decimal(c) for c in costs) / len(costs)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    assert average_weekly_package_cost(imported) == expected
