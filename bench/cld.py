"""The CLD import against DuckDB's own read of the same file: time ratio and peak memory.

    python -m bench.cld [--rows 1000000] [--repeat 3] [--out bench/out]

Generates (once, seeded: ``tests.fixtures.cld.write``) a synthetic Client Level Data extract
of ``--rows`` rows, then runs, each in a fresh process so its peak memory (``ru_maxrss``) is
its own and alternating so both see the same machine:

- ``floor``: DuckDB's ``read_csv`` of the file into a table of an on-disk database — reading
  and storing the file, nothing more;
- ``ours``: ``python -m evaluation import FILE --cld-site …`` as a function call — every row
  checked, conversations and care packages made by §4, ids pseudonymised, one batch stored in
  a fresh on-disk store.

Prints each run, the medians, the ratio (target: within 3×) and the peak memory (target:
under 2 GB). Both timings start once the task's modules are loaded, before the file is read,
and end after the database is closed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
SITES = ["Medway innovation team=ME4,ME5"]
RATIO_TARGET = 3.0
MEMORY_TARGET_MB = 2048


def _floor(path: Path, work: Path) -> int:
    import duckdb

    clock_starts()
    con = duckdb.connect(str(work / "floor.duckdb"))
    con.execute("CREATE TABLE extract AS SELECT * FROM read_csv(?)", [str(path)])
    rows = int(con.execute("SELECT count(*) FROM extract").fetchall()[0][0])
    con.close()
    return rows


def _ours(path: Path, work: Path) -> int:
    from evaluation.ingest.importer import import_files
    from evaluation.store.connection import Store

    clock_starts()
    store = Store(work / "ours.duckdb", key="bench-key")
    (result,) = import_files(store, [(path.name, path.read_bytes())], cld_sites=SITES)
    store.close()
    return int(result.found.rows)  # type: ignore[union-attr]


TASKS = {"floor": _floor, "ours": _ours}
_started = [0.0]


def clock_starts() -> None:
    """Each task starts the clock once its modules are imported: Python loading the
    dashboard's code is not the import's work, nor DuckDB's."""
    _started[0] = time.perf_counter()


def run_task(name: str, path: Path, work: Path) -> None:
    """In the child: run one task and print its JSON line."""
    work.mkdir(parents=True, exist_ok=True)
    for stale in work.glob("*.duckdb*"):
        stale.unlink()
    rows = TASKS[name](path, work)
    seconds = time.perf_counter() - _started[0]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"task": name, "seconds": seconds, "peak_mb": peak, "rows": rows}))


def measure(name: str, path: Path, work: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.cld", "--task", name, str(path), str(work)],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def extract(rows: int, out: Path) -> Path:
    """The seeded synthetic extract, written once per size."""
    from tests.fixtures.cld import write

    path = out / f"cld-{rows}.csv"
    if not path.exists():
        write(path, rows)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cld", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--task", choices=sorted(TASKS), help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.task:
        run_task(args.task, args.paths[0], args.paths[1])
        return 0
    path = extract(args.rows, args.out)
    work = args.out / "cld-work"
    print(f"{path} ({path.stat().st_size / 1e6:.0f} MB, {args.rows:,} rows requested)")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in TASKS}
    for n in range(args.repeat):
        for name in TASKS:
            result = measure(name, path, work)
            runs[name].append(result)
            print(
                f"  run {n + 1} {name:<5} {result['seconds']:7.2f} s  "
                f"peak {result['peak_mb']:7.0f} MB  ({result['rows']:,} rows)"
            )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    seconds = {name: statistics.median(r["seconds"] for r in rs) for name, rs in runs.items()}
    peak = max(r["peak_mb"] for r in runs["ours"])
    ratio = seconds["ours"] / seconds["floor"]
    print(f"median floor (DuckDB read_csv into a table): {seconds['floor']:.2f} s")
    print(f"median ours (CLD import, checked and stored): {seconds['ours']:.2f} s")
    print(
        f"ratio ours / floor: {ratio:.2f}x (target within {RATIO_TARGET:.0f}x: "
        f"{'met' if ratio <= RATIO_TARGET else 'NOT met'})"
    )
    print(
        f"peak memory of the import: {peak:.0f} MB (target under {MEMORY_TARGET_MB} MB: "
        f"{'met' if peak < MEMORY_TARGET_MB else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
