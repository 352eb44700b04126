"""Run the benchmarks and print one table: medians over repeated runs, ratios to a baseline
measured in the same run, peak memory, and which targets are met.

    python -m bench.run --sizes 10000,100000,1000000 --repeat 3

Each figure is the median of ``--repeat`` runs, each in a fresh process (``bench.tasks``).
Slow baselines at large sizes run once (``--slow-repeat``), and are skipped above
``--slow-limit`` rows with the reason printed. ``--tasks REGEX`` runs only the tasks whose
name matches. The generated files and each size's imported store are kept in ``--out``
(``bench/out``, git-ignored) and reused by later runs.

The targets (issues 8 and 19) are judged at every size and printed after each size's table:
the import within 1.5x DuckDB's floor and under 1 GB, both when people repeat and when every
row has its own person, and 5x faster than pandas + pydantic; every report under 1 s, within
half the time of an independent SQL of its method (``bench.independent``) and 5x faster
than pandas; every page's new view within 0.5 s and its first view within 2 s; every task
under 2 GB peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.independent import QUERIES as INDEPENDENT
from bench.stores import OUT, data_dir, store_file
from bench.tasks import REPORTS, app_pages, page_task_name

# (group, task, baseline task of the same group, slow?)
PLAN = [
    ("import", "import:duckdb-floor", None, False),
    ("import", "import:ours", "import:duckdb-floor", False),
    ("import", "import:pandas-pydantic", "import:ours", True),
    ("import", "import:duckdb-floor:distinct", None, False),
    ("import", "import:ours:distinct", "import:duckdb-floor:distinct", False),
    *(
        row
        for report in REPORTS
        for row in (
            *((("report", f"report:{report}:sql", None, False),) if report in INDEPENDENT else ()),
            (
                "report",
                f"report:{report}",
                f"report:{report}:sql" if report in INDEPENDENT else None,
                False,
            ),
            ("report", f"report:{report}:pandas", f"report:{report}", False),
        )
    ),
    *(("page", page_task_name(url), None, False) for _, url, _ in app_pages()),
]

# The alternatives measured against; their memory is shown but not judged.
BASELINES = {
    "import:duckdb-floor", "import:duckdb-floor:distinct", "import:pandas-pydantic",
    *(f"report:{r}:sql" for r in INDEPENDENT),
}  # fmt: skip
IMPORT_FLOOR_RATIO = 1.5  # ours at most 1.5x DuckDB's own read_csv (issue 19)
IMPORT_PEAK_MB = 1024  # the import under 1 GB (issue 19)
SQL_RATIO = 0.5  # a report in at most half the time of an independent SQL (issue 19)
FASTER_THAN = 5.0  # ours at least 5x faster than the pandas alternative
REPORT_SECONDS = 1.0
PAGE_NEW_VIEW_SECONDS = 0.5  # a new site or period on a running server (issue 19)
PAGE_COLD_SECONDS = 2.0  # the first view on a newly started server (issue 19)
PEAK_MB = 2048


def machine() -> list[str]:
    """What the figures were measured on (the load average says how busy it was)."""
    model = "unknown CPU"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as info:
        total_kb = int(info.readline().split()[1])
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return [
        f"machine: {os.cpu_count()} cores ({model}), {total_kb / 1024 / 1024:.1f} GiB memory, "
        f"{platform.machine()}, {python}",
        load_average(),
    ]


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average: {one:.2f} {five:.2f} {fifteen:.2f}"


def measure(task: str, data: Path, scratch: Path, repeat: int) -> dict[str, Any]:
    seconds, peaks, extras = [], [], {}
    for n in range(repeat):
        work = scratch / f"{task.replace(':', '-')}-{n}"
        done = subprocess.run(
            [sys.executable, "-m", "bench.tasks", task, str(data), str(work)],
            capture_output=True, text=True,
        )  # fmt: skip
        shutil.rmtree(work, ignore_errors=True)
        if done.returncode != 0:
            raise RuntimeError(f"{task} failed:\n{done.stderr[-4000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        seconds.append(result["seconds"])
        peaks.append(result["peak_mb"])
        for key, value in result.get("extra", {}).items():
            extras.setdefault(key, []).append(value)
    return {
        "seconds": statistics.median(seconds),
        "all_seconds": seconds,
        "peak_mb": max(peaks),
        "runs": repeat,
        **{key: statistics.median(values) for key, values in extras.items()},
    }


def measure_pair(
    baseline: str, task: str, data: Path, scratch: Path, repeat: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The baseline and the task run by turns (baseline, task, baseline, task, …), so that
    other work coming and going on the machine weighs on both alike; the task's ``ratio`` is
    the median of each turn's ratio."""
    runs: dict[str, list[dict[str, Any]]] = {baseline: [], task: []}
    for _ in range(repeat):
        for name in (baseline, task):
            runs[name].append(measure(name, data, scratch, 1))
    merged = {}
    for name, found in runs.items():
        seconds = [r["seconds"] for r in found]
        merged[name] = {
            "seconds": statistics.median(seconds),
            "all_seconds": seconds,
            "peak_mb": max(r["peak_mb"] for r in found),
            "runs": repeat,
        }
    turns = zip(runs[task], runs[baseline], strict=True)
    merged[task]["ratio"] = statistics.median(t["seconds"] / b["seconds"] for t, b in turns)
    return merged[baseline], merged[task]


def judge(size: int, results: dict[str, dict[str, Any]]) -> list[tuple[str, bool, str]]:
    """Each target that applies to what was measured: (what, met?, the measured figure)."""
    checks: list[tuple[str, bool, str]] = []

    def ratio(slow: str, fast: str) -> float | None:
        if slow in results and fast in results:
            if "ratio" in results[slow] and fast in BASELINES:  # measured by turns
                return float(results[slow]["ratio"])
            return results[slow]["seconds"] / results[fast]["seconds"]
        return None

    for shape in ("", ":distinct"):
        floor = ratio(f"import:ours{shape}", f"import:duckdb-floor{shape}")
        if floor is not None:
            what = "people repeat" if not shape else "every row its own person"
            checks.append((f"import within {IMPORT_FLOOR_RATIO:g}x DuckDB's floor ({what})",
                           floor <= IMPORT_FLOOR_RATIO, f"{floor:.2f}x"))  # fmt: skip
            peak = results[f"import:ours{shape}"]["peak_mb"]
            checks.append((f"import under {IMPORT_PEAK_MB} MB ({what})", peak < IMPORT_PEAK_MB,
                           f"{peak:.0f} MB"))  # fmt: skip
    pydantic = ratio("import:pandas-pydantic", "import:ours")
    if pydantic is not None:
        checks.append((f"import {FASTER_THAN:g}x faster than pandas + pydantic",
                       pydantic >= FASTER_THAN, f"{pydantic:.1f}x"))  # fmt: skip
    for report in REPORTS:
        name = f"report:{report}"
        if name in results:
            s = results[name]["seconds"]
            checks.append((f"{report} report under {REPORT_SECONDS:g} s", s < REPORT_SECONDS,
                           f"{s:.3f} s"))  # fmt: skip
        against = ratio(name, f"{name}:sql")
        if against is not None:
            checks.append((f"{report} report within {SQL_RATIO:g}x an independent SQL",
                           against <= SQL_RATIO, f"{against:.2f}x"))  # fmt: skip
        faster = ratio(f"{name}:pandas", name)
        if faster is not None:
            checks.append((f"{report} report {FASTER_THAN:g}x faster than pandas",
                           faster >= FASTER_THAN, f"{faster:.1f}x"))  # fmt: skip
    for name, r in results.items():
        if name.startswith("page:"):
            checks.append((f"{name} new view within {PAGE_NEW_VIEW_SECONDS:g} s",
                           r["new_view"] <= PAGE_NEW_VIEW_SECONDS,
                           f"{r['new_view']:.3f} s"))  # fmt: skip
            checks.append((f"{name} cold under {PAGE_COLD_SECONDS:g} s",
                           r["seconds"] < PAGE_COLD_SECONDS, f"{r['seconds']:.3f} s"))  # fmt: skip
    ours = {n: r for n, r in results.items() if n not in BASELINES and not n.endswith(":pandas")}
    worst = max(ours.items(), key=lambda item: item[1]["peak_mb"], default=None)
    if worst:
        checks.append((f"peak memory under {PEAK_MB} MB (largest of ours: {worst[0]})",
                       worst[1]["peak_mb"] < PEAK_MB, f"{worst[1]['peak_mb']:.0f} MB"))  # fmt: skip
    return checks


def row(size: int, name: str, seconds: float, runs: int, peak: float | None, ratio: str) -> str:
    peak_text = f"{peak:>8.0f}" if peak is not None else f"{'':>8}"
    return f"{size:>9}  {name:<32} {seconds:>9.3f} {runs:>4} {peak_text}  {ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--slow-repeat", type=int, default=1)
    parser.add_argument("--slow-limit", type=int, default=1_000_000)
    parser.add_argument("--tasks", default="", help="only the tasks matching this regex")
    parser.add_argument("--out", type=Path, default=OUT, help="where data and stores are kept")
    parser.add_argument("--json", type=Path, help="also write every result to this file")
    args = parser.parse_args()
    wanted = re.compile(args.tasks)
    for line in machine():
        print(line)
    everything: dict[str, Any] = {"machine": machine()[0], "sizes": {}}
    print(f"{'rows':>9}  {'task':<32} {'median s':>9} {'runs':>4} {'peak MB':>8}  ratio")
    for size in (int(s) for s in args.sizes.split(",")):
        data = data_dir(size, args.out)
        store_file(size, args.out)  # imported once per size, before anything is timed
        if any(wanted.search(name) and name.endswith(":distinct") for _, name, _, _ in PLAN):
            data_dir(size, args.out, distinct_people=True)
        scratch = Path(tempfile.mkdtemp(prefix=f"bench-{size}-"))
        results: dict[str, dict[str, Any]] = {}
        load_before = load_average()
        for _group, name, baseline, slow in PLAN:
            if not wanted.search(name):
                continue
            if slow and size > args.slow_limit:
                limit = f"(over --slow-limit {args.slow_limit:,})"
                print(f"{size:>9}  {name:<32} {'skipped':>9}  {limit}")
                continue
            paired = [n for _, n, b, _ in PLAN if b == name and wanted.search(n)]
            if name in BASELINES and paired:
                continue  # measured by turns with the task measured against it, below
            if baseline in BASELINES and wanted.search(baseline):
                first, r = measure_pair(baseline, name, data, scratch, args.repeat)
                results[baseline] = first
                print(row(size, baseline, first["seconds"], first["runs"], first["peak_mb"],
                          "by turns with the next"))  # fmt: skip
            else:
                r = measure(name, data, scratch, args.slow_repeat if slow else args.repeat)
            results[name] = r
            ratio = ""
            if "ratio" in r:
                ratio = f"{r['ratio']:.2f}x {baseline} (median of the turns)"
            elif baseline and baseline in results:
                ratio = f"{r['seconds'] / results[baseline]['seconds']:.2f}x {baseline}"
            if name.startswith("page:"):
                print(row(size, f"{name} cold", r["seconds"], r["runs"], r["peak_mb"], ""))
                print(row(size, f"{name} warm", r["warm"], r["runs"], None, "median of 3 reruns"))
                for extra, note in (
                    ("new_site", "another site chosen"),
                    ("new_period", "the period four weeks earlier"),
                    ("forgotten", "a rerun with every kept figure forgotten"),
                ):
                    if extra in r:
                        print(row(size, f"{name} {extra.replace('_', ' ')}", r[extra], r["runs"],
                                  None, note))  # fmt: skip
            else:
                print(row(size, name, r["seconds"], r["runs"], r["peak_mb"], ratio), flush=True)
            sys.stdout.flush()
        shutil.rmtree(scratch, ignore_errors=True)
        checks = judge(size, results)
        print(
            f"\ntargets (issues 8 and 19 set them at 1,000,000) judged at {size:,} conversations "
            f"({load_before}; after: {load_average()}):"
        )
        for what, met, figure in checks:
            print(f"  {'met    ' if met else 'NOT met'}  {what}: {figure}")
        print()
        everything["sizes"][str(size)] = {
            "load_before": load_before,
            "load_after": load_average(),
            "results": results,
            "targets": [{"target": w, "met": m, "measured": f} for w, m, f in checks],
        }
        if args.json:
            args.json.write_text(json.dumps(everything, indent=2))


if __name__ == "__main__":
    main()
