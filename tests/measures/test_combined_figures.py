"""Figures worked out together and kept: the same numbers as one query per figure.

At a million conversations every figure on the Money and Conversations pages begins by building
the table of requests over the whole store. ``conversions`` counts several tables from one build
(``GROUPING SETS``) and ``request_activity`` gives the flow, the wait and the hand-offs from
one; both must give exactly what the separate queries give, on messy random records (blank
request ids, areas, cohorts, workers and request dates; people who come back). The pages take
every figure through ``evaluation.store.figures.cached``: a rerun computes nothing, an import does.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from evaluation.ingest.importer import import_files
from evaluation.measures import flow as activity
from evaluation.measures.conversion import (
    DIMENSIONS,
    ConversionRow,
    check_by,
    conversion,
    conversions,
    total,
)
from evaluation.measures.reablement import reabled_sql
from evaluation.measures.requests import request_table_sql, scope_where
from evaluation.measures.selection import Selection
from evaluation.store import figures
from evaluation.store.connection import Store
from evaluation.store.regional import regional_figures
from tests.harness import open_store
from tests.measures.test_conversion import conversation, csv_bytes, medway_rows
from tests.pages.test_money import business_as_usual_rows

AS_OF = date(2025, 6, 30)
SITES = ("North", "South", "Riverside")
AREAS = ("Kingsbury", "Stanmore", "Millbrook", "")  # blank: "(not given)"


def messy_rows(seed: int, requests: int = 700) -> list[dict[str, Any]]:
    """Random requests from 250 people over 18 months, with every blank the contract allows."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    n = 0
    for number in range(requests):
        three = rng.random() < 0.6
        start = date(2024, 1, 1) + timedelta(days=rng.randrange(540))
        blank_id = rng.random() < 0.1
        steps = (1, 2, 3)[: 1 + (rng.random() < 0.35) + (rng.random() < 0.2)] if three else (None,)
        if not three and rng.random() < 0.2:
            steps = (None, None)  # usual practice can take two conversations too
        lts_on = rng.randrange(len(steps)) if rng.random() < 0.15 else None
        for index, step in enumerate(steps):
            n += 1
            end = start + timedelta(days=rng.randint(0, 40))
            rows.append(
                conversation(
                    conversation_id=f"C{n:05d}",
                    person_id=f"P{rng.randrange(250):03d}",
                    # a later conversation may move site or area; the first one's count
                    site=rng.choice(SITES),
                    approach="three conversations" if three else "usual practice",
                    conversation=step or "",
                    request_type="new" if rng.random() < 0.7 else "existing",
                    request_id="" if blank_id else f"R{number:05d}",
                    requested_on=(
                        None
                        if rng.random() < 0.15
                        else start + timedelta(days=rng.randint(-20, 3))  # a few after: slips
                    ),
                    started_on=start,
                    ended_on=end if end <= AS_OF and rng.random() < 0.9 else None,
                    long_term_support=("yes" if index == lts_on else rng.choice(("no", "", ""))),
                    worker_id="" if rng.random() < 0.1 else f"W{rng.randrange(12)}",
                    area=rng.choice(AREAS),
                    cohort=rng.choice(("hospital", "community", "")),
                )
            )
            start = end + timedelta(days=rng.randint(0, 5))
    return rows


SELECTIONS = (
    Selection(),
    Selection(date_from=date(2024, 7, 1), date_to=date(2024, 12, 31)),
    Selection(sites=("south ",), approaches=("three conversations",)),
    Selection(areas=("Millbrook",), cohorts=("hospital",), date_to=date(2024, 9, 30)),
    Selection(sites=("Riverside",), date_from=date(2025, 3, 1)),
    Selection(sites=("nowhere",)),  # nothing matches: the total is still one row of zeros
)
GROUPINGS = (
    (),
    ("approach",),
    ("site", "approach"),
    ("area",),
    ("quarter", "approach"),
    ("cohort", "site"),
    ("month",),
)


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("combined") / "evaluation.duckdb"
    store = open_store(path)
    import_files(store, [("messy.csv", csv_bytes(messy_rows(seed=11)))], as_of=AS_OF)
    store.close()
    return path


def one_query(store: Store, selection: Selection, by: tuple[str, ...]) -> list[ConversionRow]:
    """Conversion for one grouping as a plain GROUP BY over every request (no narrowing):
    the query ``conversion`` ran before it went through ``conversions``."""
    dims = check_by(by)
    where, params = scope_where(selection, "first_started")
    keys = "".join(f"{DIMENSIONS[d]} AS g{i}, " for i, d in enumerate(dims))
    names = ", ".join(f"g{i}" for i in range(len(dims)))
    sql = f"""
        {request_table_sql(repeats=True)}{reabled_sql()}
        SELECT {keys}
            count(*),
            count(*) FILTER (WHERE request_type = 'new'),
            count(*) FILTER (WHERE request_type = 'new' AND led_to_lts),
            count(*) FILTER (WHERE had_conversation_2),
            count(*) FILTER (WHERE had_conversation_3),
            count(*) FILTER (WHERE is_repeat),
            count(*) FILTER (WHERE request_type = 'new' AND ended_on IS NULL),
            count(*) FILTER (WHERE request_key IN (SELECT request_key FROM reabled)),
            count(*) FILTER (
                WHERE request_type = 'new'
                  AND first_started < (SELECT min(started_on) FROM conversations) + 365
            )
        FROM flagged
        WHERE {where}
        {f"GROUP BY {names} ORDER BY {names}" if dims else ""}
    """
    cur = store.cursor()
    try:
        rows = cur.execute(sql, params).fetchall()
    finally:
        cur.close()
    found = []
    for row in rows:
        counts = [int(v) for v in row[len(dims) :]]
        found.append(
            ConversionRow(
                {d: str(v) for d, v in zip(dims, row[: len(dims)], strict=True)},
                *counts[:6],
                new_underway=counts[6],
                reablement=counts[7],
                repeat_unsure=counts[8],
            )
        )
    return found


@pytest.mark.parametrize("selection", SELECTIONS, ids=lambda s: s.describe())
def test_conversions_in_one_query_equal_one_query_per_grouping(
    council: Path, selection: Selection
) -> None:
    store = open_store(council)
    try:
        together = conversions(store, selection, GROUPINGS)
        shuffled = list(GROUPINGS)
        random.Random(5).shuffle(shuffled)
        reordered = dict(zip(shuffled, conversions(store, selection, shuffled), strict=True))
        expected = [one_query(store, selection, by) for by in GROUPINGS]
        separately = [conversion(store, selection, by) for by in GROUPINGS]
        overall = total(store, selection)
    finally:
        store.close()
    assert together == expected
    assert separately == expected
    assert [reordered[by] for by in GROUPINGS] == expected
    assert together[0] == [overall]
    if selection == Selection(sites=("nowhere",)):
        assert overall.requests == 0 and all(rows == [] for rows in together[1:])
    else:
        assert all(rows for rows in together)
        # every request counts once in each table
        assert {sum(r.requests for r in rows) for rows in together} == {overall.requests}
        assert any(r.repeat_requests for r in together[1]) or selection != Selection()


def test_conversions_refuses_a_grouping_asked_twice(council: Path) -> None:
    store = open_store(council)
    try:
        with pytest.raises(ValueError, match="asked twice"):
            conversions(store, None, [("site", "approach"), ("approach", "site")])
        with pytest.raises(ValueError, match="can't split by"):
            conversions(store, None, [("approach",), ("worker",)])
        assert conversions(store, None, []) == []
    finally:
        store.close()


@pytest.mark.parametrize("selection", SELECTIONS, ids=lambda s: s.describe())
@pytest.mark.parametrize("by", [(), ("approach",), ("site", "area"), ("cohort",), ("month",)])
def test_request_activity_equals_the_separate_figures(
    council: Path, selection: Selection, by: tuple[str, ...]
) -> None:
    store = open_store(council)
    try:
        found = activity.request_activity(store, selection, by)
        waiting = activity.waiting_time(store, selection, by)
        handoffs = activity.hand_offs(store, selection, by)
        converted = conversion(store, selection, by)
    finally:
        store.close()
    assert found.waiting == waiting
    assert found.handoffs == handoffs
    flow = [
        (f.group, f.requests, f.new_requests, f.long_term, f.reached_conversation_2,
         f.reached_conversation_3, f.conversion_rate)
        for f in found.flow
    ]  # fmt: skip
    assert flow == [
        (c.group, c.requests, c.new_requests, c.long_term, c.reached_conversation_2,
         c.reached_conversation_3, c.conversion_rate)
        for c in converted
    ]  # fmt: skip
    if by and selection == Selection():
        assert len(waiting) >= 2 and any(h.more_than_one_worker for h in handoffs)


# --- the pages keep their figures until the data changes -----------------------------------


def test_reading_regional_figures_never_changes_the_data_version(store: Store) -> None:
    """Before the first upload there is no table; reading must not create one, or the first
    view of the Money page would make every figure it had just kept out of date."""
    before = figures.data_version(store)
    assert regional_figures(store) == []
    assert figures.data_version(store) == before


def test_money_page_keeps_its_figures_until_an_import(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    import_files(store, [("medway.csv", csv_bytes(medway_rows()))], as_of=date(2018, 5, 31))
    at = app_test("pages/money.py")
    assert {m.label: m.value for m in at.metric}["All new requests"] == "5.15%"  # 20 of 388
    computed = figures.FIGURES.computed
    at.run()
    at.number_input(key="money_weekly_cost").set_value(250.0).run()  # a widget: still no query
    assert not at.exception
    assert figures.FIGURES.computed == computed
    assert {m.label: m.value for m in at.metric}["All new requests"] == "5.15%"

    # usual practice arrives: 7 of 100 more, so 27 of 488
    import_files(store, [("bau.csv", csv_bytes(business_as_usual_rows()))], as_of=date(2018, 5, 31))
    at.run()
    assert figures.FIGURES.computed > computed
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["All new requests"] == "5.53%"
    assert metrics["Usual practice"] == "7.00%"


def test_conversations_page_keeps_its_figures_until_an_import(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    import_files(store, [("medway.csv", csv_bytes(medway_rows()))], as_of=date(2018, 5, 31))
    at = app_test("pages/conversations.py")
    assert {m.label: m.value for m in at.metric}["Conversation 1"] == "388"
    computed = figures.FIGURES.computed
    at.run()
    at.run()
    assert not at.exception
    assert figures.FIGURES.computed == computed

    more = [
        conversation(
            conversation_id=f"X{n}",
            person_id=f"X{n}",
            site="ME4 innovation team",
            approach="three conversations",
            conversation=1,
            request_type="new",
            started_on=date(2018, 5, 1),
        )
        for n in range(4)
    ]
    import_files(store, [("more.csv", csv_bytes(more))], as_of=date(2018, 5, 31))
    at.run()
    assert figures.FIGURES.computed > computed
    assert {m.label: m.value for m in at.metric}["Conversation 1"] == "392"


@pytest.mark.parametrize("by", [(), ("approach",), ("site", "approach"), ("area",)])
def test_groups_and_total_equal_conversion_and_total(store: Store, by: tuple[str, ...]) -> None:
    """The report's one query gives what the two separate calls give."""
    from evaluation.ingest.sample_loader import load_sample
    from evaluation.measures.conversion import groups_and_total, total

    load_sample(store)
    selection = Selection(date_from=date(2025, 6, 1))
    groups, overall = groups_and_total(store, selection, by)
    assert groups == conversion(store, selection, by)
    assert overall == total(store, selection)
