"""A dashboard's views filter the whole store's requests, kept once per version of the data
(``store.derived``); a report run once narrows its own query. Both must give exactly the same
figures, for every selection (spelt in any case, crossing months and sites, matching nothing),
and a change to the data must be seen at the next view."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bench.generate import AS_OF, write
from evaluation.ingest.importer import import_files
from evaluation.measures import (
    conversion,
    cost_change,
    direct_payments,
    flow,
    over_time,
    standardise,
    weekly,
)
from evaluation.measures.selection import Selection
from evaluation.store.connection import Store
from evaluation.store.derived import DERIVED, worth_deriving
from evaluation.store.figures import FIGURES
from tests.harness import TEST_KEY, open_store
from tests.measures.test_narrowing import EDGES, build_council

SELECTIONS = (
    Selection(),
    Selection(date_from=date(2025, 7, 1), date_to=date(2025, 7, 31)),
    Selection(sites=("RIVERSIDE innovation site",), date_to=date(2025, 9, 30)),
    Selection(sites=(" northfield innovation site ", "Central locality team")),
    Selection(approaches=("usual practice",), date_from=date(2026, 1, 1)),
    Selection(areas=("Millbrook",), cohorts=("hospital",), date_to=date(2025, 12, 5)),
    Selection(sites=("nowhere",)),
)


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_council(tmp_path_factory.mktemp("derived"))


def figures(store: Store, selection: Selection) -> dict[str, Any]:
    """Every figure that reads the kept tables, as a page shows it."""
    found = cost_change.costs(store, selection, ("approach", "site"), earlier=date(2025, 12, 1))
    return {
        "cost change": cost_change.summary(store, selection, ("approach", "cohort")).as_dict(),
        "cost change then": cost_change.summary(
            store, selection, ("site",), as_of=date(2026, 1, 31)
        ).as_dict(),
        "costs": found.report.as_dict(),
        "bands": found.bands,
        "costs earlier": found.earlier.as_dict() if found.earlier else None,
        "distribution": cost_change.distribution(store, selection),
        "conversion": [
            [r.as_dict() for r in rows]
            for rows in conversion.conversions(
                store, selection, [(), ("approach",), ("site", "area"), ("month",)]
            )
        ],
        "activity": flow.request_activity(store, selection, ("site",)),
        "weekly": weekly.weekly_long_term(store, selection, ("approach",)),
        "waiting": flow.waiting_time(store, selection, ("approach",)),
        "hand-offs": flow.hand_offs(store, selection, ("cohort",)),
        "like for like conversion": shown(standardise.standardised_conversion(store, selection)),
        "like for like cost": shown(standardise.standardised_cost_change(store, selection)),
    }


def shown(result: Any) -> list[Any]:
    """A like-for-like result as written (every figure and interval, to the penny or the
    rate's digits) and each stratum's counts; sums of squares only to 9 significant figures,
    as adding floats in another order moves their last bits."""
    return [
        (
            g.label, g.crude, g.standardised, g.ci95, g.reference_value, g.reference_ci95,
            g.difference, g.difference_ci95, g.requests, g.too_small,
            [(s.key, s.group.n, s.group.total, f"{s.group.squares:.9g}", s.weight, s.left_out)
             for s in g.strata],
        )
        for g in result.groups
    ]  # fmt: skip


@pytest.mark.parametrize("selection", SELECTIONS, ids=lambda s: s.describe())
def test_views_over_the_kept_tables_equal_the_reports_own_queries(
    council: Path, selection: Selection
) -> None:
    report = open_store(council)  # hold=True: a report run once, narrowing its own query
    try:
        assert not worth_deriving(report, conversion.REQUESTS_TABLE)
        expected = figures(report, selection)
    finally:
        report.close()
    dashboard = Store(council, key=TEST_KEY, hold=False)
    with dashboard.lease():
        assert worth_deriving(dashboard, conversion.REQUESTS_TABLE)
        built = DERIVED.built
        kept = figures(dashboard, selection)
        assert figures(dashboard, selection) == kept  # asked again: nothing built
    assert DERIVED.built - built <= 2  # at most the two tables, once each
    assert kept == expected
    if selection == Selection(sites=("nowhere",)):
        assert kept["cost change"]["groups"] == [] and kept["conversion"][0][0]["requests"] == 0
    else:
        assert kept["cost change"]["groups"] and kept["conversion"][0][0]["requests"]


@pytest.mark.parametrize("site", ["Northfield innovation site", " RIVERSIDE innovation site"])
def test_over_time_over_the_kept_tables_equals_its_own_query(council: Path, site: str) -> None:
    args = (site, date(2025, 9, 1), Selection(date_from=date(2025, 3, 1)))
    report = open_store(council)
    try:
        expected = [
            over_time.cost_over_time(report, *args, replicates=200),
            over_time.conversion_over_time(report, *args, replicates=200),
        ]
    finally:
        report.close()
    FIGURES.clear()  # else the dashboard would be given the report's kept result
    dashboard = Store(council, key=TEST_KEY, hold=False)
    with dashboard.lease():
        computed = FIGURES.computed
        assert [
            over_time.cost_over_time(dashboard, *args, replicates=200),
            over_time.conversion_over_time(dashboard, *args, replicates=200),
        ] == expected
        assert FIGURES.computed == computed + 2
        # Another choice of sites is the same method's scope: kept, not worked out again.
        other = (site, date(2025, 9, 1), Selection(sites=("x",), date_from=date(2025, 3, 1)))
        assert over_time.cost_over_time(dashboard, *other, replicates=200) == expected[0]
        assert FIGURES.computed == computed + 2
    assert expected[0].cells["site after"].requests and expected[1].cells["site after"].requests


@pytest.mark.parametrize("selection", SELECTIONS[:4], ids=lambda s: s.describe())
def test_direct_payments_from_the_kept_counts_equal_one_query(
    council: Path, selection: Selection
) -> None:
    """The Money page's share by direct payment sums the whole store's counts per place."""
    days = [date(2025, 6, 30), date(2025, 12, 31), date(2026, 6, 30)]
    store = open_store(council)
    try:
        for by in (("area",), ("site",), ("area", "site")):
            found = direct_payments.direct_payments(store, days, by, selection)
            assert found == one_direct_payments_query(store, days, by, selection)
            assert sum(r.people for r in found) > 0
    finally:
        store.close()


def one_direct_payments_query(
    store: Store, days: list[date], by: tuple[str, ...], selection: Selection
) -> list[direct_payments.DirectPayments]:
    """The query ``direct_payments`` ran before it kept the counts per place."""
    place = Selection(sites=selection.sites, areas=selection.areas)
    where, params = place.where(date_column="on_day")
    groups = "".join(f"{d}, " for d in by)
    sql = f"""
        WITH days AS (SELECT unnest(?::DATE[]) AS on_day),
        active AS (
            SELECT d.on_day, p.person_id, bool_or({direct_payments.SERVICE_SQL}) AS by_payment
            FROM days d JOIN care_packages p
              ON p.starts_on <= d.on_day AND (p.ends_on IS NULL OR p.ends_on >= d.on_day)
            WHERE p.status = 'active' AND coalesce(p.support, 'long term') = 'long term'
            GROUP BY d.on_day, p.person_id
        ),
        placed AS (
            SELECT a.on_day, a.person_id, a.by_payment,
                   coalesce(arg_max_null(c.area, c.latest), '(not given)') AS area,
                   coalesce(arg_max_null(c.site, c.latest), '(not given)') AS site
            FROM active a LEFT JOIN (
                SELECT person_id, area, site, started_on,
                       CAST(started_on AS VARCHAR) || conversation_id AS latest
                FROM conversations
            ) c ON c.person_id = a.person_id AND c.started_on <= a.on_day
            GROUP BY a.on_day, a.person_id, a.by_payment
        )
        SELECT {groups} on_day, count(*), count(*) FILTER (WHERE by_payment)
        FROM placed WHERE {where} GROUP BY ALL ORDER BY {groups} on_day
    """
    cur = store.cursor()
    try:
        found = cur.execute(sql, [days, *params]).fetchall()
    finally:
        cur.close()
    n = len(by)
    return [
        direct_payments.DirectPayments(
            {d: str(v) for d, v in zip(by, row[:n], strict=True)}, row[n], int(row[n + 1]),
            int(row[n + 2]),
        )
        for row in found
    ]  # fmt: skip


def test_a_change_to_the_data_is_seen_at_the_next_view(tmp_path: Path) -> None:
    files = write(tmp_path / "data", 300)
    path = tmp_path / "evaluation.duckdb"
    store = Store(path, key=TEST_KEY, hold=False)
    with store.lease():
        import_files(store, [("c.csv", files["conversations"].read_bytes())], as_of=AS_OF)
        before = conversion.total(store).requests
        built = DERIVED.built
        assert conversion.total(store).requests == before and DERIVED.built == built
        import_files(store, [("edges.csv", EDGES)], as_of=AS_OF)
        assert conversion.total(store).requests == before + 2  # the two edge requests
        assert DERIVED.built == built + 1
        packages = cost_change.summary(store).conversations
        import_files(store, [("k.csv", files["care_packages"].read_bytes())], as_of=AS_OF)
        assert cost_change.summary(store).conversations == packages
        assert (
            cost_change.summary(store).as_dict()
            != cost_change.summary(store, as_of=date(2025, 1, 1)).as_dict()
        )


def test_a_selection_matches_the_spellings_present_as_where_does() -> None:
    present = {
        "site": ("North ", "north", "South", None),
        "approach": ("usual practice",),
        "cohort": (),
        "area": ("Kingsbury",),
    }
    where, params = Selection(sites=("NORTH",), date_to=date(2025, 1, 1)).where_among(
        present, "first_started"
    )
    assert where == "site IN (?, ?) AND first_started <= ?"
    assert params == ["North ", "north", date(2025, 1, 1)]
    assert Selection(cohorts=("hospital",)).where_among(present) == ("FALSE", [])
    assert Selection().where_among(present) == ("TRUE", [])
