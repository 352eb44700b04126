"""The conversations section of the Making it Happen summary: is the work flowing?

``older_first_conversations`` and ``underway`` on the period's last day (never after the
data's as-of date), and ``waiting_time`` for requests that began in the period, beside the
previous period and usual practice. Nothing is counted here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from evaluation.core.vocabulary import (
    THREE_CONVERSATIONS,
    USUAL_PRACTICE,
    USUAL_PRACTICE_LABEL,
)
from evaluation.measures import activity
from evaluation.measures.flow import waiting_time
from evaluation.measures.selection import Selection
from evaluation.meeting.model import Attention, Figure, Period, Section, Table
from evaluation.meeting.wording import (
    REPORT,
    figure_change,
    or_none,
    site_options,
    usual_practice,
)
from evaluation.present.activity import older_note
from evaluation.present.charts import underway_chart, underway_text, vega_spec
from evaluation.present.formats import days
from evaluation.store.connection import Store
from evaluation.store.figures import cached


def _waits(store: Store, sites: Sequence[str], period: Period) -> dict[str, activity.Duration]:
    selection = Selection(sites=tuple(sites), date_from=period.start, date_to=period.end)
    return {d.group["approach"]: d for d in waiting_time(store, selection, ("approach",))}


def _underway_three(rows: Sequence[activity.UnderwayRow]) -> int:
    return sum(r.count for r in rows if r.conversation != USUAL_PRACTICE_LABEL)


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
    # Snapshots on a day are kept on their own: a view with the same end date shares them.
    older = cached(store, activity.older_first_conversations, as_of, selection)
    older_before = cached(store, activity.older_first_conversations, previous_as_of, selection)
    rows = cached(store, activity.underway, as_of, selection)
    underway_now = _underway_three(rows)
    underway_before = _underway_three(cached(store, activity.underway, previous_as_of, selection))
    options = site_options(sites)
    commands = [
        f"{REPORT} activity --part underway{options} --as-of {as_of.isoformat()}",
        f"{REPORT} activity --part underway{options} --as-of {previous_as_of.isoformat()}",
        f"{REPORT} activity --part waiting --by approach{options} {period.options()}",
        f"{REPORT} activity --part waiting --by approach{options} {previous.options()}",
    ]
    wait_now = cached(store, _waits, sites, period)
    wait_before = cached(store, _waits, sites, previous)
    usual_wait, usual_label = usual_practice(
        wait_now.get(USUAL_PRACTICE),
        sites,
        lambda: cached(store, _waits, (), period).get(USUAL_PRACTICE),
        commands,
        f"{REPORT} activity --part waiting --by approach {period.options()}",
    )
    wait, earlier_wait = wait_now.get(THREE_CONVERSATIONS), wait_before.get(THREE_CONVERSATIONS)
    median = wait.median_days if wait else None
    earlier_median = earlier_wait.median_days if earlier_wait else None
    figures = [
        Figure(
            label=f"Conversation 1s underway for more than {activity.OLDER_THAN_DAYS} days",
            value=f"{older.now:,}",
            base=f"on {as_of:%d/%m/%Y}; {older.week_before:,} a week earlier",
            previous=f"{older_before.now:,}",
            change=figure_change(older.now, older_before.now, 0),
            better="down",
            number=float(older.now),
            previous_number=float(older_before.now),
        ),
        Figure(
            label="Conversations underway",
            value=f"{underway_now:,}",
            base=f"three conversations, on {as_of:%d/%m/%Y}",
            previous=f"{underway_before:,}",
            change=figure_change(underway_now, underway_before, 0),
            better="",
            number=float(underway_now),
            previous_number=float(underway_before),
        ),
        Figure(
            label="Median wait from request to first conversation",
            value=or_none(median, days),
            base=f"{wait.count:,} requests that began in this period"
            if wait
            else "no requests with a request date in this period",
            previous=or_none(earlier_median, days),
            change=figure_change(median, earlier_median, 1, " days"),
            usual=or_none(usual_wait.median_days, days) if usual_wait else "",
            usual_label=usual_label,
            better="down",
            number=median,
            previous_number=earlier_median,
        ),
    ]
    attention = []
    if older.growing:
        attention.append(
            Attention(
                "The Conversation 1 bulge is growing", older_note(older) or "", "conversations"
            )
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
        chart=vega_spec(underway_chart(rows)),
        chart_text=underway_text(rows, as_of),
        commands=commands,
    )
    return section, attention
