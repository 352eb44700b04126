"""What staff experience: the second type of evidence (contract §2 "People and families, staff").

Per group of pulse responses: how many there are, the mean of each 1–5 item (motivation,
satisfaction, making a difference, workload manageable) over the responses that scored
it, and the mean share of working time spent with people — the rest being forms and
systems, which is what the approach sets out to shrink. Small groups are suppressed here
(``evaluation.measures.suppression``); comments only where the person consented to being quoted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from evaluation.measures.feedback import GROUP_LABELS as FEEDBACK_LABELS
from evaluation.measures.feedback import (
    NOT_GIVEN,
    Measures,
    check_by,
    consented_sql,
    describe_groups,
    fetch,
    fine_keys,
    group_name,
    grouped,
    mean,
    number_text,
    pct_text,
    window_sql,
)
from evaluation.measures.suppression import DEFAULT_THRESHOLD, Figure, fewer_than
from evaluation.store.connection import Store

ITEMS: dict[str, str] = {
    "motivation": "Motivation",
    "satisfaction": "Satisfaction",
    "making_a_difference": "Making a difference",
    "workload_manageable": "Workload manageable",
}
TIME = "time_with_people_pct"

GROUP_SQL: dict[str, str] = {
    "site": "site",
    "approach": "approach",
    "month": "strftime(responded_on, '%Y-%m')",
    "role": f"coalesce(nullif(lower(trim(role)), ''), '{NOT_GIVEN}')",
}
GROUP_LABELS = {
    "site": FEEDBACK_LABELS["site"],
    "approach": FEEDBACK_LABELS["approach"],
    "month": FEEDBACK_LABELS["month"],
    "role": "Role",
}

FIGURES = (
    *(Figure(i, f"{i}_answered", (f"{i}_mean",)) for i in ITEMS),
    Figure(TIME, f"{TIME}_answered", (f"{TIME}_mean", "forms_and_systems_pct_mean")),
)
ADDITIVE = (
    "responses",
    *(f"{i}_{part}" for i in (*ITEMS, TIME) for part in ("answered", "sum")),
)


def _figures(raw: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"responses": int(raw["responses"])}
    for item in ITEMS:
        answered = int(raw[f"{item}_answered"])
        out[f"{item}_answered"] = answered
        out[f"{item}_mean"] = mean(raw[f"{item}_sum"], answered)
    answered = int(raw[f"{TIME}_answered"])
    with_people = mean(raw[f"{TIME}_sum"], answered, "0.1")
    out[f"{TIME}_answered"] = answered
    out[f"{TIME}_mean"] = with_people
    out["forms_and_systems_pct_mean"] = None if with_people is None else round(100 - with_people, 1)
    return out


def staff_measures(
    store: Store,
    by: Sequence[str] = ("site",),
    *,
    start: date | None = None,
    end: date | None = None,
    filters: Mapping[str, str] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> Measures:
    """Responses, the mean of each item and of time with people per group; small groups hidden."""
    filters = dict(filters or {})
    by = check_by(by, GROUP_SQL)
    check_by(list(filters), GROUP_SQL)
    keys = fine_keys(by, filters)
    dims = [f"{GROUP_SQL[k]} AS {k}" for k in keys]
    sums = ["count(*) AS responses"]
    for item in ITEMS:
        sums += [f"count({item}) AS {item}_answered", f"sum({item}) AS {item}_sum"]
    # Summed as exact decimals so a mean of 52.25 rounds to 52.3, not 52.2.
    sums += [
        f"count({TIME}) AS {TIME}_answered",
        f"sum(CAST({TIME} AS DECIMAL(18,4))) AS {TIME}_sum",
    ]
    where, params = window_sql("responded_on", start, end)
    sql = f"SELECT {', '.join(dims + sums)} FROM staff WHERE {where}"
    if keys:
        sql += f" GROUP BY {', '.join(str(i + 1) for i in range(len(keys)))}"
    return grouped(
        fetch(store, sql, params),
        kind="staff",
        by=by,
        filters=filters,
        start=start,
        end=end,
        threshold=threshold,
        to_figures=_figures,
        figures=FIGURES,
        additive=ADDITIVE,
    )


# --- display ---------------------------------------------------------------------------


def display_rows(measures: Measures) -> list[dict[str, str]]:
    """The staff table as a person reads it; hidden groups show "fewer than N" and no figures."""
    small = fewer_than(measures.threshold)
    out = []
    for group in measures.groups:
        row = {GROUP_LABELS[k]: str(group[k]) for k in measures.by}
        row.update(_cells(group, small))
        out.append(row)
    return out


def total_row(measures: Measures, label: str = "All") -> dict[str, str]:
    row = {GROUP_LABELS[k]: label for k in measures.by}
    row.update(_cells(measures.total, fewer_than(measures.threshold)))
    return row


def _cells(group: Mapping[str, Any], small: str) -> dict[str, str]:
    """Each mean beside the number of responses that scored it ("answered")."""
    hidden = bool(group.get("suppressed"))
    withheld = set(group.get("withheld", []))
    row = {"Responses": small if hidden else str(group["responses"])}
    for item, title in (*ITEMS.items(), (TIME, "Time with people")):
        mean_title = f"{title} (mean %)" if item == TIME else f"{title} (mean, 1–5)"
        if hidden:
            row |= {mean_title: "", f"{title}: answered": ""}
            continue
        value = group[f"{item}_mean"]
        row[mean_title] = pct_text(value) if item == TIME else number_text(value)
        row[f"{title}: answered"] = small if item in withheld else str(group[f"{item}_answered"])
    row["Forms and systems (mean %)"] = (
        "" if hidden else pct_text(group["forms_and_systems_pct_mean"])
    )
    return row


def describe_item(measures: Measures, item: str) -> str:
    """The text beside an item's chart: each group's mean with the responses it rests on."""
    title = ITEMS.get(item, "Time with people")
    unit = "%" if item == TIME else ""
    places = 1 if item == TIME else 2
    parts = describe_groups(
        measures,
        item,
        f"{item}_mean",
        lambda group: (
            f"{group[f'{item}_mean']:.{places}f}{unit} from {group[f'{item}_answered']} responses"
        ),
    )
    if not parts:
        return f"{title}: no responses."
    return f"{title}, mean — " + "; ".join(parts) + "."


def describe_time(measures: Measures) -> str:
    """The text beside the time-with-people chart."""
    parts = describe_groups(
        measures,
        TIME,
        f"{TIME}_mean",
        lambda group: (
            f"{group[f'{TIME}_mean']:.1f}% with people, "
            f"{group['forms_and_systems_pct_mean']:.1f}% on forms and systems "
            f"({group[f'{TIME}_answered']} responses)"
        ),
    )
    if not parts:
        return "Time with people: no responses."
    return "Share of working time — " + "; ".join(parts) + "."


def chart_rows(measures: Measures, item: str) -> list[dict[str, Any]]:
    """Long rows for a chart of one item's mean (or time with people) per group on show."""
    return [
        {
            **{k: group[k] for k in measures.by},
            "group": group_name(group, measures.by),
            "mean": group[f"{item}_mean"],
            "answered": group[f"{item}_answered"],
        }
        for group in measures.shown
        if group.get(f"{item}_mean") is not None
    ]


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


# --- comments --------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffComment:
    responded_on: date
    site: str
    approach: str
    role: str
    text: str


def comments(
    store: Store,
    *,
    site: str | None = None,
    month: str | None = None,
    search: str | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int | None = None,
) -> list[StaffComment]:
    """Comments from staff who consented to being quoted, newest first."""
    clauses, params = consented_sql("responded_on", start, end, site, month)
    clauses.append("comment IS NOT NULL")
    if search and search.strip():
        clauses.append("contains(lower(comment), lower(?))")
        params.append(search.strip())
    rows = fetch(
        store,
        f"SELECT responded_on, site, approach, {GROUP_SQL['role']} AS role, comment AS text "
        f"FROM staff WHERE {' AND '.join(clauses)} ORDER BY responded_on DESC, response_id",
        params,
    )
    items = [StaffComment(**row) for row in rows]
    return items[:limit] if limit else items
