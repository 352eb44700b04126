"""The people-and-families and staff sections of the Making it Happen summary.

Figures from ``feedback_measures`` and ``staff_measures``, which hide small groups. With all
sites the figures are the by-approach table's (``--by approach``); with one site, that
site's rows of the site-by-approach table (``--by site,approach``), which the measure
suppresses as a whole. With several sites there is no figure for them together — a sum with
a hidden site in it would give that site away — only the table. Usual practice is read
within the chosen sites; when they have none, across all sites ("usual practice, all
sites"). Nothing is counted here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from evaluation.core.vocabulary import (
    THREE_CONVERSATIONS,
    USUAL_PRACTICE,
)
from evaluation.measures import feedback as fb
from evaluation.measures import staff as sf
from evaluation.measures.stories import StoryItem, stories
from evaluation.measures.suppression import fewer_than
from evaluation.measures.survey import Measures
from evaluation.meeting.model import NOT_SHOWN, Attention, Figure, Period, Section, Table
from evaluation.meeting.wording import REPORT, figure_change, usual_practice
from evaluation.present.charts import feedback_chart, staff_chart
from evaluation.present.formats import number, percent
from evaluation.present.surveys import describe, describe_time, feedback_chart_rows, time_rows
from evaluation.store.connection import Store

FALL_POINTS = 5.0
FALL_SATISFACTION = 0.25
SEVERAL_SITES = (
    "With several sites chosen the figures are given site by site in the table: a figure for "
    "the sites together could give away a site with too few responses."
)

# --- people and families, staff: the suppressed measures ------------------------------------

Groups = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class _Item:
    """A headline figure of a survey: its label, the count it rests on and its value key."""

    label: str
    count: str
    value: str
    kind: str  # "pct" (a share; changes in points) or "mean"
    places: int

    def text(self, value: float) -> str:
        return percent(value, self.places) if self.kind == "pct" else number(value, self.places)


FEEDBACK_ITEMS = (
    _Item("Treated well: yes", "treated_well_answered", "treated_well_yes_pct", "pct", 1),
    _Item("Helped: yes", "helped_answered", "helped_yes_pct", "pct", 1),
    _Item("Mean satisfaction (1–5)", "satisfaction_answered", "satisfaction_mean", "mean", 2),
)
STAFF_ITEMS = (
    _Item("Time with people (mean %)", f"{sf.TIME}_answered", f"{sf.TIME}_mean", "pct", 1),
    _Item("Motivation (mean, 1–5)", "motivation_answered", "motivation_mean", "mean", 2),
    _Item(
        "Making a difference (mean, 1–5)",
        "making_a_difference_answered",
        "making_a_difference_mean",
        "mean",
        2,
    ),
)


@dataclass(frozen=True)
class _Survey:
    """What differs between the people-and-families section and the staff section."""

    key: str
    title: str
    intro: str
    report: str
    measure: Callable[..., Measures]
    items: tuple[_Item, ...]
    who: str  # "people and families", "staff"
    table_title: str
    table_columns: tuple[tuple[str, str, str], ...]  # heading, value key, "pct" or "mean"
    caption: str
    chart: Callable[[Measures], Any]
    chart_text: Callable[[Measures], str]


PEOPLE = _Survey(
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
    chart=lambda m: feedback_chart(feedback_chart_rows(m)),
    chart_text=lambda m: " ".join(describe(m, q) for q in fb.QUESTIONS),
)
STAFF = _Survey(
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
    chart=lambda m: staff_chart(time_rows(m)),
    chart_text=describe_time,
)


def _scope_measure(
    survey: _Survey, store: Store, sites: Sequence[str], period: Period, threshold: int
) -> Measures | None:
    """The groups per approach for all sites or one site; None for several sites."""
    if len(sites) > 1:
        return None
    return survey.measure(
        store,
        ("approach",),
        start=period.start,
        end=period.end,
        filters={"site": sites[0]} if sites else {},
        threshold=threshold,
    )


def _by_approach(measures: Measures | None) -> Groups | None:
    return None if measures is None else {g["approach"]: g for g in measures.groups}


def _value(
    group: Mapping[str, Any] | None, item: _Item, threshold: int
) -> tuple[str, str, float | None]:
    """(value, base, number) of one figure of a group, or why it isn't shown."""
    if group is None:
        return "none", "no responses in this period", None
    if group.get("suppressed"):
        return NOT_SHOWN, f"{fewer_than(threshold)} responses", None
    answered = group.get(item.count)
    if answered is None:  # withheld: too few answered this question
        return NOT_SHOWN, f"{fewer_than(threshold)} answered", None
    if not answered:
        return "none", "nobody answered", None
    value = group[item.value]
    return item.text(value), f"of {answered:,} who answered", value


def _survey_figures(
    items: Sequence[_Item],
    now: Groups,
    before: Groups,
    usual: Mapping[str, Any] | None,
    usual_label: str,
    threshold: int,
) -> list[Figure]:
    figures = []
    for item in items:
        value, base, now_number = _value(now.get(THREE_CONVERSATIONS), item, threshold)
        previous, _, previous_number = _value(before.get(THREE_CONVERSATIONS), item, threshold)
        change = figure_change(
            now_number, previous_number, item.places, in_points=item.kind == "pct"
        )
        figures.append(
            Figure(
                label=item.label,
                value=value,
                base=base,
                previous=previous,
                change=change,
                usual=_value(usual, item, threshold)[0] if usual is not None else "",
                usual_label=usual_label,
                number=now_number,
                previous_number=previous_number,
            )
        )
    return figures


def _responses(group: Mapping[str, Any] | None, threshold: int) -> str:
    if group is None:
        return "none"
    return fewer_than(threshold) if group.get("suppressed") else f"{group['responses']:,}"


def _survey_table(survey: _Survey, table: Measures, sites: Sequence[str], period: Period) -> Table:
    """Site × approach rows for the chosen sites (all, and the total, when none chosen)."""
    small = fewer_than(table.threshold)
    wanted = {s.strip().lower() for s in sites}
    groups = [g for g in table.groups if not wanted or g["site"].strip().lower() in wanted]
    if not sites and table.total.get("responses") != 0:
        groups.append({"site": "All", "approach": "", **table.total})
    rows = []
    for group in groups:
        row = [str(group["site"]), str(group["approach"])]
        if group.get("suppressed"):
            rows.append([*row, small, *[""] * len(survey.table_columns)])
            continue
        row.append(f"{group['responses']:,}")
        for _, key, kind in survey.table_columns:
            value = group.get(key)
            if value is None:
                row.append(NOT_SHOWN if group.get("withheld") else "")
            else:
                row.append(percent(value) if kind == "pct" else number(value))
        rows.append(row)
    return Table(
        f"{survey.table_title}, {period.describe()}",
        ["Site", "Approach", "Responses", *(c[0] for c in survey.table_columns)],
        rows,
        f"{survey.caption} A group of {small} responses shows '{small}' and no figures.",
        label_columns=2,
    )


def survey_section(
    survey: _Survey,
    store: Store,
    sites: tuple[str, ...],
    period: Period,
    previous: Period,
    threshold: int,
) -> tuple[Section, Groups | None, Groups | None]:
    """The section, and the groups per approach now and before (for what needs attention)."""
    scope_now = _scope_measure(survey, store, sites, period, threshold)
    now = _by_approach(scope_now)
    before = _by_approach(_scope_measure(survey, store, sites, previous, threshold))
    table = survey.measure(
        store, ("site", "approach"), start=period.start, end=period.end, threshold=threshold
    )
    by = "site,approach" if sites else "approach"
    commands = [
        f"{REPORT} {survey.report} --by {by} {period.options()}",
        f"{REPORT} {survey.report} --by {by} {previous.options()}",
    ]
    if now is None or before is None:
        figures: list[Figure] = []
        notes = [SEVERAL_SITES]
        shown = replace(table, groups=_survey_table_groups(table, sites))
    else:
        usual, usual_label = usual_practice(
            now.get(USUAL_PRACTICE),
            sites,
            lambda: (_by_approach(_scope_measure(survey, store, (), period, threshold)) or {}).get(
                USUAL_PRACTICE
            ),
            commands,
            f"{REPORT} {survey.report} --by approach {period.options()}",
        )
        figures = _survey_figures(survey.items, now, before, usual, usual_label, threshold)
        notes = [
            f"Responses from {survey.who} at three conversations: "
            f"{_responses(now.get(THREE_CONVERSATIONS), threshold)} in this period, "
            f"{_responses(before.get(THREE_CONVERSATIONS), threshold)} in the previous one."
        ]
        shown = scope_now  # type: ignore[assignment]
        if not sites:
            commands.append(f"{REPORT} {survey.report} --by site,approach {period.options()}")
    section = Section(
        key=survey.key,
        title=survey.title,
        intro=survey.intro,
        figures=figures,
        tables=[_survey_table(survey, table, sites, period)],
        notes=notes,
        chart=survey.chart(shown),
        chart_text=survey.chart_text(shown),
        commands=commands,
    )
    return section, now, before


def _survey_table_groups(table: Measures, sites: Sequence[str]) -> list[dict[str, Any]]:
    wanted = {s.strip().lower() for s in sites}
    return [g for g in table.groups if g["site"].strip().lower() in wanted]


def feedback_falling(now: Groups | None, before: Groups | None, threshold: int) -> list[Attention]:
    """Fewer people saying yes, a lower mean satisfaction, or far fewer responses, at three
    conversations — only ever from figures on show in both periods."""
    if now is None or before is None:
        return []
    current, earlier = now.get(THREE_CONVERSATIONS), before.get(THREE_CONVERSATIONS)
    if earlier is None or earlier.get("suppressed"):
        return []
    found, falls = [], []
    if current is not None and not current.get("suppressed"):
        for item in FEEDBACK_ITEMS:
            a, b = current.get(item.value), earlier.get(item.value)
            limit = FALL_POINTS if item.kind == "pct" else FALL_SATISFACTION
            if a is not None and b is not None and b - a >= limit:
                falls.append(f"{item.label} {item.text(a)}, down from {item.text(b)}")
    if falls:
        found.append(
            Attention(
                "Feedback from people and families is falling",
                "At three conversations: " + "; ".join(falls) + " in the previous period.",
                "people",
            )
        )
    responses_now = 0 if current is None else current.get("responses")
    responses_before = earlier["responses"]
    if responses_before >= 2 * threshold and (
        responses_now is None or responses_now * 2 <= responses_before
    ):
        now_text = fewer_than(threshold) if responses_now is None else f"{responses_now:,}"
        found.append(
            Attention(
                "Fewer people and families are giving feedback",
                f"At three conversations: {now_text} responses in this period against "
                f"{responses_before:,} in the previous one.",
                "people",
            )
        )
    return found


def consented_stories(store: Store, sites: Sequence[str], period: Period) -> list[StoryItem]:
    """Stories told in the period and shared with consent, newest first."""
    items: list[StoryItem] = []
    for site in sites or (None,):
        items.extend(stories(store, site=site))
    return sorted(
        (s for s in items if period.start <= s.told_on <= period.end),
        key=lambda s: (s.told_on, s.story_id),
        reverse=True,
    )


def people_section(
    store: Store, sites: tuple[str, ...], period: Period, previous: Period, threshold: int
) -> tuple[Section, list[Attention]]:
    section, now, before = survey_section(PEOPLE, store, sites, period, previous, threshold)
    told, told_before = (
        consented_stories(store, sites, period),
        consented_stories(store, sites, previous),
    )
    stories = Figure(
        label="Stories of difference shared",
        value=f"{len(told):,}",
        base="told in this period, with consent to share",
        previous=f"{len(told_before):,}",
        change=figure_change(len(told), len(told_before), 0),
        better="",
        number=float(len(told)),
        previous_number=float(len(told_before)),
    )
    section = replace(section, figures=[*section.figures, stories])
    return section, feedback_falling(now, before, threshold)


def staff_section(
    store: Store, sites: tuple[str, ...], period: Period, previous: Period, threshold: int
) -> Section:
    return survey_section(STAFF, store, sites, period, previous, threshold)[0]
