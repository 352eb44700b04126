"""Staff experience: mean of each 1–5 item and of time with people, per group.

``python -m evaluation report staff [--db DB] [--by site] [--from DATE] [--to DATE]
[--format table|json|csv] [--threshold N]``: the figures on the Staff experience page, from
the same function. ``--by`` takes one or more of site, approach, month, role. Means are of
the responses that scored that item; time with people is a percentage (0–100) of working
time, the rest being forms and systems. A group of fewer than 5 responses is
``{<by keys>, "suppressed": true}`` in JSON and "fewer than 5" elsewhere.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from evaluation.cli.feedback import (
    add_common_arguments,
    run_report,
    write_measures,
)
from evaluation.measures.feedback import Measures
from evaluation.measures.staff import FIGURES, GROUP_SQL, ITEMS, TIME, staff_measures

FIGURE_COLUMNS = (
    *(name for item in ITEMS for name in (f"{item}_answered", f"{item}_mean")),
    f"{TIME}_answered",
    f"{TIME}_mean",
    "forms_and_systems_pct_mean",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common_arguments(parser, list(GROUP_SQL))


def run(args: argparse.Namespace) -> int:
    return run_report(args, staff_measures, write_staff)


def _mean_cell(group: Mapping[str, Any], item: str, small: str, places: int = 2) -> str:
    if item in group.get("withheld", []):
        return f"{small} answered"
    if group[f"{item}_mean"] is None:
        return "none answered"
    return f"{group[f'{item}_mean']:.{places}f} ({group[f'{item}_answered']})"


def write_staff(result: Measures, fmt: str) -> None:
    def cells(group: Mapping[str, Any], small: str) -> list[str]:
        forms = group["forms_and_systems_pct_mean"]
        return [
            *(_mean_cell(group, item, small) for item in ITEMS),
            _mean_cell(group, TIME, small, 1),
            "" if forms is None else f"{forms:.1f}",
        ]

    write_measures(
        result,
        fmt,
        figure_columns=FIGURE_COLUMNS,
        counts={f.name: f.count for f in FIGURES},
        title="Staff experience",
        headings=[
            *(f"{t.lower()} (answered)" for t in ITEMS.values()),
            "% time with people (answered)",
            "% forms and systems",
        ],
        cells=cells,
        note="Means are of the responses that scored each item (1–5). Groups of {small} "
        "responses are hidden, with the next smallest where a total would reveal them.",
    )
