"""The people-and-families and staff sections of the Making it Happen summary.

Figures from ``feedback_measures`` and ``staff_measures``, which hide small groups and add up
only the groups on show: with all sites the figures are the by-approach table's (``--by
approach``), with one or several sites those sites' groups added up the same way, each
saying what it left out. Survey periods are whole weeks (Monday to Sunday), the period before
the same number of weeks just before it. Usual practice is read within the chosen sites; when
they have none, across all sites ("usual practice, all sites"). When the staff pulse has no
response in the period, the latest pulse before it is shown, with its dates. Nothing is
counted here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from evaluation.core.vocabulary import (
    THREE_CONVERSATIONS,
    USUAL_PRACTICE,
)
from evaluation.measures.stories import StoryItem, stories
from evaluation.measures.suppression import fewer_than, hidden_words
from evaluation.measures.survey import Measures, latest_day
from evaluation.meeting.model import NOT_SHOWN, Attention, Figure, Period, Section, Table
from evaluation.meeting.survey_parts import (
    FEEDBACK_ITEMS,
    PEOPLE,
    STAFF,
    Item,
    SurveyPart,
    share_interval,
)
from evaluation.meeting.wording import REPORT, figure_change, usual_practice
from evaluation.present.formats import number, percent
from evaluation.present.surveys import (
    left_out_text,
    scope_note,
)
from evaluation.store.connection import Store

FALL_POINTS = 5.0
FALL_SATISFACTION = 0.25
HIDDEN = "hidden"

# --- people and families, staff: the suppressed measures ------------------------------------

Groups = dict[str, dict[str, Any]]


def _scope_measure(
    survey: SurveyPart, store: Store, sites: Sequence[str], period: Period, threshold: int
) -> Measures:
    """The groups per approach for all sites, one site, or several added up."""
    chosen: dict[str, str | tuple[str, ...]] = {}
    if len(sites) == 1:
        chosen = {"site": sites[0]}
    elif sites:
        chosen = {"site": tuple(sites)}
    return survey.measure(
        store,
        ("approach",),
        start=period.start,
        end=period.end,
        filters=chosen,
        threshold=threshold,
    )


def _figure_name(value_key: str) -> str:
    """The survey figure a value belongs to: ``helped_yes_pct`` → ``helped``."""
    return value_key.removesuffix("_yes_pct").removesuffix("_mean")


def _by_approach(measures: Measures | None) -> Groups | None:
    return None if measures is None else {g["approach"]: g for g in measures.groups}


def _value(
    group: Mapping[str, Any] | None, item: Item, threshold: int, shown: str = "sites"
) -> tuple[str, str, float | None]:
    """(value, base, number) of one figure of a group, or why it isn't shown."""
    if group is None:
        return "none", "no responses in this period", None
    if group.get("suppressed"):
        return NOT_SHOWN, f"{hidden_words(group.get('reason'), threshold)} responses", None
    withheld = group.get("withheld") or {}
    if _figure_name(item.value) in withheld:
        reason = withheld[_figure_name(item.value)]
        return NOT_SHOWN, f"{hidden_words(reason, threshold)} answered", None
    answered = group.get(item.count)
    if not answered:
        return "none", "nobody answered", None
    value = group[item.value]
    note = scope_note(group, threshold, shown)
    return item.text(value), f"of {answered:,} who answered" + (f"; {note}" if note else ""), value


def _survey_figures(
    items: Sequence[Item],
    now: Groups,
    before: Groups,
    usual: Mapping[str, Any] | None,
    usual_label: str,
    threshold: int,
    latest: str = "",
    compared: str = "",
) -> list[Figure]:
    """The headline figures; ``latest`` names the latest pulse when ``now`` is from it (no
    change is then worked out: the two periods are not alike)."""
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
                base=f"{latest}; {base}" if latest else base,
                previous=previous,
                change="" if latest else change,
                usual=_value(usual, item, threshold)[0] if usual is not None else "",
                usual_label=usual_label,
                number=now_number,
                previous_number=None if latest else previous_number,
                compared=compared,
                interval=share_interval(now.get(THREE_CONVERSATIONS), item, now_number),
            )
        )
    return figures


def _responses(group: Mapping[str, Any] | None, threshold: int) -> str:
    if group is None:
        return "none"
    if group.get("suppressed"):
        return hidden_words(group.get("reason"), threshold)
    return f"{group['responses']:,}"


def _survey_table(
    survey: SurveyPart, table: Measures, sites: Sequence[str], period: Period
) -> Table:
    """Site × approach rows for the chosen sites (all, and the total, when none chosen);
    every empty cell says why."""
    t = table.threshold
    wanted = {s.strip().lower() for s in sites}
    groups = [g for g in table.groups if not wanted or g["site"].strip().lower() in wanted]
    if not sites and table.total.get("responses") != 0:
        label = "All shown" if table.total.get("left_out") else "All"
        groups.append({"site": label, "approach": "", **table.total})
    rows = []
    for group in groups:
        row = [str(group["site"]), str(group["approach"])]
        if group.get("suppressed"):
            words = hidden_words(group.get("reason"), t)
            rows.append([*row, words, *[HIDDEN] * len(survey.table_columns), ""])
            continue
        row.append(f"{group['responses']:,}")
        withheld = group.get("withheld") or {}
        for _, key, kind in survey.table_columns:
            value = group.get(key)
            if _figure_name(key) in withheld:
                row.append(HIDDEN)
            elif value is None:
                row.append("none answered")
            else:
                row.append(percent(value) if kind == "pct" else number(value))
        rows.append([*row, left_out_text(group, t)])
    small = fewer_than(t)
    return Table(
        f"{survey.table_title}, {period.describe()}",
        ["Site", "Approach", "Responses", *(c[0] for c in survey.table_columns), "Left out"],
        rows,
        f"{survey.caption} A group of {small} responses shows '{small}' and no figures; "
        "totals add up the groups on show and say what they left out. Whole weeks, Monday to "
        "Sunday.",
        label_columns=2,
    )


def _latest(
    survey: SurveyPart,
    store: Store,
    sites: tuple[str, ...],
    period: Period,
    threshold: int,
) -> tuple[Measures | None, Period | None]:
    """The latest pulse before the period's end, over as many whole weeks as the period."""
    day = latest_day(store, survey.report, THREE_CONVERSATIONS, sites, before=period.start)
    if day is None:
        return None, None
    end = Period(day, day).whole_weeks().end
    pulse = Period(end - (period.end - period.start), end)
    return _scope_measure(survey, store, sites, pulse, threshold), pulse


def survey_section(
    survey: SurveyPart,
    store: Store,
    sites: tuple[str, ...],
    period: Period,
    previous: Period,
    threshold: int,
) -> tuple[Section, Groups | None, Groups | None]:
    """The section, and the groups per approach now and before (for what needs attention).

    ``period`` is the meeting's; survey figures take it in whole weeks and compare it with
    the same number of whole weeks just before (``previous`` is not used for them)."""
    weeks = period.whole_weeks()
    weeks_before = weeks.before()
    scope_now = _scope_measure(survey, store, sites, weeks, threshold)
    now = _by_approach(scope_now) or {}
    before = _by_approach(_scope_measure(survey, store, sites, weeks_before, threshold)) or {}
    table = survey.measure(
        store, ("site", "approach"), start=weeks.start, end=weeks.end, threshold=threshold
    )
    by = "site,approach" if sites else "approach"
    commands = [
        f"{REPORT} {survey.report} --by {by} {weeks.options()}",
        f"{REPORT} {survey.report} --by {by} {weeks_before.options()}",
    ]
    latest = ""
    shown, table_weeks = scope_now, weeks
    if survey.latest_when_none and now.get(THREE_CONVERSATIONS) is None:
        pulse, pulse_period = _latest(survey, store, sites, weeks, threshold)
        if pulse is not None and pulse_period is not None:
            now, shown, table_weeks = _by_approach(pulse) or {}, pulse, pulse_period
            latest = f"latest pulse, {pulse_period.describe()} (none in this period)"
            commands.append(f"{REPORT} {survey.report} --by {by} {pulse_period.options()}")
            table = survey.measure(
                store,
                ("site", "approach"),
                start=pulse_period.start,
                end=pulse_period.end,
                threshold=threshold,
            )
    usual, usual_label = usual_practice(
        now.get(USUAL_PRACTICE),
        sites,
        lambda: (_by_approach(_scope_measure(survey, store, (), weeks, threshold)) or {}).get(
            USUAL_PRACTICE
        ),
        commands,
        f"{REPORT} {survey.report} --by approach {weeks.options()}",
    )
    figures = _survey_figures(
        survey.items, now, before, usual, usual_label, threshold, latest, weeks_before.describe()
    )
    notes = [
        f"Responses from {survey.who} at three conversations: "
        f"{_responses(now.get(THREE_CONVERSATIONS), threshold)} "
        + (f"in the {latest}" if latest else "in this period")
        + f", {_responses(before.get(THREE_CONVERSATIONS), threshold)} in the previous one. "
        f"Whole weeks: {weeks.describe()}, against {weeks_before.describe()}."
    ]
    if not sites:
        commands.append(f"{REPORT} {survey.report} --by site,approach {weeks.options()}")
    section = Section(
        key=survey.key,
        title=survey.title,
        intro=survey.intro,
        figures=figures,
        tables=[_survey_table(survey, table, sites, table_weeks)],
        notes=notes,
        chart=survey.chart(shown),
        chart_text=survey.chart_text(shown),
        commands=commands,
    )
    return section, now, before


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
