"""What staff experience: the second type of evidence (contract §2 "People and families, staff").

Per group of pulse responses: how many there are, the mean of each 1–5 item (motivation,
satisfaction, making a difference, workload manageable) over the responses that scored
it, and the mean share of working time spent with people — the rest being forms and
systems, which is what the approach sets out to shrink. Small groups are hidden by the survey
engine (``evaluation.measures.survey``); comments only where the person consented.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from evaluation.measures import survey
from evaluation.measures.intervals import interval_from_sums
from evaluation.measures.rates import mean
from evaluation.measures.suppression import Figure
from evaluation.measures.survey import Measures
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
    "role": survey.blank_as_not_given("role"),
}

FIGURES = (
    *(Figure(i, f"{i}_answered", (f"{i}_mean",)) for i in ITEMS),
    Figure(TIME, f"{TIME}_answered", (f"{TIME}_mean", "forms_and_systems_pct_mean")),
)
COUNTS = (
    "count(*) AS responses",
    *(
        part
        for i in ITEMS
        for part in (
            f"count({i}) AS {i}_answered",
            f"sum({i}) AS {i}_sum",
            f"sum(CAST({i} AS DOUBLE) * {i}) AS {i}_squares",
        )
    ),
    f"count({TIME}) AS {TIME}_answered",
    # Summed as exact decimals so a mean of 52.25 rounds to 52.3, not 52.2.
    f"sum(CAST({TIME} AS DECIMAL(18,4))) AS {TIME}_sum",
    f"sum(CAST({TIME} AS DOUBLE) * {TIME}) AS {TIME}_squares",  # for the mean's interval
)


def _figures(raw: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"responses": int(raw["responses"])}
    for item in ITEMS:
        answered = int(raw[f"{item}_answered"])
        out[f"{item}_answered"] = answered
        out[f"{item}_mean"] = mean(raw[f"{item}_sum"], answered)
        out[f"{item}_mean_ci"] = interval_from_sums(
            raw[f"{item}_sum"], raw[f"{item}_squares"], answered
        )
    answered = int(raw[f"{TIME}_answered"])
    with_people = mean(raw[f"{TIME}_sum"], answered, places=1)
    out[f"{TIME}_answered"] = answered
    out[f"{TIME}_mean"] = with_people
    out[f"{TIME}_mean_ci"] = interval_from_sums(
        raw[f"{TIME}_sum"], raw[f"{TIME}_squares"], answered
    )
    out["forms_and_systems_pct_mean"] = None if with_people is None else round(100 - with_people, 1)
    return out


STAFF = survey.Survey(
    table="staff",
    date_column="responded_on",
    group_sql=GROUP_SQL,
    counts=COUNTS,
    figures=FIGURES,
    to_figures=_figures,
    comments=survey.Comments(
        columns=(("comment", "comment"),), detail=GROUP_SQL["role"], id_column="response_id"
    ),
    columns=(
        *(name for item in ITEMS for name in (f"{item}_answered", f"{item}_mean")),
        f"{TIME}_answered",
        f"{TIME}_mean",
        "forms_and_systems_pct_mean",
    ),
)


def staff_measures(store: Store, by: Sequence[str] = ("site",), **options: Any) -> Measures:
    """Responses, the mean of each item and of time with people per group, small groups hidden
    (``survey.measure``)."""
    return survey.measure(STAFF, store, by, **options)


def comments(store: Store, **options: Any) -> list[survey.Comment]:
    """Comments from staff who consented to being quoted, newest first."""
    return survey.comments(STAFF, store, **options)
