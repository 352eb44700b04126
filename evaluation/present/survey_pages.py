"""The People and Staff pages' short forms: headline metrics, tables that fit, comments by page.

A table of every figure with its base runs to twenty columns; on the page it is split: the
headline shares and means first (``compact_rows``), the rest (partly, no, answered) one click
away. Every cell comes from ``present.surveys.display_rows``, so the two forms can't disagree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeVar

from evaluation.measures.feedback import QUESTIONS
from evaluation.measures.staff import ITEMS, TIME
from evaluation.measures.suppression import fewer_than, hidden_words
from evaluation.measures.survey import Measures
from evaluation.present.formats import count, number, percent
from evaluation.present.surveys import (
    GROUP_LABELS,
    LEFT_OUT,
    TIME_TITLE,
    display_rows,
    hiding_note,
    scope_note,
    total_row,
)

T = TypeVar("T")
PAGE_SIZE = 5

COMPACT = {
    "feedback": (
        "Responses",
        *(f"{title}: yes" for title in QUESTIONS.values()),
        "Mean satisfaction (1–5)",
    ),
    "staff": (
        "Responses",
        f"{TIME_TITLE} (mean %)",
        *(f"{title} (mean, 1–5)" for title in ITEMS.values()),
    ),
}
# The staff table's headings, short enough for six figures across a laptop screen; the page's
# caption says they are means (1–5, and % of working time).
SHORT = {f"{TIME_TITLE} (mean %)": TIME_TITLE, **{f"{t} (mean, 1–5)": t for t in ITEMS.values()}}


def compact_rows(measures: Measures, *, with_total: bool = True) -> list[dict[str, str]]:
    """The groups (and the total) with their headline figures only, and what any of them
    left out."""
    keys = [GROUP_LABELS[k] for k in measures.by]
    rows = display_rows(measures) + ([total_row(measures)] if with_total else [])
    wanted = [*keys, *COMPACT[measures.kind], LEFT_OUT]
    return [{SHORT.get(k, k): row[k] for k in wanted if k in row} for row in rows]


def full_rows(measures: Measures, *, with_total: bool = True) -> list[dict[str, str]]:
    """Every figure with its base (the detail behind ``compact_rows``)."""
    return display_rows(measures) + ([total_row(measures)] if with_total else [])


def headline_metrics(measures: Measures) -> list[tuple[str, str, str]]:
    """(label, figure, what it rests on) for the total of the selection: the groups on show,
    saying what was left out."""
    total, t = measures.total, measures.threshold
    if total.get("suppressed"):
        return [("Responses", hidden_words(total.get("reason"), t), "too few to show any figure")]
    withheld = total.get("withheld") or {}
    note = scope_note(total, t)
    note = f" ({note})" if note else ""
    # (label, figure, the count it rests on, the figure's name, a percentage?)
    items: list[tuple[str, str, str, str, bool]]
    if measures.kind == "feedback":
        items = [
            (f"{t}: yes", f"{q}_yes_pct", f"{q}_answered", q, True) for q, t in QUESTIONS.items()
        ]
        items.append(("Mean satisfaction (1–5)", "satisfaction_mean", "satisfaction_answered",
                      "satisfaction", False))  # fmt: skip
    else:
        items = [(TIME_TITLE, f"{TIME}_mean", f"{TIME}_answered", TIME, True)]
        items += [(t, f"{i}_mean", f"{i}_answered", i, False) for i, t in list(ITEMS.items())[:3]]
    metrics = [("Responses", count(total["responses"]), f"in the period and sites chosen{note}")]
    for label, value_key, count_key, name, is_share in items:
        if name in withheld:
            metrics.append((label, "not shown", f"{hidden_words(withheld[name], t)} answered"))
        elif not total.get(count_key):
            metrics.append((label, "none", "nobody answered"))
        else:
            value = total[value_key]
            written = percent(value) if is_share else number(value)
            metrics.append((label, written, f"of {count(total[count_key])} who answered{note}"))
    return metrics


def page_of(items: Sequence[T], page: int, size: int = PAGE_SIZE) -> tuple[list[T], int]:
    """The items of one page (pages count from 1) and how many pages there are."""
    pages = max(1, math.ceil(len(items) / size))
    page = min(max(page, 1), pages)
    return list(items[(page - 1) * size : page * size]), pages


def comments_caption(found: Sequence[Any], page: int, pages: int, size: int = PAGE_SIZE) -> str:
    first = (page - 1) * size + 1
    last = min(page * size, len(found))
    return (
        f"{count(len(found))} comments, newest first; {first}–{last} shown (page {page} of {pages})"
    )


def small_groups_caption(threshold: int, kind: str) -> str:
    """What the figures are of, and what a hidden group shows."""
    what = (
        "Each percentage is of the responses that answered that question; partly is not yes."
        if kind == "feedback"
        else "Each item is the mean score (1 to 5) of the responses that scored it; time with "
        "people is the mean share of working time spent with people rather than on forms and "
        "systems."
    )
    return f"{what} {hiding_note(threshold)}"


def no_trend(threshold: int) -> str:
    return f"Every month has {fewer_than(threshold)} responses here, so there is no trend to show."


def tab_label(title: str, found: Sequence[Any], kind: str) -> str:
    """A comment tab's label with how many comments it holds: ``What worked (12)``."""
    return f"{title} ({sum(1 for c in found if c.kind == kind)})"
