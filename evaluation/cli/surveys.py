"""``report feedback`` and ``report staff``: the survey figures of the People and Staff pages.

``python -m evaluation report feedback|staff [--db DB] [--by site] [--from DATE] [--to DATE]
[--format table|json|csv] [--threshold N]``: the same figures as the pages, from the same
functions. ``--by`` takes one or more of the survey's grouping keys (comma-separated or
repeated). Percentages are numbers from 0 to 100 of the responses that answered; means are
of the responses that scored the item. A group of fewer than 5 responses (or ``--threshold``,
which can only be raised) is ``{<by keys>, "suppressed": true, "reason": "small"}`` in JSON and
"fewer than 5" elsewhere; a group hidden only so that a small one can't be worked out has
``"reason": "protect"`` ("hidden to protect a small group"). Groups and totals that add up
only the groups on show say what they left out (``left_out``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from evaluation.cli.options import (
    add_format,
    add_period,
    add_threshold,
    by_type,
    open_store,
    print_json,
    refuse,
    text_table,
    write_bytes,
)
from evaluation.measures.feedback import ANSWERS, QUESTIONS, feedback_measures
from evaluation.measures.feedback import GROUP_SQL as FEEDBACK_GROUPS
from evaluation.measures.staff import GROUP_SQL as STAFF_GROUPS
from evaluation.measures.staff import ITEMS, TIME, staff_measures
from evaluation.measures.suppression import configured_threshold, fewer_than, hidden_words
from evaluation.measures.survey import Measures
from evaluation.present.exports import survey_csv
from evaluation.present.formats import number, uk_date
from evaluation.present.surveys import left_out_text
from evaluation.store.connection import StoreError

Cells = Callable[[Mapping[str, Any], int], list[str]]


def _answer_cell(group: Mapping[str, Any], q: str, threshold: int) -> str:
    withheld = group.get("withheld") or {}
    if q in withheld:
        return f"{hidden_words(withheld[q], threshold)} answered"
    if not group[f"{q}_answered"]:
        return "none answered"
    shares = " / ".join(number(group[f"{q}_{a}_pct"], 1) for a in ANSWERS)
    return f"{shares} ({group[f'{q}_answered']})"


def _mean_cell(group: Mapping[str, Any], item: str, threshold: int, places: int = 2) -> str:
    withheld = group.get("withheld") or {}
    if item in withheld:
        return f"{hidden_words(withheld[item], threshold)} answered"
    if group[f"{item}_mean"] is None:
        return "none answered"
    return f"{number(group[f'{item}_mean'], places)} ({group[f'{item}_answered']})"


def _feedback_cells(group: Mapping[str, Any], threshold: int) -> list[str]:
    return [
        *(_answer_cell(group, q, threshold) for q in QUESTIONS),
        _mean_cell(group, "satisfaction", threshold),
    ]


def _staff_cells(group: Mapping[str, Any], threshold: int) -> list[str]:
    forms = group["forms_and_systems_pct_mean"]
    return [
        *(_mean_cell(group, item, threshold) for item in ITEMS),
        _mean_cell(group, TIME, threshold, 1),
        "none answered" if forms is None else number(forms, 1),
    ]


class SurveyReport:
    """One survey's report: its measure, its groupings and how its table reads."""

    def __init__(
        self,
        doc: str,
        measure: Callable[..., Measures],
        groups: Sequence[str],
        title: str,
        headings: Sequence[str],
        cells: Cells,
        note: str,
    ) -> None:
        self.__doc__ = doc
        self.measure, self.groups, self.title = measure, list(groups), title
        self.headings, self.cells, self.note = list(headings), cells, note

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--by",
            type=by_type(self.groups),
            action="append",
            help=f"group by one or more of {', '.join(self.groups)} (default: site)",
        )
        add_period(parser)
        add_format(parser)
        add_threshold(parser)

    def run(self, args: argparse.Namespace) -> int:
        try:
            threshold = args.threshold or configured_threshold()
            store = open_store(args)
        except (ValueError, StoreError) as error:
            return refuse(error)
        by = list(dict.fromkeys(k for part in (args.by or [["site"]]) for k in part))
        try:
            result = self.measure(
                store, by, start=args.date_from, end=args.date_to, threshold=threshold
            )
        except ValueError as error:
            return refuse(error)
        finally:
            store.close()
        self.write(result, args.format)
        return 0

    def write(self, result: Measures, fmt: str) -> None:
        """JSON, CSV or a text table: one row per group then the total."""
        if fmt == "json":
            print_json(result.to_json())
            return
        if fmt == "csv":
            write_bytes(survey_csv(result))
            return
        t = result.threshold
        header = [*result.by, "responses", *self.headings, "left out"]
        label = "All shown" if result.total.get("left_out") else "All"
        table = []
        for group in [*result.groups, {**dict.fromkeys(result.by, label), **result.total}]:
            keys = [str(group[k]) for k in result.by]
            if group.get("suppressed"):
                blanks = ["hidden"] * (len(header) - len(keys) - 2)
                table.append([*keys, hidden_words(group.get("reason"), t), *blanks, ""])
                continue
            cells = self.cells(group, t)
            left = left_out_text(group, t)
            table.append([*keys, str(group["responses"]), *cells, left])
        start = uk_date(result.start) if result.start else "the first response"
        end = uk_date(result.end) if result.end else "the latest"
        print(f"{self.title} from {start} to {end}, by {', '.join(result.by) or '-'}")
        print(text_table(header, table, right=()))
        print(self.note.format(small=fewer_than(t)))


HIDDEN_NOTE = (
    "Groups of {small} responses are hidden; totals add up the groups on show and say what "
    "they left out. Periods are whole weeks, Monday to Sunday."
)

feedback = SurveyReport(
    "People and families: responses, % yes / partly / no per question, mean satisfaction.",
    feedback_measures,
    list(FEEDBACK_GROUPS),
    "People and families feedback",
    [
        *(f"{t.lower()}: yes / partly / no % (answered)" for t in QUESTIONS.values()),
        "mean satisfaction (answered)",
    ],
    _feedback_cells,
    "Percentages are of the responses that answered each question. " + HIDDEN_NOTE,
)
staff = SurveyReport(
    "Staff experience: mean of each 1–5 item and of time with people, per group.",
    staff_measures,
    list(STAFF_GROUPS),
    "Staff experience",
    [
        *(f"{t.lower()} (answered)" for t in ITEMS.values()),
        "% time with people (answered)",
        "% forms and systems",
    ],
    _staff_cells,
    "Means are of the responses that scored each item (1–5). " + HIDDEN_NOTE,
)
