"""The money-and-resources section of the Making it Happen summary.

Conversion per approach for requests that began in each period, and Harrow's cost table
(``cost_change.costs``) for every request that began up to the period's end: a request counts
30 days after its last conversation, so a 4-week window would be nothing but work still
ongoing. The previous figure is the table as it stood at the end of the previous period
(``--as-of``). Usual practice as the other sections read it. Nothing is counted here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from evaluation.core.vocabulary import (
    THREE_CONVERSATIONS,
    USUAL_PRACTICE,
)
from evaluation.measures import conversion, cost_change
from evaluation.measures.selection import Selection
from evaluation.meeting.model import Attention, Figure, Period, Section, Table
from evaluation.meeting.wording import (
    REPORT,
    figure_change,
    or_none,
    site_options,
    usual_practice,
)
from evaluation.present.charts import cost_chart
from evaluation.present.cost_tables import describe_distribution
from evaluation.present.cost_tables import table as harrow_table
from evaluation.present.formats import (
    change_exact,
    change_pounds,
    change_thousands,
    percent,
    uk_date,
)
from evaluation.store.connection import Store


def _conversion_rows(
    store: Store, sites: Sequence[str], period: Period
) -> dict[str, conversion.ConversionRow]:
    selection = Selection(sites=tuple(sites), date_from=period.start, date_to=period.end)
    return {r.group["approach"]: r for r in conversion.conversion(store, selection, ("approach",))}


def _rate(value: float | None) -> str:
    return percent(value, 2)


def _conversion_figure(
    now: Mapping[str, conversion.ConversionRow],
    before: Mapping[str, conversion.ConversionRow],
    usual: conversion.ConversionRow | None,
    usual_label: str,
) -> Figure:
    row, earlier = now.get(THREE_CONVERSATIONS), before.get(THREE_CONVERSATIONS)
    rate = row.conversion_rate if row else None
    earlier_rate = earlier.conversion_rate if earlier else None
    return Figure(
        label="New requests that led to long-term support",
        value=or_none(rate, _rate),
        base=f"{row.long_term:,} of {row.new_requests:,} new requests"
        if row
        else "no new requests in this period",
        previous=or_none(earlier_rate, _rate),
        change=figure_change(rate, earlier_rate, 2, in_points=True),
        usual=or_none(usual.conversion_rate, _rate) if usual else "",
        usual_label=usual_label,
        better="down",
        number=rate,
        previous_number=earlier_rate,
    )


def _cost_group(report: cost_change.CostChange, approach: str) -> cost_change.GroupSummary | None:
    return next((g for g in report.groups if g.key.get("approach") == approach), None)


def _money_figure(
    label: str,
    now: Decimal | None,
    before: Decimal | None,
    usual: tuple[Decimal | None] | None,
    usual_label: str,
    write: Callable[[Decimal], str],
    moved: Callable[[Decimal], str],
    base: str,
) -> Figure:
    """A cost figure this period and the last, and usual practice's (``(value,)``, or None
    when there is no usual-practice column); better when it goes down."""
    return Figure(
        label=label,
        value=or_none(now, write),
        base=base,
        previous=or_none(before, write),
        change=("no change" if now == before else moved(now - before))
        if now is not None and before is not None
        else "",
        usual=or_none(usual[0], write) if usual else "",
        usual_label=usual_label,
        better="down",
        number=None if now is None else float(now),
        previous_number=None if before is None else float(before),
    )


def _cost_figures(
    now: cost_change.CostChange,
    before: cost_change.CostChange,
    usual: cost_change.GroupSummary | None,
    usual_label: str,
) -> list[Figure]:
    group, earlier = _cost_group(now, THREE_CONVERSATIONS), _cost_group(before, THREE_CONVERSATIONS)
    mean = group.mean_weekly_change if group else None
    year = group.full_year_impact if group else None
    return [
        _money_figure(
            "Average change in weekly cost of care per person",
            mean,
            earlier.mean_weekly_change if earlier else None,
            (usual.mean_weekly_change,) if usual else None,
            usual_label,
            change_pounds,
            lambda diff: f"{change_exact(diff)} a week",
            f"{change_exact(mean)} a week; {group.completed:,} completed of "
            f"{group.conversations:,} requests"
            if group and mean is not None
            else "no completed requests yet",
        ),
        _money_figure(
            "Approx. impact on full-year budget",
            year,
            earlier.full_year_impact if earlier else None,
            (usual.full_year_impact,) if usual else None,
            usual_label,
            change_thousands,
            change_thousands,
            f"exact {change_exact(year)}" if year is not None else "",
        ),
    ]


def cost_table(report: cost_change.CostChange, scope: str = "") -> Table:
    """Harrow's table (Tables 1a/1b) as text cells: a row per measure, a column per group.

    ``scope`` says which requests it covers, after the title."""
    rows = [[label, *(c.shown for c in cells)] for label, cells in harrow_table(report)]
    as_of = uk_date(report.as_of) if report.as_of else "unknown"
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
    usual, usual_label = usual_practice(
        now.get(USUAL_PRACTICE),
        sites,
        lambda: _conversion_rows(store, (), period).get(USUAL_PRACTICE),
        commands,
        f"{REPORT} conversion --by approach {period.options()}",
    )

    # The table now, its distribution and the table as it stood at the previous period's end
    # (the same as `summary` with date_to and as_of both previous.end) from one costing.
    found = cost_change.costs(
        store, Selection(sites=sites, date_to=period.end), earlier=previous.end
    )
    report, bands = found.report, found.bands
    earlier = found.earlier or report
    in_period = cost_change.summary(
        store, Selection(sites=sites, date_from=period.start, date_to=period.end)
    )
    cost_usual, cost_usual_label = usual_practice(
        _cost_group(report, USUAL_PRACTICE),
        sites,
        lambda: _cost_group(
            cost_change.summary(store, Selection(approaches=(USUAL_PRACTICE,), date_to=period.end)),
            USUAL_PRACTICE,
        ),
        commands,
        f"{REPORT} cost-change --approach '{USUAL_PRACTICE}' --to {period.end.isoformat()}",
    )
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
        chart_text=describe_distribution(bands),
        commands=commands,
    )
    return section, report, attention
