"""Every page's filters, from one module: read from the address, kept in it, one layout.

A page's view is a ``Selection`` (sites, approaches, cohorts, areas, a period) plus, for
some pages, a grouping (``by``). The widgets start from the address, so a shared link opens
the same view, and write the view back into it, so the address can be shared in turn;
parameters a page reads for itself (``as_of``, ``change``) are left in the address as they
are. Names typed into a link match ignoring capitals and surrounding spaces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import streamlit as st

from evaluation.measures.selection import QUERY_KEYS, Selection, matching
from evaluation.present.formats import month as month_text

FIELDS = {
    "sites": ("Sites", "All sites"),
    "approaches": ("Approaches", "All approaches"),
    "cohorts": ("Cohorts", "All cohorts"),
    "areas": ("Areas", "All areas"),
}
EARLIEST = date(2000, 1, 1)
BY_KEY = "by"
ALL_MONTHS = "All months"


@dataclass(frozen=True)
class Filters:
    """What a page's filters chose: the selection, the grouping, and a spare column."""

    selection: Selection
    by: tuple[str, ...] = ()
    spare: Any = None  # a column left beside the period, for the page's own input


def view(
    found: Mapping[str, list[str]],
    key: str,
    *,
    fields: Sequence[str] = ("sites", "approaches", "areas"),
    period: tuple[str, str] = ("Requests that began from", "to"),
    default: tuple[date, date] | None = None,
    by: Sequence[str] | None = None,
    by_default: Sequence[str] = ("approach",),
    by_help: str | None = None,
    spare: bool = False,
    one_row: bool = False,
    caption: str | None = None,
    helps: Mapping[str, str] | None = None,
) -> Filters:
    """The filters of one page in a bordered box; the widgets' keys start with ``key``.

        ``found`` holds the values each field can offer (``selection.choices``). ``default``
        fills the period when the address gives none; ``by`` offers a grouping; ``spare`` leaves
        a column in the period's row (the row's last); ``one_row`` puts everything on one line
    (the meeting).
    """
    preset = Selection.from_query(st.query_params.get_all)
    asked_by = st.query_params.get_all(BY_KEY)
    with st.container(border=True):
        widths = [2] * len(fields) + [1, 1] + [1] * spare if one_row else [1] * len(fields)
        top = st.columns(widths)
        chosen: dict[str, tuple[str, ...]] = {}
        for column, field in zip(top, fields, strict=False):
            label, placeholder = FIELDS[field]
            options = found[QUERY_KEYS[field]]
            chosen[field] = tuple(
                column.multiselect(
                    label,
                    options,
                    default=matching(getattr(preset, field), options),
                    key=f"{key}_{field}",
                    placeholder=placeholder,
                    help=(helps or {}).get(field),
                )
            )
        row = top[len(fields) :] if one_row else st.columns(2 + bool(by) + spare)
        start = row[0].date_input(
            period[0],
            value=preset.date_from or (default[0] if default else None),
            min_value=EARLIEST,
            format="DD/MM/YYYY",
            key=f"{key}_from",
        )
        end = row[1].date_input(
            period[1],
            value=preset.date_to or (default[1] if default else None),
            min_value=EARLIEST,
            format="DD/MM/YYYY",
            key=f"{key}_to",
        )
        grouping: tuple[str, ...] = ()
        if by:
            wanted = [b for b in asked_by if b in by] if asked_by else list(by_default)
            grouping = tuple(
                row[2].multiselect(
                    "One column per", list(by), default=wanted, key=f"{key}_by", help=by_help
                )
            )
        spare_column = row[-1] if spare else None
        if caption:
            st.caption(caption)
    kept = {f: getattr(preset, f) for f in FIELDS if f not in fields}
    selection = Selection(**kept, **chosen, date_from=start or None, date_to=end or None)
    keep_in_address(selection, grouping if by else None, default_by=tuple(by_default))
    return Filters(selection, grouping, spare_column)


def keep_in_address(
    selection: Selection, by: tuple[str, ...] | None = None, default_by: tuple[str, ...] = ()
) -> None:
    """Write the view into the address (only when it changed: a write reruns nothing, but
    keeps the browser's history clean); parameters the view doesn't own stay as they are."""
    ours = {*QUERY_KEYS.values(), "from", "to", BY_KEY}
    query: dict[str, Any] = {
        k: st.query_params.get_all(k) for k in st.query_params if k not in ours
    }
    query |= selection.to_query()
    if by is not None and by != default_by:
        query[BY_KEY] = list(by) or [""]
    wanted = {k: v if isinstance(v, list) else [v] for k, v in query.items()}
    if wanted != {k: st.query_params.get_all(k) for k in st.query_params}:
        st.query_params.from_dict(query)


SPLIT_KEY = "split"


def split_choice(where: Any, options: Mapping[str, str], key: str, label: str) -> str:
    """One of ``options`` (value: its label) to split a table by, in ``where`` (a column, or
    ``st``); it starts from the address (``?split=age_band``) and is kept there, the first
    option being the default."""
    values = list(options)
    asked = st.query_params.get(SPLIT_KEY)
    chosen = where.selectbox(
        label,
        values,
        index=values.index(asked) if asked in values else 0,
        format_func=lambda value: options[value],
        key=key,
    )
    if chosen == values[0]:
        st.query_params.pop(SPLIT_KEY, None)
    elif st.query_params.get(SPLIT_KEY) != chosen:
        st.query_params[SPLIT_KEY] = chosen
    return str(chosen)


def linked_index(choices: list[str]) -> int:
    """Which of a page's single-site choices a shared link names (``?site=…``), else 0."""
    wanted = [s.strip().lower() for s in st.query_params.get_all("site")]
    if len(wanted) != 1:
        return 0
    lowered = [c.strip().lower() for c in choices]
    return lowered.index(wanted[0]) if wanted[0] in lowered else 0


def one_site(where: Any, sites: list[str], key: str, everything: str = "All sites") -> str | None:
    """A single-site choice in ``where`` (a column, or ``st``) that starts from the link's
    site; None for all sites."""
    choices = [everything, *sites]
    chosen = where.selectbox("Site", choices, index=linked_index(choices), key=key)
    return None if chosen == everything else chosen


@dataclass(frozen=True)
class SurveyView:
    """A survey page's view: one site (None: all) and the period of the responses."""

    site: str | None
    start: date | None
    end: date | None


def survey_view(sites: list[str], key: str, period_label: str) -> SurveyView:
    """The People and Staff pages' site and period, from the link and kept in it: a shared
    link from the meeting (``?site=…&from=…&to=…``) opens the same responses."""
    preset = Selection.from_query(st.query_params.get_all)
    with st.container(border=True):
        left, start, end = st.columns([2, 1, 1])
        site = one_site(left, sites, f"{key}_site")
        date_from = start.date_input(
            period_label, value=preset.date_from, min_value=EARLIEST, format="DD/MM/YYYY",
            key=f"{key}_from",
        )  # fmt: skip
        date_to = end.date_input(
            "to", value=preset.date_to, min_value=EARLIEST, format="DD/MM/YYYY", key=f"{key}_to"
        )
    if date_from and date_to and date_to < date_from:
        st.warning("The period ends before it starts: showing every response instead.")
        date_from = date_to = None
    keep_in_address(
        Selection(
            sites=(site,) if site else (), date_from=date_from or None, date_to=date_to or None
        )
    )
    return SurveyView(site, date_from or None, date_to or None)


def comment_filters(sites: list[str], months: list[str], key: str) -> dict[str, str | None]:
    """Which comments to list: a site, a month (newest first) and words to search for, as
    the options of ``survey.comments``."""
    left, middle, right = st.columns(3)
    site = one_site(left, sites, f"{key}_site")
    month = middle.selectbox(
        "Month",
        [ALL_MONTHS, *reversed(months)],
        format_func=lambda m: m if m == ALL_MONTHS else month_text(m),
        key=f"{key}_month",
    )
    search = right.text_input("Search the comments", key=f"{key}_search")
    return {"site": site, "month": None if month == ALL_MONTHS else month, "search": search}


def snapshot_day(where: Any, label: str, default: date, key: str, help_text: str) -> date:
    """A page's own day (the Conversations page's "underway on"), starting from the link's
    ``?as_of=`` and else ``default``."""
    start = linked_date("as_of", default)
    chosen = where.date_input(
        label, value=start, min_value=EARLIEST, format="DD/MM/YYYY", key=key, help=help_text
    )
    return chosen or start


def linked_date(name: str, fallback: date) -> date:
    """A page's own date from the address (``?as_of=2026-07-31``), else ``fallback``."""
    text = st.query_params.get(name)
    try:
        return date.fromisoformat(text) if text else fallback
    except ValueError:
        return fallback
