"""One measured task per process: ``python -m bench.tasks TASK DATA_DIR WORK_DIR``.

Each task runs in a fresh process so its peak memory (ru_maxrss) is its own, and prints one
JSON line: seconds (timed inside, start-up excluded) and peak_mb. ``bench.run`` calls these.

A task may do untimed set-up (copying the size's store, opening it), then ``clock.start()``,
and ``clock.stop()`` before untimed checks; more timings go in ``clock.extra``.

Tasks:
- ``import:*``: the import against DuckDB's floor and a pandas + pydantic import;
- ``report:NAME`` and ``report:NAME:pandas``: a report as the CLI computes it, on an open
  store, against the hand-written pandas version (``bench.pandas_reports``), which must give
  the same JSON (asserted after the clock stops);
- ``page:PATH``: one page of ``app.py`` in AppTest, cold (the first run in a fresh process,
  as a deep link on a newly started server) and then warm (``extra.warm``: the median of
  three reruns, whose figures are kept from the first run as they are for a second person on
  the same view) and a new view (``extra.new_view``: a rerun with no figure kept, what a new
  filter choice costs in a running server).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.page_views import another_period, another_site, app_pages, page_task_name

TASKS: dict[str, Callable[[Path, Path], object]] = {}


class Clock:
    """Start and stop of the measured part of a task."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.stopped: float | None = None
        self.extra: dict[str, float] = {}

    def start(self) -> None:
        self.started = time.perf_counter()

    def stop(self) -> None:
        self.stopped = time.perf_counter()

    @property
    def seconds(self) -> float:
        return (self.stopped or time.perf_counter()) - self.started


clock = Clock()


def task(name: str) -> Callable[[Callable[[Path, Path], object]], Callable[[Path, Path], object]]:
    def register(func: Callable[[Path, Path], object]) -> Callable[[Path, Path], object]:
        TASKS[name] = func
        return func

    return register


IMPORTED = ("conversations", "care_packages")


def distinct(data: Path) -> Path:
    """The same size's files with a person of their own for every conversation (written by
    ``bench.run`` before anything is timed: ``stores.data_dir(distinct_people=True)``)."""
    return data.parent / "data-distinct"


@task("import:duckdb-floor")
def duckdb_floor(data: Path, work: Path) -> object:
    """DuckDB's own read_csv of the same files into tables: the floor no validation beats."""
    import duckdb

    con = duckdb.connect(str(work / "floor.duckdb"))
    for name in IMPORTED:
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv(?)", [str(data / f"{name}.csv")]
        )
    rows = con.execute("SELECT count(*) FROM conversations").fetchall()[0][0]
    con.close()
    return rows


@task("import:ours")
def ours(data: Path, work: Path) -> object:
    """The dashboard's import: every value validated, ids pseudonymised, one batch per file."""
    from evaluation.ingest.importer import import_files
    from evaluation.store.connection import Store

    store = Store(work / "ours.duckdb", key="bench-key")
    results = import_files(
        store, [(f"{n}.csv", (data / f"{n}.csv").read_bytes()) for n in IMPORTED]
    )
    store.close()
    return [r.added for r in results]


@task("import:duckdb-floor:distinct")
def duckdb_floor_distinct(data: Path, work: Path) -> object:
    """The floor on the files where no person repeats (N people, 2N care packages)."""
    return duckdb_floor(distinct(data), work)


@task("import:ours:distinct")
def ours_distinct(data: Path, work: Path) -> object:
    """Our import of the files where no person repeats: a pseudonym to work out per row."""
    return ours(distinct(data), work)


@task("import:pandas-pydantic")
def pandas_pydantic(data: Path, work: Path) -> object:
    """What an analyst would write: pandas reads, a pydantic model per row, the ids replaced
    by the same HMAC pseudonyms (the contract forbids storing raw ids), DuckDB stores."""
    import duckdb
    import pandas as pd

    from evaluation.core.contract import KINDS
    from evaluation.store.keys import pseudonym

    key = b"bench-key"
    con = duckdb.connect(str(work / "pandas.duckdb"))
    for name in IMPORTED:
        kind = KINDS[name]
        frame = pd.read_csv(data / f"{name}.csv", dtype=str, keep_default_na=False)
        frame.columns = [c.strip().lower() for c in frame.columns]
        records = [kind.model.model_validate(row).model_dump() for row in frame.to_dict("records")]
        checked = pd.DataFrame.from_records(records, columns=kind.columns)
        for column in kind.pseudonymised:
            prefix = "W" if column == "worker_id" else "P"
            checked[column] = [pseudonym(key, v, prefix) for v in checked[column]]
        con.register("checked", checked)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM checked")
        con.unregister("checked")
    rows = con.execute("SELECT count(*) FROM conversations").fetchall()[0][0]
    con.close()
    return rows


# --- reports --------------------------------------------------------------------------------

KEY = "bench-pseudonym-key-not-secret"


def _store_copy(data: Path, work: Path) -> Path:
    """A private copy of the size's imported store (``bench.stores``), not timed."""
    from bench.stores import copy_store

    return copy_store(int(data.parent.name), work, out=data.parent.parent)


def _cost_change(store: Any) -> str:
    """What ``report cost-change --format json`` computes and prints (default options)."""
    from evaluation.cli.cost_change import as_json
    from evaluation.measures.cost_change import summary
    from evaluation.measures.selection import Selection

    report = summary(store, Selection(), by=("approach",), as_of=None)
    clock.stop()
    return as_json(report)


def _conversion(store: Any) -> str:
    from evaluation.measures.conversion import groups_and_total
    from evaluation.measures.selection import Selection

    selection = Selection()
    groups, overall = groups_and_total(store, selection, ())
    clock.stop()
    return json.dumps(
        {
            "report": "conversion",
            "selection": selection.describe(),
            "by": [],
            "groups": [g.as_dict() for g in groups],
            "total": overall.as_dict(),
        },
        indent=2,
    )


def _activity(store: Any) -> str:

    from evaluation.cli.activity import PARTS, as_json_data, gather
    from evaluation.measures.selection import Selection

    report = gather(store, Selection(), (), None)
    clock.stop()
    return json.dumps(as_json_data(report, PARTS), indent=2)


def _feedback(store: Any) -> str:
    from evaluation.measures.feedback import feedback_measures
    from evaluation.measures.suppression import configured_threshold

    threshold = configured_threshold()
    result = feedback_measures(store, ["site"], start=None, end=None, threshold=threshold)
    clock.stop()
    return json.dumps(result.to_json(), indent=2)


REPORTS: dict[str, Callable[[Any], str]] = {
    "cost-change": _cost_change,
    "conversion": _conversion,
    "activity": _activity,
    "feedback": _feedback,
}


def same_figures(ours_json: str, pandas_json: str, report: str) -> None:
    """The honest-comparison check: every key and figure equal."""
    a, b = json.loads(ours_json), json.loads(pandas_json)
    if a != b:
        raise AssertionError(
            f"{report}: pandas gives different figures\nours:   {json.dumps(a)[:2000]}\n"
            f"pandas: {json.dumps(b)[:2000]}"
        )


def _ours(report: str) -> Callable[[Path, Path], object]:
    def ours_task(data: Path, work: Path) -> object:
        from evaluation.store.connection import Store

        path = _store_copy(data, work)
        store = Store(path, key=KEY)
        clock.start()
        text = REPORTS[report](store)
        store.close()
        return len(text)

    ours_task.__doc__ = f"The {report} report as the CLI computes it, on an open store."
    return ours_task


def _pandas(report: str) -> Callable[[Path, Path], object]:
    def pandas_task(data: Path, work: Path) -> object:
        import bench.pandas_reports as pr
        from evaluation.store.connection import Store

        path = _store_copy(data, work)
        con = pr.connect(path)
        clock.start()
        text = pr.REPORTS[report](con)
        clock.stop()
        con.close()
        store = Store(path, key=KEY)  # untimed: the dashboard's figures, to compare
        same_figures(REPORTS[report](store), text, report)
        store.close()
        return "same figures"

    pandas_task.__doc__ = f"The {report} report in pandas; asserts the same JSON as ours."
    return pandas_task


def _independent(report: str) -> Callable[[Path, Path], object]:
    def sql_task(data: Path, work: Path) -> object:
        import bench.independent as independent
        import bench.pandas_reports as pr
        from evaluation.store.connection import Store

        path = _store_copy(data, work)
        con = pr.connect(path)
        clock.start()
        found = independent.run(con, report)
        clock.stop()
        con.close()
        store = Store(path, key=KEY)  # untimed: the dashboard's figures, to compare
        expected = independent.counts(report, REPORTS[report](store))
        store.close()
        if found != expected:
            raise AssertionError(f"{report}: the SQL gives {found}, the report {expected}")
        return "same counts"

    sql_task.__doc__ = f"An independent SQL of the {report} report's method (same counts)."
    return sql_task


for _name in REPORTS:
    task(f"report:{_name}")(_ours(_name))
    task(f"report:{_name}:pandas")(_pandas(_name))
for _name in ("cost-change", "conversion"):
    task(f"report:{_name}:sql")(_independent(_name))


# --- pages ----------------------------------------------------------------------------------


def _page_task(script: str, url_path: str, title: str) -> Callable[[Path, Path], object]:
    def page_task(data: Path, work: Path) -> object:
        path = _store_copy(data, work)
        os.environ.update(
            {
                "EVALUATION_DB": str(path),
                "EVALUATION_PSEUDONYM_KEY": KEY,
                "EVALUATION_SAMPLE": "off",
            }
        )
        from streamlit.testing.v1 import AppTest
        from streamlit.util import calc_hash

        from ui import navigation

        root = Path(__file__).resolve().parent.parent
        at = AppTest.from_file(str(root / "app.py"), default_timeout=120)
        if url_path:
            # The first run lands on the page, as a deep link to a fresh server does: the
            # app's frame follows the address it was asked for (``navigation.follow_deep_link``;
            # switch_page needs one run first, which would warm the process).
            at.session_state[navigation._DEEP_LINK] = (url_path, {})
        clock.start()

        at.run()
        clock.stop()
        assert not at.exception, [e.value for e in at.exception]
        landed = at._finished_page_script_hash
        assert not url_path or landed == calc_hash(url_path), f"{title}: landed elsewhere"
        titles = [t.value for t in at.title]
        warm = []
        for _ in range(3):
            started = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - started)
            assert not at.exception, [e.value for e in at.exception]
        clock.extra["warm"] = statistics.median(warm)
        # Views nobody has opened yet, on a running server: another site, then another
        # period, chosen in the page's own filters (what the whole store's tables kept per
        # version of the data make cheap); the new view is the slower of the two.
        views = []
        for choose in (another_site, another_period):
            if choose(at):
                started = time.perf_counter()
                at.run()
                views.append(time.perf_counter() - started)
                assert not at.exception, [e.value for e in at.exception]
        # And the same view with every kept figure forgotten (what issue 8 measured): only the
        # tables kept per version of the data are left.
        from evaluation.store.figures import FIGURES

        FIGURES.clear()
        started = time.perf_counter()
        at.run()
        clock.extra["forgotten"] = time.perf_counter() - started
        clock.extra["new_view"] = max(views) if views else clock.extra["forgotten"]
        clock.extra.update(zip(("new_site", "new_period"), views, strict=False))
        assert not at.exception, [e.value for e in at.exception]
        return f"{title}: {titles[:1]}, {len(at.main.children)} blocks, {len(views)} new views"

    page_task.__doc__ = f"The {title} page ({script}) in AppTest, cold then warm."
    return page_task


for _script, _url, _title in app_pages():
    task(page_task_name(_url))(_page_task(_script, _url, _title))


def peak_memory_mb() -> float:
    """This process's peak resident memory (``VmHWM``). Not ``ru_maxrss``: Linux carries that
    over from the parent through fork and exec, so every task would report at least what
    ``bench.run`` itself held (the store it had just imported)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    name, data, work = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    work.mkdir(parents=True, exist_ok=True)
    try:
        clock.start()
        result = TASKS[name](data, work)
        seconds = clock.seconds
    finally:
        shutil.rmtree(work, ignore_errors=True)
    peak_mb = peak_memory_mb()
    print(
        json.dumps(
            {
                "task": name,
                "seconds": seconds,
                "peak_mb": peak_mb,
                "extra": clock.extra,
                "result": repr(result)[:200],
            }
        )
    )


if __name__ == "__main__":
    main()
