"""Figures are computed once per version of the data, and never outlive a change to it."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest

from evaluation.admin.erasure import erase_person
from evaluation.ingest.importer import import_files
from evaluation.ingest.sample_loader import load_sample
from evaluation.measures import cost_change
from evaluation.measures.selection import Selection
from evaluation.meeting import summary as meeting
from evaluation.meeting.summary import Period
from evaluation.store import batches
from evaluation.store.connection import Store
from evaluation.store.figures import Figures, data_version
from tests.harness import TEST_KEY, open_store

CONVERSATIONS = (
    "conversation_id,person_id,site,approach,conversation,request_type,request_id,started_on,"
    "ended_on,long_term_support\n"
)


def _conversations(*rows: str) -> bytes:
    return (CONVERSATIONS + "".join(f"{r}\n" for r in rows)).encode()


def _count(store: Store) -> int:
    cur = store.cursor()
    try:
        return int(cur.execute("SELECT count(*) FROM conversations").fetchall()[0][0])
    finally:
        cur.close()


ONE = "C1,P1,Riverside innovation site,three conversations,1,new,R1,01/03/2026,05/03/2026,no"
TWO = "C2,P2,Riverside innovation site,three conversations,1,new,R2,02/03/2026,06/03/2026,yes"


def test_a_figure_is_computed_once_until_the_data_changes(store: Store) -> None:
    figures = Figures()
    import_files(store, [("a.csv", _conversations(ONE))], as_of=date(2026, 4, 1))
    assert figures.get(store, _count) == 1
    assert figures.get(store, _count) == 1
    assert figures.computed == 1

    import_files(store, [("b.csv", _conversations(ONE, TWO))], as_of=date(2026, 4, 2))
    assert figures.get(store, _count) == 2
    assert figures.computed == 2

    batches.undo(store, "B00002", by="test")
    assert figures.get(store, _count) == 1
    assert figures.computed == 3


def test_arguments_are_part_of_the_key(store: Store) -> None:
    figures = Figures()
    load_sample(store)
    everything = figures.get(store, cost_change.summary, Selection())
    one_site = figures.get(
        store, cost_change.summary, Selection(sites=("Riverside innovation site",))
    )
    assert everything.conversations > one_site.conversations > 0
    assert figures.get(store, cost_change.summary, Selection(), by=["site"]).by == ("site",)
    assert figures.get(store, cost_change.summary, Selection(), by=("site",)).by == ("site",)
    assert figures.computed == 3  # a list and a tuple of the same keys are one figure


def test_a_write_by_another_connection_is_seen(db_path: Path) -> None:
    """Another process (here another Store on the same file) imports: the next view is fresh."""
    figures = Figures()
    first = open_store(db_path)
    import_files(first, [("a.csv", _conversations(ONE))], as_of=date(2026, 4, 1))
    first.close()
    reader = Store(db_path, key=TEST_KEY, hold=False)
    with reader.lease():
        assert figures.get(reader, _count) == 1
    before = data_version(reader)
    writer = open_store(db_path)
    import_files(writer, [("b.csv", _conversations(ONE, TWO))], as_of=date(2026, 4, 2))
    writer.close()
    assert data_version(reader) != before
    with reader.lease():
        assert figures.get(reader, _count) == 2


def test_reading_does_not_change_the_version(store: Store) -> None:
    load_sample(store)
    before = data_version(store)
    meeting.summarise(store)
    cost_change.costs(store, Selection(), earlier=date(2026, 1, 31))
    assert data_version(store) == before


def test_an_erasure_changes_the_figures(store: Store) -> None:
    figures = Figures()
    import_files(store, [("a.csv", _conversations(ONE, TWO))], as_of=date(2026, 4, 1))
    assert figures.get(store, _count) == 2
    erase_person(store, "P2", by="test")
    assert figures.get(store, _count) == 1


def test_each_caller_gets_its_own_copy(store: Store) -> None:
    figures = Figures()
    load_sample(store)
    summary = figures.get(store, meeting.summarise, (), Period(date(2026, 7, 4), date(2026, 7, 31)))
    shown = summary.sections[0].figures[0].value
    summary.sections[0].figures.clear()
    again = figures.get(store, meeting.summarise, (), Period(date(2026, 7, 4), date(2026, 7, 31)))
    assert again.sections[0].figures[0].value == shown
    assert figures.computed == 1


def test_people_asking_at_once_share_one_computation(store: Store) -> None:
    figures = Figures()
    import_files(store, [("a.csv", _conversations(ONE, TWO))], as_of=date(2026, 4, 1))
    calls = []

    def slow(given: Store) -> int:
        calls.append(1)
        time.sleep(0.3)
        return _count(given)

    results: list[int] = []

    def ask() -> None:
        with store.lease():
            results.append(figures.get(store, slow))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [2] * 8
    assert len(calls) == 1


def test_a_failed_computation_is_not_kept(store: Store) -> None:
    figures = Figures()
    attempts = []

    def flaky(given: Store) -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("busy")
        return "ok"

    with pytest.raises(RuntimeError):
        figures.get(store, flaky)
    assert figures.get(store, flaky) == "ok"
    assert len(attempts) == 2


def test_the_oldest_figures_make_way(store: Store) -> None:
    figures = Figures(capacity=2)
    for n in range(3):
        figures.get(store, _count_plus, n)
    figures.get(store, _count_plus, 0)
    assert figures.computed == 4  # 0 was dropped when 2 came in


def _count_plus(store: Store, n: int) -> int:
    return _count(store) + n


def _same_report(a: cost_change.CostChange, b: cost_change.CostChange) -> None:
    """Equal, but for the standard deviation's last bits (DuckDB sums floats in parallel)."""
    assert replace(a, groups=[]) == replace(b, groups=[])
    assert len(a.groups) == len(b.groups)
    for x, y in zip(a.groups, b.groups, strict=True):
        assert replace(x, sd=None) == replace(y, sd=None)
        assert (x.sd is None) == (y.sd is None)
        if x.sd is not None and y.sd is not None:
            assert math.isclose(x.sd, y.sd, rel_tol=1e-12)


@pytest.mark.parametrize(
    ("selection", "by", "earlier"),
    [
        (Selection(), ("approach",), None),
        (Selection(date_to=date(2026, 6, 30)), ("approach",), date(2026, 6, 2)),
        (
            Selection(sites=("Riverside innovation site",), date_to=date(2026, 7, 31)),
            (),
            date(2026, 5, 1),
        ),
        (Selection(date_from=date(2025, 6, 1)), ("site", "cohort"), date(2026, 1, 1)),
    ],
)
def test_costs_equal_the_separate_reports(
    store: Store, selection: Selection, by: tuple[str, ...], earlier: date | None
) -> None:
    """One costing of the requests gives exactly the table, the bands and the earlier table."""
    load_sample(store)
    found = cost_change.costs(store, selection, by=by, earlier=earlier)
    _same_report(found.report, cost_change.summary(store, selection, by=by))
    assert found.bands == cost_change.distribution(store, selection, by=by)
    if earlier is None:
        assert found.earlier is None
    else:
        assert found.earlier is not None
        then = replace(selection, date_to=min(selection.date_to or earlier, earlier))
        _same_report(found.earlier, cost_change.summary(store, then, by=by, as_of=earlier))
        assert found.earlier.conversations < found.report.conversations


@dataclass(frozen=True)
class _Quote:
    day: date
    text: str


@dataclass(frozen=True)
class _Table:
    rows: list[str]


def test_each_caller_gets_a_copy_it_can_change_and_what_cannot_change_is_shared(
    store: Store,
) -> None:
    """Kept figures are copied only as deep as they can be changed: a list of frozen items
    is a new list of the same items; a frozen object holding a list is copied whole."""
    figures = Figures()
    quotes = [_Quote(date(2026, 3, 1), "They listened"), _Quote(date(2026, 3, 2), "Quick")]

    def listed(_: Store) -> list[_Quote]:
        return quotes

    def table(_: Store) -> _Table:
        return _Table(["a", "b"])

    def mixed(_: Store) -> list[object]:
        return [quotes[0], ["changeable"]]

    first, second = figures.get(store, listed), figures.get(store, listed)
    assert first == quotes and first is not second and first[0] is second[0]
    first.append(_Quote(date(2026, 3, 3), "added by one caller"))
    assert figures.get(store, listed) == quotes
    kept = figures.get(store, table)
    kept.rows.append("c")
    assert figures.get(store, table).rows == ["a", "b"]
    inner = figures.get(store, mixed)
    inner[1].append("changed")  # type: ignore[attr-defined]
    assert figures.get(store, mixed)[1] == ["changeable"]
    assert figures.get(store, _frozen_tuple) is figures.get(store, _frozen_tuple)


def _frozen_tuple(_: Store) -> tuple[object, ...]:
    return (1, "two", date(2026, 1, 1), (3.0, None))
