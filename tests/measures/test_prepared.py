"""The whole-store tables written into the store after a change of the data
(``measures.prepared``, ``store.kept_tables``): a newly started dashboard reads them and
gives the figures a report works out for itself; once the data changes by any path they are
never read again until prepared anew, and an erasure or a restore drops them."""

from __future__ import annotations

import csv
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from bench.generate import AS_OF, write
from evaluation.admin.backup import backup, restore
from evaluation.admin.erasure import erase
from evaluation.cli.main import main
from evaluation.ingest.importer import import_files
from evaluation.measures import bootstrap, conversion, direct_payments, over_time
from evaluation.measures.costing import costed_all_sql
from evaluation.measures.overview import data_as_of
from evaluation.measures.prepared import prepare
from evaluation.measures.selection import Selection
from evaluation.store import batches, kept_tables
from evaluation.store.connection import Store
from evaluation.store.derived import DERIVED
from evaluation.store.figures import FIGURES
from evaluation.store.query import column
from tests.harness import TEST_KEY, open_store
from tests.measures.test_derived import SELECTIONS, figures, one_direct_payments_query
from tests.measures.test_narrowing import EDGES, build_council


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_council(tmp_path_factory.mktemp("prepared"))


@pytest.fixture
def prepared(council: Path, tmp_path: Path) -> Path:
    """A copy of the council's store, prepared as the command line's import leaves it."""
    path = tmp_path / "evaluation.duckdb"
    shutil.copyfile(council, path)
    store = open_store(path)
    try:
        prepare(store)
    finally:
        store.close()
    return path


def kept_held(store: Store) -> list[str]:
    return column(
        store,
        "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'kept%' ORDER BY 1",
    )


def fresh_dashboard(path: Path) -> Store:
    """The store as a newly started dashboard opens it: nothing kept in memory."""
    DERIVED.clear()
    FIGURES.clear()
    return Store(path, key=TEST_KEY, hold=False)


def expected(path: Path, selection: Selection) -> dict[str, object]:
    report = open_store(path)  # hold=True: its own narrowed queries, no kept table read
    try:
        return figures(report, selection)
    finally:
        report.close()


@pytest.mark.parametrize("selection", SELECTIONS[:4], ids=lambda s: s.describe())
def test_a_new_dashboard_reads_the_prepared_tables_and_gives_the_same_figures(
    prepared: Path, selection: Selection
) -> None:
    dashboard = fresh_dashboard(prepared)
    read = DERIVED.read
    with dashboard.lease():
        found = figures(dashboard, selection)  # read in the file, as they are
        assert figures(dashboard, selection) == found  # asked again: read again, the same
    assert DERIVED.read == read + 2  # both tables read from the file, none built
    assert found == expected(prepared, selection)


def test_the_prepared_tables_are_what_is_read(prepared: Path) -> None:
    """Changed by hand, a prepared table changes the figures: the view really reads it."""
    store = open_store(prepared)
    try:
        with store.transaction() as cur:
            cur.execute(
                f"UPDATE {kept_tables.stored('requests_all')} SET had_conversation_2 = true"
            )
    finally:
        store.close()
    dashboard = fresh_dashboard(prepared)
    with dashboard.lease():
        total = conversion.total(dashboard)
    assert total.reached_conversation_2 == total.requests


def test_once_the_data_changes_a_prepared_table_is_never_read(prepared: Path) -> None:
    store = open_store(prepared)
    try:
        with store.transaction() as cur:  # a prepared table no view should believe any more
            cur.execute(
                f"UPDATE {kept_tables.stored('requests_all')} SET had_conversation_2 = true"
            )
        more = EDGES.replace(b"\r\nE", b"\r\nM").replace(b"EDGE", b"MORE").replace(b",ER", b",MR")
        import_files(store, [("more.csv", more)], as_of=AS_OF)
    finally:
        store.close()
    dashboard = fresh_dashboard(prepared)
    read = DERIVED.read
    with dashboard.lease():
        found = figures(dashboard, Selection())
    assert DERIVED.read == read  # built afresh from the data
    assert found == expected(prepared, Selection())
    # An undo is a change too.
    store = open_store(prepared)
    try:
        prepare(store)
        batches.undo(store, batches.log(store)[0]["batch_id"], by="test")
    finally:
        store.close()
    dashboard = fresh_dashboard(prepared)
    read = DERIVED.read
    with dashboard.lease():
        assert figures(dashboard, Selection()) == expected(prepared, Selection())
    assert DERIVED.read == read


def test_direct_payments_on_the_first_days_come_from_the_store(prepared: Path) -> None:
    store = open_store(prepared)
    try:
        days = direct_payments.default_days(data_as_of(store) or AS_OF)
        by = ("area", "site")  # a group per place and day: a row of the prepared table each
        first = direct_payments.direct_payments(store, days, by)
        assert first == one_direct_payments_query(store, days, by, Selection())
        with store.transaction() as cur:
            cur.execute(f"UPDATE {kept_tables.stored('places_by_day')} SET people = people + 100")
        FIGURES.clear()
        read = direct_payments.direct_payments(store, days, by)
        assert [r.people for r in read] == [r.people + 100 for r in first]  # read, not counted
        other = [date(2025, 6, 30), *days[1:]]  # a day not prepared: counted afresh
        FIGURES.clear()
        assert direct_payments.direct_payments(store, other, ("area",)) == (
            one_direct_payments_query(store, other, ("area",), Selection())
        )
    finally:
        store.close()


def test_the_first_comparison_over_time_takes_its_interval_from_the_store(
    prepared: Path,
) -> None:
    """The Cost change page's first comparison (its first site, the suggested day, the whole
    store): the interval the import worked out is the bootstrap's, and it is what is read."""
    store = open_store(prepared)
    try:
        site = over_time.changed_sites(store)[0]
        args = (site, over_time.suggested_change(store, site), Selection())
        FIGURES.clear()
        kept = over_time.cost_over_time(store, *args)
        values, _ = over_time.cost_cells(store, site, args[1], Selection(), None)
        drawn = bootstrap.mean_bootstrap([values[k] for k in over_time.CELLS])
        assert kept.ci95 is not None
        assert [float(x) for x in kept.ci95] == [round(x, 2) for x in drawn]
        with store.transaction() as cur:
            cur.execute("UPDATE kept_intervals SET low = -999, high = 999")
        FIGURES.clear()
        assert [float(x) for x in over_time.cost_over_time(store, *args).ci95] == [-999, 999]
        FIGURES.clear()  # another day: other inputs, drawn afresh
        other = over_time.cost_over_time(store, site, args[1] + timedelta(days=7), Selection())
        assert other.ci95 is not None and float(other.ci95[0]) != -999
    finally:
        store.close()


def test_an_erasure_and_a_restore_drop_the_prepared_tables(prepared: Path, tmp_path: Path) -> None:
    conversations = tmp_path / "data" / "conversations.csv"
    write(tmp_path / "data", 1_500)  # the council's own generated files, to find a person
    with conversations.open(newline="") as handle:
        person = next(csv.DictReader(handle))["person_id"]
    store = open_store(prepared)
    try:
        assert kept_held(store) == [
            "kept_costed_all", "kept_intervals", "kept_places_by_day", "kept_requests_all",
            "kept_stamps",
        ]  # fmt: skip
        assert erase(store, person, by="test").removed
        assert kept_held(store) == []
        prepare(store)
        backup(store, tmp_path / "backup")
        assert kept_held(store)
        restore(store, tmp_path / "backup", replace=True)
        assert kept_held(store) == []
    finally:
        store.close()


def test_the_command_line_import_prepares_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = write(tmp_path / "data", 200)
    db = tmp_path / "cli.duckdb"
    args = ["--db", str(db), "--as-of", "2026-01-31"]
    assert main(["import", str(files["conversations"]), *args]) == 0
    assert "the dashboard's figures are prepared" in capsys.readouterr().err
    store = Store(db)
    try:
        assert kept_tables.current(store.cursor(), "costed_all", costed_all_sql())
    finally:
        store.close()
