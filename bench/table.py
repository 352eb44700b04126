"""The results of ``bench.run --json`` as the Markdown table in docs/benchmarks.md.

    python -m bench.table bench/out/results.json

One row per task (pages get rows for cold, warm, another site, another period and every
kept figure forgotten), one column per size, the
peak memory at the largest size and how the time grew from the smallest to the largest:
the table is printed from the measurements, never typed in.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def _seconds(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def rows(results: dict[str, Any]) -> list[str]:
    sizes = sorted(results["sizes"], key=int)
    per_size = {s: results["sizes"][s]["results"] for s in sizes}
    names = list(dict.fromkeys(n for s in sizes for n in per_size[s]))
    header = ["task", *(f"{int(s):,}" for s in sizes), f"peak MB at {int(sizes[-1]):,}"]
    if len(sizes) > 1:
        header.append(f"{int(sizes[0]):,} → {int(sizes[-1]):,}")
    lines = [
        "| " + " | ".join(header) + " |",
        "| --- | " + " | ".join("---:" for _ in header[1:]) + " |",
    ]
    for name in names:
        variants = [("", "seconds")]
        if name.startswith("page:"):
            variants = [
                (" cold", "seconds"),
                (" warm", "warm"),
                (" new site", "new_site"),
                (" new period", "new_period"),
                (" all forgotten", "forgotten"),
            ]
        for suffix, key in variants:
            values = [per_size[s].get(name, {}).get(key) for s in sizes]
            if all(v is None for v in values):
                continue
            peak = per_size[sizes[-1]].get(name, {}).get("peak_mb") if key == "seconds" else None
            cells = [f"`{name}`{suffix}", *(_seconds(v) for v in values)]
            cells.append(f"{peak:.0f}" if peak else "")
            if len(sizes) > 1:
                first, last = values[0], values[-1]
                cells.append(f"{last / first:.1f}×" if first and last else "")
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def targets(results: dict[str, Any]) -> list[str]:
    largest = max(results["sizes"], key=int)
    found = results["sizes"][largest]
    lines = [
        f"Targets judged at {int(largest):,} conversations ({found['load_before']} before, "
        f"{found['load_after'].removeprefix('load average: ')} after):",
        "",
        "| target | measured | |",
        "| --- | --- | --- |",
    ]
    for item in found["targets"]:
        met = "met" if item["met"] else "**not met**"
        lines.append(f"| {item['target']} | {item['measured']} | {met} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", type=Path)
    args = parser.parse_args()
    results = json.loads(args.results.read_text())
    print("\n".join(rows(results)))
    print()
    print("\n".join(targets(results)))


if __name__ == "__main__":
    main()
