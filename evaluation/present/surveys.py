"""The survey tables as people read them: feedback and staff, one set of rules for both.

Every figure sits beside the count it rests on ("answered"). A hidden group shows "fewer
than N" and no figures; a figure withheld for too few answers shows the same words in its
own column. Charts in words say, group by group, the figure or why there is none. The
measures are already suppressed (``evaluation.measures.survey``): nothing here decides what
to hide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from evaluation.measures.feedback import ANSWERS, QUESTIONS
from evaluation.measures.staff import ITEMS, TIME
from evaluation.measures.suppression import fewer_than
from evaluation.measures.survey import Comment, Measures
from evaluation.present.formats import month, number, percent, uk_date

GROUP_LABELS = {
    "site": "Site",
    "approach": "Approach",
    "month": "Month",
    "method": "Method",
    "role": "Role",
}
TIME_TITLE = "Time with people"

Cells = Callable[[Mapping[str, Any], str], dict[str, str]]


def key_text(key: str, value: Any) -> str:
    """A group's value as written: months as the dashboard writes them (``Mar 2025``)."""
    return month(value) if key == "month" and isinstance(value, str) else str(value)


def group_name(group: Mapping[str, Any], by: Sequence[str]) -> str:
    return ", ".join(key_text(k, group[k]) for k in by) or "All responses"


def display_rows(
    measures: Measures, labels: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    """One row per group, its keys then its figures, each with its base."""
    labels = {**GROUP_LABELS, **(labels or {})}
    small = fewer_than(measures.threshold)
    cells = _CELLS[measures.kind]
    return [
        {labels[k]: key_text(k, group[k]) for k in measures.by} | cells(group, small)
        for group in measures.groups
    ]


def total_row(measures: Measures, label: str = "All") -> dict[str, str]:
    """The total as a last row of ``display_rows``."""
    row = {GROUP_LABELS[k]: label for k in measures.by}
    return row | _CELLS[measures.kind](measures.total, fewer_than(measures.threshold))


def _feedback_cells(group: Mapping[str, Any], small: str) -> dict[str, str]:
    if group.get("suppressed"):
        row = {"Responses": small}
        for title in QUESTIONS.values():
            row |= {f"{title}: yes": "", f"{title}: partly": "", f"{title}: no": ""}
            row[f"{title}: answered"] = ""
        return row | {"Mean satisfaction (1–5)": "", "Satisfaction: answered": ""}
    withheld = set(group.get("withheld", []))
    row = {"Responses": str(group["responses"])}
    for q, title in QUESTIONS.items():
        for a in ANSWERS:
            row[f"{title}: {a}"] = percent(group[f"{q}_{a}_pct"])
        row[f"{title}: answered"] = small if q in withheld else str(group[f"{q}_answered"])
    row["Mean satisfaction (1–5)"] = number(group["satisfaction_mean"])
    row["Satisfaction: answered"] = (
        small if "satisfaction" in withheld else str(group["satisfaction_answered"])
    )
    return row


def _staff_cells(group: Mapping[str, Any], small: str) -> dict[str, str]:
    """Each mean beside the number of responses that scored it ("answered")."""
    hidden = bool(group.get("suppressed"))
    withheld = set(group.get("withheld", []))
    row = {"Responses": small if hidden else str(group["responses"])}
    for item, title in (*ITEMS.items(), (TIME, TIME_TITLE)):
        mean_title = f"{title} (mean %)" if item == TIME else f"{title} (mean, 1–5)"
        if hidden:
            row |= {mean_title: "", f"{title}: answered": ""}
            continue
        value = group[f"{item}_mean"]
        row[mean_title] = percent(value) if item == TIME else number(value)
        row[f"{title}: answered"] = small if item in withheld else str(group[f"{item}_answered"])
    row["Forms and systems (mean %)"] = (
        "" if hidden else percent(group["forms_and_systems_pct_mean"])
    )
    return row


_CELLS: dict[str, Cells] = {"feedback": _feedback_cells, "staff": _staff_cells}


def headline_figure(total: Mapping[str, Any], question: str, threshold: int) -> tuple[str, str]:
    """A headline metric of the feedback total and the line under it saying what it rests on."""
    if question in total.get("withheld", []):
        return "not shown", f"{fewer_than(threshold)} answered"
    answered = total[f"{question}_answered"]
    if not answered:
        return "none", "nobody answered"
    if question == "satisfaction":
        return number(total["satisfaction_mean"]), f"of {answered:,} who gave a score"
    return percent(total[f"{question}_yes_pct"]), f"of {answered:,} who answered"


# --- the charts in words --------------------------------------------------------------------


def describe_groups(
    measures: Measures, item: str, value_key: str, shown: Callable[[Mapping[str, Any]], str]
) -> list[str]:
    """Each group's part of a chart's text alternative: its figure in words (``shown``), or
    why it has none — hidden as a small group, nobody answered, or too few answered."""
    small = fewer_than(measures.threshold)
    parts = []
    for group in measures.groups:
        name = group_name(group, measures.by)
        if group.get("suppressed"):
            parts.append(f"{name}: {small} responses, not shown")
        elif group.get(f"{item}_answered") == 0:
            parts.append(f"{name}: nobody answered")
        elif group.get(value_key) is None:
            parts.append(f"{name}: {small} answered, not shown")
        else:
            parts.append(f"{name}: {shown(group)}")
    return parts


def describe(measures: Measures, question: str) -> str:
    """A sentence giving the % yes for one feedback question per group."""
    parts = describe_groups(
        measures,
        question,
        f"{question}_yes_pct",
        lambda group: (
            f"{percent(group[f'{question}_yes_pct'])} yes of "
            f"{group[f'{question}_answered']} who answered"
        ),
    )
    title = QUESTIONS[question]
    if not parts:
        return f"{title}: no responses."
    return f"{title}, share answering yes — " + "; ".join(parts) + "."


def describe_item(measures: Measures, item: str) -> str:
    """A staff item's chart in words: each group's mean with the responses it rests on."""
    title = ITEMS.get(item, TIME_TITLE)

    def shown(group: Mapping[str, Any]) -> str:
        value = group[f"{item}_mean"]
        text = percent(value) if item == TIME else number(value)
        return f"{text} from {group[f'{item}_answered']} responses"

    parts = describe_groups(measures, item, f"{item}_mean", shown)
    if not parts:
        return f"{title}: no responses."
    return f"{title}, mean — " + "; ".join(parts) + "."


def describe_time(measures: Measures) -> str:
    """The time-with-people chart in words."""
    parts = describe_groups(
        measures,
        TIME,
        f"{TIME}_mean",
        lambda group: (
            f"{percent(group[f'{TIME}_mean'])} with people, "
            f"{percent(group['forms_and_systems_pct_mean'])} on forms and systems "
            f"({group[f'{TIME}_answered']} responses)"
        ),
    )
    if not parts:
        return f"{TIME_TITLE}: no responses."
    return "Share of working time — " + "; ".join(parts) + "."


# --- chart rows -----------------------------------------------------------------------------


def feedback_chart_rows(measures: Measures) -> list[dict[str, Any]]:
    """Long rows for a chart of % yes: one per group on show and question, with its base."""
    rows = []
    for group in measures.shown:
        for q, title in QUESTIONS.items():
            if group.get(f"{q}_yes_pct") is None:
                continue
            rows.append(
                {
                    **{k: group[k] for k in measures.by},
                    "group": group_name(group, measures.by),
                    "question": title,
                    "yes_pct": group[f"{q}_yes_pct"],
                    "answered": group[f"{q}_answered"],
                }
            )
    return rows


def time_rows(measures: Measures) -> list[dict[str, Any]]:
    """Two rows per group on show: % of time with people and % on forms and systems."""
    rows = []
    for group in measures.shown:
        if group.get(f"{TIME}_mean") is None:
            continue
        for order, (part, key) in enumerate(
            (("With people", f"{TIME}_mean"), ("Forms and systems", "forms_and_systems_pct_mean"))
        ):
            rows.append(
                {
                    "group": group_name(group, measures.by),
                    "part": part,
                    "order": order,
                    "pct": group[key],
                    "answered": group[f"{TIME}_answered"],
                }
            )
    return rows


def comment_heading(comment: Comment) -> str:
    """Where a quoted comment is from: ``03/02/2026 · North · three conversations · survey``."""
    return f"{uk_date(comment.day)} · {comment.site} · {comment.approach} · {comment.detail}"
