"""The four sections of the Making it Happen summary, one per type of evidence.

Each builder reads its figures from the function a page and a report already use, for the
chosen sites over the period and over the period before, sets them beside usual practice
and writes them as ``meeting_model`` figures and tables. Nothing is counted here.

* People and families, and staff: ``feedback_measures`` and ``staff_measures``, which hide
  small groups. With all sites the figures are the by-approach table's (``--by approach``);
  with one site, that site's rows of the site-by-approach table (``--by site,approach``),
  which the measure suppresses as a whole. With several sites there is no figure for them
  together — a sum with a hidden site in it would give that site away — only the table.
* Money and resources: ``conversion`` per approach for requests that began in each period,
  and Harrow's cost table (``cost_change.summary``) for every request that began up to the
  period's end: a request counts 30 days after its last conversation, so a 4-week window
  would be nothing but work still ongoing. The previous figure is the table as it stood at
  the end of the previous period (``--as-of``).
* Conversations: ``older_first_conversations`` and ``underway`` on the period's last day,
  ``waiting_time`` for requests that began in the period.

Usual practice is read within the chosen sites; when they have none (an innovation site on
its own), across all sites, and labelled "usual practice, all sites".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import altair as alt

from evaluation.measures import activity, conversion, cost_change
from evaluation.measures import feedback as fb
from evaluation.measures import staff as sf
from evaluation.measures.feedback import Measures, StoryItem
from evaluation.measures.selection import Selection
from evaluation.measures.suppression import fewer_than
from evaluation.meeting.model import (
    NOT_SHOWN,
    THREE_CS,
    USUAL,
    USUAL_ALL_SITES,
    Attention,
    Figure,
    Period,
    Section,
    Table,
    pct,
    plain_change,
    points,
    site_options,
)
from evaluation.present.charts import (
    cost_chart,
    feedback_chart,
    staff_chart,
    underway_chart,
    underway_text,
)
from evaluation.present.money import change_exact, change_pounds, change_thousands
from evaluation.store.connection import Store

# What counts as "feedback falling": a share answering yes down by this many points, or mean
# satisfaction down by this much, between two periods that both have figures on show.
FALL_POINTS = 5.0
FALL_SATISFACTION = 0.25
SEVERAL_SITES = (
    "With several sites chosen the figures are given site by site in the table: a figure for "
    "the sites together could give away a site with too few responses."
)
REPORT = "python -m evaluation report"

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
        return pct(value, self.places) if self.kind == "pct" else f"{value:.{self.places}f}"


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
    chart: Callable[[Measures], alt.TopLevelMixin | None]
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
    chart=lambda m: feedback_chart(fb.chart_rows(m)),
    chart_text=lambda m: " ".join(fb.describe(m, q) for q in fb.QUESTIONS),
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
    chart=lambda m: staff_chart(sf.time_rows(m)),
    chart_text=sf.describe_time,
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
    number = group[item.value]
    return item.text(number), f"of {answered:,} who answered", number


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
        value, base, number = _value(now.get(THREE_CS), item, threshold)
        previous, _, previous_number = _value(before.get(THREE_CS), item, threshold)
        change = (
            points(number, previous_number, item.places)
            if item.kind == "pct"
            else plain_change(number, previous_number, item.places)
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
                number=number,
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
                row.append(pct(value) if kind == "pct" else f"{value:.2f}")
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
        usual, usual_label = now.get(USUAL), USUAL
        if usual is None and sites:
            everywhere = _by_approach(_scope_measure(survey, store, (), period, threshold))
            usual, usual_label = (everywhere or {}).get(USUAL), USUAL_ALL_SITES
            commands.append(f"{REPORT} {survey.report} --by approach {period.options()}")
        figures = _survey_figures(survey.items, now, before, usual, usual_label, threshold)
        notes = [
            f"Responses from {survey.who} at three conversations: "
            f"{_responses(now.get(THREE_CS), threshold)} in this period, "
            f"{_responses(before.get(THREE_CS), threshold)} in the previous one."
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
    current, earlier = now.get(THREE_CS), before.get(THREE_CS)
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
        items.extend(fb.stories(store, site=site))
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
        change=plain_change(len(told), len(told_before), 0),
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


# --- money and resources: conversion and cost change ----------------------------------------


def _conversion_rows(
    store: Store, sites: Sequence[str], period: Period
) -> dict[str, conversion.ConversionRow]:
    selection = Selection(sites=tuple(sites), date_from=period.start, date_to=period.end)
    return {r.group["approach"]: r for r in conversion.conversion(store, selection, ("approach",))}


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}%"


def _conversion_figure(
    now: Mapping[str, conversion.ConversionRow],
    before: Mapping[str, conversion.ConversionRow],
    usual: conversion.ConversionRow | None,
    usual_label: str,
) -> Figure:
    row, earlier = now.get(THREE_CS), before.get(THREE_CS)
    rate = row.conversion_rate if row else None
    earlier_rate = earlier.conversion_rate if earlier else None
    return Figure(
        label="New requests that led to long-term support",
        value=_rate(rate) or "none",
        base=f"{row.long_term:,} of {row.new_requests:,} new requests"
        if row
        else "no new requests in this period",
        previous=_rate(earlier_rate) or "none",
        change=points(rate, earlier_rate, 2),
        usual=(_rate(usual.conversion_rate) or "none") if usual else "",
        usual_label=usual_label,
        better="down",
        number=rate,
        previous_number=earlier_rate,
    )


def _cost_group(report: cost_change.CostChange, approach: str) -> cost_change.GroupSummary | None:
    return next((g for g in report.groups if g.key.get("approach") == approach), None)


def _cost_figures(
    now: cost_change.CostChange,
    before: cost_change.CostChange,
    usual: cost_change.GroupSummary | None,
    usual_label: str,
) -> list[Figure]:
    group, earlier = _cost_group(now, THREE_CS), _cost_group(before, THREE_CS)
    mean = group.mean_weekly_change if group else None
    earlier_mean = earlier.mean_weekly_change if earlier else None
    year = group.full_year_impact if group else None
    earlier_year = earlier.full_year_impact if earlier else None
    both = mean is not None and earlier_mean is not None
    return [
        Figure(
            label="Average change in weekly cost of care per person",
            value=change_pounds(mean) or "none",
            base=f"{change_exact(mean)} a week; {group.completed:,} completed of "
            f"{group.conversations:,} requests"
            if group and mean is not None
            else "no completed requests yet",
            previous=change_pounds(earlier_mean) or "none",
            change=(
                "no change"
                if mean == earlier_mean
                else f"{change_exact(mean - earlier_mean)} a week"
            )
            if both
            else "",
            usual=(change_pounds(usual.mean_weekly_change) or "none") if usual else "",
            usual_label=usual_label,
            better="down",
            number=None if mean is None else float(mean),
            previous_number=None if earlier_mean is None else float(earlier_mean),
        ),
        Figure(
            label="Approx. impact on full-year budget",
            value=change_thousands(year) or "none",
            base=f"exact {change_exact(year)}" if year is not None else "",
            previous=change_thousands(earlier_year) or "none",
            change=("no change" if year == earlier_year else change_thousands(year - earlier_year))
            if year is not None and earlier_year is not None
            else "",
            usual=(change_thousands(usual.full_year_impact) or "none") if usual else "",
            usual_label=usual_label,
            better="down",
            number=None if year is None else float(year),
            previous_number=None if earlier_year is None else float(earlier_year),
        ),
    ]


def cost_table(report: cost_change.CostChange, scope: str = "") -> Table:
    """Harrow's table (Tables 1a/1b) as text cells: a row per measure, a column per group.

    ``scope`` says which requests it covers, after the title."""
    rows = [[label, *(c.shown for c in cells)] for label, cells in cost_change.table(report)]
    as_of = f"{report.as_of:%d/%m/%Y}" if report.as_of else "unknown"
    title = "Impact of conversations on the weekly cost of long-term care"
    return Table(
        f"{title}: {scope}" if scope else title,
        ["", *(g.label for g in report.groups)],
        rows if report.groups else [],  # no requests for support in the selection
        f"Data as of {as_of}. Averages are rounded to the pound and full-year impacts to the "
        "nearest £1,000, as in Harrow's report.",
    )


def _conversion_table(rows: Mapping[str, conversion.ConversionRow], period: Period) -> Table:
    """Conversion laid out as Harrow's table: a row per measure, a column per approach."""
    groups = list(rows.values())
    measures: list[tuple[str, Callable[[conversion.ConversionRow], str]]] = [
        ("New requests", lambda r: f"{r.new_requests:,}"),
        ("Led to long-term support", lambda r: f"{r.long_term:,}"),
        ("Conversion into long-term support", lambda r: _rate(r.conversion_rate)),
        ("All requests (new and existing)", lambda r: f"{r.requests:,}"),
        ("Reached Conversation 2", lambda r: f"{r.reached_conversation_2:,}"),
        ("Reached Conversation 3", lambda r: f"{r.reached_conversation_3:,}"),
        ("Repeat requests (share of new)", lambda r: _rate(r.repeat_rate)),
    ]
    return Table(
        f"Requests for support that began {period.describe()}",
        ["", *(r.label for r in groups)],
        [[label, *(cell(r) for r in groups)] for label, cell in measures] if groups else [],
        "Conversion = new requests that led to long-term support ÷ new requests. A repeat "
        "request is a new request within a year of an earlier one that ended without "
        "long-term support.",
    )


def money_section(
    store: Store, sites: tuple[str, ...], period: Period, previous: Period
) -> tuple[Section, cost_change.CostChange, list[Attention]]:
    """The section, Harrow's table behind it, and whether its results are provisional."""
    options = site_options(sites)
    commands = [
        f"{REPORT} conversion --by approach{options} {period.options()}",
        f"{REPORT} conversion --by approach{options} {previous.options()}",
        f"{REPORT} cost-change{options} --to {period.end.isoformat()}",
        f"{REPORT} cost-change{options} --to {previous.end.isoformat()} "
        f"--as-of {previous.end.isoformat()}",
        f"{REPORT} cost-change{options} {period.options()}",
    ]
    now = _conversion_rows(store, sites, period)
    before = _conversion_rows(store, sites, previous)
    usual, usual_label = now.get(USUAL), USUAL
    if usual is None and sites:
        usual, usual_label = _conversion_rows(store, (), period).get(USUAL), USUAL_ALL_SITES
        commands.append(f"{REPORT} conversion --by approach {period.options()}")

    # The table now, its distribution and the table as it stood at the previous period's end
    # (the same as `summary` with date_to and as_of both previous.end) from one costing.
    found = cost_change.costs(
        store, Selection(sites=sites, date_to=period.end), earlier=previous.end
    )
    report, bands = found.report, found.bands
    earlier = found.earlier
    assert earlier is not None
    in_period = cost_change.summary(
        store, Selection(sites=sites, date_from=period.start, date_to=period.end)
    )
    cost_usual, cost_usual_label = _cost_group(report, USUAL), USUAL
    if cost_usual is None and sites:
        everywhere = cost_change.summary(store, Selection(approaches=(USUAL,), date_to=period.end))
        cost_usual, cost_usual_label = _cost_group(everywhere, USUAL), USUAL_ALL_SITES
        commands.append(f"{REPORT} cost-change --approach '{USUAL}' --to {period.end.isoformat()}")
    figures = [
        _conversion_figure(now, before, usual, usual_label),
        *_cost_figures(report, earlier, cost_usual, cost_usual_label),
    ]
    attention = []
    provisional = [g for g in report.groups if g.provisional]
    if provisional:
        attention.append(
            Attention(
                "Many cost-change results are still provisional",
                "; ".join(
                    f"{g.label}: {g.ongoing:,} of {g.conversations:,} requests are still "
                    "ongoing (more than a third)"
                    for g in provisional
                )
                + ". The figures will move as that work completes.",
                "money",
            )
        )
    section = Section(
        key="money",
        title="Money and resources",
        intro="How many new requests for support turn into long-term support, and whether the "
        "weekly cost of people's long-term care went up or down after their conversations "
        "(Harrow's method: the day before the first conversation against 30 days after the "
        "last one ended).",
        figures=figures,
        tables=[
            cost_table(report, f"requests that began up to {period.end:%d/%m/%Y}"),
            cost_table(in_period, f"requests that began {period.describe()}"),
            _conversion_table(now, period),
        ],
        notes=[
            f"Cost change covers every request whose first conversation started on or before "
            f"{period.end:%d/%m/%Y}; the previous figures are the same table as it stood on "
            f"{previous.end:%d/%m/%Y}. Requests still ongoing and those excluded (suspensions, "
            "cancellations, deaths) are counted but left out of the average. The second table "
            "is the requests that began in this period alone: most are still ongoing, since a "
            "request counts 30 days after its last conversation."
        ],
        chart=cost_chart(bands),
        chart_text=cost_change.describe_distribution(bands),
        commands=commands,
    )
    return section, report, attention


# --- conversations: is the work flowing? ------------------------------------------------------


def _waits(store: Store, sites: Sequence[str], period: Period) -> dict[str, activity.Duration]:
    selection = Selection(sites=tuple(sites), date_from=period.start, date_to=period.end)
    return {d.group["approach"]: d for d in activity.waiting_time(store, selection, ("approach",))}


def _days(value: float | None) -> str:
    return "" if value is None else f"{value:g} days"


def _underway_three(rows: Sequence[activity.UnderwayRow]) -> int:
    return sum(r.count for r in rows if r.conversation != activity.USUAL_PRACTICE_LABEL)


def conversations_section(
    store: Store,
    sites: tuple[str, ...],
    period: Period,
    previous: Period,
    data_date: date | None,
) -> tuple[Section, list[Attention]]:
    """Snapshots on the period's last day (never after the data's as-of date)."""
    as_of = min(period.end, data_date) if data_date else period.end
    previous_as_of = min(previous.end, as_of)
    selection = Selection(sites=sites)
    older = activity.older_first_conversations(store, as_of, selection)
    older_before = activity.older_first_conversations(store, previous_as_of, selection)
    rows = activity.underway(store, as_of, selection)
    underway_now = _underway_three(rows)
    underway_before = _underway_three(activity.underway(store, previous_as_of, selection))
    options = site_options(sites)
    commands = [
        f"{REPORT} activity --part underway{options} --as-of {as_of.isoformat()}",
        f"{REPORT} activity --part underway{options} --as-of {previous_as_of.isoformat()}",
        f"{REPORT} activity --part waiting --by approach{options} {period.options()}",
        f"{REPORT} activity --part waiting --by approach{options} {previous.options()}",
    ]
    wait_now, wait_before = _waits(store, sites, period), _waits(store, sites, previous)
    usual_wait, usual_label = wait_now.get(USUAL), USUAL
    if usual_wait is None and sites:
        usual_wait, usual_label = _waits(store, (), period).get(USUAL), USUAL_ALL_SITES
        commands.append(f"{REPORT} activity --part waiting --by approach {period.options()}")
    wait, earlier_wait = wait_now.get(THREE_CS), wait_before.get(THREE_CS)
    median = wait.median_days if wait else None
    earlier_median = earlier_wait.median_days if earlier_wait else None
    figures = [
        Figure(
            label=f"Conversation 1s underway for more than {activity.OLDER_THAN_DAYS} days",
            value=f"{older.now:,}",
            base=f"on {as_of:%d/%m/%Y}; {older.week_before:,} a week earlier",
            previous=f"{older_before.now:,}",
            change=plain_change(older.now, older_before.now, 0),
            better="down",
            number=float(older.now),
            previous_number=float(older_before.now),
        ),
        Figure(
            label="Conversations underway",
            value=f"{underway_now:,}",
            base=f"three conversations, on {as_of:%d/%m/%Y}",
            previous=f"{underway_before:,}",
            change=plain_change(underway_now, underway_before, 0),
            better="",
            number=float(underway_now),
            previous_number=float(underway_before),
        ),
        Figure(
            label="Median wait from request to first conversation",
            value=_days(median) or "none",
            base=f"{wait.count:,} requests that began in this period"
            if wait
            else "no requests with a request date in this period",
            previous=_days(earlier_median) or "none",
            change=plain_change(median, earlier_median, 1, " days"),
            usual=(_days(usual_wait.median_days) or "none") if usual_wait else "",
            usual_label=usual_label,
            better="down",
            number=median,
            previous_number=earlier_median,
        ),
    ]
    attention = []
    if older.growing:
        attention.append(
            Attention("The Conversation 1 bulge is growing", older.note() or "", "conversations")
        )
    bands = [b[0] for b in activity.AGE_BANDS]
    pivot: dict[str, dict[str, int]] = {}
    for r in rows:
        pivot.setdefault(r.conversation, {})[r.band] = r.count
    table = Table(
        f"Conversations underway on {as_of:%d/%m/%Y}, by age in days",
        ["Conversation", *bands, "Total"],
        [
            [label, *(f"{v.get(b, 0):,}" for b in bands), f"{sum(v.values()):,}"]
            for label, v in pivot.items()
        ],
        "Underway: started on or before that day and not yet ended. Harrow spotted a bulge of "
        "Conversation 1s started but not finished, and added two staff to clear it.",
    )
    section = Section(
        key="conversations",
        title="Conversations",
        intro="Whether the work flows: what is underway and for how long, and how long people "
        "wait for their first conversation.",
        figures=figures,
        tables=[table],
        chart=underway_chart(rows),
        chart_text=underway_text(rows, as_of),
        commands=commands,
    )
    return section, attention
