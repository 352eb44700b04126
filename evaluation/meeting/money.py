"""The money-and-resources section of the Making it Happen summary.

Conversion per approach for requests that began in each period, and Harrow's cost table
(``cost_change.costs``) for every request that began up to the period's end: a request counts
30 days after its last conversation, so a 4-week window would be nothing but work still
ongoing. The previous figure is the table as it stood at the end of the previous period
(``--as-of``). Usual practice as the other sections read it. Nothing is counted here.

The money headline is the average change per person and the difference between the
approaches, each with its interval: the full-year impact grows with the number of requests
(a busy innovation site looks costlier while costing less per person), so it is written
beside the average as volume × average, never as the headline. Where the data has cohorts
the cost table is split approach × cohort, as Harrow's Tables 1a/1b are. A change is
coloured only where it is beyond the rounding shown and means better or worse for people:
a cost is neither, so money figures carry no colour.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from evaluation.core.money import round_pounds
from evaluation.core.vocabulary import (
    THREE_CONVERSATIONS,
    USUAL_PRACTICE,
)
from evaluation.measures import conversion, cost_change
from evaluation.measures.selection import Selection, has_cohorts
from evaluation.measures.suppression import DEFAULT_THRESHOLD
from evaluation.meeting.model import Attention, Figure, Period, Section, Table
from evaluation.meeting.wording import (
    REPORT,
    figure_change,
    site_options,
    usual_practice,
)
from evaluation.present.charts import cost_chart, vega_spec
from evaluation.present.cost_tables import describe_distribution, no_money
from evaluation.present.cost_tables import table as harrow_table
from evaluation.present.formats import (
    change_exact,
    change_pounds,
    change_thousands,
    interval,
    percent,
    uk_date,
)
from evaluation.present.money import rate_cell, repeat_flag, underway_note
from evaluation.store.connection import Store
from evaluation.store.figures import cached


def _conversion_rows(
    store: Store, sites: Sequence[str], period: Period, threshold: int
) -> dict[str, conversion.ConversionRow]:
    selection = Selection(sites=tuple(sites), date_from=period.start, date_to=period.end)
    rows = conversion.conversion(store, selection, ("approach",), threshold=threshold)
    return {r.group["approach"]: r for r in rows}


def _rate(value: float | None) -> str:
    return percent(value, 2)


def _rate_figure(
    label: str,
    part: Callable[[conversion.ConversionRow], int],
    rate: Callable[[conversion.ConversionRow], float | None],
    now: Mapping[str, conversion.ConversionRow],
    before: Mapping[str, conversion.ConversionRow],
    usual: conversion.ConversionRow | None,
    usual_label: str,
    better: str,
    with_interval: bool = False,
) -> Figure:
    """A rate of new requests (conversion, reablement) for three conversations, or why it
    has none ("not known yet: 57 of 57 still underway", "hidden"); conversion's with its
    Wilson interval."""
    row, earlier = now.get(THREE_CONVERSATIONS), before.get(THREE_CONVERSATIONS)
    value = rate(row) if row else None
    earlier_value = rate(earlier) if earlier else None
    if row is None or not row.new_requests:
        base = "no new requests in this period"
    else:
        base = f"{part(row):,} of {row.new_requests:,} new requests"
        if row.why_no_rate:
            base += f" ({row.why_no_rate})"
        elif with_interval:
            base += f" (95% interval {interval(row.conversion_ci95)})"
        if row.why_no_rate is None and underway_note(row):
            base += f"; {underway_note(row)}"
    return Figure(
        label=label,
        value=rate_cell(row, value) if row else "none",
        base=base,
        previous=rate_cell(earlier, earlier_value) if earlier else "none",
        change=figure_change(value, earlier_value, 2, in_points=True),
        usual=rate_cell(usual, rate(usual)) if usual else "",
        usual_label=usual_label,
        better=better,
        number=value,
        previous_number=earlier_value,
        interval=f"95% interval {interval(row.conversion_ci95)}"
        if with_interval and row and row.conversion_ci95 and row.why_no_rate is None
        else "",
    )


def _cost_group(report: cost_change.CostChange, approach: str) -> cost_change.GroupSummary | None:
    return next((g for g in report.groups if g.key.get("approach") == approach), None)


def _pounds(value: Decimal | None, group: cost_change.GroupSummary | None = None) -> str:
    """An average to the pound, or why there is none."""
    if value is not None:
        return change_pounds(value)
    return (no_money(group) if group else None) or "none"


def _moved(now: Decimal | None, before: Decimal | None) -> str:
    """The change in pounds a week, only where it shows at the pound (else "no change")."""
    if now is None or before is None:
        return ""
    if round_pounds(now - before) == 0:
        return "no change"
    return f"{change_pounds(now - before)} a week"


def _average_figure(
    group: cost_change.GroupSummary | None,
    earlier: cost_change.GroupSummary | None,
    usual: cost_change.GroupSummary | None,
    usual_label: str,
) -> Figure:
    mean = group.mean_weekly_change if group else None
    before = earlier.mean_weekly_change if earlier else None
    ci_text = ""
    if group is None:
        base = "no requests for support yet"
    elif mean is None:
        base = f"{group.why_no_average}; {group.completed:,} completed of {group.conversations:,}"
    else:
        ci = group.mean_ci95
        ci_text = f"95% interval {change_pounds(ci[0])} to {change_pounds(ci[1])}" if ci else ""
        base = (
            f"{change_exact(mean)} a week; {ci_text}; {group.completed:,} completed of "
            f"{group.conversations:,} requests. Full-year impact: volume × average, "
            f"{group.completed:,} × {change_exact(mean)} × 52 weeks = "
            f"{change_thousands(group.full_year_impact)} (it grows with the number of requests)"
        )
    return Figure(
        label="Average change in weekly cost of care per person",
        value=_pounds(mean, group),
        base=base,
        previous=_pounds(before, earlier),
        change=_moved(mean, before),
        usual=_pounds(usual.mean_weekly_change, usual) if usual else "",
        usual_label=usual_label,
        better="",
        number=None if mean is None else float(mean),
        previous_number=None if before is None else float(before),
        interval=ci_text,
    )


def _difference_figure(
    group: cost_change.GroupSummary | None,
    earlier: cost_change.GroupSummary | None,
    usual: cost_change.GroupSummary | None,
    usual_before: cost_change.GroupSummary | None,
    usual_label: str,
) -> Figure:
    """Three conversations' average change minus usual practice's, with Welch's interval."""
    now = cost_change.difference(group, usual) if group and usual else None
    then = cost_change.difference(earlier, usual_before) if earlier and usual_before else None
    value = now.difference if now else None
    before = then.difference if then else None
    span = ""
    if value is None:
        base = (
            f"needs an average for both three conversations and {usual_label}"
            if usual
            else f"no {usual_label} to compare with"
        )
    else:
        low, high = now.ci95 if now and now.ci95 else (None, None)
        base = f"{change_exact(value)} a week per person against {usual_label}"
        if low is not None and high is not None:
            span = f"95% interval {change_pounds(low)} to {change_pounds(high)}"
            base += f"; {span}"
            base += (
                ": the data can't tell the two apart yet"
                if low <= 0 <= high
                else ": the interval excludes zero"
            )
    return Figure(
        label=f"Difference from {usual_label} (average a week)",
        value=_pounds(value) if value is not None else "not known yet",
        base=base,
        previous=_pounds(before) if before is not None else "none",
        change=_moved(value, before),
        better="",
        number=None if value is None else float(value),
        previous_number=None if before is None else float(before),
        interval=span,
    )


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
        ("Conversion into long-term support", lambda r: rate_cell(r, r.conversion_rate)),
        ("All requests (new and existing)", lambda r: f"{r.requests:,}"),
        ("Reached Conversation 2", lambda r: f"{r.reached_conversation_2:,}"),
        ("Reached Conversation 3", lambda r: f"{r.reached_conversation_3:,}"),
        ("Met with reablement", lambda r: f"{r.reablement:,}"),
        ("Reablement (share of new)", lambda r: rate_cell(r, r.reablement_rate)),
        ("Repeat requests (share of new)", lambda r: rate_cell(r, r.repeat_rate)),
    ]
    return Table(
        f"Requests for support that began {period.describe()}",
        ["", *(r.label for r in groups)],
        [[label, *(cell(r) for r in groups)] for label, cell in measures] if groups else [],
        "Conversion = new requests that led to long-term support ÷ new requests. Reached "
        "Conversation 2 or 3: requests that had that conversation. A repeat request is a new "
        "request within a year of an earlier one that ended without long-term support. A "
        "column of fewer than 5 new requests shows its counts and no rates."
        + "".join(repeat_flag(r, " ") for r in groups[:1]),
    )


def cost_split(store: Store, sites: Sequence[str], by: Sequence[str] | None) -> tuple[str, ...]:
    """The meeting's cost table columns: ``by`` when asked, else approach × cohort where the
    chosen sites' requests have cohorts (Harrow's Tables 1a/1b), else approach."""
    if by:
        return cost_change.check_by(by)
    return ("approach", "cohort") if has_cohorts(store, sites) else ("approach",)


def money_section(
    store: Store,
    sites: tuple[str, ...],
    period: Period,
    previous: Period,
    threshold: int = DEFAULT_THRESHOLD,
    by: Sequence[str] | None = None,
) -> tuple[Section, cost_change.CostChange, list[Attention]]:
    """The section, Harrow's table behind it, and whether its results are provisional."""
    options = site_options(sites)
    split = cost_split(store, sites, by)
    by_option = "" if split == ("approach",) else f" --by {','.join(split)}"
    commands = [
        f"{REPORT} conversion --by approach{options} {period.options()}",
        f"{REPORT} conversion --by approach{options} {previous.options()}",
        f"{REPORT} cost-change{options} --to {period.end.isoformat()}",
        f"{REPORT} cost-change{options} --to {previous.end.isoformat()} "
        f"--as-of {previous.end.isoformat()}",
        f"{REPORT} cost-change{by_option}{options} {period.options()}",
    ]
    if by_option:
        table_command = f"{REPORT} cost-change{by_option}{options} --to {period.end.isoformat()}"
        commands.insert(3, table_command)
    # Figures another view shares (usual practice across all sites, a table to the same
    # end date) are kept on their own, so a new site or start date works out only its own.
    now = cached(store, _conversion_rows, sites, period, threshold)
    before = cached(store, _conversion_rows, sites, previous, threshold)
    usual, usual_label = usual_practice(
        now.get(USUAL_PRACTICE),
        sites,
        lambda: cached(store, _conversion_rows, (), period, threshold).get(USUAL_PRACTICE),
        commands,
        f"{REPORT} conversion --by approach {period.options()}",
    )

    # The table now, its distribution and the table as it stood at the previous period's end
    # (the same as `summary` with date_to and as_of both previous.end) from one costing.
    found = cost_change.costs(
        store, Selection(sites=sites, date_to=period.end), earlier=previous.end,
        threshold=threshold,
    )  # fmt: skip
    report, bands = found.report, found.bands
    earlier = found.earlier or report
    table_report = report
    if split != ("approach",):
        table_report = cached(
            store,
            cost_change.summary,
            Selection(sites=sites, date_to=period.end),
            by=split,
            threshold=threshold,
        )
    in_period = cost_change.summary(
        store,
        Selection(sites=sites, date_from=period.start, date_to=period.end),
        by=split,
        threshold=threshold,
    )
    everywhere = Selection(approaches=(USUAL_PRACTICE,), date_to=period.end)
    cost_usual, cost_usual_label = usual_practice(
        _cost_group(report, USUAL_PRACTICE),
        sites,
        lambda: _cost_group(
            cached(store, cost_change.summary, everywhere, threshold=threshold), USUAL_PRACTICE
        ),
        commands,
        f"{REPORT} cost-change --approach '{USUAL_PRACTICE}' --to {period.end.isoformat()}",
    )
    usual_before = _cost_group(earlier, USUAL_PRACTICE)
    if usual_before is None and cost_usual_label != USUAL_PRACTICE:
        then = Selection(approaches=(USUAL_PRACTICE,), date_to=previous.end)
        usual_before = _cost_group(
            cached(store, cost_change.summary, then, as_of=previous.end, threshold=threshold),
            USUAL_PRACTICE,
        )
    group, group_before = (
        _cost_group(report, THREE_CONVERSATIONS),
        _cost_group(earlier, THREE_CONVERSATIONS),
    )
    figures = [
        _rate_figure(
            "New requests that led to long-term support",
            lambda r: r.long_term,
            lambda r: r.conversion_rate,
            now, before, usual, usual_label, "down", with_interval=True,
        ),
        _average_figure(group, group_before, cost_usual, cost_usual_label),
        _difference_figure(group, group_before, cost_usual, usual_before, cost_usual_label),
        _rate_figure(
            "New requests met with reablement",
            lambda r: r.reablement,
            lambda r: r.reablement_rate,
            now, before, usual, usual_label, "",
        ),
    ]  # fmt: skip
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
            cost_table(table_report, f"requests that began up to {period.end:%d/%m/%Y}"),
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
        chart=vega_spec(cost_chart(bands)),
        chart_text=describe_distribution(bands),
        commands=commands,
    )
    return section, report, attention
