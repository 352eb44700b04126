"""Harrow's table as people read it: his rows and rounding, the chart in words, the reasons.

The measures give exact figures (``evaluation.measures.cost_change``); here they become
Harrow's layout — a row per measure, a column per group, averages to the pound and full-year
impacts to the nearest £1,000 — with the exact figure kept beside each, the sentence a
director can repeat about a difference, and why a request is ongoing or excluded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

from evaluation.measures.cost_change import CostChange, Difference, GroupSummary
from evaluation.measures.costing import DECREASE, EXCLUDED, INCREASE, NO_CHANGE, ONGOING
from evaluation.measures.suppression import fewer_than
from evaluation.present.formats import (
    MISSING,
    change_exact,
    change_pounds,
    change_thousands,
    uk_date,
)

METHOD = (
    "Each request for support counts once, with all its conversations taken together. "
    "The weekly cost of the person's long-term care is taken the day before the first "
    "conversation started and 30 days after the last one ended (time for changes to care to "
    "be made): the sum of the gross weekly cost of their active care packages on that day, "
    "or the before and after costs in the export where it gives them. A request is 'work "
    "still ongoing' while any of its conversations has no end date, or while the day 30 days "
    "after the end has not yet been reached by the data (the extract date of the import, or "
    "the as-of date chosen). It is 'excluded' when care was suspended or cancelled on either "
    "day, the export marks care as suspended, or the person died on or before the later day: "
    "the change would then say more about a hospital stay or a death than about the "
    "conversations. The average change is over increases, decreases and no change; the "
    "full-year impact is that average × 52 weeks × the number of those requests."
)
INTERVAL_NOTE = (
    "The 95% confidence interval for the average is a Student's t interval (mean ± t × "
    "standard deviation ÷ √n); the interval for a difference between two columns is Welch's "
    "t interval, which does not assume both vary alike. A column with fewer than 5 completed "
    "requests (or the threshold set for small numbers) shows its counts but no average, "
    "full-year impact or interval: with so few, the figure would come close to one person's "
    "change in care."
)


ROW_LABELS = (
    "Conversations",
    "Increases to long term care",
    "Decreases to long term care",
    "No change",
    "Work still ongoing",
    "Excluded due to suspensions, etc.",
    "Average change in level of care per person",
    "Approx. impact on full-year budget",
    "95% confidence interval for the average",
)
# The class each count row stands for (for the drill-down behind a cell).
ROW_CLASS = {
    ROW_LABELS[1]: INCREASE,
    ROW_LABELS[2]: DECREASE,
    ROW_LABELS[3]: NO_CHANGE,
    ROW_LABELS[4]: ONGOING,
    ROW_LABELS[5]: EXCLUDED,
}


@dataclass(frozen=True)
class Cell:
    """What a reader sees (rounded as Harrow's report) and the exact figure behind it."""

    shown: str
    exact: str


def no_money(group: GroupSummary) -> str | None:
    """What a column's money cells say instead of a figure: "not known yet" (nothing
    completed) or "hidden: fewer than 5" (too few completed to show without giving a person
    away); None when it has figures."""
    if not group.completed:
        return "not known yet"
    if group.small:
        return f"hidden: {fewer_than(group.threshold)}"
    return None


def table(report: CostChange) -> list[tuple[str, list[Cell]]]:
    """Harrow's rows, one cell per group: counts as they are, money rounded as the report
    rounds it (average to the pound, full year to the nearest £1,000), exact figures kept.
    A column with no money figures says why in each of those cells."""
    rows: list[tuple[str, list[Cell]]] = [(label, []) for label in ROW_LABELS]
    for g in report.groups:
        counts = (g.conversations, g.increases, g.decreases, g.no_change, g.ongoing, g.excluded)
        for index, count in enumerate(counts):
            rows[index][1].append(Cell(f"{count:,}", f"{count:,} request(s)"))
        why = no_money(g)
        if why is not None:
            for index in (6, 7, 8):
                rows[index][1].append(Cell(why, g.why_no_average or ""))
            continue
        mean, year, ci = g.mean_weekly_change, g.full_year_impact, g.mean_ci95
        rows[6][1].append(
            Cell(change_pounds(mean), f"{change_exact(mean)} a week" if mean is not None else "")
        )
        rows[7][1].append(Cell(change_thousands(year), change_exact(year)))
        rows[8][1].append(
            Cell(
                f"{change_pounds(ci[0])} to {change_pounds(ci[1])}" if ci else MISSING,
                f"{change_exact(ci[0])} to {change_exact(ci[1])} a week"
                if ci
                else "needs at least two completed requests",
            )
        )
    return rows


SUMMARY_COLUMNS = (
    "conversations",
    "increases",
    "decreases",
    "no_change",
    "ongoing",
    "excluded",
    "mean_weekly_change",
    "full_year_impact",
    "mean_ci95_low",
    "mean_ci95_high",
    "no_average_because",
)


def summary_rows(report: CostChange) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows and columns for the CSV export: exact figures, pounds to the penny."""
    rows = []
    for g in report.groups:
        row = g.as_dict()
        ci = row.pop("mean_ci95")
        row["mean_ci95_low"], row["mean_ci95_high"] = ci if ci else (None, None)
        rows.append(row)
    return rows, [*report.by, *SUMMARY_COLUMNS]


def to_html(report: CostChange, caption: str) -> str:
    """Harrow's table as an accessible HTML table: a caption, column and row headers with
    ``scope``, the exact figure in each cell's ``title`` (shown on hover). Every piece of
    text, site and cohort names included, is escaped."""
    cell_style = "padding:0.3rem 0.75rem;border-bottom:1px solid rgba(128,128,128,0.35);"
    head = "".join(
        f'<th scope="col" style="{cell_style}text-align:right">{escape(g.label)}</th>'
        for g in report.groups
    )
    body = []
    for label, cells in table(report):
        tds = "".join(
            f'<td title="{escape(c.exact)}" style="{cell_style}text-align:right">'
            f"{escape(c.shown)}</td>"
            for c in cells
        )
        body.append(
            f'<tr><th scope="row" style="{cell_style}text-align:left;font-weight:normal">'
            f"{escape(label)}</th>{tds}</tr>"
        )
    return (
        '<table style="border-collapse:collapse;width:auto;min-width:50%">'
        f'<caption style="caption-side:top;text-align:left;padding-bottom:0.5rem">'
        f"{escape(caption)}</caption>"
        f'<thead><tr><th scope="col" style="{cell_style}text-align:left">Measure</th>{head}'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def describe_difference(diff: Difference) -> str:
    """The difference between two columns in a sentence a director can repeat."""
    if diff.difference is None:
        return (
            f"{diff.a} minus {diff.b}: no difference can be shown until both have enough "
            "completed requests to show an average."
        )
    text = f"{diff.a} minus {diff.b}: {change_exact(diff.difference)} a week per person"
    if diff.ci95 is None:
        return text + " (no interval: each side needs at least two completed requests)."
    low, high = diff.ci95
    text += f" (95% interval {change_exact(low)} to {change_exact(high)})."
    if low <= 0 <= high:
        return text + " The interval includes zero, so the data can't tell the two apart yet."
    return text + " The interval excludes zero."


DRILL_COLUMNS = {
    "person_id": "Person (pseudonym)",
    "request_id": "Request",
    "site": "Site",
    "approach": "Approach",
    "cohort": "Cohort",
    "area": "Area",
    "conversations": "Conversations",
    "first_started_on": "First started",
    "last_ended_on": "Last ended",
    "d0": "Day before (d0)",
    "d1": "30 days after (d1)",
    "cost_before": "Weekly cost at d0",
    "cost_after": "Weekly cost at d1",
    "change": "Change",
    "class": "Class",
    "reason": "Reason",
    "cost_source": "Costs from",
}


def describe_distribution(bands: list[dict[str, Any]]) -> str:
    """The chart in one sentence per group, for people who can't see it."""
    groups: dict[str, dict[str, int]] = {}
    for item in bands:
        groups.setdefault(item["group"], {})[item["band"]] = item["requests"]
    sentences = []
    for group, counts in groups.items():
        total = sum(counts.values())
        up = sum(n for band, n in counts.items() if band.startswith("up"))
        down = sum(n for band, n in counts.items() if band.startswith("down"))
        same = counts.get("no change", 0)
        commonest = max(counts, key=lambda band: counts[band])
        sentences.append(
            f"{group}: of {total} completed request(s), {up} went up, {down} went down and "
            f"{same} had no change in weekly cost; the most common band is '{commonest}' "
            f"({counts[commonest]})."
        )
    return " ".join(sentences)


def reason(row: Mapping[str, Any]) -> str | None:
    """Why a request of the drill-down (``cost_drill.requests``) is ongoing or excluded."""
    if row["class"] == ONGOING:
        if row["underway"] == 1:
            return "a conversation is still underway (no end date)"
        if row["underway"] > 1:
            return f"{row['underway']} conversations are still underway (no end date)"
        return (
            f"30 days after the last conversation ended is {uk_date(row['d1'])}, after the "
            f"data's as-of date {uk_date(row['as_of'])}"
        )
    if row["class"] != EXCLUDED:
        return None
    parts = []
    if row["stopped_d0"] is not None:
        parts.append(
            f"care {row['stopped_d0']} the day before the first conversation ({uk_date(row['d0'])})"
        )
    if row["stopped_d1"] is not None:
        parts.append(
            f"care {row['stopped_d1']} 30 days after the last conversation ended "
            f"({uk_date(row['d1'])})"
        )
    if row["marked_suspended"]:
        parts.append("the export marks care as suspended or cancelled")
    if row["died_on"] is not None and row["d1"] is not None and row["died_on"] <= row["d1"]:
        parts.append(f"died on {uk_date(row['died_on'])}")
    return "; ".join(parts)


def drill_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The drill-down's rows with their reason, in ``DRILL_COLUMNS`` (and ``as_of``) order."""
    return [
        {**{c: row.get(c) for c in (*DRILL_COLUMNS, "as_of")}, "reason": reason(row)}
        for row in rows
    ]


ALL_ROWS = ROW_LABELS[0]
DRILL_MONEY = ("cost_before", "cost_after", "change")
DRILL_DATES = ("first_started_on", "last_ended_on", "d0", "d1")


def drill_display(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The drill-down as the page lists it: headed columns, dates dd/mm/yyyy, money as
    numbers of pounds (the table writes them £0.00)."""
    shown = []
    for row in drill_rows(rows):
        cells = {}
        for column, heading in DRILL_COLUMNS.items():
            value = row.get(column)
            if column in DRILL_MONEY:
                value = None if value is None else float(value)
            elif column in DRILL_DATES:
                value = "" if value is None else uk_date(value)
            cells[heading] = value
        shown.append(cells)
    return shown


def provisional_warning(report: CostChange) -> str:
    """The warning over a table with more than a third of a column still ongoing."""
    provisional = [g for g in report.groups if g.provisional]
    which = "this column" if len(report.groups) == 1 else f"{len(provisional)} of the columns"
    return (
        f"Provisional: more than a third of the requests in {which} are still ongoing, so "
        "these figures will change as that work completes."
    )


def provisional_lines(report: CostChange) -> str:
    """A line per provisional column: how many of its requests are still ongoing."""
    return "\n".join(
        f"{g.label}: {g.ongoing:,} of {g.conversations:,} requests still ongoing"
        for g in report.groups
        if g.provisional
    )


def drill_count(count: int, limit: int) -> str:
    return f"{count:,} request(s)" + (f"; the first {limit:,} are listed" if count > limit else "")


def table_caption(report: CostChange) -> str:
    """The caption over Harrow's table on the page."""
    as_of = uk_date(report.as_of) if report.as_of else "unknown"
    return (
        f"Impact of conversations on the weekly cost of long-term care, data as of {as_of}. "
        "Averages are rounded to the pound and full-year impacts to the nearest £1,000, as in "
        "Harrow's report; point at a figure for the exact amount, or download the table."
    )
