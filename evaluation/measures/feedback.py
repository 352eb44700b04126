"""What people and families say: the first type of evidence (contract §2 "People and families").

Per group of feedback responses: how many there are, and for each of the three questions of
the independent phone interviews (treated well, helped, listened to) the share answering
yes, partly and no — *of the responses that answered that question*, so a blank answer
never counts as a no. Partly is not yes, and is shown beside it. Mean satisfaction is of the
responses that gave a score (1–5). Small groups are hidden by the survey engine
(``evaluation.measures.survey``) before anything reaches a page or an export; comments are
returned only where the person consented to being quoted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from evaluation.core.vocabulary import USUAL_PRACTICE
from evaluation.measures import survey
from evaluation.measures.intervals import interval_from_sums
from evaluation.measures.rates import mean, percent
from evaluation.measures.suppression import Figure
from evaluation.measures.survey import Measures
from evaluation.store.connection import Store

QUESTIONS: dict[str, str] = {
    "treated_well": "Treated well",
    "helped": "Helped",
    "listened_to": "Listened to",
}
ANSWERS = ("yes", "partly", "no")

# The keys a table can be grouped by, and the SQL that yields each (identifiers from this
# module only; values always go in as bound parameters).
GROUP_SQL: dict[str, str] = {
    "site": "site",
    "approach": "approach",
    "month": "strftime(received_on, '%Y-%m')",
    "method": survey.blank_as_not_given("method"),
}

FIGURES = (
    *(Figure(q, f"{q}_answered", tuple(f"{q}_{a}_pct" for a in ANSWERS)) for q in QUESTIONS),
    Figure("satisfaction", "satisfaction_answered", ("satisfaction_mean",)),
)
COUNTS = (
    "count(*) AS responses",
    *(
        part
        for q in QUESTIONS
        for part in (
            f"count({q}) AS {q}_answered",
            *(f"count(*) FILTER (WHERE {q} = '{a}') AS {q}_{a}" for a in ANSWERS),
        )
    ),
    "count(satisfaction) AS satisfaction_answered",
    "sum(satisfaction) AS satisfaction_sum",
    "sum(CAST(satisfaction AS DOUBLE) * satisfaction) AS satisfaction_squares",
)


def _figures(raw: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"responses": int(raw["responses"])}
    for q in QUESTIONS:
        answered = int(raw[f"{q}_answered"])
        out[f"{q}_answered"] = answered
        for a in ANSWERS:
            out[f"{q}_{a}_pct"] = percent(int(raw[f"{q}_{a}"]), answered, places=1)
    out["satisfaction_answered"] = int(raw["satisfaction_answered"])
    out["satisfaction_mean"] = mean(raw["satisfaction_sum"], out["satisfaction_answered"])
    out["satisfaction_mean_ci"] = interval_from_sums(
        raw["satisfaction_sum"], raw["satisfaction_squares"], out["satisfaction_answered"]
    )
    return out


FEEDBACK = survey.Survey(
    table="feedback",
    date_column="received_on",
    group_sql=GROUP_SQL,
    counts=COUNTS,
    figures=FIGURES,
    to_figures=_figures,
    comments=survey.Comments(
        columns=(("what worked", "what_worked"), ("what didn't work", "what_didnt_work")),
        detail=GROUP_SQL["method"],
        id_column="feedback_id",
    ),
    columns=(
        *(n for q in QUESTIONS for n in (f"{q}_answered", *(f"{q}_{a}_pct" for a in ANSWERS))),
        "satisfaction_answered",
        "satisfaction_mean",
    ),
)


def feedback_measures(store: Store, by: Sequence[str] = ("site",), **options: Any) -> Measures:
    """Responses and figures per group of feedback, small groups hidden (``survey.measure``)."""
    return survey.measure(FEEDBACK, store, by, **options)


def comments(store: Store, **options: Any) -> list[survey.Comment]:
    """What worked and what didn't, from people who consented to being quoted, newest first."""
    return survey.comments(FEEDBACK, store, **options)


def has_usual_practice(store: Store, start: date | None = None, end: date | None = None) -> bool:
    """Whether any feedback is about usual practice, so a comparison can be shown."""
    return survey.has_approach(store, "feedback", USUAL_PRACTICE, start, end)
