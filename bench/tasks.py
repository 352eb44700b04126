"""One measured task per process: ``python -m bench.tasks TASK DATA_DIR WORK_DIR``.

Each task runs in a fresh process so its peak memory (ru_maxrss) is its own, and prints one
JSON line: seconds (timed inside, start-up excluded) and peak_mb. ``bench.run`` calls these.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

TASKS: dict[str, Callable[[Path, Path], object]] = {}


def task(name: str) -> Callable[[Callable[[Path, Path], object]], Callable[[Path, Path], object]]:
    def register(func: Callable[[Path, Path], object]) -> Callable[[Path, Path], object]:
        TASKS[name] = func
        return func

    return register


IMPORTED = ("conversations", "care_packages")


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
    from evaluation.importer import import_files
    from evaluation.store import Store

    store = Store(work / "ours.duckdb", key="bench-key")
    results = import_files(
        store, [(f"{n}.csv", (data / f"{n}.csv").read_bytes()) for n in IMPORTED]
    )
    store.close()
    return [r.added for r in results]


@task("import:pandas-pydantic")
def pandas_pydantic(data: Path, work: Path) -> object:
    """What an analyst would write: pandas reads, a pydantic model per row, DuckDB stores."""
    import duckdb
    import pandas as pd

    from evaluation.contract import KINDS

    con = duckdb.connect(str(work / "pandas.duckdb"))
    for name in IMPORTED:
        kind = KINDS[name]
        frame = pd.read_csv(data / f"{name}.csv", dtype=str, keep_default_na=False)
        frame.columns = [c.strip().lower() for c in frame.columns]
        records = [kind.model.model_validate(row).model_dump() for row in frame.to_dict("records")]
        pd.DataFrame.from_records(records, columns=kind.columns)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM checked")
    rows = con.execute("SELECT count(*) FROM conversations").fetchall()[0][0]
    con.close()
    return rows


def main() -> None:
    name, data, work = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    result = TASKS[name](data, work)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {"task": name, "seconds": seconds, "peak_mb": peak_mb, "result": repr(result)[:200]}
        )
    )


if __name__ == "__main__":
    main()
