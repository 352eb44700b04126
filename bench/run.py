"""Run the benchmarks and print one table: medians over repeated runs, ratios to a baseline
measured in the same run, and peak memory.

    python -m bench.run --sizes 10000,100000 --repeat 3

Each figure is the median of ``--repeat`` runs, each in a fresh process (``bench.tasks``).
Slow baselines at large sizes run once (``--slow-repeat``), and are skipped above
``--slow-limit`` rows with the reason printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.generate import write

# (group, task, baseline task of the same group, slow?)
PLAN = [
    ("import", "import:duckdb-floor", None, False),
    ("import", "import:ours", "import:duckdb-floor", False),
    ("import", "import:pandas-pydantic", "import:ours", True),
]


def measure(task: str, data: Path, scratch: Path, repeat: int) -> dict[str, float]:
    seconds, peaks = [], []
    for n in range(repeat):
        work = scratch / f"{task.replace(':', '-')}-{n}"
        out = subprocess.run(
            [sys.executable, "-m", "bench.tasks", task, str(data), str(work)],
            check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        shutil.rmtree(work, ignore_errors=True)
        result = json.loads(out)
        seconds.append(result["seconds"])
        peaks.append(result["peak_mb"])
    return {"seconds": statistics.median(seconds), "peak_mb": max(peaks), "runs": repeat}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--slow-repeat", type=int, default=1)
    parser.add_argument("--slow-limit", type=int, default=1_000_000)
    args = parser.parse_args()
    python = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"machine: {platform.machine()}, {python}, {os.cpu_count()} cores")
    print(f"{'rows':>9}  {'task':<26} {'median s':>9} {'runs':>4} {'peak MB':>8}  ratio")
    for size in (int(s) for s in args.sizes.split(",")):
        scratch = Path(tempfile.mkdtemp(prefix=f"bench-{size}-"))
        data = scratch / "data"
        write(data, size)
        results: dict[str, dict[str, float]] = {}
        for _group, name, baseline, slow in PLAN:
            if slow and size > args.slow_limit:
                print(
                    f"{size:>9}  {name:<26} {'skipped':>9}  (over --slow-limit {args.slow_limit})"
                )
                continue
            results[name] = measure(name, data, scratch, args.slow_repeat if slow else args.repeat)
            r = results[name]
            ratio = ""
            if baseline and baseline in results:
                ratio = f"{r['seconds'] / results[baseline]['seconds']:.2f}x {baseline}"
            print(
                f"{size:>9}  {name:<26} {r['seconds']:>9.3f} {r['runs']:>4} "
                f"{r['peak_mb']:>8.0f}  {ratio}",
                flush=True,
            )
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
