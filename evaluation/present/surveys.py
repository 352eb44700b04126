"""The survey tables as people read them: feedback and staff, one set of rules for both.

Every figure sits beside the count it rests on ("answered"). A hidden group says why in its
count — "fewer than N", or "hidden to protect a small group" for one with enough responses —
and "hidden" in each figure; a figure withheld for too few answers says so in its own
column. A group or total that adds up only the groups on show says what it left out. Charts
in words say, group by group, the figure or why there is none. The measures are already
suppressed (``evaluation.measures.survey``): nothing here decides what to hide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from evaluation.measures.feedback import ANSWERS, QUESTIONS
from evaluation.measures.staff import ITEMS, TIME
from evaluation.measures.suppression import PROTECT, SMALL, fewer_than, hidden_words
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
FIGURE_TITLES = {**QUESTIONS, "satisfaction": "Satisfaction", **ITEMS, TIME: TIME_TITLE}
HIDDEN = "hidden"
NONE_ANSWERED = "none answered"
LEFT_OUT = "Left out"

Cells = Callable[[Mapping[str, Any], int], dict[str, str]]


def _groups(n: int) -> str:
    return f"{n} group{'s' if n != 1 else ''}"


def left_out_text(group: Mapping[str, Any], threshold: int) -> str:
    """What a group or total left out, e.g. "1 group of fewer than 5"; "" when nothing."""
    counts = group.get("left_out") or {}
    parts = []
    if counts.get(SMALL):
        parts.append(f"{_groups(counts[SMALL])} of {fewer_than(threshold)}")
    if counts.get(PROTECT):
        parts.append(f"{_groups(counts[PROTECT])} hidden to protect a small group")
    partial = group.get("partial") or []
    if partial:
        names = ", ".join(FIGURE_TITLES.get(name, name).lower() for name in partial)
        parts.append(f"some answers to {names} (too few in a group)")
    return "; ".join(parts)


def scope_note(group: Mapping[str, Any], threshold: int, shown: str = "groups") -> str:
    """The words after a total's figure when it adds up only the groups on show:
    "all shown sites; 1 group of fewer than 5 left out" ("" when nothing was left out)."""
    text = left_out_text(group, threshold)
    return f"all shown {shown}; {text} left out" if text else ""


def hiding_note(threshold: int) -> str:
    """How small groups are hidden, in two sentences for a page's caption."""
    small = fewer_than(threshold)
    return (
        f"A group of {small} responses shows '{small}' instead of its figures. Totals add up "
        "the groups on show and say what they left out; a group with enough responses is "
        "hidden only where a site's own total would give a small group away, and then says "
        "'hidden to protect a small group'. Periods are whole weeks, Monday to Sunday."
    )


def total_hidden(total: Mapping[str, Any], threshold: int) -> str:
    """Why a page's total shows no figures."""
    if total.get("reason") == PROTECT:
        return f"Every group here has {fewer_than(threshold)} responses, so no figures are shown."
    return f"There are {fewer_than(threshold)} responses in all, so no figures can be shown."


def _answered(group: Mapping[str, Any], name: str, count: str, threshold: int) -> str:
    withheld = group.get("withheld") or {}
    if name in withheld:
        return f"{hidden_words(withheld[name], threshold)} answered"
    value = f"{group[count]:,}"
    return f"{value} (some left out)" if name in (group.get("partial") or []) else value


def key_text(key: str, value: Any) -> str:
    """A group's value as written: months as the dashboard writes them (``Mar 2025``)."""
    return month(value) if key == "month" and isinstance(value, str) else str(value)


def group_name(group: Mapping[str, Any], by: Sequence[str]) -> str:
    return ", ".join(key_text(k, group[k]) for k in by) or "All responses"


def display_rows(
    measures: Measures, labels: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    """One row per group, its keys then its figures, each with its base; a "Left out"
    column when any group (or the total) adds up only some of its parts."""
    labels = {**GROUP_LABELS, **(labels or {})}
    cells = _CELLS[measures.kind]
    rows = []
    for group in measures.groups:
        row = {labels[k]: key_text(k, group[k]) for k in measures.by}
        row |= cells(group, measures.threshold)
        if _any_left_out(measures):
            row[LEFT_OUT] = left_out_text(group, measures.threshold) or "nothing"
        rows.append(row)
    return rows


def _any_left_out(measures: Measures) -> bool:
    return any(g.get("left_out") or g.get("partial") for g in [*measures.groups, measures.total])


def total_row(measures: Measures, label: str = "All") -> dict[str, str]:
    """The total as a last row of ``display_rows``: "All shown" when it left groups out."""
    left = _any_left_out(measures) and bool(left_out_text(measures.total, measures.threshold))
    name = f"{label} shown" if left else label
    row = {GROUP_LABELS[k]: name if i == 0 else "" for i, k in enumerate(measures.by)}
    row |= _CELLS[measures.kind](measures.total, measures.threshold)
    if _any_left_out(measures):
        row[LEFT_OUT] = left_out_text(measures.total, measures.threshold) or "nothing"
    return row


def _hidden_row(group: Mapping[str, Any], threshold: int, titles: Sequence[str]) -> dict[str, str]:
    """A hidden group's cells: why, in its count, and "hidden" in every figure."""
    return {"Responses": hidden_words(group.get("reason"), threshold)} | dict.fromkeys(
        titles, HIDDEN
    )


def _feedback_titles() -> list[str]:
    titles = []
    for title in QUESTIONS.values():
        titles += [*(f"{title}: {a}" for a in ANSWERS), f"{title}: answered"]
    return [*titles, "Mean satisfaction (1–5)", "Satisfaction: answered"]


def _feedback_cells(group: Mapping[str, Any], threshold: int) -> dict[str, str]:
    if group.get("suppressed"):
        return _hidden_row(group, threshold, _feedback_titles())
    row = {"Responses": f"{group['responses']:,}"}
    for q, title in QUESTIONS.items():
        for a in ANSWERS:
            row[f"{title}: {a}"] = _figure_text(group, q, percent(group[f"{q}_{a}_pct"]))
        row[f"{title}: answered"] = _answered(group, q, f"{q}_answered", threshold)
    row["Mean satisfaction (1–5)"] = _figure_text(
        group, "satisfaction", number(group["satisfaction_mean"])
    )
    row["Satisfaction: answered"] = _answered(
        group, "satisfaction", "satisfaction_answered", threshold
    )
    return row


def _figure_text(group: Mapping[str, Any], name: str, text: str) -> str:
    """A figure as written, or why there is none: hidden, or nobody answered."""
    if name in (group.get("withheld") or {}):
        return HIDDEN
    if not group.get(f"{name}_answered"):
        return NONE_ANSWERED
    return text


def _staff_titles() -> list[str]:
    titles = []
    for item, title in (*ITEMS.items(), (TIME, TIME_TITLE)):
        mean_title = f"{title} (mean %)" if item == TIME else f"{title} (mean, 1–5)"
        titles += [mean_title, f"{title}: answered"]
    return [*titles, "Forms and systems (mean %)"]


def _staff_cells(group: Mapping[str, Any], threshold: int) -> dict[str, str]:
    """Each mean beside the number of responses that scored it ("answered")."""
    if group.get("suppressed"):
        return _hidden_row(group, threshold, _staff_titles())
    row = {"Responses": f"{group['responses']:,}"}
    for item, title in (*ITEMS.items(), (TIME, TIME_TITLE)):
        mean_title = f"{title} (mean %)" if item == TIME else f"{title} (mean, 1–5)"
        value = group[f"{item}_mean"]
        text = percent(value) if item == TIME else number(value)
        row[mean_title] = _figure_text(group, item, text)
        row[f"{title}: answered"] = _answered(group, item, f"{item}_answered", threshold)
    row["Forms and systems (mean %)"] = _figure_text(
        group, TIME, percent(group["forms_and_systems_pct_mean"])
    )
    return row


_CELLS: dict[str, Cells] = {"feedback": _feedback_cells, "staff": _staff_cells}


def headline_figure(total: Mapping[str, Any], question: str, threshold: int) -> tuple[str, str]:
    """A headline metric of the feedback total and the line under it saying what it rests on
    (and, when the total adds up only the groups on show, which were left out)."""
    withheld = total.get("withheld") or {}
    if question in withheld:
        return "not shown", f"{hidden_words(withheld[question], threshold)} answered"
    answered = total[f"{question}_answered"]
    if not answered:
        return "none", "nobody answered"
    note = scope_note(total, threshold)
    note = f" ({note})" if note else ""
    if question == "satisfaction":
        return number(total["satisfaction_mean"]), f"of {answered:,} who gave a score{note}"
    return percent(total[f"{question}_yes_pct"]), f"of {answered:,} who answered{note}"


# --- the charts in words --------------------------------------------------------------------


def describe_groups(
    measures: Measures, item: str, value_key: str, shown: Callable[[Mapping[str, Any]], str]
) -> list[str]:
    """Each group's part of a chart's text alternative: its figure in words (``shown``), or
    why it has none — hidden as a small group, nobody answered, or too few answered."""
    t = measures.threshold
    parts = []
    for group in measures.groups:
        name = group_name(group, measures.by)
        withheld = group.get("withheld") or {}
        if group.get("suppressed"):
            if group.get("reason") == PROTECT:
                parts.append(f"{name}: {hidden_words(PROTECT, t)}")
            else:
                parts.append(f"{name}: {fewer_than(t)} responses, not shown")
        elif item in withheld:
            parts.append(f"{name}: {hidden_words(withheld[item], t)} answered, not shown")
        elif group.get(f"{item}_answered") == 0 or group.get(value_key) is None:
            parts.append(f"{name}: nobody answered")
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
