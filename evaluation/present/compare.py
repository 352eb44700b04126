"""Like for like with usual practice, in words that match the evidence.

Where an interval includes no difference the words say the data cannot tell the approaches
apart; where a comparison rests on too few requests (a stratum or a side with fewer than
the small-number threshold, 5 unless raised) they say so instead of a figure. The tables
for the pages, the meeting and the reports' text come from here, so all of them word a
comparison the same way. Group names, site names and support reasons are the user's own
text: these are plain strings for ``st.text`` and dataframes, never markdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from evaluation.measures.over_time import OverTime
from evaluation.measures.strata import (
    CONVERSION,
    FEW_IN_GROUP,
    FEW_IN_REFERENCE,
    NO_REFERENCE,
    NO_REQUESTS,
    NOT_IN_GROUP,
    NOT_IN_REFERENCE,
    Comparison,
    Standardised,
)
from evaluation.present.formats import MISSING, change_exact, count, percent, rounded, uk_date

FIELD_LABELS = {
    "age_band": "age band",
    "support_reason": "support reason",
    "request_type": "request type",
    "cohort": "cohort",
    "area": "area",
}
TOO_SMALL = "too small to compare"
PLACES = 2  # conversion is written to two places on the Money page; points alike

METHOD = (
    "**Like for like.** A site that sees younger people, or more people needing physical "
    "support, would show lower conversion and smaller cost rises whatever it did. So each "
    "group's own figure in each group of people (a *stratum*: say 65+ needing memory and "
    "cognition support) is weighted by usual practice's share of requests in that stratum: "
    "the figure the group would have with usual practice's mix of people (direct "
    "standardisation). Usual practice, on the same strata, is the figure it is set against.\n\n"
    "**Left out of both sides.** A stratum one side has no requests in, or fewer than "
    "{threshold}, is left out of both and named: no rate or average rests on fewer than "
    "{threshold} requests. The weights are usual practice's shares of the strata kept.\n\n"
    "**The 95% intervals.** Conversion: an adjusted Wald interval for a weighted sum of rates "
    "(Price and Bonett), which stays close to 95% where strata are small and rates low. Cost "
    "change: a t interval for a weighted sum of averages (Welch–Satterthwaite). Where the "
    "interval of a difference includes no difference, the data cannot tell the two apart.\n\n"
    "**What it cannot do.** It allows for the fields chosen and nothing else: differences in "
    "who is seen that the data does not record still count as the approach's."
)
OVER_TIME_METHOD = (
    "**Difference over time.** For a site that changed approach on a date: how much its "
    "figure moved from before the date to after it, minus how much the usual-practice sites' "
    "figure moved over the same two periods. What moved everywhere (a winter, a new policy) "
    "is taken out, as long as those sites would have moved as the site did without the "
    "change.\n\n"
    "**The 95% interval** is a bootstrap: the requests of each of the four groups (site and "
    "usual practice, before and after) are resampled with replacement, {replicates:,} times, "
    "from a seeded random number generator (seed {seed}), and the middle 95% of the "
    "differences is the interval. The same data and seed always give the same interval. A "
    "group of fewer than {threshold} requests makes the comparison too small."
)


def fields_text(fields: Sequence[str]) -> str:
    """``age band and support reason``."""
    names = [FIELD_LABELS.get(f, f) for f in fields]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _noun(measure: str) -> str:
    return "new requests" if measure == CONVERSION else "completed requests"


def value_text(measure: str, value: float | Decimal | None) -> str:
    """A rate (``10.27%``) or an average weekly change (``+£23.47``)."""
    if value is None:
        return MISSING
    return percent(float(value), PLACES) if measure == CONVERSION else change_exact(value)


def difference_text(measure: str, value: float | Decimal | None) -> str:
    """A difference: ``-1.25 points`` or ``-£20.18 a week``; ``no difference`` at zero."""
    if value is None:
        return MISSING
    if measure == CONVERSION:
        shown = rounded(float(value), PLACES)
        return "no difference" if shown == 0 else f"{shown:+.{PLACES}f} points"
    return "no difference" if value == 0 else f"{change_exact(value)} a week"


def interval_text(measure: str, ci: tuple[Any, Any] | None, *, difference: bool = False) -> str:
    """``7.16% to 14.02%``, ``-6.07 to +3.46 points``, ``-£35.48 to -£4.87``."""
    if ci is None:
        return MISSING
    low, high = ci
    if measure != CONVERSION:
        return f"{change_exact(low)} to {change_exact(high)}"
    if difference:
        a, b = (rounded(float(v), PLACES) for v in (low, high))
        return f"{a:+.{PLACES}f} to {b:+.{PLACES}f} points"
    return f"{percent(float(low), PLACES)} to {percent(float(high), PLACES)}"


def left_out_reason(reason: str | None, group: str, reference: str, threshold: int) -> str:
    return {
        NOT_IN_GROUP: f"none at {group}",
        NOT_IN_REFERENCE: f"none in {reference}",
        FEW_IN_GROUP: f"fewer than {threshold} at {group}",
        FEW_IN_REFERENCE: f"fewer than {threshold} in {reference}",
    }.get(reason or "", "")


def too_small_text(found: Comparison, result: Standardised) -> str:
    noun = _noun(result.measure)
    if found.too_small == NO_REFERENCE:
        return f"There are no {result.reference_label} {noun} in this selection to compare with."
    if found.too_small == NO_REQUESTS:
        return f"{found.label}: no {noun} in this selection."
    return (
        f"{found.label}: {TOO_SMALL} like for like. No group of people by "
        f"{fields_text(result.fields)} has {result.threshold} or more {noun} both here and in "
        f"{result.reference_label}."
    )


def _crude_gap(found: Comparison, result: Standardised) -> str:
    if found.crude_difference is None:
        return ""
    return (
        " Before allowing for the mix of people the difference was "
        f"{difference_text(result.measure, found.crude_difference)}."
    )


def verdict(found: Comparison, result: Standardised) -> str:
    """One sentence on what the like-for-like comparison shows for a group."""
    reference = result.reference_label
    if found.is_reference:
        return f"The others are set against the mix and the figures of {found.label}."
    if found.too_small:
        return too_small_text(found, result)
    what = "conversion" if result.measure == CONVERSION else "the average change in weekly cost"
    diff, ci = found.difference, found.difference_ci95
    if diff is None or ci is None:
        return f"{found.label}: the interval can't be worked out, so nothing can be said."
    shown = difference_text(result.measure, diff)
    bounds = interval_text(result.measure, ci, difference=True)
    if ci[0] <= 0 <= ci[1]:
        text = (
            f"Like for like, the data cannot tell {found.label} apart from {reference}: "
            f"{what} differs by {shown}, and its 95% interval ({bounds}) includes no difference."
        )
    else:
        direction = "lower" if diff < 0 else "higher"
        text = (
            f"Like for like, {what} is {direction} for {found.label} than for {reference} by "
            f"{shown.lstrip('+-')} (95% interval {bounds}): more than chance alone would explain."
        )
    return text + _crude_gap(found, result)


def comparison_rows(result: Standardised) -> list[dict[str, Any]]:
    """Each group's crude and like-for-like figure, usual practice on the same strata, and
    the difference with its interval."""
    m, reference = result.measure, result.reference_label
    noun = _noun(m).capitalize()
    rows = []
    for g in result.groups:
        small = g.too_small is not None
        rows.append(
            {
                "Group": g.label,
                noun: g.requests,
                "As it is": value_text(m, g.crude),
                "Like for like": TOO_SMALL if small else value_text(m, g.standardised),
                "95% interval": "" if small else interval_text(m, g.ci95),
                f"{reference.capitalize()}, same mix": ""
                if small
                else value_text(m, g.reference_value),
                "Difference, like for like": ""
                if small or g.is_reference
                else difference_text(m, g.difference),
                "95% interval of the difference": ""
                if small or g.is_reference
                else interval_text(m, g.difference_ci95, difference=True),
                "Compared": f"{count(g.covered)} of {count(g.requests)}",
            }
        )
    return rows


def strata_rows(found: Comparison, result: Standardised) -> list[dict[str, Any]]:
    """The strata of one group's comparison: usual practice's weight, the requests and the
    figure on each side; a stratum left out says why instead of a weight."""
    m, reference, noun = result.measure, result.reference_label, _noun(result.measure)
    what = "conversion" if m == CONVERSION else "average change"
    rows = []
    for s in found.strata:
        kept = s.left_out is None
        rows.append(
            {
                **{FIELD_LABELS.get(k, k).capitalize(): v for k, v in s.key.items()},
                "Weight": percent(100 * float(s.weight), 1)
                if s.weight is not None
                else "left out: "
                + left_out_reason(s.left_out, found.label, reference, result.threshold),
                f"{found.label}: {noun}": s.group.n,
                f"{found.label}: {what}": value_text(m, _value(m, s.group.value)) if kept else "",
                f"{reference.capitalize()}: {noun}": s.reference.n,
                f"{reference.capitalize()}: {what}": value_text(m, _value(m, s.reference.value))
                if kept
                else "",
            }
        )
    return rows


def _value(measure: str, value: Any) -> float | Decimal:
    if measure == CONVERSION:
        return float(100 * value)
    return Decimal(value.numerator) / Decimal(value.denominator)


def coverage_note(result: Standardised) -> str:
    """What the comparison allows for, against what, and how many requests it rests on."""
    noun = _noun(result.measure)
    return (
        f"Like for like: each group's figure as if it saw the same mix of {noun}, by "
        f"{fields_text(result.fields)}, as {result.reference_label} "
        f"({count(result.reference_requests)} {noun}). Groups of people with fewer than "
        f"{result.threshold} {noun} on either side are left out of both sides."
    )


# --- the difference over time -------------------------------------------------------------


def over_time_rows(found: OverTime) -> list[dict[str, Any]]:
    """Before, after and the change, at the site and at the usual-practice sites."""
    m, noun = found.measure, _noun(found.measure)

    def cell(name: str) -> str:
        c = found.cells[name]
        if not c.requests:
            return f"no {noun}"
        if c.value is None:
            return f"{count(c.requests)} {noun}: fewer than {found.threshold}"
        return f"{value_text(m, c.value)} ({count(c.requests)} {noun})"

    before, after = f"Before {uk_date(found.changed_on)}", f"From {uk_date(found.changed_on)}"
    rows = [
        {
            "": found.site,
            before: cell("site before"),
            after: cell("site after"),
            "Change": difference_text(m, found.site_change),
        },
        {
            "": "Usual-practice sites",
            before: cell("comparison before"),
            after: cell("comparison after"),
            "Change": difference_text(m, found.comparison_change),
        },
    ]
    if not found.too_small:
        rows.append(
            {
                "": "Difference over time",
                before: "",
                after: "",
                "Change": difference_text(m, found.difference),
            }
        )
    return rows


def over_time_verdict(found: OverTime) -> str:
    """One sentence on what the difference over time shows."""
    m, noun = found.measure, _noun(found.measure)
    what = "conversion" if m == CONVERSION else "the average change in weekly cost"
    if found.too_small:
        cells = ", ".join(c.replace("comparison", "usual practice") for c in found.too_small)
        return (
            f"{TOO_SMALL.capitalize()} over time: fewer than {found.threshold} {noun} "
            f"({cells}). Choose another date or a longer period."
        )
    if found.ci95 is None or found.difference is None:
        return "The interval can't be worked out, so nothing can be said."
    bounds = interval_text(m, found.ci95, difference=True)
    shown = difference_text(m, found.difference)
    if found.ci95[0] <= 0 <= found.ci95[1]:
        return (
            f"The data cannot tell whether {what} at {found.site} moved differently from "
            f"usual practice's over the same periods: the difference, {shown}, has a 95% "
            f"interval ({bounds}) that includes no difference."
        )
    direction = "fell" if found.difference < 0 else "rose"
    return (
        f"Against usual practice over the same periods, {what} at {found.site} {direction} by "
        f"{shown.lstrip('+-')} more (95% interval {bounds}): more than chance alone would "
        "explain, if the usual-practice sites would otherwise have moved as it did."
    )


def over_time_caption(found: OverTime) -> str:
    """The periods, the comparison sites and the bootstrap's seed."""
    start = f" (from {uk_date(found.date_from)})" if found.date_from else ""
    end = f" to {uk_date(found.date_to)}" if found.date_to else ""
    sites = ", ".join(found.comparison_sites) or "none in this selection"
    return (
        f"Before: requests that began before {uk_date(found.changed_on)}{start}; after: those "
        f"that began from {uk_date(found.changed_on)}{end}. Usual-practice sites: {sites}. "
        f"95% interval: bootstrap of {found.replicates:,} resamples, seed {found.seed}."
    )


# --- the reports' CSV and text ------------------------------------------------------------


def csv_columns(measure: str) -> list[str]:
    """The like-for-like columns a report's CSV adds (``flat`` fills them)."""
    value = "rate" if measure == CONVERSION else "mean_weekly_change"
    return [
        f"standardised_{value}",
        "standardised_ci95_low",
        "standardised_ci95_high",
        f"standardised_reference_{value}",
        "standardised_difference",
        "standardised_difference_ci95_low",
        "standardised_difference_ci95_high",
        "standardised_requests",
        "standardised_too_small",
    ]


def flat(fields: dict[str, Any]) -> dict[str, Any]:
    """A group's ``standardised_…`` fields as CSV cells: intervals split, strata left out
    (the JSON has them)."""
    row = {
        k: v for k, v in fields.items() if k not in ("standardised_strata", "standardised_left_out")
    }
    for name in ("standardised_ci95", "standardised_difference_ci95"):
        ci = row.pop(name)
        row[f"{name}_low"], row[f"{name}_high"] = ci if ci else (None, None)
    return row


def report_lines(result: Standardised) -> tuple[list[str], list[list[str]], list[str]]:
    """The report's like-for-like table (headers and rows of text) and its sentences."""
    rows = comparison_rows(result)
    headers = list(rows[0]) if rows else []
    cells = [["" if v is None else str(v) for v in row.values()] for row in rows]
    return headers, cells, [*(verdict(g, result) for g in result.groups), coverage_note(result)]
