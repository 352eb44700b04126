"""What the meeting takes from each survey: its headline items, its table, its chart.

People and families and the staff pulse are shown the same way (``evaluation.meeting.surveys``
fills both); an ``Item`` is one headline figure (its label, the count it rests on, its value
key) and a ``SurveyPart`` all that differs between the two sections.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from evaluation.measures import feedback as fb
from evaluation.measures import staff as sf
from evaluation.measures.intervals import wilson
from evaluation.measures.survey import Measures
from evaluation.present.charts import feedback_chart, staff_chart, vega_spec
from evaluation.present.formats import interval, number, percent
from evaluation.present.surveys import describe, describe_time, feedback_chart_rows, time_rows


@dataclass(frozen=True)
class Item:
    """A headline figure of a survey: its label, the count it rests on and its value key."""

    label: str
    count: str
    value: str
    kind: str  # "pct" (a share; changes in points) or "mean"
    places: int

    def text(self, value: float) -> str:
        return percent(value, self.places) if self.kind == "pct" else number(value, self.places)


def share_interval(group: Mapping[str, Any] | None, item: Item, value: float | None) -> str:
    """The 95% interval of a figure shown: Wilson's for a share that said yes ("95% interval
    64.3% to 95.9%"), the t interval for a mean (from the group's spread); "" for a figure not
    shown or of fewer than two answers."""
    answered = (group or {}).get(item.count)
    if value is None or not answered:
        return ""
    if item.value.endswith("_yes_pct"):
        ci = wilson(round(value * answered / 100), answered)
    else:
        ci = (group or {}).get(f"{item.value}_ci")
    if not ci:
        return ""
    if item.kind == "pct":
        return f"95% interval {interval(ci, item.places)}"
    return f"95% interval {number(ci[0], item.places)} to {number(ci[1], item.places)}"


FEEDBACK_ITEMS = (
    Item("Treated well: yes", "treated_well_answered", "treated_well_yes_pct", "pct", 1),
    Item("Helped: yes", "helped_answered", "helped_yes_pct", "pct", 1),
    Item("Mean satisfaction (1–5)", "satisfaction_answered", "satisfaction_mean", "mean", 2),
)
STAFF_ITEMS = (
    Item("Time with people (mean %)", f"{sf.TIME}_answered", f"{sf.TIME}_mean", "pct", 1),
    Item("Motivation (mean, 1–5)", "motivation_answered", "motivation_mean", "mean", 2),
    Item(
        "Making a difference (mean, 1–5)",
        "making_a_difference_answered",
        "making_a_difference_mean",
        "mean",
        2,
    ),
)


@dataclass(frozen=True)
class SurveyPart:
    """What differs between the people-and-families section and the staff section."""

    key: str
    title: str
    intro: str
    report: str
    measure: Callable[..., Measures]
    items: tuple[Item, ...]
    who: str  # "people and families", "staff"
    table_title: str
    table_columns: tuple[tuple[str, str, str], ...]  # heading, value key, "pct" or "mean"
    caption: str
    chart: Callable[[Measures], Any]
    chart_text: Callable[[Measures], str]
    latest_when_none: bool = False  # show the latest responses when the period has none


PEOPLE = SurveyPart(
    key="people",
    title="People and families",
    intro="What people and families said about the support they had (independent phone "
    "interviews, surveys, compliments and complaints), and the stories of difference they "
    "agreed to share.",
    report="feedback",
    measure=fb.feedback_measures,
    items=FEEDBACK_ITEMS,
    who="people and families",
    table_title="Feedback by site and approach",
    table_columns=(
        ("Treated well: yes", "treated_well_yes_pct", "pct"),
        ("Helped: yes", "helped_yes_pct", "pct"),
        ("Listened to: yes", "listened_to_yes_pct", "pct"),
        ("Mean satisfaction (1–5)", "satisfaction_mean", "mean"),
    ),
    caption="Percentages are of the responses that answered each question; partly is not yes.",
    chart=lambda m: vega_spec(feedback_chart(feedback_chart_rows(m))),
    chart_text=lambda m: " ".join(describe(m, q) for q in fb.QUESTIONS),
)
STAFF = SurveyPart(
    key="staff",
    title="Staff experience",
    intro="How staff feel about their work, from the pulse survey: motivation, making a "
    "difference, and how much of their time goes on people rather than forms and systems.",
    report="staff",
    measure=sf.staff_measures,
    items=STAFF_ITEMS,
    who="staff",
    table_title="Staff pulse by site and approach",
    table_columns=(
        ("Time with people (mean %)", f"{sf.TIME}_mean", "pct"),
        ("Motivation (1–5)", "motivation_mean", "mean"),
        ("Making a difference (1–5)", "making_a_difference_mean", "mean"),
    ),
    caption="Means of the responses that scored each item (1–5); time with people is the share "
    "of working time spent with people rather than on forms and systems.",
    chart=lambda m: vega_spec(staff_chart(time_rows(m))),
    chart_text=describe_time,
    latest_when_none=True,
)
